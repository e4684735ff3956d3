import type { AuditgraphError } from '../model/errors';
import type { CircuitState } from './createCircuitBreaker';

/** How an attempt ended, as its observer hears it. */
export interface AttemptEnd {
  /** The upstream's HTTP status; null when none came (refused connection, timeout, abort). */
  readonly status: number | null;
  /**
   * `answered`: a response the call returns (2xx, or a status the caller accepts);
   * `transient`: a failure the loop may retry (network error, 408, 5xx);
   * `rate-limited`: a 429; `failed`: an error no retry mends (4xx, a bad body, a timeout).
   */
  readonly outcome: 'answered' | 'transient' | 'rate-limited' | 'failed';
  /** The failure, for every outcome but `answered`. */
  readonly error: AuditgraphError | null;
  readonly durationMs: number;
}

/** What an attempt is, as its observer hears it before it is sent. */
export interface AttemptStart {
  readonly method: string;
  /** 1 for the first attempt of a call, 2 for its first retry, … */
  readonly attempt: number;
  /** How long the attempt waited for the credential's rate limiter before it was sent. */
  readonly rateLimitWaitMs: number;
}

/**
 * What one source's HTTP client tells whoever watches it: logs, metrics and traces are built on
 * these calls (src/observability), and the client works the same without them. Nothing passed
 * holds a header, a query string or a body, so no credential or personal data can reach a
 * log line, a label or a span through them. An observer must not throw.
 */
export interface HttpObserver {
  /** Before each attempt is sent; the function it returns is called once, when it has ended. */
  attempt(start: AttemptStart): (end: AttemptEnd) => void;
  /** A token of the credential's limiter was taken after `waitMs`, or refused. */
  rateLimit(outcome: 'granted' | 'refused', waitMs: number): void;
  /** A retry was decided after an attempt that ended so, and will go after `delayMs`. */
  retry(after: 'transient' | 'rate-limited', delayMs: number): void;
  /** A call joined an identical call under way instead of sending its own requests. */
  coalesced(): void;
  /** The source's circuit breaker moved. */
  circuit(from: CircuitState, to: CircuitState): void;
}

/** Hears nothing: the observer of a client that nobody watches. */
export const SILENT_HTTP_OBSERVER: HttpObserver = {
  attempt: () => () => undefined,
  rateLimit: () => undefined,
  retry: () => undefined,
  coalesced: () => undefined,
  circuit: () => undefined,
};
