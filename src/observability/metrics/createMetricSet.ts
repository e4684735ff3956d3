import { Counter, Gauge, Histogram, collectDefaultMetrics, Registry } from 'prom-client';
import type { CircuitState } from '../../http/createCircuitBreaker';
import { EXPORT_FORMATS } from '../../export/exportFormats';
import type { ExportResult } from '../../server/createExportRoute';
import type { ObservedState } from '../Observability';

/** Every way an export ends: one series each per format, from 0. */
const EXPORT_RESULTS: readonly ExportResult[] = ['complete', 'incomplete', 'stopped'];

/** Every state a circuit may be in: one series each, 1 for the current one. */
export const CIRCUIT_STATES: readonly CircuitState[] = ['closed', 'half-open', 'open'];

const SOURCE = ['source', 'kind'] as const;

/**
 * auditgraph's metrics, in a registry of their own (never prom-client's global one, so that a
 * process may hold many instances, as the tests do), with Node's default metrics beside them.
 * docs/operations.md describes each; a test holds that list to this one.
 */
export function createMetricSet(state: () => ObservedState | null) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  /** Source id → kind, of every configured source, filled in as their observers are made. */
  const kinds = new Map<string, string>();

  const metrics = {
    upstreamRequests: new Counter({
      name: 'auditgraph_upstream_requests_total',
      help: 'HTTP requests sent to source APIs (each attempt, retries included), by how they ended and the HTTP status (none: no response).',
      labelNames: [...SOURCE, 'outcome', 'status'],
      registers,
    }),
    upstreamDuration: new Histogram({
      name: 'auditgraph_upstream_request_duration_seconds',
      help: 'Time from sending a request to a source API to its end, whatever the outcome.',
      labelNames: SOURCE,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    upstreamRetries: new Counter({
      name: 'auditgraph_upstream_retries_total',
      help: 'Retries decided after a failed attempt, by what the attempt met (transient, rate-limited).',
      labelNames: [...SOURCE, 'after'],
      registers,
    }),
    upstreamCoalesced: new Counter({
      name: 'auditgraph_upstream_coalesced_total',
      help: 'Reads that shared an identical request already under way instead of sending their own.',
      labelNames: SOURCE,
      registers,
    }),
    rateLimitWait: new Histogram({
      name: 'auditgraph_rate_limit_wait_seconds',
      help: "Time a request waited for its credential's client-side rate limiter before it was sent.",
      labelNames: SOURCE,
      buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    rateLimitRefusals: new Counter({
      name: 'auditgraph_rate_limit_refusals_total',
      help: "Requests refused by the credential's rate limiter (paused by a 429, or no token in time): not sent.",
      labelNames: SOURCE,
      registers,
    }),
    pageCacheLookups: new Counter({
      name: 'auditgraph_page_cache_lookups_total',
      help: 'Reads of a closed time window looked up in the page cache, by source and result (hit, miss).',
      labelNames: [...SOURCE, 'result'],
      registers,
    }),
    sourcePages: new Counter({
      name: 'auditgraph_source_pages_total',
      help: 'Feed pages each selected source took part in, by its state on that page (OK, FAILED, TIMED_OUT, RATE_LIMITED, UNAUTHORIZED, CIRCUIT_OPEN).',
      labelNames: [...SOURCE, 'state'],
      registers,
    }),
    eventsDelivered: new Counter({
      name: 'auditgraph_events_delivered_total',
      help: 'Events returned to clients in feed pages (auditEvents edges), by source.',
      labelNames: SOURCE,
      registers,
    }),
    eventsMissed: new Counter({
      name: 'auditgraph_events_missed_total',
      help: 'Events reported missed (SOURCE_EVENTS_MISSED): found behind a traversal after their source recovered.',
      labelNames: SOURCE,
      registers,
    }),
    graphqlRequests: new Counter({
      name: 'auditgraph_graphql_requests_total',
      help: 'GraphQL operations, by operation type, result (ok, error) and the first error code (none when ok).',
      labelNames: ['operation', 'result', 'code'],
      registers,
    }),
    graphqlDuration: new Histogram({
      name: 'auditgraph_graphql_request_duration_seconds',
      help: 'Time from receiving a GraphQL operation to sending its response.',
      labelNames: ['operation', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    exports: new Counter({
      name: 'auditgraph_exports_total',
      help: 'GET /export responses that began streaming, by format and how they ended (complete, incomplete: a source failed or missed events, stopped: the client left or the server drained).',
      labelNames: ['format', 'result'],
      registers,
    }),
    exportEvents: new Counter({
      name: 'auditgraph_export_events_total',
      help: 'Events written by GET /export, by format.',
      labelNames: ['format'],
      registers,
    }),
    exportsInFlight: new Gauge({
      name: 'auditgraph_exports_in_flight',
      help: 'GET /export responses streaming now.',
      registers,
    }),
  };
  for (const format of EXPORT_FORMATS) {
    metrics.exportEvents.inc({ format }, 0);
    for (const result of EXPORT_RESULTS) metrics.exports.inc({ format, result }, 0);
  }

  new Gauge({
    name: 'auditgraph_circuit_state',
    help: "Each source's circuit breaker: 1 for the state it is in (closed, half-open, open), 0 for the others.",
    labelNames: [...SOURCE, 'state'],
    registers,
    collect() {
      this.reset();
      for (const [source, current] of state()?.circuits() ?? new Map<string, CircuitState>()) {
        const kind = kinds.get(source) ?? 'unknown';
        for (const each of CIRCUIT_STATES) {
          this.set({ source, kind, state: each }, each === current ? 1 : 0);
        }
      }
    },
  });
  new Gauge({
    name: 'auditgraph_shared_state',
    help: 'The state replicas share on Redis: 1 for how this replica runs (shared, or local while Redis is away), 0 for the other; no series without Redis.',
    labelNames: ['state'],
    registers,
    collect() {
      this.reset();
      const current = state()?.sharedState?.() ?? null;
      if (current === null) return;
      for (const each of ['shared', 'local'] as const)
        this.set({ state: each }, each === current ? 1 : 0);
    },
  });
  const tailStats = () => state()?.tail?.() ?? null;
  new Gauge({
    name: 'auditgraph_tail_subscriptions',
    help: 'Live-tail subscriptions (auditEventAdded) open now.',
    registers,
    collect() {
      this.set(tailStats()?.subscriptions ?? 0);
    },
  });
  new Gauge({
    name: 'auditgraph_tail_pollers',
    help: 'Live-tail pollers running now: one per client scope and filter, however many subscribe.',
    registers,
    collect() {
      this.set(tailStats()?.pollers ?? 0);
    },
  });
  new Counter({
    name: 'auditgraph_tail_polls_total',
    help: 'Windows the live-tail pollers have read from the feed, over every poller.',
    registers,
    collect() {
      this.reset();
      this.inc(tailStats()?.polls ?? 0);
    },
  });
  const cacheStats = () => state()?.pageCache() ?? null;
  new Counter({
    name: 'auditgraph_page_cache_hits_total',
    help: 'Page cache lookups that found an entry (the whole cache).',
    registers,
    collect() {
      this.reset();
      this.inc(cacheStats()?.hits ?? 0);
    },
  });
  new Counter({
    name: 'auditgraph_page_cache_misses_total',
    help: 'Page cache lookups that found none (the whole cache).',
    registers,
    collect() {
      this.reset();
      this.inc(cacheStats()?.misses ?? 0);
    },
  });
  new Counter({
    name: 'auditgraph_page_cache_evictions_total',
    help: 'Entries dropped from the page cache to stay within its byte budget.',
    registers,
    collect() {
      this.reset();
      this.inc(cacheStats()?.evictions ?? 0);
    },
  });
  new Gauge({
    name: 'auditgraph_page_cache_bytes',
    help: 'Estimated size of what the page cache holds.',
    registers,
    collect() {
      this.set(cacheStats()?.bytes ?? 0);
    },
  });
  new Gauge({
    name: 'auditgraph_page_cache_max_bytes',
    help: "The page cache's byte budget (0 when there is no cache).",
    registers,
    collect() {
      this.set(cacheStats()?.maxBytes ?? 0);
    },
  });
  new Gauge({
    name: 'auditgraph_page_cache_entries',
    help: 'Entries the page cache holds.',
    registers,
    collect() {
      this.set(cacheStats()?.entries ?? 0);
    },
  });

  /** Makes the series of a source that every alert reads exist at 0 before anything happens. */
  const addSource = (source: string, kind: string): void => {
    kinds.set(source, kind);
    const labels = { source, kind };
    metrics.eventsDelivered.inc(labels, 0);
    metrics.eventsMissed.inc(labels, 0);
    metrics.rateLimitRefusals.inc(labels, 0);
    metrics.upstreamCoalesced.inc(labels, 0);
  };

  return { registry, metrics, addSource, kinds };
}

export type MetricSet = ReturnType<typeof createMetricSet>;
