import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import { createFeed } from '../../../src/feed/createFeed';
import type { EventFilterInput } from '../../../src/feed/eventFilter';
import { hashFilter, normalizeFilter } from '../../../src/feed/eventFilter';
import type { AuditEvent } from '../../../src/model/AuditEvent';
import { AuditgraphError } from '../../../src/model/errors';
import type { Principal } from '../../../src/model/Principal';
import { ANONYMOUS_PRINCIPAL } from '../../../src/model/Principal';
import type { Source } from '../../../src/model/Source';
import { createMemorySource, makeEvent } from '../../support/createMemorySource';

const NOW = 1_772_500_000_000;
const SECRET = 'principal-test-secret-0123456789';

/** May read `fastly` and `nirvana` only, without personal data. */
const DASHBOARD: Principal = {
  id: 'dashboard',
  via: 'api-key',
  sourceIds: new Set(['fastly', 'nirvana']),
  pii: false,
};
/** May read every source and personal data. */
const AUDITOR: Principal = { id: 'auditor', via: 'jwt', sourceIds: null, pii: true };

function eventsOf(sourceId: string, kind: AuditEvent['kind'], count: number): AuditEvent[] {
  return Array.from({ length: count }, (_, i) =>
    makeEvent({
      sourceId,
      kind,
      nativeId: `${sourceId}-${i}`,
      occurredAtMs: NOW - 1_000 * (i + 1),
      description:
        i % 2 === 0
          ? `User [user${i}@example.com] signed in from [192.0.2.${i}]`
          : `Rotated key ${i}`,
    }),
  );
}

/** Counts `get` calls, as createMemorySource counts `list` calls in `requests`. */
function withGetCount<T extends Source>(source: T): T & { gets: number } {
  const counted = Object.assign(source, { gets: 0 });
  const get = source.get.bind(source);
  counted.get = (...args) => {
    counted.gets += 1;
    return get(...args);
  };
  return counted;
}

