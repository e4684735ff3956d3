import { z } from 'zod';

/**
 * Kind-neutral (Fastly's `filter[created_at][…]` uses it too), see createRecordStore.ts.
 */

const dateOnly = z.iso.date();
const timestamp = z.iso.datetime({ offset: true });

/**
 * A time a client sends: a date `2019-04-30` (midnight UTC) or an RFC 3339 timestamp with any
 * fraction of a second and a `Z` or numeric offset. null when it is neither.
 */
export function parseTimeParam(text: string): number | null {
  if (dateOnly.safeParse(text).success) return Date.parse(`${text}T00:00:00Z`);
  if (timestamp.safeParse(text).success) return Date.parse(text);
  return null;
}

/** An integer written in plain decimal digits within [min, max]; null otherwise. */
export function parseIntegerParam(text: string, min: number, max: number): number | null {
  if (!/^-?\d{1,15}$/.test(text.trim())) return null;
  const value = Number(text.trim());
  return value >= min && value <= max ? value : null;
}
