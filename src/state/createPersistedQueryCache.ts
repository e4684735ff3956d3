import { LRUCache } from 'lru-cache';
import type { RedisState } from './createRedisState';

/**
 * The cache Apollo Server keeps automatic persisted queries in (its `persistedQueries.cache`):
 * the shape of Apollo's KeyValueCache, declared here so that nothing depends on the package
 * that defines it. Keys are query hashes, values query documents.
 */
export interface PersistedQueryCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

export interface PersistedQueryCacheOptions {
  readonly redis: RedisState;
  /** The documents this process keeps in memory, as UTF-8 bytes. */
  readonly maxLocalBytes: number;
  /** How long a document lives in Redis when Apollo names no TTL. */
  readonly ttlSeconds: number;
}

/**
 * Persisted queries for the fleet: a router registers a query's hash once, on any replica, and
 * every replica then answers the hash alone. This process's memory stands in front of Redis,
 * and stands in for it while Redis does not answer: a replica then knows the queries it saw
 * itself, and a router that meets an unknown hash sends the document again, as APQ provides.
 */
export function createPersistedQueryCache(
  options: PersistedQueryCacheOptions,
): PersistedQueryCache {
  const { redis } = options;
  const local = new LRUCache<string, string>({
    maxSize: options.maxLocalBytes,
    sizeCalculation: (value, key) => Buffer.byteLength(value) + Buffer.byteLength(key),
  });
  const redisKey = (key: string) => `apq:${key}`;
  return {
    async get(key) {
      const near = local.get(key);
      if (near !== undefined) return near;
      const answer = await redis.call((client) => client.get(redisKey(key)));
      if (!answer.ok || answer.value === null) return undefined;
      local.set(key, answer.value);
      return answer.value;
    },
    async set(key, value, setOptions) {
      local.set(key, value);
      const ttl = setOptions?.ttl ?? options.ttlSeconds;
      await redis.call((client) =>
        ttl === null || ttl <= 0
          ? client.set(redisKey(key), value)
          : client.set(redisKey(key), value, 'EX', Math.ceil(ttl)),
      );
    },
    async delete(key) {
      local.delete(key);
      await redis.call((client) => client.del(redisKey(key)));
    },
  };
}
