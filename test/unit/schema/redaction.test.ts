import { GraphQLError } from 'graphql';
import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import { createFeed } from '../../../src/feed/createFeed';
import type { AuditEvent } from '../../../src/model/AuditEvent';
import { toGlobalEventId } from '../../../src/model/globalId';
import type { Principal } from '../../../src/model/Principal';
import { createApolloServer } from '../../../src/schema/createApolloServer';
import type { AuditgraphContext } from '../../../src/schema/createContext';
import { createContextFactory } from '../../../src/schema/createContext';
import { createFormatError } from '../../../src/schema/formatError';
import { createMemorySource, makeEvent } from '../../support/createMemorySource';

const NOW = Date.parse('2026-03-03T00:00:00Z');

/** FusionAuth records the user's email as the actor, and names users by email in messages. */
const USER_UPDATED = makeEvent({
  sourceId: 'fa-audit',
  kind: 'fusionauth-audit-log',
  nativeId: '4711',
  occurredAtMs: NOW - 1_000,
  action: 'Updated the user',
  description: 'Updated the user with Id [u-1] and name [ana@example.com]',
  actor: { id: null, type: 'USER', name: null, email: 'Ana@Example.com', token: null, ip: null },
  resource: { id: 'u-1', type: 'user', name: 'ana@example.com', product: null },
  changes: { before: { email: 'ana@old.example' }, after: { email: 'ana@example.com' } },
  metadata: { reason: 'asked by bo@example.com from 192.0.2.7', tenantId: 't-1' },
  raw: { id: 4711, insertUser: 'Ana@Example.com', message: 'Updated the user …' },
});
/** An actor whose id and name are its email, with addresses everywhere. */
const LOGIN = makeEvent({
  sourceId: 'cf-prod',
  kind: 'cloudflare-v2',
  nativeId: 'c0ffee',
  occurredAtMs: NOW - 2_000,
  action: 'login',
  category: 'AUTH',
  description: 'Login from 2001:db8::7',
  actor: {
    id: 'ANA@example.com',
    type: 'USER',
    name: 'ana@EXAMPLE.com',
    email: 'ana@example.com',
    token: { id: 'tok-1', name: 'ci token' },
    ip: '192.0.2.9',
  },
  request: {
    ip: '192.0.2.9',
    method: 'POST',
    path: '/users/ana@example.com/sessions',
    statusCode: 200,
    userAgent: 'curl/8',
    rayId: 'r-1',
  },
  metadata: ['zone example.com', { owner: 'cy@example.com' }],
  raw: { actor: { email: 'ana@example.com' } },
});
/** Nothing personal in it. */
const DEPLOY = makeEvent({
  sourceId: 'nirvana',
  kind: 'nirvana',
  nativeId: 'n-1',
  occurredAtMs: NOW - 3_000,
  action: 'vm.created',
  category: 'CREATE',
  description: 'Created VM web-1',
  actor: { id: 'svc-9', type: 'API_KEY', name: 'deploy bot', email: null, token: null, ip: null },
  resource: { id: 'vm-1', type: 'vm', name: 'web-1', product: null },
  metadata: { region: 'us-sea-1' },
  raw: null,
});

const EVENTS = [USER_UPDATED, LOGIN, DEPLOY];

const AUDITOR: Principal = { id: 'auditor', via: 'jwt', sourceIds: null, pii: true };
const DASHBOARD: Principal = { id: 'dashboard', via: 'api-key', sourceIds: null, pii: false };
const NIRVANA_ONLY: Principal = {
  id: 'nirvana-team',
  via: 'api-key',
  sourceIds: new Set(['nirvana']),
  pii: true,
};

function setup() {
  const sources = EVENTS.map((event) =>
    createMemorySource({ id: event.sourceId, kind: event.kind, maxPageSize: 50, events: [event] }),
  );
  const feed = createFeed({
    sources,
    cursorCodec: createCursorCodec('redaction-test-secret-0123456789'),
    now: () => NOW,
    maxFirst: 100,
  });
  const apollo = createApolloServer({ log: () => undefined });
  const createContext = createContextFactory({
    feed,
    pagination: { defaultFirst: 20, maxFirst: 100 },
  });
  return { apollo, createContext, sources };
}

const EVENT_FIELDS = `
  id description
  actor { id type name email ip token { id name } }
  resource { id type name }
  request { ip path method }
  changes { before after }
  metadata raw redacted`;

const QUERIES = {
  auditEvents: `query { auditEvents(first: 10) { edges { node { ${EVENT_FIELDS} } } } }`,
  auditEvent: `query($id: ID!) { auditEvent(id: $id) { ${EVENT_FIELDS} } }`,
  node: `query($id: ID!) { node(id: $id) { ... on AuditEvent { ${EVENT_FIELDS} } } }`,
  _entities: `query($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on AuditEvent { ${EVENT_FIELDS} } }
  }`,
};

