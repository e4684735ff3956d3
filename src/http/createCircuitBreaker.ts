import { AuditgraphError } from '../model/errors';

export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit. */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one probe is let through. */
  readonly openMs?: number;
  /** Epoch ms; injected so tests move time without waiting. */
  readonly now?: () => number;
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
   * circuit is open, or while the one half-open probe is still under way.
   */
  admit(sourceId: string): CircuitPermit;
  state(): CircuitState;
}

export const CIRCUIT_BREAKER_DEFAULTS = {
  failureThreshold: 5,
  openMs: 30_000,
} as const;

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
    case 'SOURCE_RATE_LIMITED':
    case 'SOURCE_AUTH_FAILED':
    case 'CIRCUIT_OPEN':
    case 'SOURCE_EVENTS_MISSED':
    case 'CONFIG_INVALID':
    case 'INTERNAL_SERVER_ERROR':
      return false;
  }
}

/**
 * A circuit breaker for one source: closed until `failureThreshold` consecutive calls fail, then
 * open for `openMs` (every call fails fast, no upstream request), then half-open: one probe goes
 * through, and its success closes the circuit while its failure opens it again.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const failureThreshold = assertPositiveInteger(
    options.failureThreshold,
    'failureThreshold',
    CIRCUIT_BREAKER_DEFAULTS.failureThreshold,
  );
  const openMs = assertPositiveInteger(options.openMs, 'openMs', CIRCUIT_BREAKER_DEFAULTS.openMs);
  const now = options.now ?? Date.now;
  let failures = 0;
  let openedAt: number | null = null;
  let probing = false;

  function state(): CircuitState {
    if (openedAt === null) return 'closed';
    return now() - openedAt >= openMs ? 'half-open' : 'open';
  }

  function open(): void {
    openedAt = now();
    failures = 0;
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
    if (isProbe) probing = true;
    let settled = false;
    return {
      settle(outcome) {
        if (settled) return;
        settled = true;
        if (isProbe) probing = false;
        switch (outcome) {
          case 'success':
            failures = 0;
            openedAt = null;
            return;
          case 'failure':
            if (isProbe) {
              open();
              return;
            }
            // A call admitted before the circuit opened adds nothing to an open circuit.
            if (openedAt !== null) return;
            failures += 1;
            if (failures >= failureThreshold) open();
            return;
          case 'neutral':
            // A probe that learned nothing leaves the circuit half-open for the next caller.
            return;
        }
      },
    };
  }

  return { admit, state };
}

function assertPositiveInteger(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`createCircuitBreaker: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
