import { createServer, type Server } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { MetricsConfig } from '../../config/types';
import type { Feed } from '../../feed/Feed';
import type { Logger } from '../../model/Logger';
import type { AuditgraphContext } from '../../schema/createContext';
import { sendError } from '../../server/sendError';
import { splitUrl } from '../../server/splitUrl';
import type { ObservabilityPart, ObservedState } from '../Observability';
import { createMetricSet, type MetricSet } from './createMetricSet';
import { serveMetrics } from './serveMetrics';
import { toCodeLabel, toOperationLabel, toStatusLabel } from './toLabels';

export const METRICS_PATH = '/metrics';

export interface MetricsPartSettings {
  readonly config: MetricsConfig;
  /** The main listener's host: a metrics port of its own listens there too. */
  readonly host: string;
  readonly logger: Logger;
}

/**
 * Prometheus metrics of the hooks: upstream requests, retries, shared reads and rate limits per
 * source, the circuits and the page cache read when scraped, feed pages and events per source,
 * GraphQL operations. Served on `/metrics` of the main port, or on a listener of its own when
 * `config.port` is set (started here, closed in `close()`); nothing when disabled.
 */
export async function createMetricsPart(settings: MetricsPartSettings): Promise<ObservabilityPart> {
  const { config } = settings;
  if (!config.enabled) return {};
  let observed: ObservedState | null = null;
  const set = createMetricSet(() => observed);
  const serve = serveMetrics(set.registry, config.token);
  const own = config.port === null ? null : await listen(serve, settings, config.port);
  return {
    source: (source) => {
      set.addSource(source.id, source.kind);
      const labels = { source: source.id, kind: source.kind };
      const { metrics } = set;
      return {
        http: {
          attempt: () => (end) => {
            metrics.upstreamRequests.inc({
              ...labels,
              outcome: end.outcome,
              status: toStatusLabel(end.status),
            });
            metrics.upstreamDuration.observe(labels, end.durationMs / 1000);
          },
          rateLimit: (outcome, waitMs) => {
            if (outcome === 'refused') metrics.rateLimitRefusals.inc(labels);
            else metrics.rateLimitWait.observe(labels, waitMs / 1000);
          },
          retry: (after) => metrics.upstreamRetries.inc({ ...labels, after }),
          coalesced: () => metrics.upstreamCoalesced.inc(labels),
          // The gauge reads each circuit when scraped.
          circuit: () => undefined,
        },
        cacheLookup: (hit) =>
          metrics.pageCacheLookups.inc({ ...labels, result: hit ? 'hit' : 'miss' }),
      };
    },
    feed: (feed) => countPages(feed, set),
    exports: (format) => {
      set.metrics.exportsInFlight.inc();
      return (result, events) => {
        set.metrics.exportsInFlight.dec();
        set.metrics.exports.inc({ format, result });
        set.metrics.exportEvents.inc({ format }, events);
      };
    },
    apolloPlugins: [graphqlMetricsPlugin(set)],
    routes: own === null ? new Map([[METRICS_PATH, serve]]) : new Map(),
    watch: (state) => {
      observed = state;
    },
    close: async () => {
      if (own !== null) {
        own.closeAllConnections();
        await new Promise<void>((resolve) => own.close(() => resolve()));
      }
      set.registry.clear();
    },
  };
}

function countPages(feed: Feed, { metrics, kinds }: MetricSet): Feed {
  return {
    ...feed,
    readPage: async (request) => {
      const page = await feed.readPage(request);
      for (const outcome of page.sources) {
        const labels = { source: outcome.source.id, kind: outcome.source.kind };
        metrics.sourcePages.inc({ ...labels, state: outcome.state });
        if (outcome.missed !== null) metrics.eventsMissed.inc(labels, outcome.missed.count);
      }
      const delivered = new Map<string, number>();
      for (const { event } of page.edges) {
        delivered.set(event.sourceId, (delivered.get(event.sourceId) ?? 0) + 1);
      }
      for (const [source, count] of delivered) {
        // Only configured sources: an event's source id is one of theirs.
        const kind = kinds.get(source);
        if (kind !== undefined) metrics.eventsDelivered.inc({ source, kind }, count);
      }
      return page;
    },
  };
}

function graphqlMetricsPlugin({ metrics }: MetricSet): ApolloServerPlugin<AuditgraphContext> {
  const startedAt = new WeakMap<object, bigint>();
  const count = (
    requestContext: object,
    operation: string,
    errors: readonly GraphQLFormattedError[],
  ): void => {
    const started = startedAt.get(requestContext);
    if (started === undefined) return;
    startedAt.delete(requestContext);
    const result = errors.length === 0 ? 'ok' : 'error';
    const code = errors.length === 0 ? 'none' : toCodeLabel(errors[0]?.extensions?.['code']);
    metrics.graphqlRequests.inc({ operation, result, code });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.graphqlDuration.observe({ operation, result }, seconds);
  };
  return {
    requestDidStart: (requestContext) => {
      startedAt.set(requestContext, process.hrtime.bigint());
      return Promise.resolve({
        willSendResponse: (responseContext) => {
          const body = responseContext.response.body;
          const errors =
            (body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors) ?? [];
          count(requestContext, toOperationLabel(responseContext.operation?.operation), errors);
          return Promise.resolve();
        },
      });
    },
    // The pipeline threw: no willSendResponse follows, but the operation still counts.
    unexpectedErrorProcessingRequest: ({ requestContext }) => {
      count(requestContext, toOperationLabel(requestContext.operation?.operation), [
        { message: '', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      ]);
      return Promise.resolve();
    },
  };
}

async function listen(
  serve: ReturnType<typeof serveMetrics>,
  settings: MetricsPartSettings,
  port: number,
): Promise<Server> {
  const server = createServer((request, response) => {
    if (splitUrl(request.url).path !== METRICS_PATH) {
      sendError(response, 404, 'NOT_FOUND', 'Not found.');
      return;
    }
    serve(request, response).catch((error: unknown) => {
      settings.logger.error(
        { error: error instanceof Error ? error.name : 'non-error thrown' },
        'metrics scrape failed',
      );
      if (!response.headersSent) sendError(response, 500, 'INTERNAL_SERVER_ERROR', 'Internal.');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: settings.host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) =>
    settings.logger.error({ error: error.name }, 'metrics listener error'),
  );
  return server;
}
