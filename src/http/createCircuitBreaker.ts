import { AuditgraphError } from '../model/errors';
import { PERCENTAGE, POSITIVE_INTEGER, assertOptions } from './assertOptions';

export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit: a quiet source that is simply down. */
  readonly failureThreshold?: number;
  /** The rolling window over which the failure rate is measured (R7: 10 s). */
  readonly windowMs?: number;
  /** Calls the window must hold before its failure rate may open the circuit (R7: 20). */
  readonly minimumCalls?: number;
  /** The share of the window's calls, in percent, whose failure opens the circuit (R7: 50). */
  readonly failureRatePercent?: number;
  /** How long the circuit stays open before one probe is let through. */
  readonly openMs?: number;
  /** Epoch ms; injected so tests move time without waiting. */
  readonly now?: () => number;
  /**
   * Told of each move: closed → open, open → half-open (when the probe is let through),
   * half-open → closed or open. An open circuit turns half-open as time passes, but is told so
   * only when a call comes to probe it: until then nothing has changed for anyone.
   */
  readonly onTransition?: (from: CircuitState, to: CircuitState) => void;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * How one admitted call ended: `failure` counts toward opening the circuit, `success` closes it,
 * `neutral` (the credential refused, a rate limit, the caller giving up) says nothing about
 * whether the upstream is healthy.
 */
export type CallOutcome = 'success' | 'failure' | 'neutral';

export interface CircuitPermit {
  /** Reports the call's outcome; only the first report counts. */
  settle(outcome: CallOutcome): void;
}

export interface CircuitBreaker {
  /**
   * Lets a call through, or fails at once with CIRCUIT_OPEN (and `retryAfterSeconds`) while the
   * circuit is open, or while the one half-open probe is still under way. A breaker shared by
   * replicas may need to ask them first, hence the promise it may answer with.
   */
  admit(sourceId: string): CircuitPermit | Promise<CircuitPermit>;
  state(): CircuitState;
}

/** A breaker others can move: the replicas that share a source's circuit (src/state). */
export interface ControllableCircuitBreaker extends CircuitBreaker {
  admit(sourceId: string): CircuitPermit;
  /**
   * Opens the circuit for `forMs` from now, as another replica's opened; a circuit already open
   * for longer stays as it is. Told to onTransition like any other move.
   */
  trip(forMs: number): void;
  /** Closes the circuit, as the fleet's probe succeeded on another replica. */
  reset(): void;
}

export const CIRCUIT_BREAKER_DEFAULTS = {
  failureThreshold: 5,
  windowMs: 10_000,
  minimumCalls: 20,
  failureRatePercent: 50,
  openMs: 30_000,
} as const;

/** The window is counted in this many slices, so its memory does not grow with traffic. */
const WINDOW_SLICES = 10;

/**
 * Whether an error says the upstream is unhealthy: unreachable, too slow, or answering with
 * something unusable. A refused credential, a rate limit or a request we got wrong (a 4xx) is
 * an answer from a healthy upstream, and retrying it elsewhere would not help.
 */
export function isCircuitFailure(error: unknown): boolean {
  if (!(error instanceof AuditgraphError)) return false;
  switch (error.code) {
    case 'SOURCE_UNAVAILABLE':
    case 'SOURCE_TIMEOUT':
      return true;
    case 'SOURCE_BAD_RESPONSE': {
      const status = error.details.upstreamStatus;
      return status === undefined || status < 400 || status >= 500;
    }
    case 'BAD_USER_INPUT':
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
    case 'SOURCE_RATE_LIMITED':
    case 'SOURCE_AUTH_FAILED':
    case 'CIRCUIT_OPEN':
    case 'SOURCE_EVENTS_MISSED':
    case 'TOO_MANY_SUBSCRIPTIONS':
    case 'SHUTTING_DOWN':
    case 'REQUEST_ABORTED':
    case 'CONFIG_INVALID':
    case 'INTERNAL_SERVER_ERROR':
      return false;
  }
}

/**
 * A circuit breaker for one source. Closed, it opens on either of two rules (R7):
 * - within the rolling window, at least `minimumCalls` calls were made and at least
 *   `failureRatePercent` of them failed: a busy source failing often, even with successes
 *   in between;
 * - `failureThreshold` calls failed in a row: a quiet source that is simply down, which would
 *   take too long to make `minimumCalls` calls.
 *
 * Open, every call fails fast (no upstream request) for `openMs`; then it is half-open: one
 * probe goes through, and its success closes the circuit while its failure opens it again.
 *
 * Only successes and failures are counted: a neutral outcome says nothing about the upstream.
 * Outcomes of calls admitted before the circuit last opened are ignored, successes included:
 * once open, only the probe decides, so a straggler that happened to succeed cannot close a
 * circuit that a high failure rate opened.
 */
