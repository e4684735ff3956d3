import type { SourceConfig } from '../../src/config/types';
import { generateCloudflareV1Records } from '../../src/emulators/cloudflare-v1/generateCloudflareV1Records';
import { startCloudflareV1Emulator } from '../../src/emulators/cloudflare-v1/startCloudflareV1Emulator';
import { generateCloudflareV2Records } from '../../src/emulators/cloudflare-v2/generateCloudflareV2Records';
import { startCloudflareV2Emulator } from '../../src/emulators/cloudflare-v2/startCloudflareV2Emulator';
import { createRandom } from '../../src/emulators/dataset/createRandom';
import { createPeople } from '../../src/emulators/dataset/people';
import { generateFastlyRecords } from '../../src/emulators/fastly/generateFastlyRecords';
import { startFastlyEmulator } from '../../src/emulators/fastly/startFastlyEmulator';
import { generateFusionAuthAuditLogRecords } from '../../src/emulators/fusionauth/generateFusionAuthAuditLogRecords';
import { generateFusionAuthEventLogRecords } from '../../src/emulators/fusionauth/generateFusionAuthEventLogRecords';
import { startFusionAuthEmulator } from '../../src/emulators/fusionauth/startFusionAuthEmulator';
import { generateNirvanaRecords } from '../../src/emulators/nirvana/generateNirvanaRecords';
import { startNirvanaEmulator } from '../../src/emulators/nirvana/startNirvanaEmulator';
import type { EmulatorServer } from '../../src/emulators/startEmulatorServer';
import { createCursorCodec } from '../../src/feed/createCursorCodec';
import type { Feed, FeedPage } from '../../src/feed/Feed';
import { createFeed } from '../../src/feed/createFeed';
import type { EventFilterInput } from '../../src/feed/eventFilter';
import { createEventMatcher, normalizeFilter } from '../../src/feed/eventFilter';
import { compareEventsInOrder } from '../../src/feed/eventKey';
import type { AuditEvent, SourceRef } from '../../src/model/AuditEvent';
import type { SortOrder } from '../../src/model/Source';
import { toCloudflareV1AuditEvent } from '../../src/providers/cloudflare-v1/toCloudflareV1AuditEvent';
import { toCloudflareV2AuditEvent } from '../../src/providers/cloudflare-v2/toCloudflareV2AuditEvent';
import type { SourceSet } from '../../src/providers/createSources';
import { createSources } from '../../src/providers/createSources';
import { EMULATOR_RATE_LIMITS } from '../../src/providers/sourceKinds';
import { toFastlyAuditEvent } from '../../src/providers/fastly/toFastlyAuditEvent';
import { toFusionAuthAuditLogAuditEvent } from '../../src/providers/fusionauth-audit-log/toFusionAuthAuditLogAuditEvent';
import { toFusionAuthEventLogAuditEvent } from '../../src/providers/fusionauth-event-log/toFusionAuthEventLogAuditEvent';
import { toNirvanaAuditEvent } from '../../src/providers/nirvana/toNirvanaAuditEvent';

/**
 * The promises of design.md §4 against all six real adapters and emulators at once, under what
 * real upstreams do: ties in a different order for every query (the emulators' default), a burst
 * of three times each API's largest page within one second, events landing while a client pages,
 * and filter bounds that fall exactly on events.
 */

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const NOW = T0 + 2 * 60 * 60_000;
const WINDOW = { fromMs: T0, toMs: T0 + 60 * 60_000 };
const TOKEN = 'hostile-test-token';
const KEY = 'hostile-test-key';
const ACCOUNT = '0123456789abcdef0123456789abcdef';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const hex = (n: number, length: number) => n.toString(16).padStart(length, '0');

/** Copies of `count` records, each with a new id and all at `atMs`: a burst in one second. */
function burst<R>(
  records: readonly R[],
  count: number,
  copy: (record: R, index: number) => R,
): R[] {
  return Array.from({ length: count }, (_, index) =>
    copy(records[index % records.length] as R, index),
  );
}

interface World {
  readonly feed: Feed;
  readonly expected: AuditEvent[];
  /** Adds an event that happened after the traversals' snapshot, to every source. */
  insertNewer(index: number): void;
  /** Adds a Cloudflare v2 event stamped at `atMs`, arriving late. */
  insertLateCloudflareV2(atMs: number, index: number): void;
  readonly burstSeconds: Readonly<Record<string, number>>;
  close(): Promise<void>;
}

