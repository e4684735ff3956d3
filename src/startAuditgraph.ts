import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createAuthenticator } from './auth/createAuthenticator';
import type { Authenticate } from './auth/createAuthenticator';
import type { AuditgraphConfig } from './config/types';
import {
  DEFAULT_LOG_CONFIG,
  DEFAULT_METRICS_CONFIG,
  DEFAULT_AUDIT_CONFIG,
  DEFAULT_AUTH_CONFIG,
  DEFAULT_CACHE_CONFIG,
  SETTINGS,
  DEFAULT_TAIL_CONFIG,
  DEFAULT_EXPORT_CONFIG,
  toSecurityDefaults,
} from './config/settings';
import { startDemoEmulators } from './emulators/startDemoEmulators';
import type { Demo } from './emulators/startDemoEmulators';
import { createCursorCodec } from './feed/createCursorCodec';
import { createEventIdCodec } from './model/globalId';
import { createFeed } from './feed/createFeed';
import type { Feed } from './feed/Feed';
import type { Logger } from './model/Logger';
import { createObservability } from './observability/createObservability';
import { createLogging } from './observability/logging/createLogging';
import { createPageCache } from './providers/cache/createPageCache';
import { createSources } from './providers/createSources';
import { CIRCUIT_BREAKER_DEFAULTS } from './http/createCircuitBreaker';
import { createTokenBucket } from './http/createTokenBucket';
import type { RateLimit } from './http/createTokenBucket';
import { createSharedState } from './state/createSharedState';
import type { SourceDeps } from './providers/createSources';
import type { SourceKinds } from './providers/sourceKinds';
import type { SourceConfigBase } from './providers/SourceKindDefinition';
import { BUILT_IN_KINDS, EMULATOR_RATE_LIMITS } from './providers/sourceKinds';
import { createApolloServer } from './schema/createApolloServer';
import { createAuditgraphSchema } from './schema/createAuditgraphSchema';
import { createSubscriptionExecution } from './schema/createSubscriptionExecution';
import { createTail } from './tail/createTail';
import type { Tail } from './tail/Tail';
import { createContextFactory } from './schema/createContext';
import { startHttpServer } from './server/startHttpServer';
import { EXPORT_PAGE_SIZE, createExportRoute } from './server/createExportRoute';
import { createViewerRoute } from './server/createViewerRoute';

export const EXAMPLE_QUERY = `# Who did what, where, when: every source, newest first.
query LatestEvents($after: String) {
  auditEvents(first: 20, after: $after) {
    edges {
      node {
        occurredAt
        provider
        source { id }
        action
        category
        outcome
        description
        actor { name email type ip }
        resource { type id name }
      }
    }
    pageInfo { hasNextPage endCursor }
    sources { source { id } state upstreamRequests }
  }
}
`;

/** How much longer than a request's deadline one replica holds the fleet's probe of a circuit. */
const PROBE_MARGIN_MS = 5_000;

/**
 * A replica's share of a limit when replicas cannot share one bucket: each holds 1/replicas of
 * the burst and of the rate, so the fleet together stays within the provider's limit.
 */
function toReplicaShare(limit: RateLimit, replicas: number): RateLimit {
  return {
    capacity: Math.max(1, Math.floor(limit.capacity / replicas)),
    refillPerSecond: limit.refillPerSecond / replicas,
  };
}

/** What stopping Apollo, the sources' connection pools and the demo's emulators may take. */
const STOP_BUDGET_MS = 10_000;

export interface Auditgraph {
  /** `http://host:port` */
  readonly url: string;
  readonly feed: Feed;
  /** The emulated sources, in demo mode. */
  readonly demo: Demo | null;
  /** The sources the gateway reads. */
  readonly sourceConfigs: readonly SourceConfigBase[];
  /** The live tail behind `Subscription.auditEventAdded` (its stats, for tests and metrics). */
  readonly tail: Tail;
  /** The instance's logger (the banner's line, the shutdown's). */
  readonly logger: Logger;
  /**
   * The longest close() should take: the HTTP drain, then stopping Apollo and the sources. A
   * close still running after it is stuck.
   */
  readonly closeBudgetMs: number;
  /** Drains HTTP (config.drainSeconds, then the in-flight requests), then stops. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Takes each log line, a JSON object without its newline. */
  readonly log: (line: string) => void;
  readonly now?: () => number;
  /** Called once per upstream request, with the source id. */
  readonly onUpstreamRequest?: (sourceId: string) => void;
  /** The thresholds of every source's circuit breaker (tests shorten how long it stays open). */
  readonly circuitBreaker?: SourceDeps['circuitBreaker'];
  /** The longest a 429 pauses a credential (tests shorten it, as they do the open circuit). */
  readonly maxRateLimitPauseMs?: number;
  /** How long fetching a JWT issuer's key set may take; default 5 s. */
  readonly jwksTimeoutMs?: number;
  /** The kinds its sources may be of; default: the built-in ones (a test adds its own). */
  readonly kinds?: SourceKinds;
  /** Per-kind rate limits (the bench's live config at loopback emulators); demo mode sets its own. */
  readonly rateLimits?: SourceDeps['rateLimits'];
  /**
   * The directory of the viewer's bundle (`index.html`, `assets/`), served at `/viewer`; default
   * `dist/viewer` of this package, where `npm run build` writes it. Without an `index.html` there
   * the service starts all the same and `/viewer` answers 503 VIEWER_NOT_BUILT.
   */
  readonly viewerDirectory?: string;
}

