import { createRandom } from '../../src/emulators/dataset/createRandom';
import { createPeople } from '../../src/emulators/dataset/people';
import { generateFastlyRecords } from '../../src/emulators/fastly/generateFastlyRecords';
import { startFastlyEmulator } from '../../src/emulators/fastly/startFastlyEmulator';
import { normalizeFilter } from '../../src/feed/eventFilter';
import { createHttpClient } from '../../src/http/createHttpClient';
import type { SourceRef } from '../../src/model/AuditEvent';
import type { ListPage } from '../../src/model/Source';
import { createFastlySource } from '../../src/providers/fastly/createFastlySource';
import type { FastlyRecordWire } from '../../src/providers/fastly/fastlyWire';
import { toFastlyAuditEvent } from '../../src/providers/fastly/toFastlyAuditEvent';
import {
  byFrequency,
  describePushdownSuite,
  valueNearShare,
  wholeQuery,
  type StartedSource,
} from '../support/describePushdownSuite';

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 8) };
const NOW = WINDOW.toMs + 86_400_000;
const SOURCE: SourceRef = { id: 'fastly-pushdown', kind: 'fastly' };

function dataset(seed: number, count: number): FastlyRecordWire[] {
  const random = createRandom(seed);
  const people = createPeople(random.fork('people'));
  return generateFastlyRecords(random.fork('fastly'), people, WINDOW, count);
}

async function startOn(
  records: readonly FastlyRecordWire[],
  omitMeta = false,
): Promise<StartedSource> {
  const emulator = await startFastlyEmulator({ records, omitMeta });
  const http = createHttpClient({ baseUrl: emulator.url, sourceId: SOURCE.id });
  return {
    source: createFastlySource({ id: SOURCE.id, token: emulator.token }, { http, now: () => NOW }),
    emulator,
    close: async () => {
      await http.close();
      await emulator.close();
    },
  };
}

const RECORDS = dataset(20260311, 300);
const EVENTS = RECORDS.map((record) => toFastlyAuditEvent(record, SOURCE));
const ACTIONS = byFrequency(EVENTS.map((e) => e.action));
const ACTOR_IDS = byFrequency(EVENTS.map((e) => e.actor?.id));
const SERVICE_IDS = byFrequency(EVENTS.map((e) => e.resource?.id));
const LARGE_RECORDS = dataset(20260312, 3000);
const LARGE_EVENTS = LARGE_RECORDS.map((record) => toFastlyAuditEvent(record, SOURCE));
const [action = '', otherAction = ''] = ACTIONS;
const [actorId = '', otherActorId = ''] = ACTOR_IDS;
const [serviceId = '', otherServiceId = ''] = SERVICE_IDS;

describePushdownSuite({
  kind: 'fastly',
  sourceId: SOURCE.id,
  events: EVENTS,
  nowMs: NOW,
  filterKeys: [
    'filter[event_type]',
    'filter[user_id]',
    'filter[service_id]',
    'filter[customer_id]',
    'filter[token_id]',
  ],
  start: () => startOn(RECORDS),
  startQuirky: () => startOn(RECORDS, true),
  pushed: [
    {
      title: 'one action as filter[event_type]',
      filter: { actions: [action] },
      params: { 'filter[event_type]': [action] },
    },
    {
      title: 'one actor id as filter[user_id]',
      filter: { actorIds: [actorId] },
      params: { 'filter[user_id]': [actorId] },
    },
    {
      title: 'one resource id as filter[service_id]',
      filter: { resourceIds: [serviceId] },
      params: { 'filter[service_id]': [serviceId] },
    },
  ],
  residual: [
    // filter[…] takes one value: a second one would replace the first, not add to it.
    { title: 'two actions', filter: { actions: [action, otherAction] } },
    { title: 'two actor ids', filter: { actorIds: [actorId, otherActorId] } },
    { title: 'two resource ids', filter: { resourceIds: [serviceId, otherServiceId] } },
    { title: 'categories', filter: { categories: ['UPDATE'] } },
    { title: 'an outcome', filter: { outcome: 'FAILURE' } },
    { title: 'actor types', filter: { actorTypes: ['PROVIDER_ADMIN'] } },
    { title: 'resource types', filter: { resourceTypes: ['service'] } },
    { title: 'an address', filter: { ipAddress: '203.0.113.250' } },
    { title: 'text', filter: { text: 'Version' } },
  ],
  measurement: {
    start: () => startOn(LARGE_RECORDS),
    events: LARGE_EVENTS,
    filter: {
      actions: [
        valueNearShare(
          LARGE_EVENTS.map((e) => e.action),
          0.08,
        ),
      ],
    },
  },
});

describe('the Fastly source with a filter', () => {
  let plain: StartedSource;
  let withoutMeta: StartedSource;
  beforeAll(async () => {
    plain = await startOn(RECORDS);
    withoutMeta = await startOn(RECORDS, true);
  });
  afterAll(async () => {
    await plain.close();
    await withoutMeta.close();
  });

  async function chain(started: StartedSource, pageSize: number): Promise<ListPage[]> {
    const query = wholeQuery(EVENTS, normalizeFilter({ actions: [action] }), 'desc', pageSize);
    const pages: ListPage[] = [];
    let continuation: string | null = null;
    do {
      const page: ListPage = await started.source.list(query, continuation);
      pages.push(page);
      continuation = page.next;
    } while (continuation !== null && pages.length < 100);
    return pages;
  }

  it('reads a chain without meta to its end by the links, and reports no total', async () => {
    const expected = EVENTS.filter((e) => e.action === action);
    const pageSize = Math.ceil(expected.length / 3);
    const withMeta = await chain(plain, pageSize);
    const bare = await chain(withoutMeta, pageSize);
    expect(bare.map((page) => page.events.length)).toEqual(
      withMeta.map((page) => page.events.length),
    );
    expect(bare.flatMap((page) => page.events)).toHaveLength(expected.length);
    expect(bare.map((page) => page.total)).toEqual(bare.map(() => null));
    expect(withMeta[0]?.total).toBe(expected.length);
  });

  it('asks nothing and answers no events for a blank value, which no event holds', async () => {
    plain.emulator.resetRequests();
    const page = await plain.source.list(
      wholeQuery(EVENTS, normalizeFilter({ actorIds: [''] }), 'desc', 20),
      null,
    );
    expect(page).toEqual({ events: [], next: null, total: 0 });
    expect(plain.emulator.requests).toHaveLength(0);
  });
});