describe('personal data in the GraphQL answers', () => {
  let env: ReturnType<typeof setup>;
  beforeAll(async () => {
    env = setup();
    await env.apollo.start();
  });
  afterAll(() => env.apollo.stop());

  async function run(
    principal: Principal,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{ data?: Record<string, any> | null; errors?: readonly any[] }> {
    const contextValue: AuditgraphContext = { ...(await env.createContext()), principal };
    const response = await env.apollo.executeOperation({ query, variables }, { contextValue });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return JSON.parse(JSON.stringify(response.body.singleResult)) as {
      data?: Record<string, any> | null;
      errors?: readonly any[];
    };
  }

  /** The event as each of the four ways to fetch one answers it. */
  async function fetchEverywhere(principal: Principal, event: AuditEvent) {
    const id = toGlobalEventId(event);
    const [page, byId, byNode, entities] = await Promise.all([
      run(principal, QUERIES.auditEvents),
      run(principal, QUERIES.auditEvent, { id }),
      run(principal, QUERIES.node, { id }),
      run(principal, QUERIES._entities, { representations: [{ __typename: 'AuditEvent', id }] }),
    ]);
    for (const result of [page, byId, byNode, entities]) expect(result.errors).toBeUndefined();
    return {
      auditEvents: page
        .data!.auditEvents.edges.map((edge: any) => edge.node)
        .find((node: any) => node.id === id),
      auditEvent: byId.data!.auditEvent,
      node: byNode.data!.node,
      _entities: entities.data!._entities[0],
    };
  }

  it('redacts a FusionAuth user change for a client without the pii permission', async () => {
    const seen = await fetchEverywhere(DASHBOARD, USER_UPDATED);
    expect(seen.auditEvent).toEqual({
      id: toGlobalEventId(USER_UPDATED),
      description: 'Updated the user with Id [u-1] and name [[redacted]]',
      actor: { id: null, type: 'USER', name: null, email: null, ip: null, token: null },
      resource: { id: 'u-1', type: 'user', name: '[redacted]' },
      request: null,
      changes: null,
      metadata: { reason: 'asked by [redacted] from [redacted]', tenantId: 't-1' },
      raw: null,
      redacted: ['description', 'actor.email', 'resource.name', 'changes', 'metadata', 'raw'],
    });
  });

  it('nulls an actor id and name that are the email, whatever their case', async () => {
    const seen = await fetchEverywhere(DASHBOARD, LOGIN);
    expect(seen.auditEvent).toEqual({
      id: toGlobalEventId(LOGIN),
      description: 'Login from [redacted]',
      actor: {
        id: null,
        type: 'USER',
        name: null,
        email: null,
        ip: null,
        token: { id: 'tok-1', name: 'ci token' },
      },
      resource: null,
      request: { ip: null, path: '/users/[redacted]/sessions', method: 'POST' },
      changes: null,
      metadata: ['zone example.com', { owner: '[redacted]' }],
      raw: null,
      redacted: [
        'description',
        'actor.id',
        'actor.name',
        'actor.email',
        'actor.ip',
        'request.ip',
        'request.path',
        'metadata',
        'raw',
      ],
    });
  });

  it('lists nothing as redacted when an event holds nothing personal', async () => {
    const seen = await fetchEverywhere(DASHBOARD, DEPLOY);
    expect(seen.auditEvent).toMatchObject({
      description: 'Created VM web-1',
      actor: { id: 'svc-9', name: 'deploy bot', email: null, ip: null },
      metadata: { region: 'us-sea-1' },
      raw: null,
      redacted: [],
    });
  });

  it.each([
    ['a client without the pii permission', DASHBOARD],
    ['a client with it', AUDITOR],
  ])(
    'gives %s the same event through auditEvents, auditEvent, node and _entities',
    async (_who, principal) => {
      for (const event of EVENTS) {
        const seen = await fetchEverywhere(principal, event);
        expect(seen.auditEvents).toBeDefined();
        expect(seen.auditEvent).toEqual(seen.auditEvents);
        expect(seen.node).toEqual(seen.auditEvents);
        expect(seen._entities).toEqual(seen.auditEvents);
      }
    },
  );

  it('shows everything, and nothing as redacted, to a client with the pii permission', async () => {
    const seen = await fetchEverywhere(AUDITOR, LOGIN);
    expect(seen._entities).toEqual({
      id: toGlobalEventId(LOGIN),
      description: LOGIN.description,
      actor: {
        id: 'ANA@example.com',
        type: 'USER',
        name: 'ana@EXAMPLE.com',
        email: 'ana@example.com',
        ip: '192.0.2.9',
        token: { id: 'tok-1', name: 'ci token' },
      },
      resource: null,
      request: { ip: '192.0.2.9', path: '/users/ana@example.com/sessions', method: 'POST' },
      changes: null,
      metadata: LOGIN.metadata,
      raw: LOGIN.raw,
      redacted: [],
    });
  });

  it('refuses filters on personal data to a client without the pii permission, with a message it can read', async () => {
    for (const filter of [
      { actorEmails: ['ana@example.com'] },
      { ipAddress: '192.0.2.0/24' },
      { actorIds: ['ana@example.com'] },
    ]) {
      const result = await run(
        DASHBOARD,
        `query($filter: AuditEventFilter) { auditEvents(filter: $filter) { edges { node { id } } } }`,
        { filter },
      );
      expect(result.data).toBeNull();
      expect(result.errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining('personal data'),
          extensions: { code: 'FORBIDDEN' },
        }),
      ]);
    }
  });

  it('finds by text only what the client sees', async () => {
    const query = `query($filter: AuditEventFilter) { auditEvents(filter: $filter) { edges { node { id } } } }`;
    const found = async (principal: Principal, text: string) =>
      (await run(principal, query, { filter: { text } })).data!.auditEvents.edges.length;
    expect(await found(AUDITOR, 'ana@example.com')).toBe(1);
    expect(await found(DASHBOARD, 'ana@example.com')).toBe(0);
    expect(await found(DASHBOARD, 'name [[redacted]]')).toBe(1);
  });
});

