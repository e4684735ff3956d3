import type { AuditEvent } from '../../model/AuditEvent';
import type { ListPage } from '../../model/Source';

/**
 * What the cache keeps: an upstream page of a closed time window, or one event read by id that
 * is older than the freshness margin. Both are plain JSON data, so a shared store can serialise
 * them as they are.
 */
export type CachedEntry =
  | { readonly type: 'page'; readonly page: ListPage }
  | { readonly type: 'event'; readonly event: AuditEvent };

export interface PageStoreStats {
  readonly entries: number;
  /** The estimated size of what is held (see `estimateEntryBytes`). */
  readonly bytes: number;
  readonly maxBytes: number;
  /** `get` calls that found an entry. */
  readonly hits: number;
  /** `get` calls that found none. */
  readonly misses: number;
  /** Entries dropped to stay within `maxBytes`. */
  readonly evictions: number;
}

/**
 * Where cached upstream pages live, behind one small interface so that a store shared by
 * replicas (Redis, memcached) can replace the in-memory one: every call may go over a network,
 * hence the promises. Keys are short printable strings holding no secret.
 *
 * Contract: `set` keeps a snapshot (changing the value afterwards does not change the entry);
 * `get` returns a frozen value, or undefined on a miss; a store may drop any entry at any time.
 * A store that fails rejects, and its caller treats that as a miss.
 */
export interface PageStore {
  get(key: string): Promise<CachedEntry | undefined>;
  set(key: string, entry: CachedEntry): Promise<void>;
  delete(key: string): Promise<void>;
  /** This process's view of the store, for metrics and tests. */
  stats(): PageStoreStats;
}
