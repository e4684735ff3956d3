import fc from 'fast-check';
import type { Measurement } from '../support/pushdownMeasurement';
import {
  deliveredBy,
  filterArbitrary,
  measureTraversal,
  report,
  traverseFeed,
} from '../support/pushdownMeasurement';
import { createRandom } from '../../src/emulators/dataset/createRandom';
import { createPeople } from '../../src/emulators/dataset/people';
import { generateNirvanaRecords } from '../../src/emulators/nirvana/generateNirvanaRecords';
import { startNirvanaEmulator } from '../../src/emulators/nirvana/startNirvanaEmulator';
import type { RecordedRequest } from '../../src/emulators/startEmulatorServer';
import type { FeedPage } from '../../src/feed/Feed';
import {
  createEventMatcher,
  normalizeFilter,
  type EventFilter,
  type EventFilterInput,
} from '../../src/feed/eventFilter';
import { compareEventsInOrder } from '../../src/feed/eventKey';
import type { AuditEvent } from '../../src/model/AuditEvent';
import type { SortOrder, Source } from '../../src/model/Source';
import { createNirvanaSource } from '../../src/providers/nirvana/createNirvanaSource';
import { toNirvanaAuditEvent } from '../../src/providers/nirvana/toNirvanaAuditEvent';
import { capabilitiesOf, planKindPushdown } from '../support/planKindPushdown';
import { listAll } from '../support/describeSourceContract';
import { useSourceTestKit } from '../support/sourceTestKit';

/*
 * Filter pushdown of Nirvana's audit log (design.md §5), against the emulator and a generated
 * dataset: what each filter field becomes in the query string, that what comes back is exactly
 * the matching events, and that a whole feed traversal equals brute force, also when the API
 * hands out a cursor to an empty last page.
 */

const SOURCE_ID = 'nirvana';
const KIND = 'nirvana';
const TO_MS = Date.UTC(2026, 2, 5);
const WINDOW = { fromMs: TO_MS - 14 * 86_400_000, toMs: TO_MS };
const NOW = TO_MS + 60_000;

const random = createRandom(11);
const people = createPeople(random.fork('people'));
const RECORDS = generateNirvanaRecords(random.fork('nirvana'), people, WINDOW, 500);
/** For measuring what pushdown saves: a few thousand entries. */
const LARGE_RECORDS = generateNirvanaRecords(random.fork('nirvana-large'), people, WINDOW, 3000);
const toEvents = (records: typeof RECORDS): AuditEvent[] =>
  records.map((record) => toNirvanaAuditEvent(record, { id: SOURCE_ID, kind: KIND }));
const EVENTS: readonly AuditEvent[] = toEvents(RECORDS);
const LARGE_EVENTS: readonly AuditEvent[] = toEvents(LARGE_RECORDS);

const kit = useSourceTestKit({
  startEmulator: () => startNirvanaEmulator({ records: RECORDS }),
  sourceId: SOURCE_ID,
  createSource: (http, emulator) =>
    createNirvanaSource({ id: SOURCE_ID, apiKey: emulator.apiKey }, { http, now: () => NOW }),
});
const large = useSourceTestKit({
  startEmulator: () => startNirvanaEmulator({ records: LARGE_RECORDS }),
  sourceId: SOURCE_ID,
  createSource: (http, emulator) =>
    createNirvanaSource({ id: SOURCE_ID, apiKey: emulator.apiKey }, { http, now: () => NOW }),
});
const quirky = useSourceTestKit({
  startEmulator: () => startNirvanaEmulator({ records: RECORDS, emptyPageAfterLastCursor: true }),
  sourceId: SOURCE_ID,
  createSource: (http, emulator) =>
    createNirvanaSource({ id: SOURCE_ID, apiKey: emulator.apiKey }, { http, now: () => NOW }),
});

const PAGING = new Set(['limit', 'sort', 'created_at_min', 'created_at_max', 'cursor']);

/** The filter parameters of a list request: its query string without time, order and paging. */
function criteriaOf(request: RecordedRequest): Record<string, string> {
  return Object.fromEntries([...request.query].filter(([key]) => !PAGING.has(key)));
}

const idsOf = (events: readonly AuditEvent[]) => events.map((event) => event.nativeId);
const sortedIds = (events: readonly AuditEvent[]) => idsOf(events).sort();

function bruteForce(filter: EventFilter, order: SortOrder = 'asc'): AuditEvent[] {
  return EVENTS.filter(createEventMatcher(filter)).sort(compareEventsInOrder(order));
}

async function listThroughAdapter(
  filter: EventFilter,
  source: Source = kit.source,
): Promise<{ events: AuditEvent[]; pages: number }> {
  return listAll(source, {
    order: 'asc',
    sinceMs: WINDOW.fromMs,
    beforeMs: NOW,
    pageSize: 100,
    filter,
  });
}

