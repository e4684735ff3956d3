import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import { createFeed } from '../../../src/feed/createFeed';
import { createEventIdCodec } from '../../../src/model/globalId';
import { compareEventsInOrder } from '../../../src/feed/eventKey';
import { createRandom } from '../../../src/emulators/dataset/createRandom';
import { createPeople } from '../../../src/emulators/dataset/people';
import { generateCloudflareV1Records } from '../../../src/emulators/cloudflare-v1/generateCloudflareV1Records';
import { generateFusionAuthAuditLogRecords } from '../../../src/emulators/fusionauth/generateFusionAuthAuditLogRecords';
import type { AuditEvent } from '../../../src/model/AuditEvent';
import { AuditgraphError } from '../../../src/model/errors';
import type { Principal } from '../../../src/model/Principal';
import type { Source } from '../../../src/model/Source';
import { toCloudflareV1AuditEvent } from '../../../src/providers/cloudflare-v1/toCloudflareV1AuditEvent';
import { toFusionAuthAuditLogAuditEvent } from '../../../src/providers/fusionauth-audit-log/toFusionAuthAuditLogAuditEvent';
import { createApolloServer } from '../../../src/schema/createApolloServer';
import type { AuditgraphContext } from '../../../src/schema/createContext';
import { createContextFactory } from '../../../src/schema/createContext';
import type { MemorySource } from '../../support/createMemorySource';
import { createMemorySource, makeEvent } from '../../support/createMemorySource';
import { SILENT_LOGGER } from '../../../src/model/Logger';

const NOW = Date.parse('2026-03-03T00:00:00Z');
/** The feed's event ids: tests name events by the ids a client would be given. */
const eventIds = createEventIdCodec('entities-test-secret-0123456789ab');
const HOUR_MS = 60 * 60_000;

const AUDITOR: Principal = { id: 'auditor', via: 'jwt', sourceIds: null, pii: true };
const DASHBOARD: Principal = { id: 'dashboard', via: 'api-key', sourceIds: null, pii: false };

type Result = { data?: Record<string, any> | null; errors?: readonly any[] };

/** A source whose `get` calls are counted beside the `list` calls it records. */
function withCountedGets(source: MemorySource): MemorySource & { gets: string[] } {
  const gets: string[] = [];
  const original = source.get.bind(source);
  const get: Source['get'] = (nativeId, occurredAtMs, options) => {
    gets.push(nativeId);
    return original(nativeId, occurredAtMs, options);
  };
  return Object.assign(source, { get, gets });
}