/**
 * The whole service from a config: in demo mode the emulators first, then the authenticator, the
 * sources, the feed, the GraphQL server and the HTTP server. Every GraphQL request is
 * authenticated before anything runs for it; `/healthz` and `/readyz` stay open. `main.ts` and
 * the end-to-end tests start it the same way.
 */
export async function startAuditgraph(
  config: AuditgraphConfig,
  options: StartOptions,
): Promise<Auditgraph> {
  const now = options.now ?? Date.now;
  const logging = createLogging({
    level: (config.log ?? DEFAULT_LOG_CONFIG).level,
    write: options.log,
  });
  const { logger } = logging;
  const observability = await createObservability({
    logging,
    metrics: config.metrics ?? DEFAULT_METRICS_CONFIG,
    host: config.host,
  });
  const demo =
    config.mode === 'demo'
      ? await startDemoEmulators({ seed: config.demo.seed, nowMs: now() })
      : null;
  const sourceConfigs: readonly SourceConfigBase[] = demo?.sources ?? config.sources;
  const security = config.security ?? toSecurityDefaults(config.mode);
  // Built before anything else that must be closed: it refuses an API key for an unknown source.
  let authenticate: Authenticate;
  try {
    authenticate = createAuthenticator(config.auth ?? DEFAULT_AUTH_CONFIG, {
      mode: config.mode,
      host: config.host,
      sourceIds: sourceConfigs.map((source) => source.id),
      now,
      ...(options.jwksTimeoutMs === undefined ? {} : { jwksTimeoutMs: options.jwksTimeoutMs }),
    });
  } catch (error) {
    await demo?.close();
    await observability.close();
    throw error;
  }
  const replicas = config.replicas ?? 1;
  const shared =
    config.redis === undefined || config.redis === null
      ? null
      : createSharedState({
          url: config.redis.url,
          keyPrefix: config.redis.keyPrefix,
          replicas,
          circuitOpenMs: options.circuitBreaker?.openMs ?? CIRCUIT_BREAKER_DEFAULTS.openMs,
          // A probe is one upstream call inside one request: it cannot outlive the deadline.
          probeTimeoutMs: config.feed.requestDeadlineMs + PROBE_MARGIN_MS,
          onStatus: (status, reason) =>
            status === 'shared'
              ? logger.info({ redis: status }, 'shared state on Redis in use')
              : logger.warn(
                  { redis: status, reason },
                  'Redis does not answer: this replica runs on its own state, 1/replicas of each rate limit',
                ),
        });
  // One cache for all sources, for the life of the process: its byte budget is shared.
  const localPageCache = createPageCache(config.cache ?? DEFAULT_CACHE_CONFIG, {
    onStoreError: (error) =>
      logger.warn(
        { error: error instanceof Error ? error.name : typeof error },
        'page cache store failed; reading upstream',
      ),
  });
  // With Redis, this process's memory stands in front of the fleet's store.
  const pageCache =
    localPageCache === null || shared === null
      ? localPageCache
      : { ...localPageCache, store: shared.pageStore(localPageCache.store) };
  const kinds = options.kinds ?? BUILT_IN_KINDS;
  const sourceSet = createSources(sourceConfigs, {
    now,
    kinds,
    observe: (source) => observability.source(source),
    ...(pageCache === null ? {} : { pageCache }),
    // The demo's emulators are not the providers: their rate limits do not apply.
    ...(demo !== null
      ? { rateLimits: EMULATOR_RATE_LIMITS }
      : options.rateLimits === undefined
        ? {}
        : { rateLimits: options.rateLimits }),
    ...(options.onUpstreamRequest ? { onRequest: options.onUpstreamRequest } : {}),
    ...(options.circuitBreaker ? { circuitBreaker: options.circuitBreaker } : {}),
    ...(options.maxRateLimitPauseMs === undefined
      ? {}
      : { maxRateLimitPauseMs: options.maxRateLimitPauseMs }),
    ...(shared !== null
      ? {
          rateLimiter: (key, limit) => shared.rateLimiter(key, limit),
          shareCircuit: (sourceId, local) => shared.circuit(sourceId, local),
        }
      : replicas > 1
        ? { rateLimiter: (_key, limit) => createTokenBucket(toReplicaShare(limit, replicas)) }
        : {}),
  });
  // A random secret per process (the demo's default; live mode requires one): cursors and entity
  // keys then do not survive a restart, which is the honest default until an operator sets one.
  const secret = config.cursorSecret ?? randomBytes(32);
  const feed = createFeed({
    sources: sourceSet.sources.map((source) => observability.sourceReads(source)),
    cursorCodec: createCursorCodec(secret, {
      ttlMs: security.cursorTtlSeconds * 1000,
      now,
      maxSources: Math.max(1, sourceSet.sources.length),
    }),
    eventIds: createEventIdCodec(secret),
    now,
    // An export's pages (EXPORT_PAGE_SIZE) may be larger than a query's; the resolvers hold
    // queries to pagination.maxFirst.
    maxFirst: Math.max(config.pagination.maxFirst, EXPORT_PAGE_SIZE),
    maxUpstreamPagesPerSource: config.feed.scanBudgetPages,
    countScanBudgetPages: config.counts?.scanBudgetPages ?? SETTINGS.countScanBudgetPages.default,
    holdBackMs: config.feed.holdBackSeconds * 1000,
    lateArrivalMs: new Map(
      sourceConfigs.map((source) => [
        source.id,
        (source.lateArrivalSeconds ?? kinds.get(source.kind).lateArrivalSeconds) * 1000,
      ]),
    ),
  });
  const observedFeed = observability.feed(feed);
  const tailConfig = config.tail ?? DEFAULT_TAIL_CONFIG;
  const tail = createTail({
    feed: observedFeed,
    pollIntervalMs: tailConfig.pollIntervalMs,
    maxSubscriptionsPerClient: tailConfig.maxSubscriptionsPerClient,
    maxSubscriptions: tailConfig.maxSubscriptions,
    pageSize: config.pagination.maxFirst,
    requestDeadlineMs: config.feed.requestDeadlineMs,
    now,
    logger,
  });
  observability.watch({
    circuits: () => sourceSet.circuitStates(),
    pageCache: () => pageCache?.store.stats() ?? null,
    sharedState: () => shared?.status() ?? null,
    tail: () => tail.stats(),
  });
  const audit = (config.audit ?? DEFAULT_AUDIT_CONFIG).enabled;
  // One schema for queries (Apollo Server) and subscriptions (graphql-ws, graphql-sse).
  const schema = createAuditgraphSchema();
  const context = createContextFactory({
    feed: observedFeed,
    pagination: config.pagination,
    requestDeadlineMs: config.feed.requestDeadlineMs,
    now,
    authenticate,
    secret: secret,
    tail,
  });
  const apollo = createApolloServer({
    schema,
    logger,
    plugins: observability.apolloPlugins,
    introspection: security.introspection,
    limits: security.limits,
    audit,
    ...(shared === null ? {} : { persistedQueries: shared.persistedQueries }),
  });
  await apollo.start();
  let http;
  try {
    const viewerDirectory = options.viewerDirectory ?? defaultViewerDirectory();
    const viewer = await createViewerRoute(viewerDirectory);
    logger.info(
      { path: '/viewer', built: viewer.built, files: viewer.files, directory: viewerDirectory },
      viewer.built ? 'viewer served' : 'viewer not built',
    );
    http = await startHttpServer({
      apollo,
      context,
      subscriptions: {
        execution: createSubscriptionExecution({
          schema,
          logger,
          audit,
          limits: security.limits,
        }),
        context,
        completeAll: () => tail.close(),
      },
      exportRoute: createExportRoute({
        schema,
        context,
        logger,
        pageSize: EXPORT_PAGE_SIZE,
        pageTimeoutMs: (config.export ?? DEFAULT_EXPORT_CONFIG).pageTimeoutMs,
        audit,
        observe: observability.exports,
        now,
      }),
      viewerRoute: viewer.route,
      host: config.host,
      port: config.port,
      graphiql: security.graphiql,
      bodyLimitBytes: security.maxBodyBytes,
      drainDelayMs: config.drainSeconds * 1000,
      graphiqlTitle: 'auditgraph',
      defaultQuery: EXAMPLE_QUERY,
      logger,
      observeRequest: (request, handle) => observability.request(request, handle),
      extraRoutes: observability.routes,
      ...(shared === null ? {} : { readinessDetails: () => ({ sharedState: shared.status() }) }),
    });
  } catch (error) {
    await tail.close();
    await apollo.stop();
    await sourceSet.close();
    await shared?.close();
    await demo?.close();
    await observability.close();
    throw error;
  }
  const server = http;
  return {
    url: server.url,
    feed,
    demo,
    sourceConfigs,
    logger,
    closeBudgetMs: server.drainBudgetMs + STOP_BUDGET_MS,
    tail,
    close: async () => {
      await server.close();
      await tail.close();
      await sourceSet.close();
      await shared?.close();
      await demo?.close();
      await observability.close();
    },
  };
}

/**
 * The bundle `npm run build` writes: `dist/viewer` of this package, found from this module's own
 * place rather than the working directory. The build runs it from `dist/` (dist/viewer beside
 * it); tsx and ts-jest run it from `src/` (dist/viewer one level up, there when a build has run).
 */
function defaultViewerDirectory(): string {
  return path.basename(__dirname) === 'src'
    ? path.resolve(__dirname, '..', 'dist', 'viewer')
    : path.resolve(__dirname, 'viewer');
}
