import type { Fault } from '../../src/emulators/startEmulatorServer';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, sourcesOf } from '../support/demoConfig';
import type { LogRecord } from '../support/lineLogger';

/**
 * The log lines of the whole service over real HTTP: every line JSON, each line of a request
 * holding its id, a warn line with the cause for each source that fails a page, and an info line
 * for each move of a circuit breaker.
 */

const QUERY = `{ auditEvents(first: 10) {
  edges { cursor node { id } }
  pageInfo { endCursor }
  sources { source { id } state }
} }`;

interface Started {
  readonly app: Auditgraph;
  readonly lines: string[];
  records(): LogRecord[];
}

const started: Auditgraph[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.close()));
});

async function start(
  options: Partial<Parameters<typeof startAuditgraph>[1]> = {},
): Promise<Started> {
  const lines: string[] = [];
  const app = await startAuditgraph(DEMO_CONFIG, { log: (line) => lines.push(line), ...options });
  started.push(app);
  return { app, lines, records: () => lines.map((line) => JSON.parse(line) as LogRecord) };
}

async function post(
  app: Auditgraph,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; requestId: string | null; body: any }> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    body: await response.json(),
  };
}

/** Injects a fault into one demo source's emulator, for its requests only. */
function breakSource(app: Auditgraph, sourceId: string, fault: Fault, pathPrefix: string): void {
  const source = sourcesOf(app.demo!).find((candidate) => candidate.id === sourceId)!;
  const emulator = app.demo!.emulators.find((candidate) =>
    source.baseUrl.startsWith(candidate.url),
  )!;
  emulator.knobs.faults.push({ fault, pathPrefix, times: 1_000 });
}

async function waitFor(check: () => boolean, withinMs = 2_000): Promise<void> {
  const until = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting for a log line');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('log lines of a request', () => {
  it('share the request id, one of them a warn for the failing source with its cause', async () => {
    const { app, records } = await start();
    breakSource(app, 'fastly', { type: 'status', status: 503, body: { msg: 'down' } }, '/events');

    const reply = await post(app, QUERY, { 'x-request-id': 'router-7f3a' });
    expect(reply.status).toBe(200);
    expect(reply.requestId).toBe('router-7f3a');
    await waitFor(() => records().some((line) => line.msg === 'request'));

    const mine = records().filter((line) => line.requestId === 'router-7f3a');
    expect(mine.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['source failed', 'audit', 'request']),
    );
    // The request line is written when the response closes, outside the handler's own calls.
    expect(mine.find((line) => line.msg === 'request')).toMatchObject({
      level: 'info',
      method: 'POST',
      path: '/graphql',
      status: 200,
    });
    expect(mine.find((line) => line.msg === 'source failed')).toEqual(
      expect.objectContaining({
        level: 'warn',
        sourceId: 'fastly',
        kind: 'fastly',
        state: 'FAILED',
        code: 'SOURCE_UNAVAILABLE',
        cause: 'HTTP 503',
      }),
    );
    expect(mine.filter((line) => line.level === 'warn')).toHaveLength(1);
    for (const line of mine) {
      expect(typeof line.time).toBe('string');
      expect(new Date(line.time).toISOString()).toBe(line.time);
    }
  });

  it('gives a request without a usable x-request-id a new one, and returns it', async () => {
    const { app, records } = await start();
    const reply = await post(app, QUERY, { 'x-request-id': 'no spaces {allowed}' });
    expect(reply.requestId).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() => records().some((line) => line.msg === 'request'));
    const ids = new Set(
      records()
        .filter((line) => line.msg === 'request' || line.msg === 'audit')
        .map((line) => line.requestId),
    );
    expect(ids).toEqual(new Set([reply.requestId]));
    expect(JSON.stringify(records())).not.toContain('{allowed}');
  });

  it('keeps the lines of concurrent requests apart', async () => {
    const { app, records } = await start();
    breakSource(app, 'nirvana', { type: 'status', status: 500 }, '/v1/audit_logs');
    await Promise.all(['a-1', 'b-2', 'c-3'].map((id) => post(app, QUERY, { 'x-request-id': id })));
    await waitFor(() => records().filter((line) => line.msg === 'request').length === 3);
    for (const id of ['a-1', 'b-2', 'c-3']) {
      const mine = records().filter((line) => line.requestId === id);
      expect(mine.filter((line) => line.msg === 'source failed')).toEqual([
        expect.objectContaining({ sourceId: 'nirvana', cause: 'HTTP 500' }),
      ]);
      expect(mine.filter((line) => line.msg === 'request')).toHaveLength(1);
    }
  });
});