async function startWorld(): Promise<World> {
  const random = createRandom(42);
  const people = createPeople(random.fork('people'), 8);
  const burstAt = (minute: number) => T0 + minute * 60_000;
  const burstSeconds = {
    fastly: burstAt(10),
    'cloudflare-v1': burstAt(20),
    'cloudflare-v2': burstAt(20),
    'fusionauth-event-log': burstAt(30),
    'fusionauth-audit-log': burstAt(40) + 123,
    nirvana: burstAt(50),
  };

  const fastlyBase = generateFastlyRecords(random.fork('fastly'), people, WINDOW, 150);
  const fastly = [
    ...fastlyBase,
    ...burst(fastlyBase, 300, (r, i) => ({
      ...r,
      id: `burst${String(i).padStart(17, '0')}`,
      attributes: { ...r.attributes, created_at: iso(burstSeconds.fastly) },
    })),
  ];
  const v1Base = generateCloudflareV1Records(random.fork('v1'), people, WINDOW, 150, {
    accountId: ACCOUNT,
  });
  const v1 = [
    ...v1Base,
    ...burst(v1Base, 3_000, (r, i) => ({
      ...r,
      id: `00000000-0000-4000-8000-${hex(i, 12)}`,
      when: iso(burstSeconds['cloudflare-v1']),
    })),
  ];
  const v2Base = generateCloudflareV2Records(random.fork('v2'), people, WINDOW, 150, {
    accountId: ACCOUNT,
  });
  const v2 = [
    ...v2Base,
    ...burst(v2Base, 3_000, (r, i) => ({
      ...r,
      id: hex(i, 32),
      action: { ...r.action, time: iso(burstSeconds['cloudflare-v2']) },
    })),
  ];
  const eventBase = generateFusionAuthEventLogRecords(random.fork('fae'), people, WINDOW, 150, 1);
  const eventLogs = [
    ...eventBase,
    ...burst(eventBase, 3_000, (r, i) => ({
      ...r,
      id: 100_000 + i,
      insertInstant: burstSeconds['fusionauth-event-log'],
    })),
  ];
  const auditBase = generateFusionAuthAuditLogRecords(random.fork('faa'), people, WINDOW, 150, 1);
  const auditLogs = [
    ...auditBase,
    ...burst(auditBase, 3_000, (r, i) => ({
      ...r,
      id: 100_000 + i,
      insertInstant: burstSeconds['fusionauth-audit-log'],
    })),
  ];
  const nirvanaBase = generateNirvanaRecords(random.fork('nv'), people, WINDOW, 150);
  const nirvana = [
    ...nirvanaBase,
    ...burst(nirvanaBase, 300, (r, i) => ({
      ...r,
      id: `00000000-0000-4000-8000-${hex(i, 12)}`,
      created_at: iso(burstSeconds.nirvana),
    })),
  ];

  const emulators = {
    fastly: await startFastlyEmulator({ records: fastly, token: TOKEN }),
    v1: await startCloudflareV1Emulator({ records: v1, token: TOKEN, accountId: ACCOUNT }),
    v2: await startCloudflareV2Emulator({ records: v2, token: TOKEN, accountId: ACCOUNT }),
    fusionAuth: await startFusionAuthEmulator({ eventLogs, auditLogs, apiKey: KEY }),
    nirvana: await startNirvanaEmulator({ records: nirvana, apiKey: KEY }),
  };
  const configs: SourceConfig[] = [
    { id: 'fastly', kind: 'fastly', baseUrl: emulators.fastly.url, token: TOKEN },
    {
      id: 'cloudflare-v1',
      kind: 'cloudflare-v1',
      baseUrl: `${emulators.v1.url}/client/v4`,
      token: TOKEN,
      accountId: ACCOUNT,
    },
    {
      id: 'cloudflare-v2',
      kind: 'cloudflare-v2',
      baseUrl: `${emulators.v2.url}/client/v4`,
      token: TOKEN,
      accountId: ACCOUNT,
    },
    {
      id: 'fusionauth-event-log',
      kind: 'fusionauth-event-log',
      baseUrl: emulators.fusionAuth.url,
      apiKey: KEY,
    },
    {
      id: 'fusionauth-audit-log',
      kind: 'fusionauth-audit-log',
      baseUrl: emulators.fusionAuth.url,
      apiKey: KEY,
    },
    { id: 'nirvana', kind: 'nirvana', baseUrl: emulators.nirvana.url, apiKey: KEY },
  ];
  const sourceSet: SourceSet = createSources(configs, {
    now: () => NOW,
    rateLimits: EMULATOR_RATE_LIMITS,
  });
  const ref = (id: string): SourceRef => ({ id, kind: configs.find((c) => c.id === id)!.kind });
  const expected = [
    ...fastly.map((r) => toFastlyAuditEvent(r, ref('fastly'))),
    ...v1.map((r) => toCloudflareV1AuditEvent(r, ref('cloudflare-v1'))),
    ...v2.map((r) => toCloudflareV2AuditEvent(r, ref('cloudflare-v2'))),
    ...eventLogs.map((r) => toFusionAuthEventLogAuditEvent(r, ref('fusionauth-event-log'))),
    ...auditLogs.map((r) => toFusionAuthAuditLogAuditEvent(r, ref('fusionauth-audit-log'))),
    ...nirvana.map((r) => toNirvanaAuditEvent(r, ref('nirvana'))),
  ];
  const feed = createFeed({
    sources: sourceSet.sources,
    cursorCodec: createCursorCodec('hostile-e2e-secret-0123456789abcdef'),
    now: () => NOW,
    maxFirst: 100,
  });
  const all: EmulatorServer[] = Object.values(emulators);
  return {
    feed,
    expected,
    burstSeconds,
    insertNewer(index) {
      const at = NOW + 1_000 * (index + 1);
      emulators.fastly.insert({
        ...fastlyBase[0]!,
        id: `newer${String(index).padStart(17, '0')}`,
        attributes: { ...fastlyBase[0]!.attributes, created_at: iso(at) },
      });
      emulators.v1.insert({
        ...v1Base[0]!,
        id: `10000000-0000-4000-8000-${hex(index, 12)}`,
        when: iso(at),
      });
      emulators.v2.insert({
        ...v2Base[0]!,
        id: `1${hex(index, 31)}`,
        action: { ...v2Base[0]!.action, time: iso(at) },
      });
      emulators.fusionAuth.insertEventLog({
        ...eventBase[0]!,
        id: 900_000 + index,
        insertInstant: at,
      });
      emulators.fusionAuth.insertAuditLog({
        ...auditBase[0]!,
        id: 900_000 + index,
        insertInstant: at,
      });
      emulators.nirvana.insertRecord({
        ...nirvanaBase[0]!,
        id: `10000000-0000-4000-8000-${hex(index, 12)}`,
        created_at: iso(at),
      });
    },
    insertLateCloudflareV2(atMs, index) {
      emulators.v2.insert({
        ...v2Base[0]!,
        id: `2${hex(index, 31)}`,
        action: { ...v2Base[0]!.action, time: iso(atMs) },
      });
    },
    close: async () => {
      await sourceSet.close();
      await Promise.all(all.map((emulator) => emulator.close()));
    },
  };
}

