import type { AuditEvent } from '../model/AuditEvent';
import type { SortOrder } from '../model/Source';

/**
 * The total order of the feed (design.md §4): occurredAt at ms precision, then source id, then
 * the provider's id. `nativeId: ''` sorts before every real id, so `(ts, source, '')` names the
 * position just before a source's first event of that millisecond.
 */
export interface EventKey {
  readonly ts: number;
  readonly sourceId: string;
  readonly nativeId: string;
}

export function toEventKey(event: AuditEvent): EventKey {
  return { ts: event.occurredAtMs, sourceId: event.sourceId, nativeId: event.nativeId };
}

/** Plain code-unit comparison: the same on every machine and locale. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Ascending comparison of keys. */
export function compareKeys(a: EventKey, b: EventKey): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  return compareStrings(a.sourceId, b.sourceId) || compareStrings(a.nativeId, b.nativeId);
}

/** Comparison in the traversal's order: DESC is the exact reverse of ASC. */
export function compareInOrder(order: SortOrder, a: EventKey, b: EventKey): number {
  return order === 'asc' ? compareKeys(a, b) : compareKeys(b, a);
}

export function compareEventsInOrder(order: SortOrder): (a: AuditEvent, b: AuditEvent) => number {
  return (a, b) => compareInOrder(order, toEventKey(a), toEventKey(b));
}

/**
 * A place in a traversal: just after the event `(ts, sourceId, nativeId)`, or, with a null
 * `nativeId`, just before every event of `(ts, sourceId)` — a place the scan reached without an
 * event to name it by.
 */
export interface FeedPosition {
  readonly ts: number;
  readonly sourceId: string;
  readonly nativeId: string | null;
}

/**
 * Compares an event key with a position in the traversal's order: > 0 when the event comes after
 * the position (and so is still to be delivered).
 */
export function compareToPosition(order: SortOrder, key: EventKey, position: FeedPosition): number {
  const coarse = compareInOrder(order, { ...key, nativeId: '' }, { ...position, nativeId: '' });
  if (coarse !== 0) return coarse;
  if (position.nativeId === null) return 1;
  return compareInOrder(order, key, { ...position, nativeId: position.nativeId });
}

/** Compares two positions in the traversal's order. */
export function comparePositions(order: SortOrder, a: FeedPosition, b: FeedPosition): number {
  const coarse = compareInOrder(order, { ...a, nativeId: '' }, { ...b, nativeId: '' });
  if (coarse !== 0) return coarse;
  if (a.nativeId === null || b.nativeId === null) {
    if (a.nativeId === b.nativeId) return 0;
    return a.nativeId === null ? -1 : 1;
  }
  return compareInOrder(order, { ...a, nativeId: a.nativeId }, { ...b, nativeId: b.nativeId });
}
