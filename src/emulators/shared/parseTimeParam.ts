import { z } from 'zod';

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
