import { GraphQLError } from 'graphql';
import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import { createFeed } from '../../../src/feed/createFeed';
import { createEventIdCodec } from '../../../src/model/globalId';
import type { AuditEvent } from '../../../src/model/AuditEvent';
import type { Principal } from '../../../src/model/Principal';
import { createApolloServer } from '../../../src/schema/createApolloServer';
import type { AuditgraphContext } from '../../../src/schema/createContext';
import { createContextFactory } from '../../../src/schema/createContext';
import { createFormatError } from '../../../src/schema/formatError';
import { createMemorySource, makeEvent } from '../../support/createMemorySource';
import { SILENT_LOGGER } from '../../../src/model/Logger';

const NOW = Date.parse('2026-03-03T00:00:00Z');
/** The feed's event ids: tests name events by the ids a client would be given. */
const eventIds = createEventIdCodec('redaction-test-secret-0123456789');

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

/** A Fastly event whose provider ids hold an email and an address. */
const SERVICE_CHANGE = makeEvent({
  sourceId: 'fastly',
  kind: 'fastly',
  nativeId: 'evt-bob@corp.example',
  occurredAtMs: NOW - 4_000,
  action: 'service.update by bob@corp.example',
  resource: { id: 'svc-bob@corp.example', type: 'service', name: 'svc', product: null },
  request: {
    ip: '203.0.113.5',
    method: null,
    path: null,
    statusCode: null,
    userAgent: null,
    rayId: 'ray-203.0.113.5',
  },
});

const EVENTS = [USER_UPDATED, LOGIN, DEPLOY, SERVICE_CHANGE];

/** How a pseudonym reads. */
const PSEUDONYM = /^\[redacted:[A-Za-z0-9_-]{16}\]$/;

const AUDITOR: Principal = { id: 'auditor', via: 'jwt', sourceIds: null, pii: true };
const DASHBOARD: Principal = { id: 'dashboard', via: 'api-key', sourceIds: null, pii: false };
const NO_PII_OTHER: Principal = { id: 'another', via: 'jwt', sourceIds: null, pii: false };
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
    eventIds,
    now: () => NOW,
    maxFirst: 100,
  });
  const apollo = createApolloServer({ logger: SILENT_LOGGER });
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
    const id = eventIds.encode(event);
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
      id: eventIds.encode(USER_UPDATED),
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

  it('replaces an actor id that is an email by a pseudonym, and redacts it in the name', async () => {
    const seen = await fetchEverywhere(DASHBOARD, LOGIN);
    expect(seen.auditEvent).toEqual({
      id: eventIds.encode(LOGIN),
      description: 'Login from [redacted]',
      actor: {
        id: expect.stringMatching(PSEUDONYM),
        type: 'USER',
        name: '[redacted]',
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
      id: eventIds.encode(LOGIN),
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
    // The part of an address before its `@` is in no text this client sees.
    expect(await found(AUDITOR, 'ana')).toBe(1);
    expect(await found(DASHBOARD, 'ana')).toBe(0);
    expect(await found(DASHBOARD, 'name [[redacted]]')).toBe(1);
  });

  it('refuses a filter on an email or IP address in any field, before reading any source', async () => {
    for (const source of env.sources) source.requests.length = 0;
    for (const [field, filter] of [
      ['resourceIds', { resourceIds: ['svc-bob@corp.example'] }],
      ['resourceIds', { resourceIds: ['vm-1', '10.0.0.7'] }],
      ['resourceTypes', { resourceTypes: ['user:ana@example.com'] }],
      ['actions', { actions: ['login from 192.0.2.9'] }],
      ['text', { text: 'ana@example.com' }],
      ['text', { text: 'from 2001:db8::7' }],
    ] as const) {
      const result = await run(
        DASHBOARD,
        `query($filter: AuditEventFilter) { auditEvents(filter: $filter) { edges { node { id } } } }`,
        { filter },
      );
      expect(result.errors).toEqual([
        expect.objectContaining({
          message: `filter.${field} (a value with an email or IP address) matches personal data, which this client may not read`,
          extensions: { code: 'FORBIDDEN' },
        }),
      ]);
      const auditor = await run(
        AUDITOR,
        `query($filter: AuditEventFilter) { auditEvents(filter: $filter) { edges { node { id } } } }`,
        { filter },
      );
      expect(auditor.errors).toBeUndefined();
    }
    // Only the auditor's queries reached the sources.
    expect(env.sources.map((source) => source.requests.length)).toEqual([6, 6, 6, 6]);
  });

  it('replaces ids holding an email or IP address by stable pseudonyms, listed in redacted', async () => {
    const query = `query($id: ID!) { auditEvent(id: $id) { id nativeId action resource { id name } request { rayId } redacted } }`;
    const seen = (await run(DASHBOARD, query, { id: eventIds.encode(SERVICE_CHANGE) })).data!
      .auditEvent;
    expect(seen).toEqual({
      id: eventIds.encode(SERVICE_CHANGE),
      nativeId: expect.stringMatching(PSEUDONYM),
      action: 'service.update by [redacted]',
      resource: { id: expect.stringMatching(PSEUDONYM), name: 'svc' },
      request: { rayId: expect.stringMatching(PSEUDONYM) },
      redacted: ['nativeId', 'action', 'resource.id', 'request.ip', 'request.rayId'],
    });
    // Stable: the same for every read and every client without pii; distinct values differ.
    const again = (await run(NO_PII_OTHER, query, { id: eventIds.encode(SERVICE_CHANGE) })).data!
      .auditEvent;
    expect(again).toEqual(seen);
    expect(new Set([seen.nativeId, seen.resource.id, seen.request.rayId]).size).toBe(3);
    // Nothing of the email is in any string the client received.
    const everything = JSON.stringify(
      await run(
        DASHBOARD,
        `{ auditEvents(first: 10) { edges { cursor node { id nativeId resource { id key } actor { key } } } pageInfo { endCursor } } }`,
      ),
    );
    for (const part of ['bob', 'corp.example', '203.0.113.5']) {
      expect(everything).not.toContain(part);
      expect(
        Buffer.from(everything.replace(/[^A-Za-z0-9_-]/g, ' '), 'base64url').toString('latin1'),
      ).not.toContain(part);
    }
    const auditor = (await run(AUDITOR, query, { id: eventIds.encode(SERVICE_CHANGE) })).data!
      .auditEvent;
    expect(auditor).toMatchObject({
      nativeId: 'evt-bob@corp.example',
      resource: { id: 'svc-bob@corp.example' },
      redacted: [],
    });
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
      ['fastly', 0],
    ]);
  });

  it('gets null for an event of another source through auditEvent, node and _entities', async () => {
    const id = eventIds.encode(LOGIN);
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
