import type { Direction } from '../shared/createRecordStore';
import { parseTimeParam } from '../shared/parseTimeParam';

/** The query parameters both audit-log versions read the same way. */
export interface CloudflareQuery {
  /** A parameter that takes one value: a repeated key's last one wins, and a blank is absent. */
  one(key: string): string | undefined;
  /** `since` or `before` in ms; null when absent; a string is the message of a 400. */
  time(key: string): number | null | string;
  /** `direction`, `desc` when absent; `message` is that of a 400. */
  direction(): Direction | { readonly message: string };
}

export function readCloudflareQuery(query: URLSearchParams): CloudflareQuery {
  const one = (key: string): string | undefined => {
    const last = query.getAll(key).at(-1);
    return last === '' ? undefined : last;
  };
  return {
    one,
    time(key) {
      const text = one(key);
      if (text === undefined) return null;
      return parseTimeParam(text) ?? `${key} must be a date (2019-04-30) or an RFC 3339 timestamp`;
    },
    direction() {
      const direction = one('direction') ?? 'desc';
      if (direction === 'asc' || direction === 'desc') return direction;
      return { message: 'direction must be one of: desc, asc' };
    },
  };
}
