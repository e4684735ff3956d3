import { settleAuditEvent } from '../model/lazyAuditEvent';
import type { AuditEvent } from '../model/AuditEvent';
import type { EventIdParts } from '../model/globalId';
import type { ListOptions, ListQuery, Source } from '../model/Source';

/** What a batch gives back for one id: the event, null when unknown, or the source's error. */
export type BatchResult = AuditEvent | null | Error;

/**
 * Ids closer in time than this share one window scan. A wider window holds more events to page
 * through for the same ids; an hour is what the Cloudflare adapters already search around a time.
 */
const CLUSTER_SPAN_MS = 60 * 60_000;
/** A window scan that has not settled every id after this many pages hands the rest to `get`. */
const MAX_SCAN_PAGES = 5;

/**
 * A batch of one source's events by id (the parts of their global ids), in the order asked.
 *
 * No provider can fetch several records by id in one request, exactly: Fastly, FusionAuth and
 * Nirvana get one id per request, Cloudflare filters one `id` per request (v2 takes the filter as
 * a list, but whether its values combine with OR is unconfirmed). What every source can do is list
 * a time window, and a global id carries its event's time. So ids within an hour of each other
 * are read with one time-window listing, in ascending order, in the largest pages: an id is
 * settled when its event is found, when the listing ends, or when the listing has passed its
 * time (the adapters guarantee chronological pages; an event at the last timestamp read may
 * still follow on the next page). The scan reads at most one page fewer than its ids (and
 * `MAX_SCAN_PAGES`), so it never costs more than fetching them one by one would have; whatever it
 * did not settle is fetched one by one. A lone id is fetched with `get`.
 *
 * An id names the event at its time: one whose time does not match its event (auditgraph never
 * makes such an id) may be null here where `get` alone would have found the event.
 */
export async function readEventBatch(
  source: Source,
  ids: readonly EventIdParts[],
  options: ListOptions = {},
): Promise<BatchResult[]> {
  const unique = [...new Map(ids.map((id) => [toRefKey(id), id])).values()].sort(
    (a, b) => a.occurredAtMs - b.occurredAtMs,
  );
  const clusters: EventIdParts[][] = [];
  for (const id of unique) {
    const current = clusters[clusters.length - 1];
    const start = current?.[0];
    if (
      current !== undefined &&
      start !== undefined &&
      id.occurredAtMs - start.occurredAtMs <= CLUSTER_SPAN_MS
    )
      current.push(id);
    else clusters.push([id]);
  }
  const settled = new Map<string, BatchResult>();
  await Promise.all(
    clusters.map(async (cluster) => {
      try {
        const found = await readCluster(source, cluster, options);
        for (const [key, event] of found) settled.set(key, event);
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        for (const id of cluster) settled.set(toRefKey(id), failure);
      }
    }),
  );
  return ids.map((id) => settled.get(toRefKey(id)) ?? null);
}

async function readCluster(
  source: Source,
  cluster: readonly EventIdParts[],
  options: ListOptions,
): Promise<Map<string, AuditEvent | null>> {
  const results = new Map<string, AuditEvent | null>();
  const first = cluster[0];
  const last = cluster[cluster.length - 1];
  const budget = Math.min(MAX_SCAN_PAGES, cluster.length - 1);
  let pending: readonly EventIdParts[] = cluster;
  if (first !== undefined && last !== undefined && budget > 0) {
    const query: ListQuery = {
      order: 'asc',
      sinceMs: first.occurredAtMs,
      beforeMs: last.occurredAtMs + 1,
      pageSize: source.maxPageSize,
    };
    const wanted = new Set(cluster.map((id) => id.nativeId));
    const found = new Map<string, AuditEvent>();
    let continuation: string | null = null;
    let exhausted = false;
    let frontierMs = Number.NEGATIVE_INFINITY;
    for (let pages = 0; pages < budget; pages += 1) {
      const page = await source.list(query, continuation, options);
      for (const event of page.events) {
        // Settled when found: a record that is not valid fails its source's ids, as a bad page does.
        if (wanted.has(event.nativeId)) found.set(event.nativeId, settleAuditEvent(event));
        frontierMs = Math.max(frontierMs, event.occurredAtMs);
      }
      continuation = page.next;
      if (continuation === null) {
        exhausted = true;
        break;
      }
      if (found.size === wanted.size) break;
    }
    pending = cluster.filter((id) => {
      const event = found.get(id.nativeId);
      if (event !== undefined || exhausted || id.occurredAtMs < frontierMs) {
        results.set(toRefKey(id), event ?? null);
        return false;
      }
      return true;
    });
  }
  const fetched = await Promise.all(
    pending.map((id) => source.get(id.nativeId, id.occurredAtMs, options)),
  );
  pending.forEach((id, index) => results.set(toRefKey(id), fetched[index] ?? null));
  return results;
}

function toRefKey(id: EventIdParts): string {
  return JSON.stringify([id.nativeId, id.occurredAtMs]);
}
