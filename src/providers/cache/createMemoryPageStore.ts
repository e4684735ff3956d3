import { LRUCache } from 'lru-cache';
import type { CachedEntry, PageStore, PageStoreStats } from './PageStore';

export interface MemoryPageStoreOptions {
  /** The most the store holds, as estimated by `estimateEntryBytes`; a positive integer. */
  readonly maxBytes: number;
}

/**
 * An entry is kept as its JSON text: one serialization measures it and snapshots it, and every
 * `get` parses a copy of its own, so nothing a caller does to a page can reach the store.
 */
interface StoredEntry {
  readonly json: string;
  readonly bytes: number;
}

/**
 * A store in this process's memory, least recently used first out once the entries' estimated
 * size passes `maxBytes`. Each entry is copied and deep-frozen when stored, so what callers get
 * back can be shared between requests without one of them changing it for the others.
 */
export function createMemoryPageStore(options: MemoryPageStoreOptions): PageStore {
  const { maxBytes } = options;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new TypeError(
      `createMemoryPageStore: maxBytes must be a positive integer, got ${String(maxBytes)}`,
    );
  }
  let hits = 0;
  let misses = 0;
  let evictions = 0;
  const lru = new LRUCache<string, StoredEntry>({
    maxSize: maxBytes,
    sizeCalculation: (stored) => stored.bytes,
    dispose: (_stored, _key, reason) => {
      if (reason === 'evict') evictions += 1;
    },
  });

  return {
    get(key) {
      const stored = lru.get(key);
      if (stored === undefined) misses += 1;
      else hits += 1;
      return Promise.resolve(
        stored === undefined ? undefined : (JSON.parse(stored.json) as CachedEntry),
      );
    },
    set(key, entry) {
      const json = JSON.stringify(entry);
      const bytes = toEntryBytes(key, json);
      // lru-cache would refuse it too, but keep an older entry of the key from standing in.
      if (bytes > maxBytes) lru.delete(key);
      else lru.set(key, { json, bytes });
      return Promise.resolve();
    },
    delete(key) {
      lru.delete(key);
      return Promise.resolve();
    },
    stats(): PageStoreStats {
      return {
        entries: lru.size,
        bytes: lru.calculatedSize,
        maxBytes,
        hits,
        misses,
        evictions,
      };
    },
  };
}

/**
 * An estimate of an entry's memory: the UTF-8 length of its key and of its JSON text. The objects
 * themselves take more (V8 adds headers and pointers, strings may be UTF-16), but in proportion,
 * and the JSON text is what a shared store would hold.
 */
export function estimateEntryBytes(key: string, entry: CachedEntry): number {
  return toEntryBytes(key, JSON.stringify(entry));
}

function toEntryBytes(key: string, json: string): number {
  return Buffer.byteLength(key, 'utf8') + Buffer.byteLength(json, 'utf8');
}
