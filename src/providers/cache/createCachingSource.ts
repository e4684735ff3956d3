import { settleAuditEvent } from '../../model/lazyAuditEvent';
import { createHash } from 'node:crypto';
import type { AuditEvent } from '../../model/AuditEvent';
import type { ListOptions, ListPage, ListQuery, Source } from '../../model/Source';
import type { CachedEntry, PageStore } from './PageStore';

export interface CachingSourceOptions {
  readonly store: PageStore;
  /**
   * Everything besides the query that an upstream answer depends on (`toCacheScope`): two
   * sources, or one source under two credentials, never share an entry. Holds no secret.
   */
  readonly scope: string;
  /** The clock that decides which windows are closed (createSources' `now`). */
  readonly now: () => number;
  /** How long after its end a window is still read upstream. */
  readonly freshnessMs: number;
  /** How late the source's API shows events; a window closes no sooner than that after its end. */
  readonly lateArrivalMs: number;
  /** Told of a store that failed; the call then goes upstream as if nothing were cached. */
  readonly onStoreError?: (error: unknown) => void;
  /** Told whether each read of a closed window found its answer in the store (metrics, traces). */
  readonly onLookup?: (hit: boolean) => void;
}

/** Bump when what a source returns changes shape, so a shared store's old entries go unread. */
const KEY_VERSION = 'auditgraph-cache-v1';

/**
 * A source that answers repeated queries from a store, for time windows that are closed: a
 * window is closed when it ended at least max(freshness margin, the source's late-arrival delay)
 * ago, so no event can still show up in it and an upstream page of it stays what it was. Pages
 * of a window that is still open (the head of the feed) are always read upstream, and so is
 * anything that failed: only answers are stored.
 *
 * Reads by id are cached too, when the event is older than the same margin: an audit record
 * does not change once written.
 *
 * A stored page may meet live ones of the same query chain. That relies on what the feed already
 * assumes of an upstream (design.md §4), that one query paged by offset keeps its order, which a
 * closed window's unchanging data makes easy. A stored page's `next` may be an upstream cursor:
 * should the page it leads to be gone, the upstream is asked with that cursor, and an API that
 * expires its cursors refuses it; the source then fails visibly, it does not answer wrongly.
 */
export function createCachingSource(source: Source, options: CachingSourceOptions): Source {
  const { store, scope, now, onStoreError, onLookup } = options;
  const settleMs = Math.max(options.freshnessMs, options.lateArrivalMs);
  /** Events before this instant can no longer appear or change upstream. */
  const closedBefore = () => now() - settleMs;

  async function read(key: string): Promise<CachedEntry | undefined> {
    try {
      return await store.get(key);
    } catch (error) {
      onStoreError?.(error);
      return undefined;
    }
  }

  async function write(key: string, entry: CachedEntry): Promise<void> {
    try {
      await store.set(key, entry);
    } catch (error) {
      onStoreError?.(error);
    }
  }

  async function list(
    query: ListQuery,
    continuation: string | null,
    listOptions?: ListOptions,
  ): Promise<ListPage> {
    // Decided before the request: a window closed now was closed for all of the upstream's answer.
    if (query.beforeMs > closedBefore()) return source.list(query, continuation, listOptions);
    const key = toListKey(scope, query, continuation);
    const cached = await read(key);
    onLookup?.(cached?.type === 'page');
    if (cached?.type === 'page') return cached.page;
    const page = await source.list(query, continuation, listOptions);
    if (isSettled(page)) await write(key, { type: 'page', page });
    return page;
  }

  async function get(
    nativeId: string,
    occurredAtMs: number | null,
    listOptions?: ListOptions,
  ): Promise<AuditEvent | null> {
    if (occurredAtMs !== null && occurredAtMs >= closedBefore()) {
      return source.get(nativeId, occurredAtMs, listOptions);
    }
    const key = toEventKey(scope, nativeId, occurredAtMs);
    const cached = await read(key);
    onLookup?.(cached?.type === 'event');
    if (cached?.type === 'event') return cached.event;
    const since = closedBefore();
    const event = await source.get(nativeId, occurredAtMs, listOptions);
    // Not found is not stored: the id may be mistyped now and right later, and costs a request.
    if (event !== null && event.occurredAtMs < since) await write(key, { type: 'event', event });
    return event;
  }

  return {
    id: source.id,
    kind: source.kind,
    provider: source.provider,
    maxPageSize: source.maxPageSize,
    windowSlackMs: source.windowSlackMs,
    ...(source.reportsTotals === true ? { reportsTotals: true } : {}),
    planPushdown: (filter) => source.planPushdown(filter),
    list,
    get,
  };
}

/**
 * What a source's answers depend on besides the query: its identity (id, kind, API, the account
 * or tenant it reads: its config without the credential) and its credential's one-way key
 * (another credential may see other events). A source re-pointed at another account under the
 * same id then never meets its old entries in a store that outlives the process.
 */
export function toCacheScope(
  identity: Readonly<Record<string, unknown>>,
  credentialKey: string,
): string {
  return toCanonicalJson([identity, credentialKey]);
}

/** The store key of one upstream page: the scope, every field of the query, the continuation. */
export function toListKey(scope: string, query: ListQuery, continuation: string | null): string {
  return toKey('list', [
    scope,
    query.order,
    query.sinceMs,
    query.beforeMs,
    query.pageSize,
    query.filter ?? null,
    continuation,
  ]);
}

function toEventKey(scope: string, nativeId: string, occurredAtMs: number | null): string {
  return toKey('event', [scope, nativeId, occurredAtMs]);
}

/** Hashed: fixed length whatever the filter or the upstream cursor, and printable for any store. */
function toKey(type: string, parts: readonly unknown[]): string {
  const digest = createHash('sha256').update(toCanonicalJson(parts)).digest('base64url');
  return `${KEY_VERSION}:${type}:${digest}`;
}

/** JSON with every object's keys sorted, so equal values give equal text however they were built. */
function toCanonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/**
 * Settles every event of a page, which is what storing it serialises. A page holding a record
 * that is not a valid one of its API is not kept: the feed fails its source when it reaches that
 * record, and the next read asks the upstream again.
 */
function isSettled(page: ListPage): boolean {
  try {
    for (const event of page.events) settleAuditEvent(event);
    return true;
  } catch {
    return false;
  }
}
