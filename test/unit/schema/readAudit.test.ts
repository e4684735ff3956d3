import { HeaderMap } from '@apollo/server';
import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import { createFeed } from '../../../src/feed/createFeed';
import { AuditgraphError } from '../../../src/model/errors';
import type { Principal } from '../../../src/model/Principal';
import type { Source } from '../../../src/model/Source';
import { createApolloServer } from '../../../src/schema/createApolloServer';
import type { AuditgraphContext } from '../../../src/schema/createContext';
import { createContextFactory } from '../../../src/schema/createContext';
import { createMemorySource, makeEvent } from '../../support/createMemorySource';
import { runOperation } from '../../support/runOperation';
import { lineLogger } from '../../support/lineLogger';

const NOW = Date.parse('2026-03-03T00:00:00Z');

const OPS: Principal = { id: 'key-ops', via: 'api-key', sourceIds: null, pii: true };

/** A source that always answers 503, so a page carries a SOURCE_UNAVAILABLE error. */
const BROKEN: Source = {
  id: 'broken',
  kind: 'cloudflare-v2',
  provider: 'CLOUDFLARE',
  maxPageSize: 100,
  windowSlackMs: 0,
  planPushdown: () => ({}),
  list: (_query, _continuation, options) => {
    options?.onUpstreamRequest?.();
    return Promise.reject(
      new AuditgraphError('SOURCE_UNAVAILABLE', 'source broken answered with HTTP 503', {
        sourceId: 'broken',
        upstreamStatus: 503,
      }),
    );
  },
  get: () => Promise.resolve(null),
};

function setup(options: { audit?: boolean } = {}) {
  const fastly = createMemorySource({
    id: 'fastly',
    maxPageSize: 100,
    events: Array.from({ length: 30 }, (_, i) =>
      makeEvent({
        sourceId: 'fastly',
        nativeId: `f${i}`,
        occurredAtMs: NOW - 1000 * i,
        action: i % 2 ? 'user.login' : 'service.update',
        actor:
          i % 3 === 0
            ? {
                id: 'u-ana',
                email: 'ana@example.com',
                name: 'Ana',
                type: 'USER',
                token: null,
                ip: null,
              }
            : null,
      }),
    ),
  });
  const feed = createFeed({
    sources: [fastly, BROKEN],
    cursorCodec: createCursorCodec('audit-test-secret-0123456789'),
    now: () => NOW,
    maxFirst: 100,
  });
  const lines: string[] = [];
  const apollo = createApolloServer({
    logger: lineLogger((line) => lines.push(line)),
    ...(options.audit === undefined ? {} : { audit: options.audit }),
  });
  const baseContext = createContextFactory({
    feed,
    pagination: { defaultFirst: 20, maxFirst: 100 },
  });
  const context = async (): Promise<AuditgraphContext> => ({
    ...(await baseContext()),
    principal: OPS,
  });
  /** The audit lines written since the last call, parsed. */
  const takeAudits = (): Record<string, unknown>[] =>
    lines
      .splice(0)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['msg'] === 'audit');
  return { apollo, context, takeAudits, lines };
}

const run = runOperation;

const PAGE = `query RecentLogins($first: Int, $after: String, $filter: AuditEventFilter) {
  auditEvents(first: $first, after: $after, filter: $filter) {
    edges { node { id action } }
    pageInfo { endCursor }
  }
}`;

