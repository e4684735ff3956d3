import { trace } from '@opentelemetry/api';
import type { ObservabilityPart } from '../Observability';
import { createRequestTracing } from './createRequestTracing';
import { createSourceObserver } from './createSourceObserver';
import { readPackageVersion } from './readPackageVersion';
import { traceFeed } from './traceFeed';
import { traceSourceReads } from './traceSourceReads';

/**
 * One auditgraph instance's spans (docs/tracing.md): the request to `/graphql`, the feed page,
 * each source read and each upstream attempt, made from the hooks of the layers below. The
 * tracer is the global one: until the process starts the SDK (startTracing), every span is a
 * no-op and nothing is recorded. Several instances in one process (tests) share the SDK.
 */
export function createTracing(): ObservabilityPart {
  const tracer = trace.getTracer('auditgraph', readPackageVersion());
  const requests = createRequestTracing(tracer);
  return {
    source: (source) => createSourceObserver(source, tracer),
    sourceReads: (source) => traceSourceReads(source, tracer),
    feed: (feed) => traceFeed(feed, tracer),
    request: (request, handle) => requests.request(request, handle),
    apolloPlugins: [requests.apolloPlugin],
    close: () => {
      requests.close();
      return Promise.resolve();
    },
  };
}