function setup(sources: readonly Source[]) {
  const feed = createFeed({
    sources,
    cursorCodec: createCursorCodec('entities-test-secret-0123456789ab'),
    eventIds,
    now: () => NOW,
    maxFirst: 100,
  });
  const apollo = createApolloServer({ logger: SILENT_LOGGER, audit: false });
  const createContext = createContextFactory({
    feed,
    pagination: { defaultFirst: 20, maxFirst: 100 },
    secret: 'entities-test-secret-0123456789ab',
  });
  async function run(
    principal: Principal,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<Result> {
    const contextValue: AuditgraphContext = { ...(await createContext()), principal };
    const response = await apollo.executeOperation({ query, variables }, { contextValue });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return JSON.parse(JSON.stringify(response.body.singleResult)) as Result;
  }
  return { apollo, run };
}

const ENTITIES = `query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on AuditEvent { id nativeId }
    ... on Actor { key actorId: id actorType: type name email }
    ... on Resource { key resourceId: id resourceType: type name }
  }
}`;

describe('the federation SDL', () => {
  it('links federation v2.9 and carries the entity keys and demand-control directives', async () => {
    const { apollo, run } = setup([]);
    await apollo.start();
    try {
      const result = await run(AUDITOR, '{ _service { sdl } }');
      const sdl = String(result.data?._service.sdl);
      expect(sdl).toContain('https://specs.apollo.dev/federation/v2.9');
      expect(sdl).toMatch(/import: \["@key", "@shareable", "@cost", "@listSize"\]/);
      expect(sdl).toMatch(/type AuditEvent implements Node\s+@key\(fields: "id"\)/);
      expect(sdl).toMatch(/type Actor\s+@key\(fields: "key"\)/);
      expect(sdl).toMatch(/type Resource\s+@key\(fields: "key"\)/);
      expect(sdl).toMatch(/type User\s+@key\(fields: "email"\)/);
      expect(sdl).toMatch(/type PageInfo\s+@shareable/);
      const listSize =
        '@listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)';
      // Query.auditEvents and User.auditEvents.
      expect(sdl.split(listSize)).toHaveLength(3);
      expect(sdl).toMatch(/auditEvent\(id: ID!\): AuditEvent @cost\(weight: 2\)/);
    } finally {
      await apollo.stop();
    }
  });
});

describe('AuditEvent entities, batched per source', () => {
  /** Forty events per source within one hour, and a source the client may not read. */
  function scenario() {
    const make = (sourceId: string, kind: AuditEvent['kind'], count: number) =>
      Array.from({ length: count }, (_, i) =>
        makeEvent({
          sourceId,
          kind,
          nativeId: `${sourceId}-${i}`,
          occurredAtMs: NOW - HOUR_MS + i * 60_000,
        }),
      );
    const sources = [
      withCountedGets(
        createMemorySource({
          id: 'fastly',
          kind: 'fastly',
          maxPageSize: 100,
          events: make('fastly', 'fastly', 40),
        }),
      ),
      withCountedGets(
        createMemorySource({
          id: 'nirvana',
          kind: 'nirvana',
          maxPageSize: 100,
          paging: 'cursor',
          events: make('nirvana', 'nirvana', 40),
        }),
      ),
      withCountedGets(
        createMemorySource({
          id: 'cf',
          kind: 'cloudflare-v1',
          maxPageSize: 1000,
          coarseBounds: true,
          events: make('cf', 'cloudflare-v1', 40),
        }),
      ),
      withCountedGets(
        createMemorySource({
          id: 'secret',
          kind: 'fastly',
          maxPageSize: 100,
          events: make('secret', 'fastly', 10),
        }),
      ),
    ];
    return sources;
  }

  it('reads 100 representations with one upstream request per source, in their order', async () => {
    const sources = scenario();
    const [fastly, nirvana, cf, secret] = sources;
    const { apollo, run } = setup(sources);
    await apollo.start();
    try {
      const limited: Principal = { ...AUDITOR, sourceIds: new Set(['fastly', 'nirvana', 'cf']) };
      const ids: (string | null)[] = [];
      const expected: (string | null)[] = [];
      for (let i = 0; i < 100; i += 1) {
        const source = sources[i % 4]!;
        const index = (i * 7) % 40;
        if (source.id === 'secret') {
          ids.push(eventIds.encode(source.events[index % 10]!));
          expected.push(null);
        } else if (i % 9 === 0) {
          // Well formed, in the window, but no such event.
          ids.push(
            eventIds.encode({
              sourceId: source.id,
              nativeId: `missing-${i}`,
              occurredAtMs: NOW - HOUR_MS + 90_000,
            }),
          );
          expected.push(null);
        } else {
          const event = source.events[index]!;
          ids.push(eventIds.encode(event));
          expected.push(event.nativeId);
        }
      }
      const result = await run(limited, ENTITIES, {
        representations: ids.map((id) => ({ __typename: 'AuditEvent', id })),
      });
      expect(result.errors).toBeUndefined();
      expect(
        result.data?._entities.map(
          (entity: { nativeId?: string } | null) => entity?.nativeId ?? null,
        ),
      ).toEqual(expected);
      for (const source of [fastly!, nirvana!, cf!]) {
        expect({ id: source.id, lists: source.requests.length, gets: source.gets.length }).toEqual({
          id: source.id,
          lists: 1,
          gets: 0,
        });
      }
      expect(secret!.requests).toHaveLength(0);
      expect(secret!.gets).toHaveLength(0);
    } finally {
      await apollo.stop();
    }
  });

  it('fetches ids far apart in time one by one, and settles an unfinished scan with get', async () => {
    const far = Array.from({ length: 3 }, (_, i) =>
      makeEvent({
        sourceId: 'far',
        nativeId: `far-${i}`,
        occurredAtMs: NOW - (i + 1) * 24 * HOUR_MS,
      }),
    );
    // 150 events in one minute: more than one page of 100 between the two ids asked for.
    const dense = Array.from({ length: 150 }, (_, i) =>
      makeEvent({
        sourceId: 'dense',
        nativeId: `dense-${i}`,
        occurredAtMs: NOW - 60_000 + i * 100,
      }),
    );
    const farSource = withCountedGets(
      createMemorySource({ id: 'far', maxPageSize: 100, events: far }),
    );
    const denseSource = withCountedGets(
      createMemorySource({ id: 'dense', maxPageSize: 100, events: dense }),
    );
    const { apollo, run } = setup([farSource, denseSource]);
    await apollo.start();
    try {
      const wanted = [far[0]!, far[2]!, dense[3]!, dense[140]!];
      const result = await run(AUDITOR, ENTITIES, {
        representations: wanted.map((event) => ({
          __typename: 'AuditEvent',
          id: eventIds.encode(event),
        })),
      });
      expect(result.data?._entities.map((entity: { nativeId: string }) => entity.nativeId)).toEqual(
        wanted.map((event) => event.nativeId),
      );
      expect({ lists: farSource.requests.length, gets: farSource.gets }).toEqual({
        lists: 0,
        gets: ['far-2', 'far-0'],
      });
      // One page of the scan finds dense-3; dense-140 lies past it and is fetched by id.
      expect({ lists: denseSource.requests.length, gets: denseSource.gets }).toEqual({
        lists: 1,
        gets: ['dense-140'],
      });
    } finally {
      await apollo.stop();
    }
  });

  it('answers auditEvent and node from one batch, and a malformed id alone is refused', async () => {
    const sources = scenario();
    const [fastly] = sources;
    const { apollo, run } = setup(sources);
    await apollo.start();
    try {
      const a = eventIds.encode(fastly!.events[1]!);
      const b = eventIds.encode(fastly!.events[2]!);
      const result = await run(
        AUDITOR,
        `query($a: ID!, $b: ID!) {
          one: auditEvent(id: $a) { nativeId }
          two: node(id: $b) { ... on AuditEvent { nativeId } }
          again: auditEvent(id: $a) { nativeId }
          bad: auditEvent(id: "not-an-id") { nativeId }
        }`,
        { a, b },
      );
      expect(result.data).toEqual({
        one: { nativeId: 'fastly-1' },
        two: { nativeId: 'fastly-2' },
        again: { nativeId: 'fastly-1' },
        bad: null,
      });
      expect(result.errors?.map((error) => [error.path, error.extensions.code])).toEqual([
        [['bad'], 'BAD_USER_INPUT'],
      ]);
      expect(fastly!.requests.length + fastly!.gets.length).toBe(1);
    } finally {
      await apollo.stop();
    }
  });
  it('fails only the ids of a source that fails, with its error at their paths', async () => {
    const sources = scenario();
    const [fastly, nirvana] = sources;
    const failing: Source = {
      ...nirvana!,
      list: () =>
        Promise.reject(new AuditgraphError('SOURCE_UNAVAILABLE', 'down', { sourceId: 'nirvana' })),
    };
    const { apollo, run } = setup([fastly!, failing]);
    await apollo.start();
    try {
      const result = await run(AUDITOR, ENTITIES, {
        representations: [
          fastly!.events[0]!,
          nirvana!.events[0]!,
          nirvana!.events[1]!,
          fastly!.events[1]!,
        ].map((event) => ({ __typename: 'AuditEvent', id: eventIds.encode(event) })),
      });
      expect(
        result.data?._entities.map(
          (entity: { nativeId: string } | null) => entity?.nativeId ?? null,
        ),
      ).toEqual(['fastly-0', null, null, 'fastly-1']);
      expect(result.errors?.map((error) => [error.path, error.extensions.code])).toEqual([
        [['_entities', 1], 'SOURCE_UNAVAILABLE'],
        [['_entities', 2], 'SOURCE_UNAVAILABLE'],
      ]);
    } finally {
      await apollo.stop();
    }
  });
});

describe('User.auditEvents over the demo data', () => {
  const random = createRandom(7);
  const people = createPeople(random, 6);
  const window = { fromMs: NOW - 3 * 24 * HOUR_MS, toMs: NOW - 60_000 };
  const cfEvents = generateCloudflareV1Records(random, people, window, 600).map((record) =>
    toCloudflareV1AuditEvent(record, { id: 'cf', kind: 'cloudflare-v1' }),
  );
  const faEvents = generateFusionAuthAuditLogRecords(random, people, window, 600).map((record) =>
    toFusionAuthAuditLogAuditEvent(record, { id: 'fa', kind: 'fusionauth-audit-log' }),
  );
  const person = people[0]!;

  function demoSources() {
    return [
      createMemorySource({
        id: 'cf',
        kind: 'cloudflare-v1',
        maxPageSize: 1000,
        coarseBounds: true,
        events: cfEvents,
      }),
      createMemorySource({
        id: 'fa',
        kind: 'fusionauth-audit-log',
        maxPageSize: 1000,
        events: faEvents,
      }),
    ];
  }

  const USER_EVENTS = `query($representations: [_Any!]!, $after: String, $filter: AuditEventFilter) {
    _entities(representations: $representations) {
      ... on User {
        email
        auditEvents(first: 7, after: $after, filter: $filter) {
          edges { node { id nativeId actor { email } source { id } } }
          pageInfo { hasNextPage endCursor }
          sources { source { id } state }
        }
      }
    }
  }`;

  const representations = [{ __typename: 'User', email: person.email.toUpperCase() }];

  it('returns that person’s events from every source, in order, across pages', async () => {
    const sources = demoSources();
    const { apollo, run } = setup(sources);
    await apollo.start();
    try {
      const expected = [...cfEvents, ...faEvents]
        .filter((event) => event.actor?.email?.toLowerCase() === person.email)
        .sort(compareEventsInOrder('desc'))
        .map((event) => eventIds.encode(event));
      expect(new Set(expected.map((id) => eventIds.decode(id).sourceId))).toEqual(
        new Set(['cf', 'fa']),
      );
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 100; page += 1) {
        const result = await run(AUDITOR, USER_EVENTS, { representations, after });
        expect(result.errors).toBeUndefined();
        const user = result.data?._entities[0];
        expect(user.email).toBe(person.email.toUpperCase());
        for (const edge of user.auditEvents.edges) {
          expect(edge.node.actor.email.toLowerCase()).toBe(person.email);
          seen.push(edge.node.id);
        }
        if (!user.auditEvents.pageInfo.hasNextPage) break;
        after = user.auditEvents.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected);
      expect(expected.length).toBeGreaterThan(14);
    } finally {
      await apollo.stop();
    }
  });

  it('pushes the actor email down to the sources that can filter by it', async () => {
    const sources = demoSources();
    const [cf, fa] = sources;
    const { apollo, run } = setup(sources);
    await apollo.start();
    try {
      await run(AUDITOR, USER_EVENTS, { representations });
      expect(cf!.requests.length).toBeGreaterThan(0);
      for (const query of [...cf!.requests, ...fa!.requests]) {
        expect(query.filter?.actorEmails).toEqual([person.email]);
      }
      // Cloudflare v1 filters exactly: one request, one page's worth.
      expect(cf!.requests).toHaveLength(1);
    } finally {
      await apollo.stop();
    }
  });

  it('intersects the client’s actorEmails with the user: without this user, nothing', async () => {
    const { apollo, run } = setup(demoSources());
    await apollo.start();
    try {
      const other = await run(AUDITOR, USER_EVENTS, {
        representations,
        filter: { actorEmails: [people[1]!.email] },
      });
      expect(other.data?._entities[0].auditEvents.edges).toEqual([]);
      const same = await run(AUDITOR, USER_EVENTS, {
        representations,
        filter: { actorEmails: [people[1]!.email, person.email] },
      });
      expect(same.data?._entities[0].auditEvents.edges.length).toBeGreaterThan(0);
    } finally {
      await apollo.stop();
    }
  });

  it('is FORBIDDEN for a client without the personal-data permission, before any request', async () => {
    const sources = demoSources();
    const { apollo, run } = setup(sources);
    await apollo.start();
    try {
      const result = await run(DASHBOARD, USER_EVENTS, { representations });
      expect(result.data?._entities[0]).toBeNull();
      expect(result.errors?.map((error) => error.extensions.code)).toEqual(['FORBIDDEN']);
      expect(sources.every((source) => source.requests.length === 0)).toBe(true);
    } finally {
      await apollo.stop();
    }
  });

  it('refuses a cursor of another user’s events', async () => {
    const { apollo, run } = setup(demoSources());
    await apollo.start();
    try {
      const first = await run(AUDITOR, USER_EVENTS, { representations });
      const after = first.data?._entities[0].auditEvents.pageInfo.endCursor;
      const result = await run(AUDITOR, USER_EVENTS, {
        representations: [{ __typename: 'User', email: people[1]!.email }],
        after,
      });
      expect(result.errors?.map((error) => error.extensions.code)).toEqual(['BAD_USER_INPUT']);
    } finally {
      await apollo.stop();
    }
  });
});

