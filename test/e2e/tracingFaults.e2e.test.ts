import { randomBytes } from 'node:crypto';
import type { tracing } from '@opentelemetry/sdk-node';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, sourcesOf } from '../support/demoConfig';
import { SPAN_KIND, STATUS_CODE, type ExportedSpan } from '../support/decodeOtlpTraces';
import { json, postGraphql } from '../unit/server/httpTestClient';

const DAY_MS = 86_400_000;

const QUERY = `query Window($filter: AuditEventFilter) {
  auditEvents(first: 5, filter: $filter) {
    edges { node { id } }
    sources { source { id } state }
  }
}`;

/** A span as OTLP would carry it (OTLP numbers its kinds one above the API's enum). */
function toExportedSpan(span: tracing.ReadableSpan): ExportedSpan {
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    name: span.name,
    kind: span.kind + 1,
    attributes: span.attributes as ExportedSpan['attributes'],
    events: span.events.map((event) => ({
      name: event.name,
      attributes: (event.attributes ?? {}) as ExportedSpan['attributes'],
    })),
    status: { code: span.status.code, message: span.status.message ?? null },
    scope: span.instrumentationScope.name,
    resource: span.resource.attributes as ExportedSpan['resource'],
  };
}

/**
 * The spans of failures, retries and the page cache, from a whole auditgraph in this process
 * with faults injected into the demo's emulators. The SDK is the real one, but it keeps the
 * spans in memory: its OTLP exporters load `http` with a dynamic import, which Jest's module
 * sandbox refuses, so export over OTLP is tested with auditgraph in a process of its own
 * (tracing.e2e.test.ts).
 */
