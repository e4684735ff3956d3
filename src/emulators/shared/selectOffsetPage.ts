import type { EmulatorRequest } from '../startEmulatorServer';
import { toTieSeed, type Direction, type RecordStore, type TimeBound } from './createRecordStore';

/** A list query paged by offset, in time order: what Fastly's and Cloudflare v1's come to. */
export interface OffsetListQuery<T> {
  /** 1-based. */
  readonly page: number;
  readonly pageSize: number;
  readonly direction: Direction;
  readonly since: TimeBound | null;
  readonly before: TimeBound | null;
  readonly matches: (record: T) => boolean;
}

export interface OffsetPage<T> {
  readonly items: readonly T[];
  /** How many records match the query, on every page. */
  readonly total: number;
}

/**
 * One page of an offset-paged list. With the knob on, ties are ranked by a seed from the
 * request's query without `pagingKeys`, so every page of one query sees the same order.
 */
export function selectOffsetPage<T extends object, K extends string | number>(
  store: RecordStore<T, K>,
  query: OffsetListQuery<T>,
  request: EmulatorRequest,
  pagingKeys: readonly string[],
): OffsetPage<T> {
  const selected = store.select({
    since: query.since,
    before: query.before,
    matches: query.matches,
    sort: [{ descending: query.direction === 'desc' }],
    tieSeed: request.knobs.shuffleTies ? toTieSeed(request.query, pagingKeys) : null,
  });
  const { page, pageSize } = query;
  return {
    items: selected.slice((page - 1) * pageSize, page * pageSize),
    total: selected.length,
  };
}
