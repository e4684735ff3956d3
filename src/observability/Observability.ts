import type { ApolloServerPlugin } from '@apollo/server';
import type { Feed } from '../feed/Feed';
import type { CircuitState } from '../http/createCircuitBreaker';
import type { AttemptEnd, AttemptStart, HttpObserver } from '../http/HttpObserver';
import type { Source } from '../model/Source';
import type { PageStoreStats } from '../providers/cache/PageStore';
import type { SourceObserver } from '../providers/createSources';
import type { AuditgraphContext } from '../schema/createContext';
import type { ExportObserver } from '../server/createExportRoute';
import type { TailStats } from '../tail/Tail';
import type { ExtraRoute, ObservedRequest } from '../server/startHttpServer';

/** A configured source, as observers name it: its id and kind, both from the config. */
export interface ObservedSource {
  readonly id: string;
  readonly kind: string;
}

/** State the observers read when asked (a metrics scrape), not told of as it changes. */
export interface ObservedState {
  /** Each source's circuit, by source id. */
  readonly circuits: () => ReadonlyMap<string, CircuitState>;
  /** The page cache's counters; null when there is no cache. */
  readonly pageCache: () => PageStoreStats | null;
  /**
   * Whether the state replicas share is in use (`shared`) or Redis is away (`local`); null when
   * no Redis is configured.
   */
  readonly sharedState?: () => 'shared' | 'local' | null;
  /** The live tail's subscriptions, pollers and polls. */
  readonly tail?: () => TailStats;
}

/**
 * Logs, metrics and traces, seen from the rest of auditgraph: the hooks the layers below offer
 * (createSources' observer, the HTTP server's request wrapper and extra routes, Apollo's
 * plugins), filled in here and handed down by startAuditgraph. Nothing below imports this
 * folder, so every layer runs, and is tested, with none of it.
 *
 * Each part (logging, metrics, tracing) fills in what it needs; `combineObservability` makes one
 * of them, in order: the first part's request wrapper runs outermost.
 */
export interface Observability {
  /** The observer of one source's HTTP client and cache, made once per source. */
  source(source: ObservedSource): SourceObserver;
  /** A source as the feed reads it (behind its cache): a span per read, say. */
  sourceReads(source: Source): Source;
  /** The feed as the schema reads it: per page, what the parts want to see of it. */
  feed(feed: Feed): Feed;
  /** Around every HTTP request: binds its id (and span) to everything done for it. */
  request(request: ObservedRequest, handle: () => Promise<void>): Promise<void>;
  /** Each `GET /export` that began streaming, and how it ended. */
  readonly exports: ExportObserver;
  /** Plugins for each GraphQL operation. */
  readonly apolloPlugins: readonly ApolloServerPlugin<AuditgraphContext>[];
  /** Routes beside `/graphql`, by exact path (`/metrics`). */
  readonly routes: ReadonlyMap<string, ExtraRoute>;
  /** Gives the parts the state they read when asked; called once, when the sources exist. */
  watch(state: ObservedState): void;
  /** Flushes and stops (exporters, listeners of its own); after the HTTP server has drained. */
  close(): Promise<void>;
}

export type ObservabilityPart = Partial<Observability>;

/** One Observability from parts; what no part fills in does nothing. */
export function combineObservability(parts: readonly ObservabilityPart[]): Observability {
  const sourceParts = parts.flatMap((part) => (part.source ? [part.source] : []));
  const readParts = parts.flatMap((part) => (part.sourceReads ? [part.sourceReads] : []));
  const feedParts = parts.flatMap((part) => (part.feed ? [part.feed] : []));
  const requestParts = parts.flatMap((part) => (part.request ? [part.request] : []));
  const exportParts = parts.flatMap((part) => (part.exports ? [part.exports] : []));
  return {
    source: (source) => combineSourceObservers(sourceParts.map((make) => make(source))),
    // The first part's wrapper is the outermost.
    sourceReads: (source) => readParts.reduceRight((wrapped, wrap) => wrap(wrapped), source),
    feed: (feed) => feedParts.reduceRight((wrapped, wrap) => wrap(wrapped), feed),
    request: (request, handle) =>
      requestParts.reduceRight<() => Promise<void>>(
        (inner, wrap) => () => wrap(request, inner),
        handle,
      )(),
    exports: (format) => {
      const ends = exportParts.map((observe) => observe(format));
      return (result, events) => {
        for (const end of ends) end(result, events);
      };
    },
    apolloPlugins: parts.flatMap((part) => part.apolloPlugins ?? []),
    routes: new Map(parts.flatMap((part) => [...(part.routes ?? new Map<string, ExtraRoute>())])),
    watch: (state) => {
      for (const part of parts) part.watch?.(state);
    },
    close: async () => {
      await Promise.all(parts.map((part) => part.close?.() ?? Promise.resolve()));
    },
  };
}

function combineSourceObservers(observers: readonly SourceObserver[]): SourceObserver {
  const http: HttpObserver = {
    attempt: (start: AttemptStart) => {
      const ends = observers.map((observer) => observer.http.attempt(start));
      return (end: AttemptEnd) => {
        for (const finish of ends) finish(end);
      };
    },
    rateLimit: (outcome, waitMs) => {
      for (const observer of observers) observer.http.rateLimit(outcome, waitMs);
    },
    retry: (after, delayMs) => {
      for (const observer of observers) observer.http.retry(after, delayMs);
    },
    coalesced: () => {
      for (const observer of observers) observer.http.coalesced();
    },
    circuit: (from, to) => {
      for (const observer of observers) observer.http.circuit(from, to);
    },
  };
  return {
    http,
    cacheLookup: (hit) => {
      for (const observer of observers) observer.cacheLookup(hit);
    },
  };
}
