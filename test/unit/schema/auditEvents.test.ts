import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import { createFeed } from '../../../src/feed/createFeed';
import { AuditgraphError } from '../../../src/model/errors';
import type { Source } from '../../../src/model/Source';
import { createApolloServer } from '../../../src/schema/createApolloServer';
import { createContextFactory } from '../../../src/schema/createContext';
import { createMemorySource, makeEvent } from '../../support/createMemorySource';
import { runOperation } from '../../support/runOperation';
import { lineLogger } from '../../support/lineLogger';

const NOW = Date.parse('2026-03-03T00:00:00Z');

function setup(extra: Source[] = []) {
  const fastly = createMemorySource({
    id: 'fastly',
    maxPageSize: 100,
    events: Array.from({ length: 30 }, (_, i) =>
      makeEvent({
        sourceId: 'fastly',
        nativeId: `f${i}`,
        occurredAtMs: NOW - 1000 * (i % 7),
        action: i % 2 ? 'user.login' : 'service.update',
      }),
    ),
  });
  const nirvana = createMemorySource({
    id: 'nirvana',
    kind: 'nirvana',
    maxPageSize: 100,
    events: Array.from({ length: 10 }, (_, i) =>
      makeEvent({
        sourceId: 'nirvana',
        kind: 'nirvana',
        nativeId: `n${i}`,
        occurredAtMs: NOW - 1000 * i,
        action: 'vm.created',
      }),
    ),
  });
  const sources = [fastly, nirvana, ...extra];
  const feed = createFeed({
    sources,
    cursorCodec: createCursorCodec('schema-test-secret-0123456789'),
    now: () => NOW,
    maxFirst: 100,
  });
  const logs: string[] = [];
  const apollo = createApolloServer({ logger: lineLogger((line) => logs.push(line)) });
  const context = createContextFactory({ feed, pagination: { defaultFirst: 20, maxFirst: 100 } });
  return { apollo, context, feed, fastly, nirvana, logs };
}

const run = runOperation;

const PAGE = `query Page($first: Int, $after: String, $filter: AuditEventFilter, $orderBy: AuditEventOrder) {
  auditEvents(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { cursor node { id nativeId occurredAt action provider source { id kind provider } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
    asOf
    sources { source { id } state message upstreamRequests }
  }
}`;