function setup() {
  const make = (id: string, kind: AuditEvent['kind']) =>
    withGetCount(createMemorySource({ id, kind, maxPageSize: 50, events: eventsOf(id, kind, 12) }));
  const fastly = make('fastly', 'fastly');
  const nirvana = make('nirvana', 'nirvana');
  const secret = make('hr-fusionauth', 'fusionauth-audit-log');
  const sources = [fastly, nirvana, secret];
  const codec = createCursorCodec(SECRET);
  const feed = createFeed({ sources, cursorCodec: codec, now: () => NOW, maxFirst: 100 });
  const read = (
    principal: Principal | undefined,
    filter: EventFilterInput = {},
    options: { first?: number; after?: string | null } = {},
  ) =>
    feed.readPage({
      first: options.first ?? 100,
      after: options.after ?? null,
      filter: normalizeFilter(filter),
      order: 'desc',
      ...(principal === undefined ? {} : { principal }),
    });
  const calls = () => sources.map((source) => source.requests.length + source.gets);
  return { feed, fastly, nirvana, secret, read, calls, codec };
}

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AuditgraphError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('a principal limited to some sources', () => {
  it('selects, calls and reports only the sources it may read', async () => {
    const { read, fastly, nirvana, secret } = setup();
    const page = await read(DASHBOARD);
    expect(page.sources.map((outcome) => outcome.source.id)).toEqual(['fastly', 'nirvana']);
    expect(new Set(page.edges.map((edge) => edge.event.sourceId))).toEqual(
      new Set(['fastly', 'nirvana']),
    );
    expect(page.edges).toHaveLength(24);
    expect(fastly.requests.length).toBeGreaterThan(0);
    expect(nirvana.requests.length).toBeGreaterThan(0);
    expect(secret.requests).toHaveLength(0);
  });

  it('reads every source for a principal that may read them all, and by default', async () => {
    const { read, secret } = setup();
    expect((await read(AUDITOR)).sources).toHaveLength(3);
    expect((await read(undefined)).sources).toHaveLength(3);
    expect(secret.requests.length).toBe(2);
  });

  it('narrows its own sources with filter.sources and filter.providers', async () => {
    const { read } = setup();
    const bySource = await read(DASHBOARD, { sourceIds: ['nirvana'] });
    const byProvider = await read(DASHBOARD, { providers: ['FUSIONAUTH', 'NIRVANA'] });
    expect(bySource.sources.map((outcome) => outcome.source.id)).toEqual(['nirvana']);
    expect(byProvider.sources.map((outcome) => outcome.source.id)).toEqual(['nirvana']);
  });

  it.each([
    ['a configured source it may not read', 'hr-fusionauth'],
    ['a source that does not exist', 'no-such-source'],
  ])(
    'is FORBIDDEN to name %s in filter.sources, with the same message, and no source is called',
    async (_case, sourceId) => {
      const { read, calls } = setup();
      const failure = await failureOf(read(DASHBOARD, { sourceIds: ['fastly', sourceId] }));
      expect(failure).toEqual({
        code: 'FORBIDDEN',
        message: `you may not read source ${JSON.stringify(sourceId)}`,
      });
      expect(calls()).toEqual([0, 0, 0]);
    },
  );

  it('keeps BAD_USER_INPUT for an unknown source when the principal may read every source', async () => {
    const { read, calls } = setup();
    const failure = await failureOf(read(AUDITOR, { sourceIds: ['no-such-source'] }));
    expect(failure.code).toBe('BAD_USER_INPUT');
    expect(calls()).toEqual([0, 0, 0]);
  });

  it('reads an event of a forbidden source by id as null, as if it did not exist, without calling it', async () => {
    const { feed, secret, fastly } = setup();
    const hidden = feed.eventIds.encode(secret.events[0]!);
    expect(await feed.readEvent(hidden, {}, DASHBOARD)).toBeNull();
    expect(secret.gets).toBe(0);
    const visible = feed.eventIds.encode(fastly.events[0]!);
    expect(await feed.readEvent(visible, {}, DASHBOARD)).toEqual(fastly.events[0]);
    expect(await feed.readEvent(hidden, {}, AUDITOR)).toEqual(secret.events[0]);
    expect(await feed.readEvent(hidden)).toEqual(secret.events[0]);
  });

  it('lists only the sources it may read', () => {
    const { feed } = setup();
    expect(feed.readableSources(DASHBOARD).map((source) => source.id)).toEqual([
      'fastly',
      'nirvana',
    ]);
    expect(feed.readableSources(AUDITOR)).toHaveLength(3);
    expect(feed.readableSources()).toHaveLength(3);
  });
});

describe("a principal's cursors", () => {
  it('are refused for another principal, as BAD_USER_INPUT, before any source is called', async () => {
    const { read, calls } = setup();
    const page = await read(AUDITOR, {}, { first: 5 });
    const before = calls();
    const failure = await failureOf(
      read({ ...AUDITOR, id: 'someone-else' }, {}, { first: 5, after: page.endCursor }),
    );
    expect(failure).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'the cursor was made for another client; start again without `after`',
    });
    expect(calls()).toEqual(before);
  });

  it('carry the traversal on for the same principal', async () => {
    const { read } = setup();
    const first = await read(DASHBOARD, {}, { first: 10 });
    const second = await read(DASHBOARD, {}, { first: 100, after: first.endCursor });
    expect(first.edges.length + second.edges.length).toBe(24);
    expect(second.hasNextPage).toBe(false);
  });

  it('drop a lagging source the principal may no longer read, rather than be refused', async () => {
    const { read, nirvana, codec } = setup();
    const list = nirvana.list.bind(nirvana);
    nirvana.list = () =>
      Promise.reject(
        new AuditgraphError('SOURCE_UNAVAILABLE', 'source nirvana could not be reached', {
          sourceId: 'nirvana',
        }),
      );
    const page1 = await read(DASHBOARD, {}, { first: 5 });
    expect(page1.sources.find((outcome) => outcome.source.id === 'nirvana')?.state).toBe('FAILED');
    const decode = (cursor: string | null) =>
      codec.decode(cursor!, {
        order: 'desc',
        filterHash: hashFilter(normalizeFilter({})),
        principalId: DASHBOARD.id,
      });
    expect(decode(page1.endCursor).lagging?.map((entry) => entry.sourceId)).toEqual(['nirvana']);

    nirvana.list = list;
    const requestsBefore = nirvana.requests.length;
    const narrowed: Principal = { ...DASHBOARD, sourceIds: new Set(['fastly']) };
    const page2 = await read(narrowed, {}, { first: 5, after: page1.endCursor });
    expect(page2.sources.map((outcome) => outcome.source.id)).toEqual(['fastly']);
    expect(nirvana.requests.length).toBe(requestsBefore);
    expect(decode(page2.endCursor).lagging).toBeUndefined();
  });
});

