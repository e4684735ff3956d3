import type { ApolloServer } from '@apollo/server';
import { getIntrospectionQuery } from 'graphql';
import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import { createFeed } from '../../../src/feed/createFeed';
import {
  createApolloServer,
  QUERY_LIMIT_DEFAULTS,
  type ApolloServerOptions,
} from '../../../src/schema/createApolloServer';
import type { AuditgraphContext } from '../../../src/schema/createContext';
import { createContextFactory } from '../../../src/schema/createContext';
import { createMemorySource, makeEvent, type MemorySource } from '../../support/createMemorySource';
import { SILENT_LOGGER } from '../../../src/model/Logger';

const NOW = Date.parse('2026-03-03T00:00:00Z');

interface Env {
  readonly apollo: ApolloServer<AuditgraphContext>;
  readonly context: () => Promise<AuditgraphContext>;
  readonly source: MemorySource;
}

async function startEnv(options: Omit<ApolloServerOptions, 'logger'> = {}): Promise<Env> {
  const source = createMemorySource({
    id: 'fastly',
    maxPageSize: 100,
    events: Array.from({ length: 30 }, (_, i) =>
      makeEvent({ sourceId: 'fastly', nativeId: `f${i}`, occurredAtMs: NOW - 1000 * i }),
    ),
  });
  const feed = createFeed({
    sources: [source],
    cursorCodec: createCursorCodec('limits-test-secret-0123456789'),
    now: () => NOW,
    maxFirst: 100,
  });
  const apollo = createApolloServer({ logger: SILENT_LOGGER, audit: false, ...options });
  await apollo.start();
  const context = createContextFactory({ feed, pagination: { defaultFirst: 20, maxFirst: 100 } });
  return { apollo, context, source };
}

interface Outcome {
  readonly status: number;
  readonly data?: Record<string, any> | null;
  readonly errors?: readonly { message: string; extensions?: { code?: string } }[];
}

