const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);

/**
 * A request's method as a span names it: one of HTTP's own, else `_OTHER` (the semantic
 * conventions' word), so that a client's made-up method is neither a span name nor a value.
 */
export function toHttpMethod(method: string): string {
  return KNOWN_METHODS.has(method) ? method : '_OTHER';
}
