import { parse as parseCsv } from 'csv-parse/sync';
import { generateApiKey } from '../../src/auth/generateApiKey';
import { hashApiKey } from '../../src/auth/hashApiKey';
import type { AuditgraphConfig } from '../../src/config/types';
import type { Demo } from '../../src/emulators/startDemoEmulators';
import { startDemoEmulators } from '../../src/emulators/startDemoEmulators';
import { CSV_HEADER, unescapeCsvCell } from '../../src/export/exportFormats';
import { EMULATOR_RATE_LIMITS } from '../../src/providers/sourceKinds';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, DEMO_SOURCE_IDS, postGraphql } from '../support/demoConfig';
import { openExport, readExport, splitNdjson } from '../support/exportClient';
import { compareEvents } from '../support/feedOrder';
import { waitFor } from '../support/tailClients';

/**
 * `GET /export` end to end: auditgraph in live mode against the demo's emulators on loopback,
 * read with Node's own HTTP client (so that the test can pause it, drop it and read trailers).
 * The page cache is off, so that every page is read upstream and upstream requests can be
 * counted.
 */

const AUDITOR_KEY = generateApiKey(); // every source, personal data
const DASHBOARD_KEY = generateApiKey(); // every source, no personal data
const LIMITED_KEY = generateApiKey(); // fastly and nirvana only, personal data
const PER_SOURCE = 1500;