async function traverse(
  world: World,
  options: {
    first: number;
    order: SortOrder;
    filter?: EventFilterInput;
    betweenPages?: (page: FeedPage, index: number) => void;
  },
) {
  const filter = normalizeFilter(options.filter ?? {});
  const delivered: AuditEvent[] = [];
  let after: string | null = null;
  for (let index = 0; ; index += 1) {
    const page: FeedPage = await world.feed.readPage({
      first: options.first,
      after,
      filter,
      order: options.order,
    });
    expect(page.sources.every((source) => source.state === 'OK')).toBe(true);
    delivered.push(...page.edges.map((edge) => edge.event));
    if (!page.hasNextPage) return delivered;
    options.betweenPages?.(page, index);
    after = page.endCursor;
  }
}

const keys = (events: readonly AuditEvent[]) => events.map((e) => `${e.sourceId}/${e.nativeId}`);

describe('the feed against six hostile upstreams at once', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world.close());

  it('delivers every event exactly once, newest first, with bursts of three upstream pages in one second', async () => {
    // 135 pages, 120 of them re-reading a 3,000-event group: slow by design, so a generous limit.
    const delivered = await traverse(world, { first: 100, order: 'desc' });
    expect(keys(delivered)).toEqual(keys([...world.expected].sort(compareEventsInOrder('desc'))));
  }, 180_000);

  it.each([
    [
      'a burst second exactly, since inclusive and before exclusive',
      (w: World) => ({
        sinceMs: w.burstSeconds['fastly']!,
        beforeMs: w.burstSeconds['fastly']! + 1_000,
      }),
    ],
    [
      'bounds one millisecond inside a FusionAuth burst',
      (w: World) => ({
        sinceMs: w.burstSeconds['fusionauth-audit-log']!,
        beforeMs: w.burstSeconds['fusionauth-audit-log']! + 1,
      }),
    ],
    [
      'bounds that end exactly on the Cloudflare bursts',
      (w: World) => ({ sinceMs: T0 + 15 * 60_000, beforeMs: w.burstSeconds['cloudflare-v1']! }),
    ],
  ])('respects %s on every source', async (_name, bounds) => {
    const filter = bounds(world);
    const delivered = await traverse(world, { first: 100, order: 'desc', filter });
    const matches = createEventMatcher(normalizeFilter(filter));
    const expected = world.expected.filter(matches).sort(compareEventsInOrder('desc'));
    expect(expected.length).toBeGreaterThan(0);
    expect(keys(delivered)).toEqual(keys(expected));
  });

  it('keeps its snapshot while newer events land and Cloudflare v2 events arrive late behind the cursor (run last: it adds events)', async () => {
    // The first quarter hour: the Fastly burst, not the slow-to-page Cloudflare and FusionAuth ones.
    const filter = { sinceMs: T0, beforeMs: T0 + 15 * 60_000 };
    const delivered = await traverse(world, {
      first: 50,
      order: 'asc',
      filter,
      betweenPages: (page, index) => {
        world.insertNewer(index);
        const last = page.edges[page.edges.length - 1]!.event;
        world.insertLateCloudflareV2(Math.max(T0, last.occurredAtMs - 1_000), index);
      },
    });
    const matches = createEventMatcher(normalizeFilter(filter));
    expect(keys(delivered)).toEqual(
      keys(world.expected.filter(matches).sort(compareEventsInOrder('asc'))),
    );
  });
});
