import { createServer } from 'node:net';
import type { AuditgraphConfig, MetricsConfig } from '../../src/config/types';
import { ERROR_CODES } from '../../src/model/errors';
import { REQUEST_ERROR_CODES } from '../../src/schema/formatError';
import type { Auditgraph, StartOptions } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, postGraphql, sourcesOf, DEMO_SOURCE_IDS } from '../support/demoConfig';
import { openExport, readExport } from '../support/exportClient';
import { parsePrometheusText, toFamily, type Scrape } from '../support/parsePrometheusText';
import { subscribeOverWebSocket, waitFor } from '../support/tailClients';

/**
 * `/metrics` of the whole service, scraped over HTTP and parsed: what a traversal with one
 * failing source leaves in it, the token and the port of its own, and label values that no
 * client can add to.
 */

const SOURCE_IDS: readonly string[] = DEMO_SOURCE_IDS;

const PAGE = `query Page($after: String) {
  auditEvents(first: 25, after: $after) {
    edges { node { source { id } } }
    pageInfo { endCursor hasNextPage }
    sources { source { id } state }
  }
}`;

const started: Auditgraph[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.close()));
});

async function start(
  metrics?: MetricsConfig,
  options: Partial<StartOptions> = {},
): Promise<{ app: Auditgraph; lines: string[] }> {
  const lines: string[] = [];
  const config: AuditgraphConfig = { ...DEMO_CONFIG, ...(metrics ? { metrics } : {}) };
  const app = await startAuditgraph(config, { log: (line) => lines.push(line), ...options });
  started.push(app);
  return { app, lines };
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(`${url}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

/** The emulator and path prefix of one demo source's requests. */
function requestsTo(app: Auditgraph, sourceId: string): number {
  const source = sourcesOf(app.demo!).find((candidate) => candidate.id === sourceId)!;
  const emulator = app.demo!.emulators.find((candidate) =>
    source.baseUrl.startsWith(candidate.url),
  )!;
  const account = `/client/v4/accounts/${source.accountId}`;
  const prefix: Record<string, string> = {
    fastly: '/events',
    'cloudflare-v1': `${account}/audit_logs`,
    'cloudflare-v2': `${account}/logs/audit`,
    'fusionauth-event-log': '/api/system/event-log',
    'fusionauth-audit-log': '/api/system/audit-log',
    nirvana: '/v1/audit_logs',
  };
  return emulator.requests.filter((request) => request.path.startsWith(prefix[sourceId]!)).length;
}

function breakFastly(app: Auditgraph): void {
  const fastly = app.demo!.emulators.find((emulator) =>
    emulator.name.toLowerCase().includes('fastly'),
  )!;
  fastly.knobs.faults.push({
    fault: { type: 'status', status: 503, body: { msg: 'Service Unavailable' } },
    pathPrefix: '/events',
    times: 1_000,
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('/metrics after a demo traversal with one failing source', () => {
  it('counts requests, events, circuits and GraphQL operations as they happened', async () => {
    const { app } = await start(undefined, {
      circuitBreaker: { failureThreshold: 2, openMs: 60_000 },
    });
    breakFastly(app);
    const delivered = new Map<string, number>();
    const states: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 4; page += 1) {
      const result = await postGraphql(app.url, PAGE, { after });
      const connection = result.data!.auditEvents;
      for (const { node } of connection.edges) {
        delivered.set(node.source.id, (delivered.get(node.source.id) ?? 0) + 1);
      }
      states.push(connection.sources.find((s: any) => s.source.id === 'fastly').state);
      after = connection.pageInfo.endCursor;
    }
    expect(states).toEqual(['FAILED', 'FAILED', 'CIRCUIT_OPEN', 'CIRCUIT_OPEN']);

    const metrics = await scrape(app.url);

    // Every family of auditgraph's has its HELP and TYPE, and the names carry their units.
    const families = new Set(
      metrics.samples
        .map((sample) => toFamily(metrics, sample.name))
        .filter((name) => name.startsWith('auditgraph_')),
    );
    expect(families.size).toBeGreaterThanOrEqual(15);
    for (const family of families) {
      expect(metrics.help.get(family)).toEqual(expect.any(String));
      expect(metrics.type.get(family)).toMatch(/^(counter|gauge|histogram)$/);
      if (metrics.type.get(family) === 'counter') expect(family).toMatch(/_total$/);
    }
    expect(metrics.type.get('auditgraph_upstream_request_duration_seconds')).toBe('histogram');

    // Each source's requests, as its emulator received them; the failing one with its status.
    for (const source of SOURCE_IDS) {
      expect(metrics.sum('auditgraph_upstream_requests_total', { source })).toBe(
        requestsTo(app, source),
      );
      expect(metrics.sum('auditgraph_upstream_request_duration_seconds_count', { source })).toBe(
        requestsTo(app, source),
      );
    }
    expect(metrics.sum('auditgraph_upstream_requests_total', { source: 'fastly' })).toBeGreaterThan(
      0,
    );
    expect(
      metrics.sum('auditgraph_upstream_requests_total', { source: 'fastly', status: '503' }),
    ).toBe(requestsTo(app, 'fastly'));
    expect(
      metrics
        .select('auditgraph_upstream_requests_total', { source: 'fastly' })
        .map((s) => s.labels),
    ).toEqual(
      expect.arrayContaining([expect.objectContaining({ outcome: 'transient', status: '503' })]),
    );
    expect(
      metrics.sum('auditgraph_upstream_requests_total', { source: 'nirvana', status: '200' }),
    ).toBe(requestsTo(app, 'nirvana'));

    // Events delivered are the edges returned, per source; the failing source delivered none.
    for (const source of SOURCE_IDS) {
      expect(metrics.sum('auditgraph_events_delivered_total', { source })).toBe(
        delivered.get(source) ?? 0,
      );
    }
    expect(metrics.sum('auditgraph_events_delivered_total')).toBe(100);
    expect(metrics.sum('auditgraph_events_missed_total')).toBe(0);

    // The pages each source took part in, by state.
    expect(
      metrics.sum('auditgraph_source_pages_total', { source: 'fastly', state: 'FAILED' }),
    ).toBe(2);
    expect(
      metrics.sum('auditgraph_source_pages_total', { source: 'fastly', state: 'CIRCUIT_OPEN' }),
    ).toBe(2);
    expect(metrics.sum('auditgraph_source_pages_total', { source: 'nirvana', state: 'OK' })).toBe(
      4,
    );

    // The circuit gauge: fastly's open, every other one closed.
    for (const source of SOURCE_IDS) {
      const open = source === 'fastly' ? 1 : 0;
      expect(metrics.sum('auditgraph_circuit_state', { source, state: 'open' })).toBe(open);
      expect(metrics.sum('auditgraph_circuit_state', { source, state: 'closed' })).toBe(1 - open);
      expect(metrics.sum('auditgraph_circuit_state', { source })).toBe(1);
    }

    // Four queries, each answered with the failing source's error first.
    expect(metrics.sum('auditgraph_graphql_requests_total', { operation: 'query' })).toBe(4);
    expect(
      metrics.sum('auditgraph_graphql_requests_total', {
        operation: 'query',
        result: 'error',
        code: 'SOURCE_UNAVAILABLE',
      }),
    ).toBe(2);
    expect(
      metrics.sum('auditgraph_graphql_requests_total', { result: 'error', code: 'CIRCUIT_OPEN' }),
    ).toBe(2);
    expect(metrics.sum('auditgraph_graphql_request_duration_seconds_count')).toBe(4);

    // The rate limiter let every request through; the page cache was asked.
    expect(metrics.sum('auditgraph_rate_limit_refusals_total')).toBe(0);
    expect(metrics.sum('auditgraph_rate_limit_wait_seconds_count')).toBeGreaterThan(0);
    expect(metrics.select('auditgraph_page_cache_bytes')).toHaveLength(1);
    expect(metrics.select('auditgraph_page_cache_max_bytes')[0]!.value).toBeGreaterThan(0);

    // Node's default metrics, in the instance's own registry.
    expect(metrics.type.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(metrics.type.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
  });

  it('counts an operation refused before it runs, with its code', async () => {
    const { app } = await start();
    await postGraphql(app.url, '{ auditEvents(first: 1) { edges { cursor } ');
    await postGraphql(app.url, 'query Fine { auditSources { id } }');
    const metrics = await scrape(app.url);
    expect(
      metrics.sum('auditgraph_graphql_requests_total', {
        operation: 'none',
        result: 'error',
        code: 'GRAPHQL_PARSE_FAILED',
      }),
    ).toBe(1);
    expect(
      metrics.sum('auditgraph_graphql_requests_total', {
        operation: 'query',
        result: 'ok',
        code: 'none',
      }),
    ).toBe(1);
  });
});

describe('/metrics of exports and the live tail', () => {
  it("counts exports by format and how they ended, their events, and the tail's subscriptions and pollers", async () => {
    const { app } = await start();
    const filter = JSON.stringify({ sources: ['nirvana'] });
    const ndjson = await readExport(app.url, { filter }, undefined);
    const csv = await readExport(app.url, { filter, format: 'csv' }, undefined);
    expect([ndjson.end.complete, csv.trailers['x-auditgraph-complete']]).toEqual([true, 'true']);
    // Refused before it began: not an export.
    expect((await readExport(app.url, { format: 'xml' }, undefined)).status).toBe(400);
    // A client that leaves after the first page.
    for (const emulator of app.demo!.emulators) emulator.knobs.latencyMs = 30;
    const leaving = await openExport(app.url, {}, undefined);
    await new Promise((resolve) => leaving.once('data', resolve));
    const during = await scrape(app.url);
    expect(during.sum('auditgraph_exports_in_flight', {})).toBe(1);
    leaving.destroy();
    const tails = [
      subscribeOverWebSocket(app.url, null, { filter: { sources: ['fastly'] } }),
      subscribeOverWebSocket(app.url, null, { filter: { sources: ['fastly'] } }),
      subscribeOverWebSocket(app.url, null, { filter: { sources: ['nirvana'] } }),
    ];
    await waitFor('the subscriptions', () => app.tail.stats().subscriptions === 3);
    let metrics = await scrape(app.url);
    for (let tries = 0; metrics.sum('auditgraph_exports_in_flight', {}) !== 0; tries += 1) {
      if (tries > 100) throw new Error('the export never ended');
      await new Promise((resolve) => setTimeout(resolve, 100));
      metrics = await scrape(app.url);
    }
    expect(metrics.sum('auditgraph_exports_total', { format: 'ndjson', result: 'complete' })).toBe(
      1,
    );
    expect(metrics.sum('auditgraph_exports_total', { format: 'csv', result: 'complete' })).toBe(1);
    expect(metrics.sum('auditgraph_exports_total', { format: 'ndjson', result: 'stopped' })).toBe(
      1,
    );
    expect(metrics.sum('auditgraph_exports_total', { result: 'incomplete' })).toBe(0);
    expect(metrics.sum('auditgraph_exports_total', {})).toBe(3);
    expect(metrics.sum('auditgraph_export_events_total', { format: 'csv' })).toBe(
      JSON.parse(csv.trailers['x-auditgraph-end']!).events,
    );
    expect(metrics.sum('auditgraph_export_events_total', { format: 'ndjson' })).toBeGreaterThan(
      ndjson.events.length,
    );
    expect(metrics.sum('auditgraph_tail_subscriptions', {})).toBe(3);
    // One poller per client scope and filter: the two fastly subscriptions share one.
    expect(metrics.sum('auditgraph_tail_pollers', {})).toBe(2);
    expect(metrics.type.get('auditgraph_tail_polls_total')).toBe('counter');
    await Promise.all(tails.map((tail) => tail.stop()));
    await waitFor('the subscriptions to end', () => app.tail.stats().subscriptions === 0);
    const after = await scrape(app.url);
    expect(after.sum('auditgraph_tail_subscriptions', {})).toBe(0);
    expect(after.sum('auditgraph_tail_pollers', {})).toBe(0);
    expect(after.sum('auditgraph_tail_polls_total', {})).toBe(app.tail.stats().polls);
  });
});

describe('/metrics settings', () => {
  const TOKEN = 'metrics-token-0f9e8d7c6b5a';

  it('asks for the bearer token when one is set, and never logs it', async () => {
    const { app, lines } = await start({ enabled: true, port: null, token: TOKEN });
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const response = await fetch(`${app.url}/metrics`, {
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = await response.json();
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    const metrics = await scrape(app.url, { authorization: `Bearer ${TOKEN}` });
    expect(metrics.type.get('auditgraph_upstream_requests_total')).toBe('counter');
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('serves on a port of its own when one is set, and closes it with the instance', async () => {
    const port = await freePort();
    const { app } = await start({ enabled: true, port, token: null });
    const own = `http://127.0.0.1:${port}`;
    expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${own}/elsewhere`)).status).toBe(404);
    const metrics = await scrape(own);
    expect(metrics.select('auditgraph_upstream_coalesced_total')).toHaveLength(6);
    await started.pop()!.close();
    await expect(fetch(`${own}/metrics`)).rejects.toThrow();
  });

  it('fails start-up when its own port is taken', async () => {
    const { app } = await start();
    const taken = Number(new URL(app.url).port);
    await expect(
      startAuditgraph(
        { ...DEMO_CONFIG, metrics: { enabled: true, port: taken, token: null } },
        { log: () => undefined },
      ),
    ).rejects.toThrow(/EADDRINUSE/);
  });

  it('serves nothing when disabled', async () => {
    const { app } = await start({ enabled: false, port: null, token: null });
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(404);
  });

  it('answers only GET and HEAD', async () => {
    const { app } = await start();
    expect((await fetch(`${app.url}/metrics`, { method: 'POST' })).status).toBe(405);
    const head = await fetch(`${app.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});

describe('/metrics labels', () => {
  it('take values from closed sets only, whatever a hostile client sends', async () => {
    const { app } = await start();
    const hostile = ['evil"name', 'x\ny', '{source="fastly"}', 'a'.repeat(300), 'ÿ-\u0000'];
    const queries = hostile.flatMap((name, index) => [
      { query: `query Op${index} { auditSources { id } }`, operationName: name },
      { query: `query ${name.replace(/\W/g, '_')} { auditSources { id } }` },
      { query: name },
    ]);
    for (const body of queries) {
      await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': hostile[0]!,
          'x-evil': hostile[2]!,
          'apollo-require-preflight': 'true',
        },
        body: JSON.stringify(body),
      });
    }
    for (const path of ['/graphql/../metrics?x=1', `/${hostile[3]}`, '/metrics/extra']) {
      await fetch(`${app.url}${path}`);
    }
    const metrics = await scrape(app.url);

    const allowed: Record<string, (value: string) => boolean> = {
      source: (value) => SOURCE_IDS.includes(value),
      kind: (value) => SOURCE_IDS.includes(value),
      outcome: (value) => ['answered', 'transient', 'rate-limited', 'failed'].includes(value),
      status: (value) => /^[1-5]\d\d$/.test(value) || value === 'none' || value === 'other',
      after: (value) => ['transient', 'rate-limited'].includes(value),
      result: (value) =>
        ['ok', 'error', 'hit', 'miss', 'complete', 'incomplete', 'stopped'].includes(value),
      format: (value) => ['ndjson', 'csv'].includes(value),
      state: (value) =>
        ['closed', 'half-open', 'open'].includes(value) ||
        ['OK', 'FAILED', 'TIMED_OUT', 'RATE_LIMITED', 'UNAUTHORIZED', 'CIRCUIT_OPEN'].includes(
          value,
        ),
      operation: (value) => ['query', 'mutation', 'subscription', 'none'].includes(value),
      code: (value) =>
        value === 'none' ||
        value === 'OTHER' ||
        (ERROR_CODES as readonly string[]).includes(value) ||
        REQUEST_ERROR_CODES.has(value),
      le: (value) => value === '+Inf' || Number.isFinite(Number(value)),
    };
    const ours = metrics.samples.filter((sample) => sample.name.startsWith('auditgraph_'));
    for (const sample of ours) {
      for (const [label, value] of Object.entries(sample.labels)) {
        expect([sample.name, label, allowed[label]?.(value) === true]).toEqual([
          sample.name,
          label,
          true,
        ]);
      }
    }
    // The hostile operations were counted, under the closed set's values.
    const graphql = metrics.select('auditgraph_graphql_requests_total');
    expect(graphql.reduce((total, sample) => total + sample.value, 0)).toBe(queries.length);
    expect(graphql.length).toBeLessThanOrEqual(4);
  });
});