describe('a principal without the pii permission', () => {
  it.each<[string, EventFilterInput]>([
    ['actorEmails', { actorEmails: ['user0@example.com'] }],
    ['ipAddress', { ipAddress: '192.0.2.0/24' }],
    ['actorIds with an @', { actorIds: ['u1', 'user0@example.com'] }],
    ['actorIds holding an IP address', { actorIds: ['192.0.2.1'] }],
  ])('is FORBIDDEN to filter on %s, and no source is called', async (_field, filter) => {
    const { read, calls } = setup();
    expect((await failureOf(read(DASHBOARD, filter))).code).toBe('FORBIDDEN');
    expect(calls()).toEqual([0, 0, 0]);
    // The same filter is fine with the permission.
    await expect(read({ ...DASHBOARD, pii: true }, filter)).resolves.toBeDefined();
  });

  it('may filter on actor ids that are not personal data', async () => {
    const { read } = setup();
    await expect(read(DASHBOARD, { actorIds: ['u1', 'svc-deploy'] })).resolves.toBeDefined();
  });

  it('has text matched against the redacted description, so it cannot find what it may not see', async () => {
    const { read } = setup();
    const ids = async (principal: Principal, text: string) =>
      (await read(principal, { text })).edges.map((edge) => edge.event.nativeId);
    const withPii: Principal = { ...DASHBOARD, pii: true };
    expect(await ids(withPii, 'user2@example')).toEqual(['nirvana-2', 'fastly-2']);
    // Part of an address it may not search for; the part before the `@` is in no redacted text.
    expect(await ids(DASHBOARD, 'user2')).toEqual([]);
    expect(await ids(DASHBOARD, '192.0.2')).toEqual([]);
    // What it sees, it can find: the redaction marker, and the words around it.
    expect(await ids(DASHBOARD, '[REDACTED]] signed in from [[redacted')).toHaveLength(12);
    expect(await ids(withPii, '[redacted]')).toEqual([]);
  });

  it('has text applied by the feed, never handed to an upstream to match the original', async () => {
    const { read, secret } = setup();
    const everyone: Principal = { ...DASHBOARD, sourceIds: null };
    await read(everyone, { text: 'signed in' });
    expect(secret.requests.length).toBeGreaterThan(0);
    expect(secret.requests.every((query) => query.filter?.text === null)).toBe(true);
    const withPii: Principal = { ...everyone, pii: true };
    const before = secret.requests.length;
    await read(withPii, { text: 'signed in' });
    expect(secret.requests.slice(before).every((query) => query.filter?.text === 'signed in')).toBe(
      true,
    );
  });

  it('reads the same events as ANONYMOUS_PRINCIPAL when no filter touches personal data', async () => {
    const { read } = setup();
    const everyone: Principal = { ...DASHBOARD, sourceIds: null };
    const ids = (page: Awaited<ReturnType<typeof read>>) =>
      page.edges.map((edge) => edge.event.nativeId);
    expect(ids(await read(everyone, { actions: ['service.update'] }))).toEqual(
      ids(await read(ANONYMOUS_PRINCIPAL, { actions: ['service.update'] })),
    );
  });
});