const traverse = (
  filter: EventFilter,
  options: { order: SortOrder; first: number; budget?: number; source?: Source },
): Promise<FeedPage[]> =>
  traverseFeed(options.source ?? kit.source, filter, { ...options, nowMs: NOW });

const delivered = deliveredBy;

/** The values a field takes in the dataset, the most frequent first. */
function byFrequency(
  events: readonly AuditEvent[],
  read: (event: AuditEvent) => string | null | undefined,
): string[] {
  const counts = new Map<string, number>();
  for (const event of events) {
    const value = read(event);
    if (value !== null && value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([value]) => value);
}

const [ACTION = 'vm.created'] = byFrequency(EVENTS, (e) => e.action).slice(3);
const USER_ID =
  byFrequency(EVENTS, (e) => (e.actor?.type === 'USER' ? e.actor.id : null))[0] ?? 'u';
const [TARGET_ID = 'vm-1'] = byFrequency(EVENTS, (e) => e.resource?.id);
const [IP = '192.0.2.1'] = byFrequency(EVENTS, (e) => e.request?.ip).slice(2);

describe('the nirvana pushdown', () => {
  it('holds a dataset of users and API keys, failures, targets and addresses', () => {
    expect(new Set(EVENTS.map((e) => e.actor?.type))).toEqual(new Set(['USER', 'API_KEY']));
    expect(new Set(EVENTS.map((e) => e.outcome))).toEqual(new Set(['SUCCESS', 'FAILURE']));
    expect(EVENTS.filter((e) => e.resource?.id === TARGET_ID).length).toBeGreaterThan(1);
    expect(EVENTS.filter((e) => e.request?.ip === IP).length).toBeGreaterThan(1);
  });

  // (a) every field of the table's row, as the parameter it documents, with the right value.
  const SENT: readonly [string, EventFilterInput, Record<string, string>][] = [
    ['one action as action', { actions: [ACTION] }, { action: ACTION }],
    ['outcome SUCCESS as status_code_max=399', { outcome: 'SUCCESS' }, { status_code_max: '399' }],
    ['outcome FAILURE as status_code_min=400', { outcome: 'FAILURE' }, { status_code_min: '400' }],
    ['one actor id as actor_id', { actorIds: [USER_ID] }, { actor_id: USER_ID }],
    ['actor type USER as actor_type=user', { actorTypes: ['USER'] }, { actor_type: 'user' }],
    [
      'actor type API_KEY as actor_type=api_key',
      { actorTypes: ['API_KEY'] },
      { actor_type: 'api_key' },
    ],
    ['one resource type as target_type', { resourceTypes: ['volume'] }, { target_type: 'volume' }],
    ['one resource id as target_id', { resourceIds: [TARGET_ID] }, { target_id: TARGET_ID }],
    ['one address as client_ip', { ipAddress: IP }, { client_ip: IP }],
    [
      'an IPv4-mapped address as the IPv4 client_ip',
      { ipAddress: `::FFFF:${IP}` },
      { client_ip: IP },
    ],
    [
      'several fields at once',
      { actions: [ACTION], actorTypes: ['API_KEY'], outcome: 'SUCCESS' },
      { action: ACTION, actor_type: 'api_key', status_code_max: '399' },
    ],
  ];

  it('has a case for every field of its row in the pushdown table', () => {
    const covered = new Set(
      SENT.flatMap(([, input]) => Object.keys(planKindPushdown(KIND, normalizeFilter(input)))),
    );
    expect([...covered].sort()).toEqual(Object.keys(capabilitiesOf(KIND)).sort());
  });

  it.each(SENT)(
    'sends %s on every page, and gets back exactly the matches',
    async (_case, input, criteria) => {
      const filter = normalizeFilter(input);
      const expected = bruteForce(filter);
      expect(expected.length).toBeGreaterThan(0);
      const { events: listed } = await listThroughAdapter(filter);
      expect(kit.emulator.requests.length).toBeGreaterThan(0);
      for (const request of kit.emulator.requests) expect(criteriaOf(request)).toEqual(criteria);
      // Every field Nirvana takes is pushed: the upstream applies it exactly.
      expect(sortedIds(listed)).toEqual(sortedIds(expected));
    },
  );

  it('pages one filtered chain with its cursor, the filter repeated on every page', async () => {
    const filter = normalizeFilter({ actorTypes: ['USER'] });
    const { pages } = await listThroughAdapter(filter);
    expect(pages).toBeGreaterThan(2);
    const [first, ...rest] = kit.emulator.requests;
    expect(first?.query.get('cursor')).toBeNull();
    for (const request of rest) expect(request.query.get('cursor')).toEqual(expect.any(String));
  });

  // (b) what the plan leaves to the feed is not sent.
  const RESIDUAL: readonly [string, EventFilterInput, Record<string, string>][] = [
    ['two actions', { actions: [ACTION, 'vm.created'] }, {}],
    ['an address range', { ipAddress: `${IP.split('.').slice(0, 3).join('.')}.0/24` }, {}],
    ['an address with a zone', { ipAddress: 'fe80::1%eth0' }, {}],
    [
      'two actor ids beside one action',
      { actorIds: [USER_ID, 'ak_0'], actions: [ACTION] },
      { action: ACTION },
    ],
    ['an actor type Nirvana has not', { actorTypes: ['ACCOUNT'] }, {}],
    ['two actor types', { actorTypes: ['USER', 'API_KEY'] }, {}],
    ['two resource ids', { resourceIds: [TARGET_ID, 'vm-1'] }, {}],
    ['outcome UNKNOWN', { outcome: 'UNKNOWN' }, {}],
    [
      'fields Nirvana cannot filter',
      { text: 'vm.', categories: ['CREATE'], actorEmails: ['a@example.com'] },
      {},
    ],
  ];

  it.each(RESIDUAL)('leaves %s to the feed', async (_case, input, criteria) => {
    const filter = normalizeFilter(input);
    const { events: listed } = await listThroughAdapter(filter);
    for (const request of kit.emulator.requests) expect(criteriaOf(request)).toEqual(criteria);
    expect(sortedIds(listed.filter(createEventMatcher(filter)))).toEqual(
      sortedIds(bruteForce(filter)),
    );
  });

  // (c) the whole way through the feed, for random filters over values the dataset holds.
  it('delivers, through the feed, exactly the matching events for any filter', async () => {
    await fc.assert(
      fc.asyncProperty(
        filterArbitrary(EVENTS, SOURCE_ID),
        fc.constantFrom<SortOrder>('asc', 'desc'),
        fc.constantFrom(25, 50, 100),
        fc.constantFrom(1, 3, 20),
        async (input, order, first, budget) => {
          const filter = normalizeFilter(input);
          const pages = await traverse(filter, { order, first, budget });
          expect(idsOf(delivered(pages))).toEqual(idsOf(bruteForce(filter, order)));
        },
      ),
      { numRuns: 30 },
    );
  });

  // (d) what pushing saves: upstream requests and rows per feed page of 50, the same events
  // selected either way.
  it.each([
    ['an actor id', (e: AuditEvent) => e.actor?.id, 'actorIds'],
    ['a resource id', (e: AuditEvent) => e.resource?.id, 'resourceIds'],
  ] as const)(
    'reads fewer upstream pages per feed page when it pushes %s',
    async (_case, read, field) => {
      // A value of about one event in twenty, or the rarest.
      const values = byFrequency(LARGE_EVENTS, read);
      const value =
        values.find(
          (v) => LARGE_EVENTS.filter((e) => read(e) === v).length <= LARGE_EVENTS.length / 20,
        ) ??
        values[0] ??
        '';
      const pushed = await measure(normalizeFilter({ [field]: [value] }));
      // A second value no entry has keeps the same events but makes the field residual.
      const residual = await measure(normalizeFilter({ [field]: [value, 'no-such-value'] }));
      report(`nirvana, ${field}: [${value}]`, LARGE_RECORDS.length, pushed, residual);
      expect(pushed.events).toBe(residual.events);
      expect(pushed.events).toBeGreaterThan(0);
      expect(pushed.requests).toBeLessThan(residual.requests);
      expect(pushed.rows).toBeLessThan(residual.rows);
    },
  );
});

describe('the nirvana source, when the last page hands out a cursor to an empty page', () => {
  it('follows it once, to the empty page, and ends there', async () => {
    const filter = normalizeFilter({ actorTypes: ['USER'] });
    const expected = bruteForce(filter);
    const { events, pages } = await listThroughAdapter(filter, quirky.source);
    expect(sortedIds(events)).toEqual(sortedIds(expected));
    expect(pages).toBe(Math.ceil(expected.length / 100) + 1);
    const last = quirky.emulator.requests.at(-1);
    expect(last?.query.get('cursor')).toEqual(expect.any(String));
  });

  it('delivers every matching event through the feed, with an exact hasNextPage', async () => {
    for (const input of [{}, { actions: [ACTION] }, { actions: [ACTION, 'vm.created'] }]) {
      const filter = normalizeFilter(input);
      for (const order of ['asc', 'desc'] as const) {
        const pages = await traverse(filter, { order, first: 50, source: quirky.source });
        expect(idsOf(delivered(pages))).toEqual(idsOf(bruteForce(filter, order)));
        // hasNextPage was exact: no page promised more and then came back empty.
        expect(pages.at(-1)?.edges.length ?? 0).toBeGreaterThan(0);
      }
    }
  });
});

/** A full traversal in feed pages of 50, counting what it cost upstream. */
const measure = (filter: EventFilter): Promise<Measurement> =>
  measureTraversal(large.source, filter, NOW);
