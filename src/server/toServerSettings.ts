import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer, BaseContext } from '@apollo/server';
import type { Logger } from '../model/Logger';
import type { ExportRoute } from './createExportRoute';
import type { SubscriptionServerOptions } from './createSubscriptionServer';
import type { ViewerRoute } from './createViewerRoute';

/** One request as the observer of requests sees it, before it is routed. */
export interface ObservedRequest {
  /** The caller's `x-request-id` when it is a sane one, else a new UUID; echoed back. */
  readonly requestId: string;
  readonly method: string;
  /** The path alone: a query string may carry a query's variables. */
  readonly path: string;
  /** The request's headers (a tracer reads `traceparent`); never to be logged whole. */
  readonly headers: IncomingMessage['headers'];
}

/** A route served beside `/graphql` (`/metrics`), on an exact path. */
export type ExtraRoute = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export interface HttpServerOptions<C extends BaseContext> {
  /**
   * Runs around the handling of every request (logs, metrics and traces bind the request's id
   * and span to everything `handle` does); it must call `handle` once and return its promise.
   * Default: `handle()`.
   */
  readonly observeRequest?: (
    request: ObservedRequest,
    handle: () => Promise<void>,
  ) => Promise<void>;
  /** Routes by exact path, answered before `/graphql`, also while draining. */
  readonly extraRoutes?: ReadonlyMap<string, ExtraRoute>;
  /**
   * Started (`await apollo.start()`) before this is called. Build it with
   * `stopOnTerminationSignals: false` (installShutdownHandlers owns the signals, and drains HTTP
   * before Apollo stops) and `ApolloServerPluginLandingPageDisabled()` (GraphiQL is served here).
   * Keep csrfPrevention on and allowBatchedHttpRequests off, Apollo's defaults.
   */
  readonly apollo: ApolloServer<C>;
  /** Builds the per-request context (DataLoaders, the feed). */
  readonly context: (request: IncomingMessage) => Promise<C>;
  readonly host: string;
  /** 0 picks a free port; the handle's `url` names the one chosen. */
  readonly port: number;
  /**
   * Serve GraphiQL to a browser's GET of `/graphql`; default true. When false that GET goes to
   * GraphQL like any other (a 400 with a code, since it carries no operation): production mode
   * turns it off with introspection.
   */
  readonly graphiql?: boolean;
  readonly graphiqlTitle?: string;
  /** The query GraphiQL opens with. */
  readonly defaultQuery?: string;
  /** `/readyz` answers 200 only while this is true (default: always). */
  readonly isReady?: () => boolean;
  /**
   * What `/readyz` adds to its answer (`sharedState: local` while Redis is away): how the
   * instance serves, not whether it may; it never turns readiness off.
   */
  readonly readinessDetails?: () => Readonly<Record<string, string>>;
  /**
   * The live tail's transports (graphql-ws on the upgrade of `/graphql`, graphql-sse on
   * `/graphql/stream`); absent: no subscriptions, upgrades refused.
   */
  readonly subscriptions?: Omit<SubscriptionServerOptions, 'logger' | 'maxPayloadBytes'>;
  /**
   * `GET /export` (createExportRoute.ts); absent: 404. Refused while draining; an export in
   * flight when the listener closes ends with its end state, so its client resumes elsewhere.
   */
  readonly exportRoute?: ExportRoute;
  /**
   * `/viewer` and every path under it (createViewerRoute.ts, built from the bundle's directory
   * before the server starts); absent: 404. Refused while draining, like `/graphql`: a page
   * loaded then would call a server that is leaving, and a reload reaches another replica.
   */
  readonly viewerRoute?: ViewerRoute;
  /** Where the server's lines go: one per request, its errors, the drain. */
  readonly logger: Logger;
  /** Largest request body accepted; default 1 MiB (reliability matrix S6). */
  readonly bodyLimitBytes?: number;
  /** Time to receive a request's headers; default 10 s (matrix S9, slowloris). */
  readonly headersTimeoutMs?: number;
  /** Time to receive a whole request; default 30 s. */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open; default 5 s. */
  readonly keepAliveTimeoutMs?: number;
  /**
   * On close, how long the listener stays open while `/readyz` answers 503 and new GraphQL
   * requests are refused with 503, so a load balancer sees the instance leave before its
   * connections are refused; default 0 (the listener closes at once).
   */
  readonly drainDelayMs?: number;
  /**
   * After the drain delay, how long in-flight requests may take before their sockets are
   * destroyed; default 10 s.
   */
  readonly drainTimeoutMs?: number;
}

const DEFAULTS = {
  bodyLimitBytes: 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  drainDelayMs: 0,
  drainTimeoutMs: 10_000,
} as const;

/** The server's limits and drain times, every default filled in. */
export type ServerSettings = { -readonly [K in keyof typeof DEFAULTS]: number };

/**
 * The limits and drain times of `options` over their defaults, checked here so a bad one fails
 * when the server starts, not when a request or a shutdown meets it.
 */
export function toServerSettings<C extends BaseContext>(
  options: HttpServerOptions<C>,
): ServerSettings {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  assertSettings(settings);
  return settings;
}

function definedOnly<C extends BaseContext>(
  options: HttpServerOptions<C>,
): Partial<ServerSettings> {
  const result: Partial<ServerSettings> = {};
  for (const key of Object.keys(DEFAULTS) as (keyof ServerSettings)[]) {
    const value = options[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}

function assertSettings(settings: ServerSettings): void {
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`startHttpServer: ${name} must be a finite number >= 0`);
    }
  }
  if (settings.bodyLimitBytes < 1)
    throw new RangeError('startHttpServer: bodyLimitBytes must be >= 1');
  if (settings.requestTimeoutMs > 0 && settings.headersTimeoutMs > settings.requestTimeoutMs) {
    throw new RangeError('startHttpServer: headersTimeoutMs must not exceed requestTimeoutMs');
  }
}
