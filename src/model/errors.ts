/**
 * The one catalogue of error codes clients and logs see (style.md). Extend it here; never scatter
 * string codes through the code base.
 */
export const ERROR_CODES = [
  /** Anything the client sent wrong: arguments, cursors, ids. */
  'BAD_USER_INPUT',
  /** The request carries no valid credential of auditgraph's clients (HTTP 401). */
  'UNAUTHENTICATED',
  /** The client is known but may not read what it asked for (a source, personal data). */
  'FORBIDDEN',
  /** A source could not be reached, or answered with a server error. */
  'SOURCE_UNAVAILABLE',
  /** A source did not answer within its time limit. */
  'SOURCE_TIMEOUT',
  /** A source refused the call for its rate limit. */
  'SOURCE_RATE_LIMITED',
  /** A source refused *our* configured credential (upstream 401/403). Never UNAUTHENTICATED. */
  'SOURCE_AUTH_FAILED',
  /** A source answered with something that is not the shape its API promises. */
  'SOURCE_BAD_RESPONSE',
  /** A source failed repeatedly, so calls to it fail fast for a while (its circuit is open). */
  'CIRCUIT_OPEN',
  /**
   * A source that had failed answered again, holding events the traversal had already passed:
   * they are reported (count and time range), not delivered out of order.
   */
  'SOURCE_EVENTS_MISSED',
  /**
   * A live-tail subscription over the cap of subscriptions per client or in all
   * (`tail.maxSubscriptionsPerClient`, `tail.maxSubscriptions`).
   */
  'TOO_MANY_SUBSCRIPTIONS',
  /** The server is draining: a new subscription is refused, so the client reconnects elsewhere. */
  'SHUTTING_DOWN',
  /**
   * The client went away before its response ended (an export it stopped reading): no one is
   * left to tell, so only its audit line says so.
   */
  'REQUEST_ABORTED',
  /** The configuration is invalid (start-up only). */
  'CONFIG_INVALID',
  'INTERNAL_SERVER_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AuditgraphErrorDetails {
  readonly sourceId?: string;
  readonly retryAfterSeconds?: number;
  /** HTTP status the upstream answered with, when there was one. */
  readonly upstreamStatus?: number;
  /** SOURCE_EVENTS_MISSED: how many events, and the time range that holds them. */
  readonly missed?: { readonly count: number; readonly oldest: string; readonly newest: string };
  /** CONFIG_INVALID: every problem found, each a sentence naming its key or variable. */
  readonly problems?: readonly string[];
  readonly cause?: unknown;
}

/** The one error class of the domain: a code, a message safe to show, and details. */
export class AuditgraphError extends Error {
  readonly code: ErrorCode;
  readonly details: AuditgraphErrorDetails;

  constructor(code: ErrorCode, message: string, details: AuditgraphErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'AuditgraphError';
    this.code = code;
    this.details = details;
  }
}

export function isAuditgraphError(value: unknown): value is AuditgraphError {
  return value instanceof AuditgraphError;
}

export function badUserInput(message: string): AuditgraphError {
  return new AuditgraphError('BAD_USER_INPUT', message);
}
