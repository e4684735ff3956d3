import type { AuditgraphError } from '../../model/errors';

/** How far down a chain of causes to look: undici wraps a socket's error once or twice. */
const MAX_DEPTH = 5;

/** A system or undici error code: `ECONNREFUSED`, `UND_ERR_SOCKET`, `UND_ERR_HEADERS_TIMEOUT`. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,40}$/;

/**
 * Why a source failed, in a few words an operator can act on: the upstream's status (`HTTP 503`),
 * the system error under a network failure (`ECONNREFUSED`), a body that is not JSON, or where a
 * payload broke its schema (`schema at data[3].id`). Built only from status codes, error codes
 * and schema paths, never from messages: an upstream's message may quote a URL with its query,
 * a header or the payload. Null when the error says nothing more than its code.
 */
export function describeCause(error: AuditgraphError): string | null {
  const parts: string[] = [];
  if (error.details.upstreamStatus !== undefined)
    parts.push(`HTTP ${error.details.upstreamStatus}`);
  let cause: unknown = error.details.cause;
  for (let depth = 0; depth < MAX_DEPTH && cause !== undefined && cause !== null; depth += 1) {
    const found = describeOne(cause);
    if (found !== null && !parts.includes(found)) parts.push(found);
    cause = nextCause(cause);
  }
  return parts.length === 0 ? null : parts.join(', ');
}

function describeOne(cause: unknown): string | null {
  if (typeof cause !== 'object' || cause === null) return null;
  const issues = (cause as { issues?: unknown }).issues;
  if (Array.isArray(issues)) return `schema at ${toSchemaPath(issues[0])}`;
  if (cause instanceof SyntaxError) return 'invalid JSON';
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : null;
}

function nextCause(cause: unknown): unknown {
  if (typeof cause !== 'object' || cause === null) return undefined;
  // A connection to a name with two addresses fails with both: the first says enough.
  if (cause instanceof AggregateError) return (cause.errors as unknown[])[0];
  return (cause as { cause?: unknown }).cause;
}

/** A zod issue's path as code would write it: `data[3].id`; `(root)` for the body itself. */
function toSchemaPath(issue: unknown): string {
  const path = (issue as { path?: unknown } | undefined)?.path;
  if (!Array.isArray(path) || path.length === 0) return '(root)';
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const name = String(segment);
      // Keys are the wire schema's own names; anything else is shown as a bare index would be.
      if (!/^[A-Za-z_$][\w$-]{0,63}$/.test(name)) return '[…]';
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}
