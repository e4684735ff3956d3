import type { EventCounts, FeedPage } from '../feed/Feed';
import type { AuditEvent } from '../model/AuditEvent';

/**
 * What one GraphQL request read, recorded by the resolvers that read events, for its audit line
 * (createReadAuditPlugin.ts). Recorded where the reading happens rather than by watching every
 * field resolve, which cost every field of every response a plugin call.
 */
export interface EventReads {
  /** The `filter` argument of each connection read, as the client gave it (null for none). */
  readonly filters: unknown[];
  /** The ids of the sources read, in the order first seen. */
  readonly sources: Set<string>;
  /** Events returned: connection edges, and events found by id; and count buckets returned. */
  resultCount: number;
}

export function createEventReads(): EventReads {
  return { filters: [], sources: new Set(), resultCount: 0 };
}

export function recordPage(reads: EventReads, page: FeedPage): void {
  reads.resultCount += page.edges.length;
  for (const outcome of page.sources) reads.sources.add(outcome.source.id);
}

/** A counts query reads its sources' events but returns none: its results are its buckets. */
export function recordCounts(reads: EventReads, counts: EventCounts): void {
  reads.resultCount += counts.buckets.length;
  for (const outcome of counts.sources) reads.sources.add(outcome.source.id);
}

export function recordEvent(reads: EventReads, event: AuditEvent | null): void {
  if (event === null) return;
  reads.resultCount += 1;
  reads.sources.add(event.sourceId);
}
