import { randomBytes } from 'node:crypto';
import {
  SPAN_KIND,
  STATUS_CODE,
  type ExportedSpan,
  type OtlpValue,
} from '../support/decodeOtlpTraces';
import { listeningPorts } from '../support/listeningPorts';
import { startMainProcess, type MainProcess } from '../support/startMainProcess';
import { startOtlpReceiver, type OtlpReceiver } from '../support/startOtlpReceiver';
import { json, postGraphql } from '../unit/server/httpTestClient';

interface PageResponse {
  data: {
    auditEvents: {
      edges: { cursor: string; node: { actor: { email: string | null } | null } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
}

const PAGE_QUERY = `query TracedPage($filter: AuditEventFilter, $after: String) {
  auditEvents(first: 3, filter: $filter, after: $after) {
    edges { cursor node { id actor { email } } }
    pageInfo { hasNextPage endCursor }
    sources { source { id } state }
  }
}`;

/** Every string an exported span, event or resource carries, for searching. */
function allStrings(spans: readonly ExportedSpan[]): string[] {
  const strings: string[] = [];
  const add = (value: OtlpValue): void => {
    if (Array.isArray(value)) for (const item of value as OtlpValue[]) add(item);
    else if (value !== null) strings.push(String(value));
  };
  const addAll = (attributes: Readonly<Record<string, OtlpValue>>): void => {
    for (const [key, value] of Object.entries(attributes)) {
      strings.push(key);
      add(value);
    }
  };
  for (const span of spans) {
    strings.push(span.name, span.status.message ?? '');
    addAll(span.attributes);
    addAll(span.resource);
    for (const event of span.events) {
      strings.push(event.name);
      addAll(event.attributes);
    }
  }
  return strings;
}

/**
 * The process listens on its own HTTP port and its demo's emulators' (each named in what it
 * wrote at start-up), and on nothing the tracing SDK could open (a Prometheus exporter's port).
 */
function expectOnlyItsOwnListeners(app: MainProcess): void {
  const ports = listeningPorts(app.child.pid ?? 0);
  if (ports === null) return; // no /proc to read (not Linux)
  const named = new Set([...app.output().matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])));
  expect(ports).toContain(Number(new URL(app.url).port));
  expect(ports.filter((port) => !named.has(port))).toEqual([]);
}

/**
 * Receivers where the SDK sends when given no endpoint (`localhost:4318`, either family), to
 * catch an export nobody asked for.
 */
async function startDefaultEndpointReceivers(): Promise<OtlpReceiver[]> {
  const receivers = [await startOtlpReceiver({ host: '127.0.0.1', port: 4318 })];
  try {
    receivers.push(await startOtlpReceiver({ host: '::1', port: 4318 }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A machine without IPv6 cannot be sent to over it either.
    if (code !== 'EADDRNOTAVAIL' && code !== 'EAFNOSUPPORT') throw error;
  }
  return receivers;
}

function childrenOf(spans: readonly ExportedSpan[], parent: ExportedSpan): ExportedSpan[] {
  return spans.filter((span) => span.parentSpanId === parent.spanId);
}

describe('traces of auditgraph as its own process, exported over OTLP/HTTP', () => {
  let receivers: OtlpReceiver[] = [];
  let app: MainProcess | null = null;
  afterEach(async () => {
    if (app?.child.exitCode === null) app.child.kill('SIGKILL');
    app = null;
    await Promise.all(receivers.map((receiver) => receiver.close()));
    receivers = [];
  });

  it('exports nothing and opens no listener of its own when no OTEL_* variable is set', async () => {
    receivers = await startDefaultEndpointReceivers();
    app = await startMainProcess({});
    const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
    const response = await postGraphql(app.url, { query: PAGE_QUERY }, { traceparent });
    expect(response.status).toBe(200);
    expectOnlyItsOwnListeners(app);

    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(receivers.flatMap((receiver) => receiver.requests())).toEqual([]);
  });

  it.each(['http/json', 'http/protobuf'])(
    'continues the caller’s trace down to every upstream attempt, with no personal data (%s)',
    async (protocol) => {
      const receiver = await startOtlpReceiver();
      receivers = [receiver];
      app = await startMainProcess({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_BSP_SCHEDULE_DELAY: '200',
        // Traces only: the SDK's own defaults would also push metrics and logs, or listen.
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_LOGS_EXPORTER: 'otlp',
      });

      // An address that is in the demo's data, so the filtered page has events that hold it.
      const unfiltered = json(
        await postGraphql(app.url, { query: PAGE_QUERY.replace('first: 3', 'first: 50') }),
      ) as PageResponse;
      const email = unfiltered.data.auditEvents.edges
        .map((edge) => edge.node.actor?.email ?? null)
        .find((value): value is string => value !== null && value.includes('@'));
      expect(email).toBeDefined();

      const traceId = randomBytes(16).toString('hex');
      const callerSpanId = randomBytes(8).toString('hex');
      const traced = await postGraphql(
        app.url,
        { query: PAGE_QUERY, variables: { filter: { actorEmails: [email] } } },
        { traceparent: `00-${traceId}-${callerSpanId}-01`, 'x-request-id': 'router-req-1' },
      );
      expect(traced.status).toBe(200);
      const page = json(traced) as PageResponse;
      expect(page.data.auditEvents.edges.length).toBeGreaterThan(0);
      const cursors = [
        ...page.data.auditEvents.edges.map((edge) => edge.cursor),
        page.data.auditEvents.pageInfo.endCursor ?? '',
      ].filter((cursor) => cursor !== '');

      expectOnlyItsOwnListeners(app);

      // The shutdown flushes what the batch has not sent yet, after the HTTP drain.
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);

      const spans = receiver.spans().filter((span) => span.traceId === traceId);
      const request = spans.find((span) => span.kind === SPAN_KIND.server);
      expect(request).toMatchObject({
        name: 'POST /graphql',
        parentSpanId: callerSpanId,
        scope: 'auditgraph',
        attributes: {
          'http.request.method': 'POST',
          'http.route': '/graphql',
          'http.response.status_code': 200,
          'auditgraph.request.id': 'router-req-1',
          'graphql.operation.type': 'query',
          'graphql.operation.name': 'TracedPage',
        },
        resource: { 'service.name': 'auditgraph' },
      });
      if (request === undefined) throw new Error('no request span');

      const feedPage = childrenOf(spans, request).find((span) => span.name === 'feed.readPage');
      expect(feedPage).toMatchObject({
        kind: SPAN_KIND.internal,
        attributes: {
          'auditgraph.page.first': 3,
          'auditgraph.page.order': 'desc',
          'auditgraph.page.continued': false,
          'auditgraph.page.filter_fields': ['actorEmails'],
          'auditgraph.page.sources': 6,
          'auditgraph.page.edges': page.data.auditEvents.edges.length,
          'auditgraph.page.has_next_page': page.data.auditEvents.pageInfo.hasNextPage,
        },
      });
      if (feedPage === undefined) throw new Error('no feed page span');
      const sourceEvents = feedPage.events.filter((event) => event.name === 'source');
      expect(sourceEvents).toHaveLength(6);
      for (const event of sourceEvents) {
        expect(event.attributes).toMatchObject({
          'auditgraph.source.id': expect.any(String),
          'auditgraph.source.kind': expect.any(String),
          'auditgraph.source.state': 'OK',
        });
      }

      const reads = childrenOf(spans, feedPage).filter((span) => span.name === 'source.list');
      const readSources = new Set(reads.map((span) => span.attributes['auditgraph.source.id']));
      expect(readSources.size).toBe(6);
      const attempts = reads.flatMap((read) =>
        childrenOf(spans, read).map((attempt) => ({ read, attempt })),
      );
      expect(attempts.length).toBeGreaterThanOrEqual(6);
      for (const { read, attempt } of attempts) {
        expect(attempt).toMatchObject({
          kind: SPAN_KIND.client,
          attributes: {
            'auditgraph.source.id': read.attributes['auditgraph.source.id'],
            'auditgraph.source.kind': read.attributes['auditgraph.source.kind'],
            'http.request.method': expect.stringMatching(/^(GET|POST)$/),
            'http.response.status_code': 200,
            'auditgraph.attempt': 1,
            'auditgraph.retry': false,
            'auditgraph.rate_limit.wait_ms': expect.any(Number),
            'auditgraph.outcome': 'answered',
          },
        });
        expect(attempt.status.code).not.toBe(STATUS_CODE.error);
        expect(Object.keys(attempt.attributes).some((key) => key.startsWith('url.'))).toBe(false);
      }

      // Nothing the client sent as data, and nothing sealed, is in any span of any trace.
      const strings = allStrings(receiver.spans());
      const local = email?.split('@')[0] ?? '';
      for (const value of strings) {
        expect(value.toLowerCase()).not.toContain(email?.toLowerCase());
        expect(value.toLowerCase()).not.toContain(local.toLowerCase());
        for (const cursor of cursors) expect(value).not.toContain(cursor);
      }
      expect(receiver.requests().every((received) => received.path === '/v1/traces')).toBe(true);
    },
  );
});