describe('Actor and Resource entities', () => {
  /** Cloudflare uses the actor's email as its id; the resource's name is an email too. */
  const LOGIN = makeEvent({
    sourceId: 'cf',
    kind: 'cloudflare-v1',
    nativeId: 'c0ffee',
    occurredAtMs: NOW - 2_000,
    actor: {
      id: 'ana@example.com',
      type: 'USER',
      name: 'Ana',
      email: 'ana@example.com',
      token: null,
      ip: '192.0.2.9',
    },
    resource: { id: null, type: 'user', name: 'ana@example.com', product: null },
  });
  const DEPLOY = makeEvent({
    sourceId: 'nirvana',
    kind: 'nirvana',
    nativeId: 'n-1',
    occurredAtMs: NOW - 3_000,
    actor: { id: 'svc-9', type: 'API_KEY', name: 'deploy bot', email: null, token: null, ip: null },
    resource: { id: 'vm-1', type: 'vm', name: 'web-1', product: 'compute' },
  });
  const AGAIN = makeEvent({ ...DEPLOY, nativeId: 'n-2', occurredAtMs: NOW - 4_000 });

  function sources() {
    return [
      createMemorySource({ id: 'cf', kind: 'cloudflare-v1', maxPageSize: 50, events: [LOGIN] }),
      createMemorySource({
        id: 'nirvana',
        kind: 'nirvana',
        maxPageSize: 50,
        events: [DEPLOY, AGAIN],
      }),
    ];
  }
  const KEYS = `{ auditEvents(first: 10) { edges { node { nativeId actor { key } resource { key } } } } }`;

  async function keysAs(run: ReturnType<typeof setup>['run'], principal: Principal) {
    const result = await run(principal, KEYS);
    return Object.fromEntries(
      result.data?.auditEvents.edges.map((edge: any) => [
        edge.node.nativeId,
        { actor: edge.node.actor.key, resource: edge.node.resource.key },
      ]),
    ) as Record<string, { actor: string; resource: string }>;
  }

  it('gives an actor and a resource one key in every event and for every client', async () => {
    const { apollo, run } = setup(sources());
    await apollo.start();
    try {
      const auditor = await keysAs(run, AUDITOR);
      expect(await keysAs(run, DASHBOARD)).toEqual(auditor);
      expect(auditor['n-1']).toEqual(auditor['n-2']);
      expect(auditor['c0ffee']!.actor).not.toEqual(auditor['n-1']!.actor);
      // The key shows nothing of the email it was made from.
      const decoded = Buffer.from(auditor['c0ffee']!.actor, 'base64url').toString('latin1');
      expect(decoded).not.toMatch(/ana|example/i);
    } finally {
      await apollo.stop();
    }
  });

  it('resolves a key back to what it holds, redacted for a client without pii', async () => {
    const { apollo, run } = setup(sources());
    await apollo.start();
    try {
      const keys = await keysAs(run, AUDITOR);
      const representations = [
        { __typename: 'Actor', key: keys['c0ffee']!.actor },
        { __typename: 'Resource', key: keys['c0ffee']!.resource },
        { __typename: 'Actor', key: keys['n-1']!.actor },
        { __typename: 'Resource', key: keys['n-1']!.resource },
        { __typename: 'Actor', key: 'bm90LWEta2V5LWF0LWFsbC1mb3Itc3VyZS0xMjM0NTY3ODkw' },
        // A Resource key is not an Actor key.
        { __typename: 'Actor', key: keys['n-1']!.resource },
      ];
      const auditor = await run(AUDITOR, ENTITIES, { representations });
      expect(auditor.errors).toBeUndefined();
      expect(auditor.data?._entities).toEqual([
        {
          key: keys['c0ffee']!.actor,
          actorId: 'ana@example.com',
          actorType: 'USER',
          name: null,
          email: null,
        },
        {
          key: keys['c0ffee']!.resource,
          resourceId: null,
          resourceType: 'user',
          name: 'ana@example.com',
        },
        {
          key: keys['n-1']!.actor,
          actorId: 'svc-9',
          actorType: 'API_KEY',
          name: null,
          email: null,
        },
        { key: keys['n-1']!.resource, resourceId: 'vm-1', resourceType: 'vm', name: null },
        null,
        null,
      ]);
      const dashboard = await run(DASHBOARD, ENTITIES, { representations });
      expect(dashboard.data?._entities.slice(0, 2)).toEqual([
        {
          key: keys['c0ffee']!.actor,
          // The email it was made from reads as a pseudonym, as the actor's id does in events.
          actorId: expect.stringMatching(/^\[redacted:[A-Za-z0-9_-]{16}\]$/),
          actorType: 'USER',
          name: null,
          email: null,
        },
        {
          key: keys['c0ffee']!.resource,
          resourceId: null,
          resourceType: 'user',
          name: '[redacted]',
        },
      ]);
      const nirvanaOnly: Principal = { ...AUDITOR, sourceIds: new Set(['nirvana']) };
      const limited = await run(nirvanaOnly, ENTITIES, {
        representations: representations.slice(0, 3),
      });
      expect(limited.data?._entities).toEqual([
        null,
        null,
        {
          key: keys['n-1']!.actor,
          actorId: 'svc-9',
          actorType: 'API_KEY',
          name: null,
          email: null,
        },
      ]);
    } finally {
      await apollo.stop();
    }
  });
});
