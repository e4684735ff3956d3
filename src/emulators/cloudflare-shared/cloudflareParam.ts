import type { Direction } from '../shared/createRecordStore';
import { parseTimeParam } from '../shared/parseTimeParam';

/** A parameter that takes one value: a repeated key's last one wins, and a blank is absent. */
export function cloudflareParam(query: URLSearchParams, key: string): string | undefined {
  const last = query.getAll(key).at(-1);
  return last === '' ? undefined : last;
}

/** `since` or `before` in ms; null when absent; a string is the message of a 400. */
export function cloudflareTimeParam(query: URLSearchParams, key: string): number | null | string {
  const text = cloudflareParam(query, key);
  if (text === undefined) return null;
  return parseTimeParam(text) ?? `${key} must be a date (2019-04-30) or an RFC 3339 timestamp`;
}

/** `direction`, `desc` when absent; `message` is that of a 400. */
export function cloudflareDirectionParam(
  query: URLSearchParams,
): Direction | { readonly message: string } {
  const direction = cloudflareParam(query, 'direction') ?? 'desc';
  if (direction === 'asc' || direction === 'desc') return direction;
  return { message: 'direction must be one of: desc, asc' };
}
