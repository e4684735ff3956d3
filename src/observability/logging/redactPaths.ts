/**
 * Keys whose values never reach a log line, at any depth a line holds: credentials (a source's
 * token or API key, a client's bearer token or key, a JWT, the cursor secret), the headers that
 * carry them, and cursors (a sealed cursor is a bearer of a client's position; logged, it could
 * be replayed by whoever reads the logs). Matched exactly, case included, hence both spellings
 * of a header. Extend it here; nothing else decides what is redacted.
 */
export const REDACTED_KEYS: readonly string[] = [
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'jwt',
  'apiKey',
  'api_key',
  'apikey',
  'key',
  'secret',
  'cursorSecret',
  'clientSecret',
  'client_secret',
  'password',
  'passwd',
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-key',
  'x-auth-email',
  'after',
  'before',
  'cursor',
  'startCursor',
  'endCursor',
];

/** Lines nest fields this deep at most (`{ request: { headers: { authorization } } }` is 3). */
const DEPTH = 4;

/** pino's redaction paths for REDACTED_KEYS at every depth up to DEPTH. */
export function toRedactPaths(keys: readonly string[] = REDACTED_KEYS): string[] {
  return keys.flatMap((key) => {
    const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
    return Array.from({ length: DEPTH }, (_, depth) => {
      const path = `${'*.'.repeat(depth).replace(/\.$/, '')}${segment}`;
      return path.startsWith('.') ? path.slice(1) : path;
    });
  });
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

export const REDACTED = '[Redacted]';

/**
 * What a redacted value becomes. `before` names two things: a Relay cursor, and the filter's
 * exclusive time bound (the read audit logs the filter). A timestamp is no secret and a sealed
 * cursor is never one, so a `before` that is a timestamp stays; anything else is replaced.
 */
export function censor(value: unknown, path: readonly (string | null)[]): unknown {
  if (path.at(-1) === 'before' && (value instanceof Date || isTimestamp(value))) return value;
  return REDACTED;
}

function isTimestamp(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 40 && TIMESTAMP.test(value);
}
