/** How long one caller is willing to wait, as the caller said it. */
export interface CallerLimits {
  /** The caller giving up: it stops waiting at once. */
  readonly signal?: AbortSignal | undefined;
  /** Epoch ms by which the caller must have its answer (no deadline: it waits for the call). */
  readonly deadlineAt?: number | undefined;
}

/**
 * What a shared call runs under: aborted only when every caller waiting for it gave up, and due
 * by `deadlineAt`, which a caller joining later may push back (read it each time it matters).
 */
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

/** Why a caller's watch on its own deadline and signal stopped: its wait is over. Made once. */
const WAIT_OVER = new Error('the wait is over');

/** A call under way and the callers waiting for it. */
interface Flight<T> {
  readonly key: string;
  /** The latest deadline of its callers; `at` is undefined once one of them has none. */
  readonly deadline: { at: number | undefined };
  readonly controller: AbortController;
  readonly result: Promise<T>;
  waiters: number;
  settled: boolean;
  /** Told when `deadline.at` moves, so that earlier callers start watching their own. */
  readonly onExtend: Set<() => void>;
}

/**
 * Makes concurrent equal calls one: a call whose key equals that of a call still under way waits
 * for that call's result instead of starting its own.
 *
 * Deadlines. The shared call runs until the latest deadline of the callers waiting for it, and
 * each caller stops waiting at its own. A caller whose deadline is later than the call's joins
 * it and pushes its deadline back, so joining never costs a caller time it would otherwise have
 * had; a caller whose deadline comes first stops waiting then, with `timedOut`, while the call
 * goes on for the others. (Dashboards asking the same thing a few milliseconds apart have
 * deadlines a few milliseconds apart: refusing later callers would leave almost nothing shared.)
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
    if (current !== undefined) {
      call.onJoin?.();
      extend(current, call.deadlineAt);
      return waitFor(current, call);
    }
    return waitFor(launch(call), call);
  }

  function launch(call: SharedCall<T>): Flight<T> {
    const controller = new AbortController();
    const deadline = { at: call.deadlineAt };
    const flight: Flight<T> = {
      key: call.key,
      deadline,
      controller,
      result: call.start({
        signal: controller.signal,
        get deadlineAt() {
          return deadline.at;
        },
      }),
      waiters: 0,
      settled: false,
      onExtend: new Set(),
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

  /** Pushes the call's deadline back to a later caller's (or drops it for one without). */
  function extend(flight: Flight<T>, deadlineAt: number | undefined): void {
    if (flight.deadline.at === undefined) return;
    if (deadlineAt !== undefined && deadlineAt <= flight.deadline.at) return;
    flight.deadline.at = deadlineAt;
    for (const listener of [...flight.onExtend]) listener();
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
      // With a reason of its own: abort() without one builds a DOMException, stack and all, on
      // every call that ends.
      stopWatching.abort(WAIT_OVER);
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
    const { signal, deadlineAt } = caller;
    if (signal === undefined && deadlineAt === undefined) return null;
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
      if (deadlineAt === undefined) return;
      // While the call's deadline is the caller's own, the call ending says all; once a later
      // caller pushes it back, this caller watches its own.
      let watching = false;
      const watchOwnDeadline = (): void => {
        if (watching || stopWatching.aborted) return;
        if (flight.deadline.at !== undefined && deadlineAt >= flight.deadline.at) return;
        watching = true;
        flight.onExtend.delete(watchOwnDeadline);
        options.sleep(Math.max(0, deadlineAt - options.now()), stopWatching).then(
          () => giveUp(options.timedOut()),
          // The shared call settled first and stopped the wait.
          () => undefined,
        );
      };
      flight.onExtend.add(watchOwnDeadline);
      stopWatching.addEventListener('abort', () => flight.onExtend.delete(watchOwnDeadline));
      watchOwnDeadline();
    });
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
