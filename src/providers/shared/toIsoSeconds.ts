/** The last second with a four-digit year: RFC 3339 (and ISO 8601 as APIs read it) has no other. */
export const LATEST_ISO_SECOND_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/** `2026-03-02T09:14:31Z`: the whole-second UTC form every provider's examples show. */
export function toIsoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `ms` within what `toIsoSeconds` can write: from the epoch to the last four-digit year. */
export function clampToIsoRange(ms: number): number {
  return Math.min(LATEST_ISO_SECOND_MS, Math.max(0, ms));
}