describe('a client limited to some sources, over GraphQL', () => {
  let env: ReturnType<typeof setup>;
  beforeAll(async () => {
    env = setup();
    await env.apollo.start();
  });
  afterAll(() => env.apollo.stop());

  async function run(query: string, variables: Record<string, unknown> = {}) {
    const contextValue: AuditgraphContext = {
      ...(await env.createContext()),
      principal: NIRVANA_ONLY,
    };
    const response = await env.apollo.executeOperation({ query, variables }, { contextValue });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return JSON.parse(JSON.stringify(response.body.singleResult)) as {
      data?: Record<string, any> | null;
      errors?: readonly any[];
    };
  }

  it('sees only its sources in auditSources and auditEvents, and no other source is called', async () => {
    const sources = await run(`{ auditSources { id } }`);
    expect(sources.data!.auditSources).toEqual([{ id: 'nirvana' }]);
    const page = await run(
      `{ auditEvents { edges { node { source { id } } } sources { source { id } } } }`,
    );
    expect(page.data!.auditEvents.sources).toEqual([{ source: { id: 'nirvana' } }]);
    expect(page.data!.auditEvents.edges).toEqual([{ node: { source: { id: 'nirvana' } } }]);
    const calls = env.sources.map((source) => [source.id, source.requests.length]);
    expect(calls).toEqual([
      ['fa-audit', 0],
      ['cf-prod', 0],
      ['nirvana', 1],
    ]);
  });

  it('gets null for an event of another source through auditEvent, node and _entities', async () => {
    const id = toGlobalEventId(LOGIN);
    const byId = await run(`query($id: ID!) { auditEvent(id: $id) { id } }`, { id });
    const byNode = await run(`query($id: ID!) { node(id: $id) { id } }`, { id });
    const entities = await run(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on AuditEvent { id } } }`,
      { r: [{ __typename: 'AuditEvent', id }] },
    );
    expect(byId).toEqual({ data: { auditEvent: null } });
    expect(byNode).toEqual({ data: { node: null } });
    expect(entities).toEqual({ data: { _entities: [null] } });
  });

  it('is FORBIDDEN to name another source, existing or not, in the same words', async () => {
    const query = `query($filter: AuditEventFilter) { auditEvents(filter: $filter) { edges { node { id } } } }`;
    for (const source of ['cf-prod', 'no-such-source']) {
      const result = await run(query, { filter: { sources: [source] } });
      expect(result.errors).toEqual([
        expect.objectContaining({
          message: `you may not read source "${source}"`,
          extensions: { code: 'FORBIDDEN' },
        }),
      ]);
    }
  });
});

describe('the error formatter', () => {
  it.each(['UNAUTHENTICATED', 'FORBIDDEN'])(
    'shows the message of a %s GraphQLError raised outside the resolvers',
    (code) => {
      const logged: unknown[] = [];
      const format = createFormatError((error) => logged.push(error));
      const error = new GraphQLError('an API key is required', { extensions: { code } });
      expect(format(error.toJSON(), error)).toEqual({
        message: 'an API key is required',
        extensions: { code },
      });
      expect(logged).toEqual([]);
    },
  );
});