const EVENTS_QUERY = `query Page($first: Int!, $after: String, $filter: AuditEventFilter, $orderBy: AuditEventOrder) {
  auditEvents(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { node { id nativeId occurredAt source { id } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Every field an export writes, as a query asks for them. */
const FULL_QUERY = `query Full($filter: AuditEventFilter) {
  auditEvents(first: 100, filter: $filter) {
    edges {
      node {
        id nativeId occurredAt provider source { id kind } action category outcome description
        actor { id type name email ip token { id name } }
        resource { id type name product }
        request { ip method path statusCode userAgent rayId }
        changes { before after }
        metadata
        redacted
      }
    }
  }
}`;

describe('GET /export', () => {
  let demo: Demo;
  let app: Auditgraph;
  let config: AuditgraphConfig;
  const lines: any[] = [];
  const upstream = new Map<string, number>();
  const allRequests = () => [...upstream.values()].reduce((sum, count) => sum + count, 0);
  const emulator = (name: string) => demo.emulators.find((candidate) => candidate.name === name)!;

  /** Every event of a GraphQL traversal, 100 a page. */
  const traverse = async (
    bearer: string,
    filter: Record<string, unknown> | null,
    orderBy = 'OCCURRED_AT_DESC',
    after: string | null = null,
  ): Promise<any[]> => {
    const events: any[] = [];
    let cursor = after;
    for (;;) {
      const page = await postGraphql(
        app.url,
        EVENTS_QUERY,
        { first: 100, after: cursor, filter, orderBy },
        bearer,
      );
      expect(page.errors).toBeUndefined();
      const connection = page.data!['auditEvents'];
      events.push(...connection.edges.map((edge: any) => edge.node));
      if (!connection.pageInfo.hasNextPage) return events;
      cursor = connection.pageInfo.endCursor;
    }
  };

  beforeAll(async () => {
    const nowMs = Date.now();
    demo = await startDemoEmulators({
      seed: 11,
      nowMs: nowMs - 60_000,
      counts: Object.fromEntries(DEMO_SOURCE_IDS.map((id) => [id, PER_SOURCE])),
    });
    const key = (id: string, secret: string, sources: string[], pii: boolean) => ({
      id,
      sha256: hashApiKey(secret),
      sources,
      permissions: pii ? ['pii' as const] : [],
    });
    config = {
      ...DEMO_CONFIG,
      mode: 'live',
      sources: demo.sources,
      cursorSecret: 'an-export-test-cursor-secret-of-32',
      // Shorter than any export here: it must not cut one.
      feed: { holdBackSeconds: 0, scanBudgetPages: 20, requestDeadlineMs: 500 },
      cache: { maxBytes: 0, freshnessSeconds: 300 },
      export: { pageTimeoutMs: 2_000 },
      auth: {
        apiKeys: [
          key('auditor', AUDITOR_KEY, ['*'], true),
          key('dashboard', DASHBOARD_KEY, ['*'], false),
          key('limited', LIMITED_KEY, ['fastly', 'nirvana'], true),
        ],
        jwt: null,
        allowUnauthenticated: false,
      },
    };
    app = await startAuditgraph(config, {
      log: (line) => lines.push(JSON.parse(line)),
      // The emulators are not the providers: an export of every event must not wait on their limits.
      rateLimits: EMULATOR_RATE_LIMITS,
      // A slow source is the subject of one test; its timeouts must not open its circuit for the next.
      circuitBreaker: { failureThreshold: 1000, openMs: 1000 },
      onUpstreamRequest: (sourceId) => upstream.set(sourceId, (upstream.get(sourceId) ?? 0) + 1),
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await demo?.close();
  });

  afterEach(() => {
    for (const server of demo.emulators) {
      server.knobs.latencyMs = 0;
      server.knobs.faults.length = 0;
    }
  });

  it('streams every event of the window once, newest first, as the GraphQL traversal gives them, and ends complete', async () => {
    const result = await readExport(app.url, {}, AUDITOR_KEY);
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(result.events).toHaveLength(PER_SOURCE * DEMO_SOURCE_IDS.length);
    expect(new Set(result.events.map((event) => event.id)).size).toBe(result.events.length);
    expect([...result.events].sort(compareEvents).reverse()).toEqual(result.events);
    const traversal = await traverse(AUDITOR_KEY, null);
    expect(result.events.map((event) => event.id)).toEqual(traversal.map((event) => event.id));
    // Each event is the AuditEvent a query returns, field for field.
    const full = await postGraphql(app.url, FULL_QUERY, {}, AUDITOR_KEY);
    expect(full.data!['auditEvents'].edges.map((edge: any) => edge.node)).toEqual(
      result.events.slice(0, 100),
    );
    expect(result.end).toEqual({
      cursor: expect.any(String),
      complete: true,
      events: result.events.length,
      sources: DEMO_SOURCE_IDS.map((id) => ({ id, state: 'OK', code: null, missed: 0 })),
    });
    // Every field of AuditEvent, as GraphQL names them.
    expect(Object.keys(result.events[0]).sort()).toEqual(
      [
        'id',
        'nativeId',
        'occurredAt',
        'provider',
        'source',
        'action',
        'category',
        'outcome',
        'description',
        'actor',
        'resource',
        'request',
        'changes',
        'metadata',
        'redacted',
      ].sort(),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'audit',
        principal: 'auditor',
        operationType: 'export',
        format: 'ndjson',
        resultCount: result.events.length,
        complete: true,
      }),
    );
  });

  it('takes a filter and the ascending order, as auditEvents does', async () => {
    const filter = { sources: ['fastly', 'cloudflare-v2'], categories: ['UPDATE', 'DELETE'] };
    const result = await readExport(
      app.url,
      { filter: JSON.stringify(filter), orderBy: 'OCCURRED_AT_ASC' },
      AUDITOR_KEY,
    );
    const traversal = await traverse(AUDITOR_KEY, filter, 'OCCURRED_AT_ASC');
    expect(traversal.length).toBeGreaterThan(0);
    expect(result.events.map((event) => event.id)).toEqual(traversal.map((event) => event.id));
    expect([...result.events].sort(compareEvents)).toEqual(result.events);
    expect(new Set(result.events.map((event) => event.category))).toEqual(
      new Set(['UPDATE', 'DELETE']),
    );
    expect(result.end.sources.map((source: any) => source.id)).toEqual(['fastly', 'cloudflare-v2']);
  });

  it('shares cursors with auditEvents both ways, and resumes from a checkpoint exactly where it stopped', async () => {
    const whole = await readExport(app.url, {}, AUDITOR_KEY);
    const ids = whole.events.map((event) => event.id);
    // A GraphQL endCursor starts an export right after it.
    const first = await postGraphql(app.url, EVENTS_QUERY, { first: 100 }, AUDITOR_KEY);
    const graphqlCursor = first.data!['auditEvents'].pageInfo.endCursor;
    const fromGraphql = await readExport(app.url, { after: graphqlCursor }, AUDITOR_KEY);
    expect(fromGraphql.events.map((event) => event.id)).toEqual(ids.slice(100));

    // An export dropped after its second checkpoint, resumed from it: nothing lost, nothing twice.
    const response = await openExport(app.url, { checkpoints: 'true' }, AUDITOR_KEY);
    response.setEncoding('utf8');
    let text = '';
    for await (const chunk of response) {
      text += chunk as string;
      if (splitNdjson(text.slice(0, text.lastIndexOf('\n') + 1)).checkpoints.length >= 2) break;
    }
    response.destroy();
    const cut = text.slice(0, text.lastIndexOf('\n') + 1);
    const before = splitNdjson(cut);
    const checkpoint = before.checkpoints[before.checkpoints.length - 1];
    expect(checkpoint.events).toBe(2000);
    const kept = before.events.slice(0, checkpoint.events);
    const resumed = await readExport(app.url, { after: checkpoint.cursor }, AUDITOR_KEY);
    expect([...kept, ...resumed.events].map((event) => event.id)).toEqual(ids);
    expect(resumed.end.complete).toBe(true);

    // An export's cursor goes on in GraphQL.
    const rest = await traverse(AUDITOR_KEY, null, 'OCCURRED_AT_DESC', checkpoint.cursor);
    expect(rest.map((event) => event.id)).toEqual(ids.slice(2000));
  });

  it('writes RFC 4180 CSV with a header row and the end state in trailers', async () => {
    const filter = JSON.stringify({ sources: ['nirvana', 'fusionauth-audit-log'] });
    const result = await readExport(app.url, { format: 'csv', filter }, AUDITOR_KEY);
    expect(result.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(result.headers['trailer']).toBe(
      'X-Auditgraph-End-Cursor, X-Auditgraph-Complete, X-Auditgraph-End',
    );
    expect(result.text.endsWith('\r\n')).toBe(true);
    const parsed: string[][] = parseCsv(result.text, { relax_column_count: false });
    const rows = parsed.map((row) => row.map(unescapeCsvCell));
    expect(rows[0]).toEqual(CSV_HEADER);
    const ndjson = await readExport(app.url, { filter }, AUDITOR_KEY);
    expect(rows.slice(1).map((row) => row[0])).toEqual(ndjson.events.map((event) => event.id));
    const byId = new Map(ndjson.events.map((event) => [event.id, event]));
    for (const row of rows.slice(1, 50)) {
      const event = byId.get(row[0]!);
      expect(row[CSV_HEADER.indexOf('occurredAt')]).toBe(event.occurredAt);
      expect(row[CSV_HEADER.indexOf('sourceId')]).toBe(event.source.id);
      expect(row[CSV_HEADER.indexOf('actorEmail')]).toBe(event.actor?.email ?? '');
      const metadata = row[CSV_HEADER.indexOf('metadata')]!;
      expect(metadata === '' ? null : JSON.parse(metadata)).toEqual(event.metadata);
    }
    expect(result.trailers['x-auditgraph-complete']).toBe('true');
    const cursor = result.trailers['x-auditgraph-end-cursor']!;
    expect(JSON.parse(result.trailers['x-auditgraph-end']!)).toEqual({
      cursor,
      complete: true,
      events: rows.length - 1,
      sources: [
        { id: 'fusionauth-audit-log', state: 'OK', code: null, missed: 0 },
        { id: 'nirvana', state: 'OK', code: null, missed: 0 },
      ],
    });
    // The end cursor resumes after the last row: nothing is left.
    const after = await readExport(app.url, { format: 'csv', filter, after: cursor }, AUDITOR_KEY);
    expect(after.status).toBe(200);
    expect(after.text).toBe(`${CSV_HEADER.join(',')}\r\n`);
    expect(after.trailers['x-auditgraph-complete']).toBe('true');
  });

  it('stops reading upstream at once when the client goes away', async () => {
    for (const server of demo.emulators) server.knobs.latencyMs = 40;
    const response = await openExport(app.url, {}, AUDITOR_KEY);
    await new Promise((resolve) => response.once('data', resolve));
    response.destroy();
    const logged = () =>
      lines.find(
        (line) =>
          line.msg === 'audit' &&
          line.operationType === 'export' &&
          line.errorCodes.includes('REQUEST_ABORTED'),
      );
    await waitFor('the export to end', () => logged() !== undefined);
    const atEnd = allRequests();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(allRequests()).toBe(atEnd);
    expect(logged().complete).toBe(false);
    expect(logged().resultCount).toBeLessThan(PER_SOURCE * DEMO_SOURCE_IDS.length);
  });

  it('is not cut by the request deadline; a page over its own deadline reports the slow source and goes on', async () => {
    // Each upstream request takes 30 ms: the export takes many times the 500 ms request deadline.
    for (const server of demo.emulators) server.knobs.latencyMs = 30;
    const startedAt = Date.now();
    const slow = await readExport(
      app.url,
      { filter: JSON.stringify({ sources: ['fastly', 'nirvana'] }) },
      AUDITOR_KEY,
    );
    expect(Date.now() - startedAt).toBeGreaterThan(1_000);
    expect(slow.end.complete).toBe(true);
    expect(slow.events).toHaveLength(2 * PER_SOURCE);

    // Fastly now takes longer than a page may (2 s): it times out on every page, and Nirvana's
    // events still come. (The newest 300 of Nirvana's, so that the test's pages stay few.)
    const nirvana = slow.events.filter((event) => event.source.id === 'nirvana');
    const since = nirvana[299].occurredAt;
    const expected = nirvana.filter((event) => event.occurredAt >= since).map((event) => event.id);
    for (const server of demo.emulators) server.knobs.latencyMs = 0;
    emulator('fastly').knobs.latencyMs = 3_000;
    const cut = await readExport(
      app.url,
      { filter: JSON.stringify({ sources: ['fastly', 'nirvana'], since }) },
      AUDITOR_KEY,
    );
    expect(cut.end.complete).toBe(false);
    expect(cut.end.sources).toEqual([
      { id: 'fastly', state: 'TIMED_OUT', code: 'SOURCE_TIMEOUT', missed: 0 },
      { id: 'nirvana', state: 'OK', code: null, missed: 0 },
    ]);
    expect(cut.events.map((event) => event.id)).toEqual(expected);
  }, 60_000);

  it('refuses bad input with a code and no upstream request', async () => {
    const cases: [Record<string, string>, string | undefined, number, string][] = [
      [{}, undefined, 401, 'UNAUTHENTICATED'],
      [{}, 'not-a-key', 401, 'UNAUTHENTICATED'],
      [{ format: 'xml' }, AUDITOR_KEY, 400, 'BAD_USER_INPUT'],
      [{ orderBy: 'NEWEST' }, AUDITOR_KEY, 400, 'BAD_USER_INPUT'],
      [{ fliter: '{}' }, AUDITOR_KEY, 400, 'BAD_USER_INPUT'],
      [{ filter: '{"since": ' }, AUDITOR_KEY, 400, 'BAD_USER_INPUT'],
      [{ filter: '[1]' }, AUDITOR_KEY, 400, 'BAD_USER_INPUT'],
      [{ filter: '{"since": "yesterday"}' }, AUDITOR_KEY, 400, 'BAD_USER_INPUT'],
      [{ filter: '{"colour": "red"}' }, AUDITOR_KEY, 400, 'BAD_USER_INPUT'],
      [{ filter: '{"ipAddress": "300.1.2.3"}' }, AUDITOR_KEY, 400, 'BAD_USER_INPUT'],
      [{ after: 'abc' }, AUDITOR_KEY, 400, 'BAD_USER_INPUT'],
      [{ checkpoints: 'yes' }, AUDITOR_KEY, 400, 'BAD_USER_INPUT'],
      [{ filter: '{"sources": ["cloudflare-v1"]}' }, LIMITED_KEY, 403, 'FORBIDDEN'],
      [{ filter: '{"actorEmails": ["a@example.com"]}' }, DASHBOARD_KEY, 403, 'FORBIDDEN'],
    ];
    const before = allRequests();
    for (const [params, bearer, status, code] of cases) {
      const result = await readExport(app.url, params, bearer);
      expect([params, result.status, result.text]).toEqual([params, status, expect.any(String)]);
      expect(JSON.parse(result.text).errors[0].extensions.code).toBe(code);
      if (status === 401) expect(result.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    }
    // A cursor of another client, or of another filter, is refused too.
    const cursor = (await readExport(app.url, { filter: '{"sources": ["fastly"]}' }, LIMITED_KEY))
      .end.cursor;
    const afterRead = allRequests();
    expect((await readExport(app.url, { after: cursor }, AUDITOR_KEY)).status).toBe(400);
    expect((await readExport(app.url, { after: cursor }, LIMITED_KEY)).status).toBe(400);
    expect(allRequests() - afterRead).toBe(0);
    expect(afterRead - before).toBeGreaterThan(0); // the one good export read upstream
    const post = await fetch(`${app.url}/export`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('shows a client only its sources, and a client without pii the redacted events', async () => {
    const limited = await readExport(app.url, {}, LIMITED_KEY);
    expect(new Set(limited.events.map((event) => event.source.id))).toEqual(
      new Set(['fastly', 'nirvana']),
    );
    expect(limited.end.sources.map((source: any) => source.id)).toEqual(['fastly', 'nirvana']);
    const filter = JSON.stringify({ sources: ['cloudflare-v1'] });
    const dashboard = await readExport(app.url, { filter }, DASHBOARD_KEY);
    const auditor = await readExport(app.url, { filter }, AUDITOR_KEY);
    expect(auditor.events.some((event) => typeof event.actor?.email === 'string')).toBe(true);
    expect(dashboard.events.every((event) => event.actor?.email === null)).toBe(true);
    expect(dashboard.events[0].redacted).toEqual(expect.arrayContaining(['actor.email']));
    const full = await postGraphql(
      app.url,
      FULL_QUERY,
      { filter: { sources: ['cloudflare-v1'] } },
      DASHBOARD_KEY,
    );
    expect(full.data!['auditEvents'].edges.map((edge: any) => edge.node)).toEqual(
      dashboard.events.slice(0, 100),
    );
    expect(dashboard.text).not.toMatch(/@[a-z0-9-]+\.[a-z]/i);
  });

  it('ends with its cursor when the server shuts down, and another replica resumes from it', async () => {
    // A second replica of the same config (the same cursor secret), shut down mid-export.
    const replica = await startAuditgraph(
      { ...config, drainSeconds: 0 },
      { log: () => {}, rateLimits: EMULATOR_RATE_LIMITS },
    );
    const whole = await readExport(app.url, {}, AUDITOR_KEY);
    for (const server of demo.emulators) server.knobs.latencyMs = 20;
    const response = await openExport(replica.url, {}, AUDITOR_KEY);
    response.setEncoding('utf8');
    let text = '';
    let closing: Promise<void> | undefined;
    for await (const chunk of response) {
      text += chunk as string;
      if (closing === undefined && text.split('\n').length > 1200) closing = replica.close();
    }
    await closing;
    const stopped = splitNdjson(text);
    expect(stopped.end.complete).toBe(false);
    expect(stopped.end.stopped).toEqual({ code: 'SHUTTING_DOWN', message: expect.any(String) });
    expect(stopped.events.length).toBeGreaterThan(1000);
    expect(stopped.events.length).toBeLessThan(whole.events.length);
    for (const server of demo.emulators) server.knobs.latencyMs = 0;
    const rest = await readExport(app.url, { after: stopped.end.cursor }, AUDITOR_KEY);
    expect([...stopped.events, ...rest.events].map((event) => event.id)).toEqual(
      whole.events.map((event) => event.id),
    );
    expect(rest.end.complete).toBe(true);
  });

  it('neutralises cells a spreadsheet would run as formulas', async () => {
    // Last, as it adds an event: a Nirvana record whose action and resource name a spreadsheet would evaluate.
    const nirvana = emulator('nirvana') as any;
    const template = structuredClone(nirvana.records[0]);
    const occurred = new Date(Date.now() - 30_000);
    nirvana.insertRecord({
      ...template,
      id: 'b1f0c3a2-0000-4000-8000-00000000f0f0',
      action: '=HYPERLINK("http://attacker.example","x")',
      created_at: occurred.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    const filter = JSON.stringify({
      sources: ['nirvana'],
      since: new Date(occurred.getTime() - 1000).toISOString(),
    });
    const result = await readExport(app.url, { format: 'csv', filter }, AUDITOR_KEY);
    const rows: string[][] = parseCsv(result.text);
    const row = rows.find((candidate) => candidate[1] === 'b1f0c3a2-0000-4000-8000-00000000f0f0');
    expect(row?.[CSV_HEADER.indexOf('action')]).toBe(`'=HYPERLINK("http://attacker.example","x")`);
  });
});

