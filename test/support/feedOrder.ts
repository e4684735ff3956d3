/** An event as a GraphQL response or an export line gives it: what the feed's order reads. */
export interface OrderedEvent {
  readonly occurredAt: string;
  readonly source: { readonly id: string };
  readonly nativeId: string;
}

/** The feed's total order (design.md §4), ascending: time at ms, then source id, then native id. */
export function compareEvents(a: OrderedEvent, b: OrderedEvent): number {
  const ta = Date.parse(a.occurredAt);
  const tb = Date.parse(b.occurredAt);
  if (ta !== tb) return ta - tb;
  if (a.source.id !== b.source.id) return a.source.id < b.source.id ? -1 : 1;
  return a.nativeId < b.nativeId ? -1 : a.nativeId > b.nativeId ? 1 : 0;
}