describe('the auditEvents query', () => {
  let env: ReturnType<typeof setup>;
  beforeAll(async () => {
    env = setup([
      {
        id: 'broken',
        kind: 'cloudflare-v2',
        provider: 'CLOUDFLARE',
        maxPageSize: 100,
        windowSlackMs: 0,
        planPushdown: () => ({}),
        list: (_query, _continuation, options) => {
          // One request sent, answered with a 503.
          options?.onUpstreamRequest?.();
          return Promise.reject(
            new AuditgraphError(
              'SOURCE_UNAVAILABLE',
              'source broken answered with a server error (HTTP 503)',
              { sourceId: 'broken', upstreamStatus: 503 },
            ),
          );
        },
        get: () => Promise.resolve(null),
      },
    ]);
    await env.apollo.start();
  });
  afterAll(() => env.apollo.stop());

  it('answers with 20 events newest first, with the other sources still answering when one fails', async () => {
    const result = await run(env.apollo, env.context, PAGE);
    const page = result.data!.auditEvents;
    expect(page.edges).toHaveLength(20);
    const times = page.edges.map((e: any) => Date.parse(e.node.occurredAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(page.asOf).toBe('2026-03-03T00:00:00.000Z');
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(page.sources).toEqual([
      { source: { id: 'fastly' }, state: 'OK', message: null, upstreamRequests: 1 },
      { source: { id: 'nirvana' }, state: 'OK', message: null, upstreamRequests: 1 },
      {
        source: { id: 'broken' },
        state: 'FAILED',
        message: 'source broken answered with a server error (HTTP 503)',
        upstreamRequests: 1,
      },
    ]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        path: ['auditEvents'],
        extensions: { code: 'SOURCE_UNAVAILABLE', sourceId: 'broken' },
      }),
    ]);
  });

  it('pages on with endCursor, and says where it came from', async () => {
    const first = await run(env.apollo, env.context, PAGE, { first: 25 });
    const second = await run(env.apollo, env.context, PAGE, {
      first: 25,
      after: first.data!.auditEvents.pageInfo.endCursor,
    });
    const ids = [...first.data!.auditEvents.edges, ...second.data!.auditEvents.edges].map(
      (e: any) => e.node.id,
    );
    expect(new Set(ids).size).toBe(40);
    expect(second.data!.auditEvents.pageInfo).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: true,
    });
  });

  it.each([0, -1, 101, 1_000_000_000])(
    'refuses first: %d with BAD_USER_INPUT and asks no source',
    async (first) => {
      const before = env.fastly.requests.length;
      const result = await run(env.apollo, env.context, PAGE, { first });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(env.fastly.requests.length).toBe(before);
    },
  );

  it('refuses a tampered cursor with BAD_USER_INPUT and asks no source', async () => {
    const page = await run(env.apollo, env.context, PAGE, { first: 5 });
    const cursor: string = page.data!.auditEvents.pageInfo.endCursor;
    const tampered = cursor.slice(0, -3) + (cursor.endsWith('AAA') ? 'BBB' : 'AAA');
    const before = env.fastly.requests.length + env.nirvana.requests.length;
    const result = await run(env.apollo, env.context, PAGE, { first: 5, after: tampered });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.data).toBeNull();
    expect(env.fastly.requests.length + env.nirvana.requests.length).toBe(before);
  });

  it('refuses a cursor from another filter or order', async () => {
    const page = await run(env.apollo, env.context, PAGE, { first: 5 });
    const after = page.data!.auditEvents.pageInfo.endCursor;
    const otherFilter = await run(env.apollo, env.context, PAGE, {
      first: 5,
      after,
      filter: { actions: ['user.login'] },
    });
    const otherOrder = await run(env.apollo, env.context, PAGE, {
      first: 5,
      after,
      orderBy: 'OCCURRED_AT_ASC',
    });
    expect(otherFilter.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(otherOrder.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses an invalid date and an invalid IP range as BAD_USER_INPUT', async () => {
    const date = await run(env.apollo, env.context, PAGE, { filter: { since: 'yesterday' } });
    const ip = await run(env.apollo, env.context, PAGE, { filter: { ipAddress: '10.0.0.0/99' } });
    expect(date.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(ip.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('filters by action and selects sources by provider', async () => {
    const result = await run(env.apollo, env.context, PAGE, {
      first: 100,
      filter: { actions: ['user.login'], providers: ['FASTLY'] },
    });
    const actions = new Set(result.data!.auditEvents.edges.map((e: any) => e.node.action));
    expect(actions).toEqual(new Set(['user.login']));
    expect(result.data!.auditEvents.edges).toHaveLength(15);
    expect(result.data!.auditEvents.sources.map((s: any) => s.source.id)).toEqual(['fastly']);
  });

  it('finds an event again by node(id) and auditEvent(id)', async () => {
    const page = await run(env.apollo, env.context, PAGE, { first: 1 });
    const event = page.data!.auditEvents.edges[0].node;
    const byNode = await run(
      env.apollo,
      env.context,
      `query($id: ID!) { node(id: $id) { id ... on AuditEvent { nativeId action } } }`,
      { id: event.id },
    );
    const byId = await run(
      env.apollo,
      env.context,
      `query($id: ID!) { auditEvent(id: $id) { id nativeId } }`,
      { id: event.id },
    );
    expect(byNode.data!.node).toEqual({
      id: event.id,
      nativeId: event.nativeId,
      action: event.action,
    });
    expect(byId.data!.auditEvent).toEqual({ id: event.id, nativeId: event.nativeId });
  });

  it('refuses an id auditgraph did not make', async () => {
    const result = await run(env.apollo, env.context, `{ node(id: "bm9wZQ") { id } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers the federation _service query with its SDL', async () => {
    const result = await run(env.apollo, env.context, `{ _service { sdl } }`);
    expect(result.data!._service.sdl).toContain('type AuditEvent implements Node');
    expect(result.data!._service.sdl).toContain('@key(fields: "id")');
  });

  it('masks an unexpected error and logs it', async () => {
    const boom = setup([
      {
        id: 'bug',
        kind: 'nirvana',
        provider: 'NIRVANA',
        maxPageSize: 10,
        windowSlackMs: 0,
        planPushdown: () => ({}),
        list: () => Promise.resolve({ events: [], next: null, total: null }),
        get: () => Promise.reject(new Error('secret-ish detail at https://internal')),
      },
    ]);
    await boom.apollo.start();
    const id = boom.feed.eventIds.encode({ sourceId: 'bug', nativeId: 'x', occurredAtMs: 1 });
    const result = await run(
      boom.apollo,
      boom.context,
      `query($id: ID!) { auditEvent(id: $id) { id } }`,
      { id },
    );
    await boom.apollo.stop();
    expect(result.errors?.[0]).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(result)).not.toContain('internal');
    const errors = boom.logs.filter(
      (line) => (JSON.parse(line) as { level: string }).level === 'error',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('secret-ish detail');
  });
});