describe('the audit of reads', () => {
  let env: ReturnType<typeof setup>;
  beforeAll(async () => {
    env = setup();
    await env.apollo.start();
  });
  afterAll(() => env.apollo.stop());
  beforeEach(() => env.takeAudits());

  it('writes one line per operation: who, what, with which filter, from which sources, how many', async () => {
    const filter = { actions: ['user.login'], since: '2026-03-02T00:00:00.000Z' };
    const result = await run(env.apollo, env.context, PAGE, { first: 5, filter });
    expect(result.data!.auditEvents.edges).toHaveLength(5);
    const audits = env.takeAudits();
    expect(audits).toEqual([
      {
        time: expect.any(String),
        level: 'info',
        msg: 'audit',
        principal: 'key-ops',
        via: 'api-key',
        operationName: 'RecentLogins',
        operationType: 'query',
        filter,
        sources: ['fastly', 'broken'],
        resultCount: 5,
        errorCodes: ['SOURCE_UNAVAILABLE'],
        durationMs: expect.any(Number),
      },
    ]);
    expect(audits[0]!['durationMs']).toBeGreaterThanOrEqual(0);
  });

  it('never writes a cursor, an id or a variable other than the filter', async () => {
    const first = await run(env.apollo, env.context, PAGE, { first: 3 });
    const after: string = first.data!.auditEvents.pageInfo.endCursor;
    const id: string = first.data!.auditEvents.edges[0].node.id;
    await run(env.apollo, env.context, PAGE, { first: 3, after });
    await run(env.apollo, env.context, 'query($id: ID!) { auditEvent(id: $id) { id } }', { id });
    const audits = env.takeAudits();
    expect(audits).toHaveLength(3);
    const text = JSON.stringify(audits);
    expect(text).not.toContain(after);
    expect(text).not.toContain(after.split('.')[1]);
    expect(text).not.toContain(id);
    expect(audits[1]).toMatchObject({ filter: null, resultCount: 3 });
  });

  it('counts an event read by id, and names its source', async () => {
    const page = await run(env.apollo, env.context, PAGE, { first: 1 });
    const id: string = page.data!.auditEvents.edges[0].node.id;
    env.takeAudits();
    await run(env.apollo, env.context, 'query One($id: ID!) { auditEvent(id: $id) { id } }', {
      id,
    });
    await run(env.apollo, env.context, '{ node(id: "bm9wZQ") { id } }');
    expect(env.takeAudits()).toEqual([
      expect.objectContaining({
        operationName: 'One',
        filter: null,
        sources: ['fastly'],
        resultCount: 1,
        errorCodes: [],
      }),
      expect.objectContaining({
        operationName: null,
        sources: [],
        resultCount: 0,
        errorCodes: ['BAD_USER_INPUT'],
      }),
    ]);
  });

  it('counts what a router reads through entities: events by id, and a user’s events', async () => {
    const page = await run(env.apollo, env.context, PAGE, { first: 2 });
    const ids: string[] = page.data!.auditEvents.edges.map((edge: { node: { id: string } }) => {
      return edge.node.id;
    });
    env.takeAudits();
    const result = await run(
      env.apollo,
      env.context,
      `query Entities($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on AuditEvent { id }
          ... on User { auditEvents(first: 4, filter: { actions: ["service.update"] }) {
            edges { node { id } } } }
        }
      }`,
      {
        representations: [
          ...ids.map((id) => ({ __typename: 'AuditEvent', id })),
          { __typename: 'User', email: 'ana@example.com' },
        ],
      },
    );
    expect(
      result.errors?.filter((error) => error.extensions?.code !== 'SOURCE_UNAVAILABLE'),
    ).toEqual([]);
    const userEdges = (result.data!._entities[2] as { auditEvents: { edges: unknown[] } })
      .auditEvents.edges;
    expect(userEdges.length).toBeGreaterThan(0);
    expect(env.takeAudits()).toEqual([
      expect.objectContaining({
        operationName: 'Entities',
        filter: { actions: ['service.update'] },
        sources: ['fastly', 'broken'],
        resultCount: 2 + userEdges.length,
      }),
    ]);
  });

  it('logs the filters of every aliased read', async () => {
    await run(
      env.apollo,
      env.context,
      `{ a: auditEvents(first: 2, filter: { actions: ["user.login"] }) { edges { cursor } }
         b: auditEvents(first: 3) { edges { cursor } } }`,
    );
    expect(env.takeAudits()).toEqual([
      expect.objectContaining({ filter: [{ actions: ['user.login'] }, null], resultCount: 5 }),
    ]);
  });

  it('logs an operation refused before it runs, with its code and no read', async () => {
    const deep = `{ ${'... on Query { '.repeat(19)}__typename${' }'.repeat(19)} }`;
    await run(env.apollo, env.context, deep);
    expect(env.takeAudits()).toEqual([
      expect.objectContaining({
        principal: 'key-ops',
        filter: null,
        sources: [],
        resultCount: 0,
        errorCodes: ['GRAPHQL_VALIDATION_FAILED'],
      }),
    ]);
  });

  it('logs the filter of a read refused for its filter, shortening a huge value', async () => {
    const huge = 'x'.repeat(100_000);
    const result = await run(env.apollo, env.context, PAGE, { filter: { text: huge } });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const [audit] = env.takeAudits();
    expect(audit).toMatchObject({ errorCodes: ['BAD_USER_INPUT'], resultCount: 0 });
    const text = (audit!['filter'] as { text: string }).text;
    expect(text.startsWith('x'.repeat(200))).toBe(true);
    expect(text.length).toBeLessThan(250);
    expect(text).toContain('100000 chars');
  });

  it('writes neither headers nor credentials of an HTTP request', async () => {
    const secret = 'Bearer s3cr3t-t0ken-value';
    const response = await env.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: 'POST',
        headers: new HeaderMap([
          ['content-type', 'application/json'],
          ['authorization', secret],
          ['x-api-key', 's3cr3t-api-key'],
        ]),
        search: '',
        body: { query: PAGE, variables: { first: 1 } },
      },
      context: env.context,
    });
    expect(response.status ?? 200).toBe(200);
    const audits = env.takeAudits();
    expect(audits).toHaveLength(1);
    expect(JSON.stringify(audits)).not.toMatch(/s3cr3t|authorization|x-api-key/i);
  });
});

describe('the audit of reads, switched off', () => {
  it('writes no audit line', async () => {
    const env = setup({ audit: false });
    await env.apollo.start();
    try {
      const result = await run(env.apollo, env.context, PAGE, { first: 2 });
      expect(result.data!.auditEvents.edges).toHaveLength(2);
      await run(env.apollo, env.context, '{ nope }');
      expect(env.takeAudits()).toEqual([]);
    } finally {
      await env.apollo.stop();
    }
  });
});
