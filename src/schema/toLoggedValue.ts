const MAX_LOGGED_STRING = 200;
const MAX_LOGGED_LIST = 20;

/**
 * A filter as it came, bounded: the log is not the place for a 100 KB string a client sent to
 * probe the limits, and the filter validation refuses such values anyway.
 */
export function toLoggedValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length <= MAX_LOGGED_STRING
      ? value
      : `${value.slice(0, MAX_LOGGED_STRING)}…(${value.length} chars)`;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 3) return '…';
  if (Array.isArray(value)) {
    const shown = value.slice(0, MAX_LOGGED_LIST).map((item) => toLoggedValue(item, depth + 1));
    return value.length <= MAX_LOGGED_LIST ? shown : [...shown, `…(${value.length} values)`];
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, toLoggedValue(item, depth + 1)]),
  );
}
