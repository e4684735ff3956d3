import type { AuditEvent } from '../model/AuditEvent';
import type { EventIdCodec, EventIdParts } from '../model/globalId';
import type { Principal } from '../model/Principal';
import { ANONYMOUS_PRINCIPAL, canReadSource } from '../model/Principal';
import type { ListOptions, Source } from '../model/Source';
import type { BatchResult } from './readEventBatch';
import { readEventBatch } from './readEventBatch';

/** What reading events by global id needs of a feed. */
export interface EventLookup {
  readonly eventIds: EventIdCodec;
  /** The configured sources by id. */
  readonly sourcesById: ReadonlyMap<string, Source>;
}

/** One event by its global id, as `Feed.readEvent` promises (Feed.ts). */
export async function readEventById(
  lookup: EventLookup,
  id: string,
  options: ListOptions = {},
  principal: Principal = ANONYMOUS_PRINCIPAL,
): Promise<AuditEvent | null> {
  const parts = lookup.eventIds.decode(id);
  if (!canReadSource(principal, parts.sourceId)) return null;
  const source = lookup.sourcesById.get(parts.sourceId);
  if (source === undefined) return null;
  return source.get(parts.nativeId, parts.occurredAtMs, options);
}

/** Many events by global id, in batches per source, as `Feed.readEvents` promises (Feed.ts). */
export async function readEventsById(
  lookup: EventLookup,
  ids: readonly string[],
  options: ListOptions = {},
  principal: Principal = ANONYMOUS_PRINCIPAL,
): Promise<BatchResult[]> {
  const results: BatchResult[] = ids.map(() => null);
  const bySource = new Map<Source, { index: number; parts: EventIdParts }[]>();
  ids.forEach((id, index) => {
    let parts: EventIdParts;
    try {
      parts = lookup.eventIds.decode(id);
    } catch (error) {
      results[index] = error instanceof Error ? error : new Error(String(error));
      return;
    }
    const source = lookup.sourcesById.get(parts.sourceId);
    if (source === undefined || !canReadSource(principal, parts.sourceId)) return;
    const group = bySource.get(source) ?? [];
    group.push({ index, parts });
    bySource.set(source, group);
  });
  await Promise.all(
    [...bySource].map(async ([source, group]) => {
      const events = await readEventBatch(
        source,
        group.map((entry) => entry.parts),
        options,
      );
      group.forEach((entry, at) => {
        results[entry.index] = events[at] ?? null;
      });
    }),
  );
  return results;
}
