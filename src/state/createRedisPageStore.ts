import { gunzipSync, gzipSync } from 'node:zlib';
import type { CachedEntry, PageStore, PageStoreStats } from '../providers/cache/PageStore';
import type { RedisState } from './createRedisState';

export interface RedisPageStoreOptions {
  readonly redis: RedisState;
  /** How long an entry lives in Redis; closed windows never change, so this only frees memory. */
  readonly ttlSeconds: number;
  /** Entries larger than this once encoded are not stored (a page of 1,000 large events). */
  readonly maxEntryBytes: number;
  /** Entries whose JSON is larger than this are gzipped. */
  readonly compressAboveBytes?: number;
}

export const REDIS_PAGE_STORE_DEFAULTS = {
  ttlSeconds: 86_400,
  maxEntryBytes: 1024 * 1024,
  compressAboveBytes: 1024,
} as const;

/** The first byte of a stored value says how the rest is written. */
const PLAIN = 0x6a; // 'j': JSON text
const GZIP = 0x7a; // 'z': gzipped JSON text

/**
 * The page cache's store shared by every replica: one Redis string per entry, under the same
 * keys as the memory store (they hold no secret), gzipped when large, with an expiry. A call
 * Redis cannot answer in time is a miss or a write not made, never a failure: the caller reads
 * upstream, as with no cache.
 */
export function createRedisPageStore(options: RedisPageStoreOptions): PageStore {
  const { redis, ttlSeconds, maxEntryBytes } = options;
  const compressAbove = options.compressAboveBytes ?? REDIS_PAGE_STORE_DEFAULTS.compressAboveBytes;
  let hits = 0;
  let misses = 0;
  let skipped = 0;

  return {
    async get(key) {
      const answer = await redis.call((client) => client.getBuffer(toRedisKey(key)));
      const stored = answer.ok ? answer.value : null;
      const entry = stored === null ? undefined : decode(stored);
      if (entry === undefined) misses += 1;
      else hits += 1;
      return entry;
    },
    async set(key, entry) {
      const encoded = encode(entry, compressAbove);
      if (encoded.length > maxEntryBytes) {
        skipped += 1;
        return;
      }
      await redis.call((client) => client.set(toRedisKey(key), encoded, 'EX', ttlSeconds));
    },
    async delete(key) {
      await redis.call((client) => client.del(toRedisKey(key)));
    },
    stats(): PageStoreStats {
      // What Redis holds is the fleet's, not this process's: only this process's reads count.
      return { entries: 0, bytes: 0, maxBytes: 0, hits, misses, evictions: skipped };
    },
  };
}

function toRedisKey(key: string): string {
  return `page:${key}`;
}

function encode(entry: CachedEntry, compressAbove: number): Buffer {
  const json = Buffer.from(JSON.stringify(entry), 'utf8');
  if (json.length <= compressAbove) return Buffer.concat([Buffer.of(PLAIN), json]);
  return Buffer.concat([Buffer.of(GZIP), gzipSync(json)]);
}

/** An entry that cannot be read (another version wrote it, it was cut short) is a miss. */
function decode(stored: Buffer): CachedEntry | undefined {
  try {
    const body = stored.subarray(1);
    const json = stored[0] === GZIP ? gunzipSync(body) : stored[0] === PLAIN ? body : null;
    if (json === null) return undefined;
    return deepFreeze(JSON.parse(json.toString('utf8')) as CachedEntry);
  } catch {
    return undefined;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Two levels: this process's memory in front of the shared store. A read tries memory, then the
 * shared store (and keeps what it finds there in memory); a write goes to both.
 */
export function createTieredPageStore(near: PageStore, far: PageStore): PageStore {
  return {
    async get(key) {
      const local = await near.get(key);
      if (local !== undefined) return local;
      const shared = await far.get(key);
      if (shared !== undefined) await near.set(key, shared);
      return shared;
    },
    async set(key, entry) {
      await Promise.all([near.set(key, entry), far.set(key, entry)]);
    },
    async delete(key) {
      await Promise.all([near.delete(key), far.delete(key)]);
    },
    stats: () => near.stats(),
  };
}
