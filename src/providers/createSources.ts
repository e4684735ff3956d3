import { createHash } from 'node:crypto';
import type {
  CircuitBreaker,
  CircuitBreakerOptions,
  CircuitState,
  ControllableCircuitBreaker,
} from '../http/createCircuitBreaker';
import { createCircuitBreaker } from '../http/createCircuitBreaker';
import type { HttpClient } from '../http/createHttpClient';
import { createHttpClient } from '../http/createHttpClient';
import type { HttpObserver } from '../http/HttpObserver';
import type { RateLimit, TokenBucket } from '../http/createTokenBucket';
import { createTokenBucket } from '../http/createTokenBucket';
import type { SourceKind } from '../model/AuditEvent';
import type { Source } from '../model/Source';
import type { CachingSourceOptions } from './cache/createCachingSource';
import { createCachingSource, toCacheScope } from './cache/createCachingSource';
import type { PageCache } from './cache/createPageCache';
import type { SourceKinds } from './sourceKinds';
import { BUILT_IN_KINDS } from './sourceKinds';
import type { SourceConfigBase, SourceKindDefinition } from './SourceKindDefinition';

export interface SourceSet {
  readonly sources: readonly Source[];
  /** Each source's circuit, by source id, as it stands now (metrics, readiness). */
  circuitStates(): ReadonlyMap<string, CircuitState>;
  /** Closes every source's connection pool. */
  close(): Promise<void>;
}

/** What one source tells whoever watches it (src/observability); see HttpObserver. */
export interface SourceObserver {
  readonly http: HttpObserver;
  /** Whether a read of a closed window was answered from the page cache. */
  cacheLookup(hit: boolean): void;
}

export interface SourceDeps {
  /**
   * The observer of each source, made once per source from its id and kind; absent, nobody
   * watches (tests, the bench).
   */
  readonly observe?: (source: { readonly id: string; readonly kind: SourceKind }) => SourceObserver;
  readonly now: () => number;
  /** Called once per upstream request (metrics, tests). */
  readonly onRequest?: (sourceId: string) => void;
  /**
   * The kinds the configs are of, with the factory of each. Default: the built-in kinds; a test
   * adds its own.
   */
  readonly kinds?: SourceKinds;
  /**
   * Per-kind overrides of each kind's rate limit (EMULATOR_RATE_LIMITS for the emulators, the
   * bench). A source's own `rateLimit` wins over them: it is the more specific.
   */
  readonly rateLimits?: Partial<Readonly<Record<SourceKind, RateLimit>>>;
  /** The thresholds of every source's circuit breaker. */
  readonly circuitBreaker?: Omit<CircuitBreakerOptions, 'now'>;
  /**
   * The longest a 429 pauses a credential (HTTP_CLIENT_DEFAULTS.maxRateLimitPauseMs when absent;
   * tests shorten it so that a traversal can recover).
   */
  readonly maxRateLimitPauseMs?: number;
  /**
   * The clock of the HTTP clients, rate limiters and circuit breakers: real elapsed time, not
   * `now` (which tests freeze to pin which events count as fresh). Injected by tests only.
   */
  readonly transportClock?: {
    readonly now: () => number;
    readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  };
  /**
   * Serves pages of closed time windows from a store, keyed per source and credential; absent,
   * every read goes upstream.
   */
  readonly pageCache?: PageCache;
  /**
   * Makes the bucket of one credential (`key`, its one-way key) with its limit: the fleet's on
   * Redis (src/state), or a replica's share of it. Absent: a bucket of this process, at the limit.
   */
  readonly rateLimiter?: (key: string, limit: RateLimit) => TokenBucket;
  /** Shares each source's circuit with the other replicas (src/state); absent: its own. */
  readonly shareCircuit?: (sourceId: string, local: ControllableCircuitBreaker) => SharedBreaker;
}

/** A source's breaker as replicas share it: the one to use, and what it must be told. */
export interface SharedBreaker {
  readonly breaker: CircuitBreaker;
  onTransition(from: CircuitState, to: CircuitState): void;
}

/**
 * One adapter per configured source, made by its kind's definition, each with its own keep-alive
 * pool and circuit breaker; sources of one credential (same kind family, same token or API key)
 * share one rate limiter, because the upstream counts the credential's (for Cloudflare: the
 * user's) calls, not ours. Each config has been checked against its kind's keys (src/config).
 */