describe('the warn line of a failing source', () => {
  it.each<[string, string, Fault, string, Record<string, unknown>]>([
    [
      'a connection reset',
      'fusionauth-event-log',
      { type: 'reset' },
      '/api/system/event-log',
      { state: 'FAILED', code: 'SOURCE_UNAVAILABLE', cause: expect.stringMatching(/^E|^UND_ERR/) },
    ],
    [
      'a body that breaks its schema',
      'nirvana',
      { type: 'status', status: 200, body: { items: [{ id: 7 }], pagination: {} } },
      '/v1/audit_logs',
      {
        state: 'FAILED',
        code: 'SOURCE_BAD_RESPONSE',
        cause: 'schema at items[0].id',
      },
    ],
    [
      'a body that is not JSON',
      'cloudflare-v1',
      { type: 'bad-json' },
      '/client/v4/accounts/',
      { state: 'FAILED', code: 'SOURCE_BAD_RESPONSE', cause: 'HTTP 200, invalid JSON' },
    ],
    [
      'a refused credential',
      'fastly',
      { type: 'status', status: 401, body: { msg: 'invalid token' } },
      '/events',
      { state: 'UNAUTHORIZED', code: 'SOURCE_AUTH_FAILED', cause: 'HTTP 401' },
    ],
  ])('names %s', async (_what, sourceId, fault, pathPrefix, expected) => {
    const { app, records, lines } = await start();
    breakSource(app, sourceId, fault, pathPrefix);
    await post(app, QUERY);
    const warns = records().filter((line) => line.msg === 'source failed');
    expect(warns).toEqual([expect.objectContaining({ sourceId, ...expected })]);
    // No upstream URL, query string or credential of the source in any line.
    const source = sourcesOf(app.demo!).find((candidate) => candidate.id === sourceId)!;
    const secret = source.token ?? source.apiKey;
    for (const line of lines) {
      expect(line).not.toContain(source.baseUrl);
      if (secret !== undefined) expect(line).not.toContain(secret);
    }
  });
});

describe('the info lines of a circuit breaker', () => {
  it('names the source and each move, from closed to open and back', async () => {
    const { app, records } = await start({
      circuitBreaker: { failureThreshold: 2, openMs: 300 },
    });
    const fastly = app.demo!.emulators.find((emulator) =>
      emulator.name.toLowerCase().includes('fastly'),
    )!;
    breakSource(app, 'fastly', { type: 'status', status: 502 }, '/events');
    await post(app, QUERY, { 'x-request-id': 'first' });
    await post(app, QUERY, { 'x-request-id': 'second' });
    fastly.knobs.faults.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 400));
    await post(app, QUERY, { 'x-request-id': 'probe' });

    const moves = records().filter((line) => line.msg === 'circuit breaker moved');
    expect(
      moves.map(({ level, sourceId, kind, from, to }) => ({ level, sourceId, kind, from, to })),
    ).toEqual([
      { level: 'info', sourceId: 'fastly', kind: 'fastly', from: 'closed', to: 'open' },
      { level: 'info', sourceId: 'fastly', kind: 'fastly', from: 'open', to: 'half-open' },
      { level: 'info', sourceId: 'fastly', kind: 'fastly', from: 'half-open', to: 'closed' },
    ]);
    // Each is logged in the request that moved it.
    expect(moves.map((line) => line.requestId)).toEqual(['second', 'probe', 'probe']);
  });
});