export function createCircuitBreaker(
  options: CircuitBreakerOptions = {},
): ControllableCircuitBreaker {
  const { failureThreshold, openMs, windowMs, minimumCalls, failureRatePercent } = assertOptions(
    'createCircuitBreaker',
    options,
    CIRCUIT_BREAKER_DEFAULTS,
    {
      failureThreshold: POSITIVE_INTEGER,
      openMs: POSITIVE_INTEGER,
      windowMs: POSITIVE_INTEGER,
      minimumCalls: POSITIVE_INTEGER,
      failureRatePercent: PERCENTAGE,
    },
  );
  const now = options.now ?? Date.now;
  const window = createOutcomeWindow(windowMs, now);
  let consecutiveFailures = 0;
  let openedAt: number | null = null;
  /** How many times the circuit has opened: a permit from an earlier opening is stale. */
  let openings = 0;
  let probing = false;
  /** The state last told to onTransition. */
  let told: CircuitState = 'closed';

  function tell(to: CircuitState): void {
    if (to === told) return;
    const from = told;
    told = to;
    options.onTransition?.(from, to);
  }

  function state(): CircuitState {
    if (openedAt === null) return 'closed';
    return now() - openedAt >= openMs ? 'half-open' : 'open';
  }

  function open(): void {
    openedAt = now();
    openings += 1;
    consecutiveFailures = 0;
    window.clear();
    tell('open');
  }

  function close(): void {
    openedAt = null;
    consecutiveFailures = 0;
    window.clear();
    tell('closed');
  }

  function failureRateExceeded(): boolean {
    const { calls, failures } = window.totals();
    return calls >= minimumCalls && failures * 100 >= failureRatePercent * calls;
  }

  /** Counts the outcome of a call admitted while the circuit was closed. */
  function count(outcome: 'success' | 'failure'): void {
    window.record(outcome === 'failure');
    if (outcome === 'success') {
      consecutiveFailures = 0;
      return;
    }
    consecutiveFailures += 1;
    // Checked on failures only: a success never opens the circuit.
    if (consecutiveFailures >= failureThreshold || failureRateExceeded()) open();
  }

  function settleProbe(outcome: CallOutcome): void {
    probing = false;
    switch (outcome) {
      case 'success':
        close();
        return;
      case 'failure':
        open();
        return;
      case 'neutral':
        // A probe that learned nothing leaves the circuit half-open for the next caller.
        return;
    }
  }

  function admit(sourceId: string): CircuitPermit {
    const current = state();
    if (current === 'open' || (current === 'half-open' && probing)) {
      const remainingMs = openedAt === null ? 0 : openedAt + openMs - now();
      throw new AuditgraphError(
        'CIRCUIT_OPEN',
        `source ${sourceId} failed repeatedly; requests to it are paused (circuit open)`,
        { sourceId, retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) },
      );
    }
    const isProbe = current === 'half-open';
    if (isProbe) {
      probing = true;
      tell('half-open');
    }
    const admittedIn = openings;
    let settled = false;
    return {
      settle(outcome) {
        if (settled) return;
        settled = true;
        if (isProbe) {
          settleProbe(outcome);
          return;
        }
        if (outcome === 'neutral' || admittedIn !== openings) return;
        count(outcome);
      },
    };
  }

  function trip(forMs: number): void {
    const remainingMs = openedAt === null ? 0 : openedAt + openMs - now();
    if (forMs <= 0 || remainingMs >= forMs) return;
    openedAt = now() - Math.max(0, openMs - forMs);
    openings += 1;
    probing = false;
    consecutiveFailures = 0;
    window.clear();
    tell('open');
  }

  function reset(): void {
    if (openedAt === null) return;
    probing = false;
    close();
  }

  return { admit, state, trip, reset };
}

interface OutcomeWindow {
  record(failed: boolean): void;
  totals(): { readonly calls: number; readonly failures: number };
  clear(): void;
}

interface WindowSlice {
  /** Which slice of time this is (epoch ms divided by the slice's length), or -1 when unused. */
  index: number;
  calls: number;
  failures: number;
}

/**
 * Calls and failures of the last `windowMs`, counted in WINDOW_SLICES slices of time, as
 * Hystrix and resilience4j do: a call leaves the window between 0.9 and 1 `windowMs` after it
 * was made, and memory stays the same at any traffic.
 */
function createOutcomeWindow(windowMs: number, now: () => number): OutcomeWindow {
  const sliceMs = windowMs / WINDOW_SLICES;
  const slices: WindowSlice[] = Array.from({ length: WINDOW_SLICES }, () => unusedSlice());
  const currentIndex = (): number => Math.floor(now() / sliceMs);

  function sliceFor(index: number): WindowSlice {
    const slot = ((index % WINDOW_SLICES) + WINDOW_SLICES) % WINDOW_SLICES;
    let slice = slices[slot];
    if (slice === undefined || slice.index !== index) {
      slice = { index, calls: 0, failures: 0 };
      slices[slot] = slice;
    }
    return slice;
  }

  return {
    record(failed) {
      const slice = sliceFor(currentIndex());
      slice.calls += 1;
      if (failed) slice.failures += 1;
    },
    totals() {
      const current = currentIndex();
      let calls = 0;
      let failures = 0;
      for (const slice of slices) {
        if (slice.index <= current - WINDOW_SLICES || slice.index > current) continue;
        calls += slice.calls;
        failures += slice.failures;
      }
      return { calls, failures };
    },
    clear() {
      for (let slot = 0; slot < WINDOW_SLICES; slot += 1) slices[slot] = unusedSlice();
    },
  };
}

function unusedSlice(): WindowSlice {
  return { index: -1, calls: 0, failures: 0 };
}