async function run(
  env: Env,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Outcome> {
  const response = await env.apollo.executeOperation(
    { query, variables },
    { contextValue: await env.context() },
  );
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  const body = JSON.parse(JSON.stringify(response.body.singleResult)) as Omit<Outcome, 'status'>;
  return { status: response.http.status ?? 200, ...body };
}

/** Every field of an event, the widest page a client can ask for. */
const EVERY_FIELD = `edges { cursor node { id nativeId occurredAt provider action category outcome description
  actor { id type name email ip token { id name } } resource { id type name product }
  request { ip method path statusCode userAgent rayId } changes { before after } metadata raw
  source { id kind provider } } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount asOf
  sources { source { id kind provider } state message retryAfterSeconds upstreamRequests completeUntil
  missed { count oldest newest } }`;

/** A selection `levels` deep: each inline fragment is a level, and so is the field inside. */
/** The page of the demo's example query (startAuditgraph.ts), at the largest page size. */
const EXAMPLE_PAGE = `auditEvents(first: 100) {
  edges { node { occurredAt provider source { id } action category outcome description
    actor { name email type ip } resource { type id name } } }
  pageInfo { hasNextPage endCursor } sources { source { id } state upstreamRequests } }`;

const nested = (levels: number) =>
  `{ ${'... on Query { '.repeat(levels - 1)}__typename${' }'.repeat(levels - 1)} }`;
const aliases = (count: number, first = 1) =>
  `{ ${Array.from({ length: count }, (_, i) => `a${i}: auditEvents(first: ${first}) { edges { cursor } }`).join(' ')} }`;
/** Each inline fragment carries one directive, so no location repeats one. */
const directives = (count: number) =>
  `{ ${Array.from({ length: count }, () => '... on Query @include(if: true) { __typename }').join(' ')} }`;
/** F0 spreads F1 twice, F1 spreads F2 twice, …: 2^levels selections from a few hundred bytes. */
const fragmentExplosion = (levels: number) =>
  `{ ...F0 } ${Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F${levels} on Query { auditSources { id } }`;

describe('the query limits', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv();
  });
  afterAll(() => env.apollo.stop());

  it('has the defaults the issue names', () => {
    expect(QUERY_LIMIT_DEFAULTS).toEqual({
      maxDepth: 10,
      maxAliases: 15,
      maxTokens: 2000,
      maxCost: 5000,
      maxDirectives: 50,
    });
  });

  it.each<[string, () => string, string, RegExp]>([
    [
      'depth 20',
      () => nested(20),
      'GRAPHQL_VALIDATION_FAILED',
      /^Query depth limit of 10 exceeded, found 20/,
    ],
    [
      '50 aliases of auditEvents (matrix S3)',
      () => aliases(50),
      'GRAPHQL_VALIDATION_FAILED',
      /^Aliases limit of 15 exceeded, found 50/,
    ],
    [
      '60 directives',
      () => directives(60),
      'GRAPHQL_VALIDATION_FAILED',
      /^Directives limit of 50 exceeded, found 60/,
    ],
    [
      '5,000 @include directives (matrix S6)',
      () => `{ auditSources { id ${'@include(if: true) '.repeat(5_000)}} }`,
      'GRAPHQL_PARSE_FAILED',
      /more that 2000 tokens/,
    ],
    [
      'a query of 20,000 tokens',
      () => `{ ${'auditSources { id } '.repeat(5_000)}}`,
      'GRAPHQL_PARSE_FAILED',
      /more that 2000 tokens/,
    ],
    [
      'a fragment cycle',
      () => '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }',
      'GRAPHQL_VALIDATION_FAILED',
      /Cannot spread fragment "A" within itself/,
    ],
    [
      'a fragment explosion of 2^40 selections',
      () => fragmentExplosion(40),
      'GRAPHQL_VALIDATION_FAILED',
      /too many selections/,
    ],
    [
      '12 aliased pages of 100 events (matrix S10)',
      () => aliases(12, 100),
      'GRAPHQL_VALIDATION_FAILED',
      /^Query Cost limit of 5000 exceeded/,
    ],
    [
      'two pages of 100 events with every field',
      () =>
        `{ a: auditEvents(first: 100) { ${EVERY_FIELD} } b: auditEvents(first: 100) { ${EVERY_FIELD} } }`,
      'GRAPHQL_VALIDATION_FAILED',
      /^Query Cost limit of 5000 exceeded/,
    ],
  ])(
    'refuses %s with HTTP 400 and a code, before any source is asked',
    async (_name, query, code, message) => {
      const before = env.source.requests.length;
      const result = await run(env, query());
      expect(result.status).toBe(400);
      expect(result.data).toBeUndefined();
      expect(result.errors?.[0]?.extensions?.code).toBe(code);
      expect(result.errors?.[0]?.message).toMatch(message);
      expect(env.source.requests.length).toBe(before);
    },
  );

  it('prices `first` given as a variable as the number it holds', async () => {
    const query = `query Pages($n: Int) { ${Array.from({ length: 12 }, (_, i) => `a${i}: auditEvents(first: $n) { edges { cursor } }`).join(' ')} }`;
    const before = env.source.requests.length;
    const large = await run(env, query, { n: 100 });
    expect(large.status).toBe(400);
    expect(large.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^Query Cost limit of 5000 exceeded/),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(env.source.requests.length).toBe(before);
    const small = await run(env, query, { n: 1 });
    expect(small.errors).toBeUndefined();
    // The same document again: each verdict is kept by the values `first` takes, not reused.
    expect((await run(env, query, { n: 100 })).status).toBe(400);
    expect((await run(env, query, { n: 1 })).errors).toBeUndefined();
  });

  it("prices an omitted `first` as the schema's default, and a variable's default as given", async () => {
    const fragment = `fragment Page on AuditEventConnection { ${EVERY_FIELD} }`;
    const omitted = `{ ${Array.from({ length: 8 }, (_, i) => `a${i}: auditEvents { ...Page }`).join(' ')} } ${fragment}`;
    expect((await run(env, omitted)).errors?.[0]?.message).toMatch(/^Query Cost limit/);
    const defaulted = `query Pages($n: Int = 100) { a: auditEvents(first: $n) { ...Page } b: auditEvents(first: $n) { ...Page } } ${fragment}`;
    expect((await run(env, defaulted)).errors?.[0]?.message).toMatch(/^Query Cost limit/);
    expect((await run(env, defaulted, { n: 5 })).errors).toBeUndefined();
    expect((await run(env, defaulted)).errors?.[0]?.message).toMatch(/^Query Cost limit/);
  });

  it.each([
    ['the example page at the largest page size', `{ ${EXAMPLE_PAGE} }`],
    ['a page of 100 events with every field', `{ auditEvents(first: 100) { ${EVERY_FIELD} } }`],
    ['depth 10', nested(10)],
    ['two example pages of 100 events', `{ a: ${EXAMPLE_PAGE} b: ${EXAMPLE_PAGE} }`],
    ['15 aliases', aliases(15)],
    ['11 aliased pages of 100 events', aliases(11, 100)],
    ['50 directives', directives(50)],
    ['aliases of __typename, which cost nothing', `{ ${'t: __typename '.repeat(40)}}`],
  ])('answers %s', async (_name, query) => {
    const result = await run(env, query);
    expect(result.errors).toBeUndefined();
    expect(result.data).toBeDefined();
  });

  it("answers GraphiQL's introspection query while introspection is on", async () => {
    const result = await run(env, getIntrospectionQuery({ descriptions: true }));
    expect(result.errors).toBeUndefined();
    expect(result.data!.__schema.queryType.name).toBe('Query');
  });

  it('answers the federation router: _service and _entities', async () => {
    const service = await run(env, '{ _service { sdl } }');
    expect(service.data!._service.sdl).toContain('@key(fields: "id")');
    const page = await run(env, '{ auditEvents(first: 2) { edges { node { id action } } } }');
    const representations = page.data!.auditEvents.edges.map((edge: any) => ({
      __typename: 'AuditEvent',
      id: edge.node.id,
    }));
    const entities = await run(
      env,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on AuditEvent { id action } } }',
      { r: representations },
    );
    expect(entities.errors).toBeUndefined();
    expect(entities.data!._entities).toEqual(page.data!.auditEvents.edges.map((e: any) => e.node));
  });

  it('names no field the client did not ask for (matrix S7)', async () => {
    const result = await run(env, '{ auditSourcez { id } auditSources { idd } }');
    expect(result.status).toBe(400);
    expect(result.errors?.length).toBeGreaterThan(0);
    for (const error of result.errors ?? []) {
      expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).not.toMatch(/did you mean/i);
      expect(error.message).not.toMatch(/"auditSources"|"id"/);
    }
  });
});