describe('GET /export of more than the sockets hold', () => {
  // 48,000 events, about 40 MB of NDJSON: several times what the kernel's socket buffers take in
  // on loopback, so that a client that stops reading stops the export.
  const PER_SOURCE_LARGE = 8_000;
  let demo: Demo;
  let app: Auditgraph;
  let requests = 0;

  beforeAll(async () => {
    demo = await startDemoEmulators({
      seed: 12,
      nowMs: Date.now() - 60_000,
      counts: Object.fromEntries(DEMO_SOURCE_IDS.map((id) => [id, PER_SOURCE_LARGE])),
    });
    app = await startAuditgraph(
      {
        ...DEMO_CONFIG,
        mode: 'live',
        sources: demo.sources,
        cursorSecret: 'an-export-test-cursor-secret-of-32',
        cache: { maxBytes: 0, freshnessSeconds: 300 },
        auth: {
          apiKeys: [
            { id: 'auditor', sha256: hashApiKey(AUDITOR_KEY), sources: ['*'], permissions: [] },
          ],
          jwt: null,
          allowUnauthenticated: false,
        },
      },
      { log: () => {}, rateLimits: EMULATOR_RATE_LIMITS, onUpstreamRequest: () => (requests += 1) },
    );
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await demo?.close();
  });

  it('keeps flat while the client does not read: no page is read until it drains, then it finishes', async () => {
    const response = await openExport(app.url, {}, AUDITOR_KEY);
    response.pause();
    // Until the sockets' buffers are full the export reads on; then it must stop, well before
    // its end, and stay stopped.
    const deadline = Date.now() + 60_000;
    for (let seen = -1; requests !== seen;) {
      if (Date.now() > deadline) throw new Error('the export never stopped reading upstream');
      seen = requests;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    }
    const whilePaused = requests;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(requests).toBe(whilePaused);
    response.setEncoding('utf8');
    let text = '';
    response.resume();
    for await (const chunk of response) text += chunk as string;
    const { events, end } = splitNdjson(text);
    expect(events).toHaveLength(PER_SOURCE_LARGE * DEMO_SOURCE_IDS.length);
    expect(end.complete).toBe(true);
    // Less than half of the export had been read upstream while the client did not read.
    expect(whilePaused).toBeLessThan(requests / 2);
  }, 120_000);
});
