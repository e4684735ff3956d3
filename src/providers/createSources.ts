import { createHash } from 'node:crypto';
import type { SourceConfig } from '../config/types';
import type { CircuitBreakerOptions } from '../http/createCircuitBreaker';
import { createCircuitBreaker } from '../http/createCircuitBreaker';
import type { HttpClient } from '../http/createHttpClient';
import { createHttpClient } from '../http/createHttpClient';
import type { RateLimit, TokenBucket } from '../http/createTokenBucket';
import { createTokenBucket, RATE_LIMIT_DEFAULTS } from '../http/createTokenBucket';
import type { SourceKind } from '../model/AuditEvent';
import type { Source } from '../model/Source';
import { createCachingSource, toCachingSourceOptions } from './cache/createCachingSource';
import type { PageCache } from './cache/createPageCache';
import { createCloudflareV1Source } from './cloudflare-v1/createCloudflareV1Source';
import { createCloudflareV2Source } from './cloudflare-v2/createCloudflareV2Source';
import { createFastlySource } from './fastly/createFastlySource';
import { createFusionAuthAuditLogSource } from './fusionauth-audit-log/createFusionAuthAuditLogSource';
import { createFusionAuthEventLogSource } from './fusionauth-event-log/createFusionAuthEventLogSource';
import { createNirvanaSource } from './nirvana/createNirvanaSource';

export interface SourceSet {
  readonly sources: readonly Source[];
  /** Closes every source's connection pool. */
  close(): Promise<void>;
}

export interface SourceDeps {
  readonly now: () => number;
  /** Called once per upstream request (metrics, tests). */
  readonly onRequest?: (sourceId: string) => void;
  /** Per-kind overrides of RATE_LIMIT_DEFAULTS (EMULATOR_RATE_LIMITS for the emulators). */
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
}

/**
 * One adapter per configured source, each with its own keep-alive pool and circuit breaker;
 * sources of one credential (same kind family, same token or API key) share one rate limiter,
 * because the upstream counts the credential's (for Cloudflare: the user's) calls, not ours.
 */
export function createSources(configs: readonly SourceConfig[], deps: SourceDeps): SourceSet {
  const clients: HttpClient[] = [];
  // Keyed by a hash, so the map holds no secret a heap dump or a debugger could show.
  const buckets = new Map<string, TokenBucket>();
  const clock = deps.transportClock;
  const bucketFor = (config: SourceConfig): TokenBucket => {
    const key = toCredentialKey(config);
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = createTokenBucket({
        ...toRateLimit(config, deps.rateLimits),
        ...(clock ?? {}),
      });
      buckets.set(key, bucket);
    }
    return bucket;
  };
  const sources = configs.map((config) => {
    const http = createHttpClient({
      baseUrl: config.baseUrl,
      sourceId: config.id,
      ...(deps.onRequest ? { onRequest: () => deps.onRequest?.(config.id) } : {}),
      ...(clock ?? {}),
      ...(deps.maxRateLimitPauseMs === undefined
        ? {}
        : { maxRateLimitPauseMs: deps.maxRateLimitPauseMs }),
      rateLimiter: bucketFor(config),
      circuitBreaker: createCircuitBreaker({
        ...deps.circuitBreaker,
        ...(clock ? { now: clock.now } : {}),
      }),
    });
    clients.push(http);
    const source = createSource(config, { http, now: deps.now });
    if (deps.pageCache === undefined) return source;
    return createCachingSource(
      source,
      toCachingSourceOptions(config, toCredentialKey(config), deps.pageCache, deps.now),
    );
  });
  return {
    sources,
    close: async () => {
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

function toRateLimit(config: SourceConfig, overrides: SourceDeps['rateLimits']): RateLimit {
  const override = overrides?.[config.kind];
  if (override !== undefined) return override;
  return RATE_LIMIT_DEFAULTS[config.kind];
}

/** Kinds that share their API's rate limit: both Cloudflare versions count against one user. */
function toKindFamily(kind: SourceKind): string {
  switch (kind) {
    case 'cloudflare-v1':
    case 'cloudflare-v2':
      return 'cloudflare';
    case 'fusionauth-event-log':
    case 'fusionauth-audit-log':
      return 'fusionauth';
    case 'fastly':
    case 'nirvana':
      return kind;
  }
}

/** A one-way key for a source's credential: equal for equal credentials of one kind family. */
export function toCredentialKey(config: SourceConfig): string {
  const credential = config.token ?? config.apiKey ?? `no-credential:${config.id}`;
  return createHash('sha256')
    .update(`${toKindFamily(config.kind)}\0${credential}`)
    .digest('hex');
}

function createSource(config: SourceConfig, deps: { http: HttpClient; now: () => number }): Source {
  const required = (value: string | undefined, key: string): string => {
    // loadConfig has checked this; a missing value here is a bug, not a user error.
    if (value === undefined) throw new Error(`source ${config.id} has no ${key}`);
    return value;
  };
  const tenant = config.tenantId === undefined ? {} : { tenantId: config.tenantId };
  switch (config.kind) {
    case 'fastly':
      return createFastlySource({ id: config.id, token: required(config.token, 'token') }, deps);
    case 'cloudflare-v1':
      return createCloudflareV1Source(
        {
          id: config.id,
          token: required(config.token, 'token'),
          accountId: required(config.accountId, 'accountId'),
        },
        deps,
      );
    case 'cloudflare-v2':
      return createCloudflareV2Source(
        {
          id: config.id,
          token: required(config.token, 'token'),
          accountId: required(config.accountId, 'accountId'),
        },
        deps,
      );
    case 'fusionauth-event-log':
      return createFusionAuthEventLogSource(
        { id: config.id, apiKey: required(config.apiKey, 'apiKey'), ...tenant },
        deps,
      );
    case 'fusionauth-audit-log':
      return createFusionAuthAuditLogSource(
        { id: config.id, apiKey: required(config.apiKey, 'apiKey'), ...tenant },
        deps,
      );
    case 'nirvana':
      return createNirvanaSource(
        { id: config.id, apiKey: required(config.apiKey, 'apiKey') },
        deps,
      );
  }
}