describe('traces of retries, failed sources and cache hits', () => {
  const spans: ExportedSpan[] = [];
  const waiters: { matches: (span: ExportedSpan) => boolean; resolve: () => void }[] = [];
  /** Keeps every span as it ends, and tells whoever waits for it. */
  const keeper: tracing.SpanProcessor = {
    onStart: () => undefined,
    onEnd: (span) => {
      const exported = toExportedSpan(span);
      spans.push(exported);
      for (const waiter of waiters.filter((entry) => entry.matches(exported))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const sdk = new NodeSDK({
    spanProcessors: [keeper],
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
    autoDetectResources: false,
  });
  let app: Auditgraph;

  beforeAll(async () => {
    sdk.start();
    app = await startAuditgraph(DEMO_CONFIG, { log: () => undefined });
  });

  afterAll(async () => {
    await app.close();
    await sdk.shutdown();
  });

  const spansOf = (traceId: string): ExportedSpan[] =>
    spans.filter((span) => span.traceId === traceId);

  /** Resolves once a span that `matches` has ended. */
  const ended = (matches: (span: ExportedSpan) => boolean): Promise<void> =>
    spans.some(matches)
      ? Promise.resolve()
      : new Promise((resolve) => waiters.push({ matches, resolve }));

  /** Sends the query in a trace of its own; resolves with that trace once its request span is in. */
  async function traced(variables: Record<string, unknown> = {}): Promise<ExportedSpan[]> {
    const traceId = randomBytes(16).toString('hex');
    const response = await postGraphql(
      app.url,
      { query: QUERY, variables },
      { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    );
    expect(response.status).toBe(200);
    expect(json(response)).toHaveProperty('data.auditEvents');
    // The request span ends last, when its response has gone: its children have ended before it.
    await ended((span) => span.traceId === traceId && span.kind === SPAN_KIND.server);
    return spansOf(traceId);
  }

  function emulatorOf(sourceId: string) {
    const source = sourcesOf(app.demo!).find((candidate) => candidate.id === sourceId)!;
    const emulator = app.demo!.emulators.find((candidate) =>
      source.baseUrl.startsWith(candidate.url),
    );
    if (emulator === undefined) throw new Error(`no emulator serves ${sourceId}`);
    return emulator;
  }

  function attemptsOf(spans: readonly ExportedSpan[], sourceId: string): ExportedSpan[] {
    const reads = spans.filter(
      (span) => span.name === 'source.list' && span.attributes['auditgraph.source.id'] === sourceId,
    );
    return spans
      .filter((span) => reads.some((read) => read.spanId === span.parentSpanId))
      .sort(
        (a, b) =>
          Number(a.attributes['auditgraph.attempt']) - Number(b.attributes['auditgraph.attempt']),
      );
  }

  it('records a failed attempt with its status, and the retry after it', async () => {
    emulatorOf('fastly').knobs.faults.push({
      fault: { type: 'status', status: 503 },
      pathPrefix: '/events',
      times: 1,
    });
    const spans = await traced();

    const [failed, retried] = attemptsOf(spans, 'fastly');
    expect(failed).toMatchObject({
      kind: SPAN_KIND.client,
      attributes: {
        'http.response.status_code': 503,
        'auditgraph.attempt': 1,
        'auditgraph.retry': false,
        'auditgraph.outcome': 'transient',
        'auditgraph.error.code': 'SOURCE_UNAVAILABLE',
        'error.type': '503',
      },
      status: { code: STATUS_CODE.error },
    });
    expect(retried).toMatchObject({
      attributes: {
        'http.response.status_code': 200,
        'auditgraph.attempt': 2,
        'auditgraph.retry': true,
        'http.request.resend_count': 1,
        'auditgraph.outcome': 'answered',
      },
    });
    expect(retried?.status.code).not.toBe(STATUS_CODE.error);
    const read = spans.find((span) => span.spanId === failed?.parentSpanId);
    expect(read?.events).toContainEqual({
      name: 'retry',
      attributes: {
        'auditgraph.retry.after': 'transient',
        'auditgraph.retry.delay_ms': expect.any(Number),
      },
    });
    expect(read?.status.code).not.toBe(STATUS_CODE.error);
  });

  it('marks a source that fails the page, on its read, the page and the request', async () => {
    emulatorOf('nirvana').knobs.faults.push({
      fault: { type: 'status', status: 500 },
      pathPrefix: '/v1/audit_logs',
      times: 10,
    });
    const spans = await traced();
    emulatorOf('nirvana').knobs.faults.length = 0;

    const read = spans.find(
      (span) =>
        span.name === 'source.list' && span.attributes['auditgraph.source.id'] === 'nirvana',
    );
    expect(read).toMatchObject({
      attributes: { 'error.type': 'SOURCE_UNAVAILABLE' },
      status: { code: STATUS_CODE.error, message: 'SOURCE_UNAVAILABLE' },
    });
    for (const attempt of attemptsOf(spans, 'nirvana')) {
      expect(attempt).toMatchObject({
        attributes: { 'http.response.status_code': 500 },
        status: { code: STATUS_CODE.error },
      });
    }
    const page = spans.find((span) => span.name === 'feed.readPage');
    expect(page?.attributes['auditgraph.page.failed_sources']).toEqual(['nirvana']);
    expect(page?.events).toContainEqual({
      name: 'source',
      attributes: expect.objectContaining({
        'auditgraph.source.id': 'nirvana',
        'auditgraph.source.state': 'FAILED',
        'auditgraph.error.code': 'SOURCE_UNAVAILABLE',
      }),
    });
    const request = spans.find((span) => span.kind === SPAN_KIND.server);
    expect(request?.attributes).toMatchObject({
      'http.response.status_code': 200,
      'auditgraph.graphql.error_codes': ['SOURCE_UNAVAILABLE'],
    });
  });

  it('says whether the page cache answered a read of a closed window, which then sends nothing', async () => {
    const now = Date.now();
    const filter = {
      since: new Date(now - 20 * DAY_MS).toISOString(),
      before: new Date(now - 10 * DAY_MS).toISOString(),
    };
    const first = await traced({ filter });
    const again = await traced({ filter });

    const reads = (spans: readonly ExportedSpan[]) =>
      spans.filter((span) => span.name === 'source.list');
    expect(reads(first).length).toBeGreaterThanOrEqual(6);
    for (const read of reads(first)) expect(read.attributes['auditgraph.cache.hit']).toBe(false);
    expect(reads(again).length).toBeGreaterThanOrEqual(6);
    for (const read of reads(again)) expect(read.attributes['auditgraph.cache.hit']).toBe(true);
    expect(again.filter((span) => span.kind === SPAN_KIND.client)).toEqual([]);
  });
});
