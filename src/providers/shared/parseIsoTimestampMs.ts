import { z } from 'zod';

const isoTimestamp = z.iso.datetime({ offset: true });

/**
 * An RFC 3339 timestamp (any fraction, `Z` or an offset) at millisecond precision, finer
 * fractions cut, never rounded up; null for anything else, which `Date.parse` alone would guess at.
 */
export function parseIsoTimestampMs(value: string): number | null {
  const ms = isoTimestamp.safeParse(value).success ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}