export function createSources(configs: readonly SourceConfigBase[], deps: SourceDeps): SourceSet {
  const kinds = deps.kinds ?? BUILT_IN_KINDS;
  const clients: HttpClient[] = [];
  const circuits = new Map<string, () => CircuitState>();
  // Keyed by a hash, so the map holds no secret a heap dump or a debugger could show.
  const buckets = new Map<string, TokenBucket>();
  const clock = deps.transportClock;
  const limits = toCredentialRateLimits(configs, kinds, deps.rateLimits);
  const bucketFor = (config: SourceConfigBase): TokenBucket => {
    const key = toCredentialKey(config, kinds);
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      const limit = limits.get(key);
      // Every config's key is in `limits`: it was built from the same list.
      if (limit === undefined) throw new Error(`no rate limit for source ${config.id}`);
      bucket = deps.rateLimiter?.(key, limit) ?? createTokenBucket({ ...limit, ...(clock ?? {}) });
      buckets.set(key, bucket);
    }
    return bucket;
  };
  const sources = configs.map((config) => {
    const definition = kinds.get(config.kind);
    const observer = deps.observe?.({ id: config.id, kind: config.kind });
    // The shared circuit is made from the local breaker, which tells it of each of its moves.
    const relay: { shared: SharedBreaker | undefined } = { shared: undefined };
    const local = createCircuitBreaker({
      ...deps.circuitBreaker,
      ...(clock ? { now: clock.now } : {}),
      onTransition: (from, to) => {
        observer?.http.circuit(from, to);
        relay.shared?.onTransition(from, to);
      },
    });
    relay.shared = deps.shareCircuit?.(config.id, local);
    const circuitBreaker = relay.shared?.breaker ?? local;
    circuits.set(config.id, () => circuitBreaker.state());
    const http = createHttpClient({
      baseUrl: config.baseUrl,
      sourceId: config.id,
      ...(deps.onRequest ? { onRequest: () => deps.onRequest?.(config.id) } : {}),
      ...(clock ?? {}),
      ...(deps.maxRateLimitPauseMs === undefined
        ? {}
        : { maxRateLimitPauseMs: deps.maxRateLimitPauseMs }),
      rateLimiter: bucketFor(config),
      circuitBreaker,
      ...(observer ? { observer: observer.http } : {}),
    });
    clients.push(http);
    const source = definition.createSource(config, { http, now: deps.now });
    if (deps.pageCache === undefined) return source;
    const cacheOptions = toCachingSourceOptions(config, deps.pageCache, deps.now, kinds);
    return createCachingSource(
      source,
      observer ? { ...cacheOptions, onLookup: (hit) => observer.cacheLookup(hit) } : cacheOptions,
    );
  });
  return {
    sources,
    circuitStates: () => new Map([...circuits].map(([id, state]) => [id, state()])),
    close: async () => {
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

/**
 * The limit of each credential's bucket, by credential key. Sources that set `rateLimit` decide
 * it: with several, the smallest burst and the smallest rate among them, since the upstream
 * counts the credential's calls and the strictest says what it allows. A credential none of whose
 * sources sets one keeps the per-kind override, else its kind's default (kinds that share a
 * credential share their defaults; with different ones, the first source's kind decides).
 */
export function toCredentialRateLimits(
  configs: readonly SourceConfigBase[],
  kinds: SourceKinds,
  overrides: SourceDeps['rateLimits'],
): ReadonlyMap<string, RateLimit> {
  const limits = new Map<string, { readonly limit: RateLimit; readonly configured: boolean }>();
  for (const config of configs) {
    const key = toCredentialKey(config, kinds);
    const earlier = limits.get(key);
    if (config.rateLimit === undefined) {
      if (earlier === undefined) {
        const definition: SourceKindDefinition = kinds.get(config.kind);
        const limit = overrides?.[definition.kind] ?? definition.rateLimit;
        limits.set(key, { limit, configured: false });
      }
      continue;
    }
    const own = { capacity: config.rateLimit.burst, refillPerSecond: config.rateLimit.perSecond };
    const limit =
      earlier?.configured === true
        ? {
            capacity: Math.min(earlier.limit.capacity, own.capacity),
            refillPerSecond: Math.min(earlier.limit.refillPerSecond, own.refillPerSecond),
          }
        : own;
    limits.set(key, { limit, configured: true });
  }
  return new Map([...limits].map(([key, { limit }]) => [key, limit]));
}

/**
 * A one-way key for a source's credential: equal for equal credentials of one kind family, so
 * that sources sharing a credential share its rate limit.
 */
export function toCredentialKey<C extends SourceConfigBase>(
  config: C,
  kinds: SourceKinds = BUILT_IN_KINDS,
): string {
  const definition = kinds.get(config.kind);
  return createHash('sha256')
    .update(`${definition.credentialFamily}\0${definition.credentialOf(config)}`)
    .digest('hex');
}

/**
 * The options of one configured source behind `cache`: its scope (its config without the
 * credential, and the credential's one-way key), and its late-arrival delay (the config's, else
 * its kind's), the same the feed reports as `completeUntil`.
 */
export function toCachingSourceOptions<C extends SourceConfigBase>(
  config: C,
  cache: PageCache,
  now: () => number,
  kinds: SourceKinds = BUILT_IN_KINDS,
): CachingSourceOptions {
  const definition = kinds.get(config.kind);
  const identity = Object.fromEntries(
    Object.entries(config).filter(
      // Neither changes what the upstream answers.
      ([key]) =>
        key !== 'lateArrivalSeconds' && key !== 'rateLimit' && !definition.secretKeys.includes(key),
    ),
  );
  return {
    store: cache.store,
    scope: toCacheScope(identity, toCredentialKey(config, kinds)),
    now,
    freshnessMs: cache.freshnessMs,
    lateArrivalMs: (config.lateArrivalSeconds ?? definition.lateArrivalSeconds) * 1000,
    ...(cache.onStoreError ? { onStoreError: cache.onStoreError } : {}),
  };
}
