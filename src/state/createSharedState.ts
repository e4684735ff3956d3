import type { ControllableCircuitBreaker } from '../http/createCircuitBreaker';
import type { RateLimit, TokenBucket } from '../http/createTokenBucket';
import type { PageStore } from '../providers/cache/PageStore';
import type { SharedCircuit } from './createCircuitChannel';
import { createCircuitChannel } from './createCircuitChannel';
import type { PersistedQueryCache } from './createPersistedQueryCache';
import { createPersistedQueryCache } from './createPersistedQueryCache';
import {
  REDIS_PAGE_STORE_DEFAULTS,
  createRedisPageStore,
  createTieredPageStore,
} from './createRedisPageStore';
import type { RedisStatus } from './createRedisState';
import { createRedisState } from './createRedisState';
import { createSharedTokenBucket } from './createSharedTokenBucket';

export interface SharedStateOptions {
  readonly url: string;
  readonly keyPrefix: string;
  /** How many replicas share the limits: each one's share while Redis is away. */
  readonly replicas: number;
  /** The circuit breakers' open time, and how long the fleet's probe may take. */
  readonly circuitOpenMs: number;
  readonly probeTimeoutMs: number;
  /** Told when Redis stops answering and when it answers again (a log line, a metric). */
  readonly onStatus?: (status: RedisStatus, reason: string) => void;
}

/**
 * What replicas share through Redis (design.md §6, src/state): the rate budget of each
 * credential, the page cache, the circuits and the persisted queries. Each piece falls back to
 * this process's own state while Redis does not answer, so Redis failing never fails a request.
 */
export interface SharedState {
  /** The credential's bucket for the fleet; `key` is its one-way credential key. */
  rateLimiter(key: string, limit: RateLimit): TokenBucket;
  /** The page store: `near` (this process's memory) in front of Redis. */
  pageStore(near: PageStore): PageStore;
  /** The source's circuit for the fleet, around this process's breaker. */
  circuit(sourceId: string, local: ControllableCircuitBreaker): SharedCircuit;
  readonly persistedQueries: PersistedQueryCache;
  status(): RedisStatus;
  close(): Promise<void>;
}

/** The memory this process gives persisted queries in front of Redis. */
const PERSISTED_QUERY_LOCAL_BYTES = 8 * 1024 * 1024;
const PERSISTED_QUERY_TTL_SECONDS = 7 * 86_400;

export function createSharedState(options: SharedStateOptions): SharedState {
  const redis = createRedisState({
    url: options.url,
    keyPrefix: options.keyPrefix,
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  });
  const circuits = createCircuitChannel({
    redis,
    keyPrefix: options.keyPrefix,
    openMs: options.circuitOpenMs,
    probeTimeoutMs: options.probeTimeoutMs,
  });
  const shared = createRedisPageStore({
    redis,
    ttlSeconds: REDIS_PAGE_STORE_DEFAULTS.ttlSeconds,
    maxEntryBytes: REDIS_PAGE_STORE_DEFAULTS.maxEntryBytes,
  });
  return {
    rateLimiter: (key, limit) =>
      createSharedTokenBucket({ ...limit, redis, key, replicas: options.replicas }),
    pageStore: (near) => createTieredPageStore(near, shared),
    circuit: (sourceId, local) => circuits.join(sourceId, local),
    persistedQueries: createPersistedQueryCache({
      redis,
      maxLocalBytes: PERSISTED_QUERY_LOCAL_BYTES,
      ttlSeconds: PERSISTED_QUERY_TTL_SECONDS,
    }),
    status: () => redis.status(),
    close: async () => {
      await circuits.close();
      await redis.close();
    },
  };
}

export type { RedisStatus } from './createRedisState';
