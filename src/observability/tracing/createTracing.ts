import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { ObservabilityPart } from '../Observability';
import { createRequestTracing } from './createRequestTracing';
import { createSourceObserver } from './createSourceObserver';
import { readPackageVersion } from './readPackageVersion';
import { traceFeed } from './traceFeed';
import { traceSourceReads } from './traceSourceReads';

/** What the global provider delegates to while no SDK is registered: the API's no-op provider. */
const NO_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether an OpenTelemetry SDK is registered in this process (startTracing, or a host that embeds
 * auditgraph and registered its own): without one every span is a no-op, and the wrappers that
 * would make them are left out.
 */
export function isTracerRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NO_PROVIDER;
}

/**
 * One auditgraph instance's spans (docs/tracing.md): the request to `/graphql`, the feed page,
 * each source read and each upstream attempt, made from the hooks of the layers below. The
 * tracer is the global one: until the process starts the SDK (startTracing), every span is a
 * no-op and nothing is recorded. Several instances in one process (tests) share the SDK. With no
 * SDK registered when the instance is built, it has no tracing part at all: spans for the request,
 * the page, each source read and each attempt would be made, and dropped, on every request.
 */
export function createTracing(): ObservabilityPart {
  if (!isTracerRegistered()) return {};
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
