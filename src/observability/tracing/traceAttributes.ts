/**
 * The names of auditgraph's own span attributes and events (docs/tracing.md lists them with
 * what each holds). The standard ones (`http.*`, `error.type`) come from
 * @opentelemetry/semantic-conventions; GraphQL's are still incubating there, so they are copied
 * here, as its README advises.
 *
 * Every value written under these names comes from the config (source ids and kinds), from a
 * closed set (states, codes, outcomes, orders) or is a count, a flag or a duration: never a
 * filter value, a cursor, a header, a URL or a body.
 */
export const TRACE_ATTRIBUTES = {
  graphqlOperationType: 'graphql.operation.type',
  graphqlOperationName: 'graphql.operation.name',
  requestId: 'auditgraph.request.id',
  errorCodes: 'auditgraph.graphql.error_codes',

  pageFirst: 'auditgraph.page.first',
  pageOrder: 'auditgraph.page.order',
  pageContinued: 'auditgraph.page.continued',
  pageFilterFields: 'auditgraph.page.filter_fields',
  pageSources: 'auditgraph.page.sources',
  pageEdges: 'auditgraph.page.edges',
  pageHasNextPage: 'auditgraph.page.has_next_page',
  pageFailedSources: 'auditgraph.page.failed_sources',
  pageMissedEvents: 'auditgraph.page.missed_events',
  eventIds: 'auditgraph.events.requested',

  sourceId: 'auditgraph.source.id',
  sourceKind: 'auditgraph.source.kind',
  sourceState: 'auditgraph.source.state',
  sourceUpstreamRequests: 'auditgraph.source.upstream_requests',
  sourceMissedEvents: 'auditgraph.source.missed_events',
  readOrder: 'auditgraph.read.order',
  readPageSize: 'auditgraph.read.page_size',
  readContinued: 'auditgraph.read.continued',
  readEvents: 'auditgraph.read.events',
  readHasMore: 'auditgraph.read.has_more',
  readFound: 'auditgraph.read.found',
  cacheHit: 'auditgraph.cache.hit',
  coalesced: 'auditgraph.coalesced',

  attempt: 'auditgraph.attempt',
  retry: 'auditgraph.retry',
  rateLimitWaitMs: 'auditgraph.rate_limit.wait_ms',
  outcome: 'auditgraph.outcome',
  errorCode: 'auditgraph.error.code',

  retryAfter: 'auditgraph.retry.after',
  retryDelayMs: 'auditgraph.retry.delay_ms',
  circuitFrom: 'auditgraph.circuit.from',
  circuitTo: 'auditgraph.circuit.to',
} as const;

/** Span events: what happened during a span that is no span of its own. */
export const TRACE_EVENTS = {
  /** On a feed page: how one selected source fared. */
  source: 'source',
  /** On a source read: a retry was decided, and when it goes. */
  retry: 'retry',
  /** On a source read: the credential's rate limiter refused a token. */
  rateLimitRefused: 'rate_limit.refused',
  /** On a source read: the source's circuit breaker moved. */
  circuit: 'circuit',
} as const;
