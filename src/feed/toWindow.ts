import type { SortOrder } from '../model/Source';
import type { Window } from './createSourceReader';
import type { EventFilter } from './eventFilter';
import type { FeedPosition } from './eventKey';

/**
 * The time window of one read of the feed: the filter's bounds, the snapshot's `asOf`, and the
 * cursor's timestamp (inclusive: the cursor's own millisecond may still hold events to deliver).
 */
export function toWindow(
  filter: EventFilter,
  asOfMs: number,
  order: SortOrder,
  position: FeedPosition | null,
): Window {
  let sinceMs = filter.sinceMs ?? 0;
  let beforeMs = Math.min(filter.beforeMs ?? Number.MAX_SAFE_INTEGER, asOfMs + 1);
  if (position !== null) {
    if (order === 'asc') sinceMs = Math.max(sinceMs, position.ts);
    else beforeMs = Math.min(beforeMs, position.ts + 1);
  }
  return { sinceMs: Math.max(0, sinceMs), beforeMs };
}
