/** How long one caller is willing to wait, as the caller said it. */
export interface CallerLimits {
  /** The caller giving up: it stops waiting at once. */
  readonly signal?: AbortSignal | undefined;
  /** Epoch ms by which the caller must have its answer (no deadline: it waits for the call). */
  readonly deadlineAt?: number | undefined;
}

/** What a shared call runs under: aborted only when every caller waiting for it gave up. */
export interface SharedLimits {
  readonly signal: AbortSignal;
  readonly deadlineAt: number | undefined;
}

export interface SharedCall<T> extends CallerLimits {
  /** Equal for calls that must give equal answers; it must hold no secret (it is kept). */
  readonly key: string;
  /** Starts the call when no call under `key` can be joined. */
  start(limits: SharedLimits): Promise<T>;
  /** Told when this caller joins a call already under way instead of starting one. */
  onJoin?(): void;
}

export interface RequestCoalescerOptions {
  /** Epoch ms; injected so tests move time without waiting. */
  readonly now: () => number;
  /** Waits `ms`, rejecting when `signal` aborts: how a caller waits out its own deadline. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The error of a caller whose own deadline passed while the shared call went on. */
  readonly timedOut: () => Error;
  /** The error of a caller that gave up (its signal aborted). */
  readonly abandoned: (reason: unknown) => Error;
}

export interface RequestCoalescer<T> {
  share(call: SharedCall<T>): Promise<T>;
  /**
   * Keys with a call under way that a new caller could join: each leaves when its call settles
   * or its last caller gives up, so the map never outgrows the calls under way.
   */
  size(): number;
}

/** A call under way and the callers waiting for it. */
interface Flight<T> {
  readonly key: string;
  readonly deadlineAt: number | undefined;
  readonly controller: AbortController;
  readonly result: Promise<T>;
  waiters: number;
  settled: boolean;
}

/**
 * Makes concurrent equal calls one: a call whose key equals that of a call still under way waits
 * for that call's result instead of starting its own.
 *
 * Deadlines. The shared call runs under the deadline of the caller that started it. A caller
 * joins only a call whose deadline is not earlier than its own (or that has none), so joining
 * never costs it time it would otherwise have had: at worst it stops waiting at its own
 * deadline, with `timedOut`, while the call goes on for the others. A caller whose deadline is
 * later than the call's starts a call of its own, which later callers then join.
 *
 * Abandonment. A caller whose signal aborts stops waiting at once, with `abandoned`; the shared
 * call is aborted only when no caller waits for it any more, so one dashboard closing its tab
 * does not fail the others. An aborted call is forgotten at once, so the next caller starts
 * afresh rather than joining a call that is being torn down.
 *
 * A call is forgotten as soon as it settles: this shares calls under way, it caches nothing.
 */
export function createRequestCoalescer<T>(options: RequestCoalescerOptions): RequestCoalescer<T> {
  const flights = new Map<string, Flight<T>>();

  function share(call: SharedCall<T>): Promise<T> {
    if (call.signal?.aborted) return Promise.reject(options.abandoned(call.signal.reason));
    const current = flights.get(call.key);
    if (current !== undefined && canJoin(current.deadlineAt, call.deadlineAt)) {
      call.onJoin?.();
      return waitFor(current, call);
    }
    return waitFor(launch(call), call);
  }

  function launch(call: SharedCall<T>): Flight<T> {
    const controller = new AbortController();
    const flight: Flight<T> = {
      key: call.key,
      deadlineAt: call.deadlineAt,
      controller,
      result: call.start({ signal: controller.signal, deadlineAt: call.deadlineAt }),
      waiters: 0,
      settled: false,
    };
    // Set before the call can settle: `start` runs only up to its first await.
    flights.set(call.key, flight);
    const settle = (): void => {
      flight.settled = true;
      forget(flight);
    };
    // Also what keeps a rejection nobody waits for any more from being unhandled.
    void flight.result.then(settle, settle);
    return flight;
  }

  async function waitFor(flight: Flight<T>, caller: CallerLimits): Promise<T> {
    flight.waiters += 1;
    const stopWatching = new AbortController();
    let waiting = true;
    // Synchronous, so that the shared call is aborted before it takes its next step.
    const leave = (): void => {
      if (!waiting) return;
      waiting = false;
      flight.waiters -= 1;
      if (flight.waiters === 0 && !flight.settled) abandon(flight);
    };
    try {
      const givesUp = whenCallerGivesUp(flight, caller, leave, stopWatching.signal);
      return await (givesUp === null ? flight.result : Promise.race([flight.result, givesUp]));
    } finally {
      stopWatching.abort();
      leave();
    }
  }

  /**
   * Rejects when the caller stops waiting before the shared call settles: its signal aborts or
   * its own deadline, earlier than the call's, passes. Null when neither can happen.
   */
  function whenCallerGivesUp(
    flight: Flight<T>,
    caller: CallerLimits,
    leave: () => void,
    stopWatching: AbortSignal,
  ): Promise<never> | null {
    const waitMs = ownDeadlineWaitMs(flight, caller.deadlineAt);
    const { signal } = caller;
    if (signal === undefined && waitMs === null) return null;
    return new Promise<never>((_resolve, reject) => {
      const giveUp = (error: Error): void => {
        leave();
        reject(error);
      };
      if (signal !== undefined) {
        const onAbort = (): void => giveUp(options.abandoned(signal.reason));
        signal.addEventListener('abort', onAbort, { once: true });
        stopWatching.addEventListener('abort', () => signal.removeEventListener('abort', onAbort));
      }
      if (waitMs !== null) {
        options.sleep(waitMs, stopWatching).then(
          () => giveUp(options.timedOut()),
          // The shared call settled first and stopped the wait.
          () => undefined,
        );
      }
    });
  }

  /** How long the caller waits before its own deadline ends its wait; null: the call's does. */
  function ownDeadlineWaitMs(flight: Flight<T>, deadlineAt: number | undefined): number | null {
    if (deadlineAt === undefined) return null;
    if (flight.deadlineAt !== undefined && deadlineAt >= flight.deadlineAt) return null;
    return Math.max(0, deadlineAt - options.now());
  }

  function abandon(flight: Flight<T>): void {
    forget(flight);
    flight.controller.abort();
  }

  function forget(flight: Flight<T>): void {
    // A later call under the same key may have taken this one's place.
    if (flights.get(flight.key) === flight) flights.delete(flight.key);
  }

  return { share, size: () => flights.size };
}

/** Whether a caller with `deadlineAt` may wait for a call under way without losing time by it. */
function canJoin(flightDeadlineAt: number | undefined, deadlineAt: number | undefined): boolean {
  if (flightDeadlineAt === undefined) return true;
  return deadlineAt !== undefined && deadlineAt <= flightDeadlineAt;
}