describe('the query limits, configured', () => {
  it('takes a limit given and keeps the defaults of the others', async () => {
    const env = await startEnv({ limits: { maxDepth: 3 } });
    try {
      expect((await run(env, nested(3))).errors).toBeUndefined();
      expect((await run(env, nested(4))).errors?.[0]?.message).toMatch(
        /^Query depth limit of 3 exceeded/,
      );
      expect((await run(env, aliases(16))).errors?.[0]?.message).toMatch(/^Aliases limit of 15/);
    } finally {
      await env.apollo.stop();
    }
  });

  it('lowers the token limit', async () => {
    const env = await startEnv({ limits: { maxTokens: 20 } });
    try {
      const result = await run(env, `{ ${'auditSources { id } '.repeat(6)}}`);
      expect(result.status).toBe(400);
      expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    } finally {
      await env.apollo.stop();
    }
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses a limit of %p when it is built',
    (value) => {
      expect(() =>
        createApolloServer({ logger: SILENT_LOGGER, limits: { maxCost: value } }),
      ).toThrow('createApolloServer: limits.maxCost must be a positive integer');
    },
  );

  describe('with introspection off', () => {
    let env: Env;
    beforeAll(async () => {
      env = await startEnv({ introspection: false });
    });
    afterAll(() => env.apollo.stop());

    it.each([
      ['__schema', getIntrospectionQuery()],
      ['__type', '{ __type(name: "AuditEvent") { name fields { name } } }'],
    ])('refuses %s with a code', async (_name, query) => {
      const result = await run(env, query);
      expect(result.status).toBe(400);
      expect(result.data).toBeUndefined();
      expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(result.errors?.[0]?.message).toMatch(/introspection is not allowed/);
    });

    it('still answers __typename, the federation _service query and auditEvents', async () => {
      const result = await run(
        env,
        '{ __typename _service { sdl } auditEvents(first: 1) { edges { cursor } } }',
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.__typename).toBe('Query');
      expect(result.data!._service.sdl).toContain('type AuditEvent');
      expect(result.data!.auditEvents.edges).toHaveLength(1);
    });
  });
});
