import { generateNirvanaRecords } from '../../src/emulators/nirvana/generateNirvanaRecords';
import { startNirvanaEmulator } from '../../src/emulators/nirvana/startNirvanaEmulator';
import { createEventMatcher, normalizeFilter, type EventFilter } from '../../src/feed/eventFilter';
import { compareEventsInOrder } from '../../src/feed/eventKey';
import type { AuditEvent, SourceRef } from '../../src/model/AuditEvent';
import { createNirvanaSource } from '../../src/providers/nirvana/createNirvanaSource';
import { toNirvanaAuditEvent } from '../../src/providers/nirvana/toNirvanaAuditEvent';
import { listPages } from '../support/describeSourceContract';
import {
  byFrequency,
  describePushdownSuite,
  idsOf,
  pushedForEach,
  queryParamsBut,
  sortedIds,
  traverse,
  wholeQuery,
} from '../support/describePushdownSuite';
import { generateDataset } from '../support/generateDataset';

/*
 * Filter pushdown of Nirvana's audit log (design.md §5): what each filter field becomes in the
 * query string, the upstream answering exactly the matching events, also when the API hands
 * out a cursor to an empty last page.
 */

const SOURCE: SourceRef = { id: 'nirvana', kind: 'nirvana' };
const TO_MS = Date.UTC(2026, 2, 5);
const WINDOW = { fromMs: TO_MS - 14 * 86_400_000, toMs: TO_MS };
const NOW = TO_MS + 60_000;

/** A dataset, and a few thousand entries beside it for measuring what pushdown saves. */
const [RECORDS, LARGE_RECORDS] = generateDataset(11, (random, people) => [
  generateNirvanaRecords(random.fork('nirvana'), people, WINDOW, 500),
  generateNirvanaRecords(random.fork('nirvana-large'), people, WINDOW, 3000),
]);
const toEvents = (records: typeof RECORDS) =>
  records.map((record) => toNirvanaAuditEvent(record, SOURCE));
const EVENTS = toEvents(RECORDS);
const LARGE_EVENTS = toEvents(LARGE_RECORDS);

const [ACTION = 'vm.created'] = byFrequency(EVENTS.map((e) => e.action)).slice(3);
const [USER_ID = 'u'] = byFrequency(
  EVENTS.map((e) => (e.actor?.type === 'USER' ? e.actor.id : null)),
);
const [TARGET_ID = 'vm-1'] = byFrequency(EVENTS.map((e) => e.resource?.id));
const [IP = '192.0.2.1'] = byFrequency(EVENTS.map((e) => e.request?.ip)).slice(2);

/** A value of about one event in twenty, or failing that the most frequent. */
function measuredValue(read: (event: AuditEvent) => string | null | undefined): string {
  const values = byFrequency(LARGE_EVENTS.map(read));
  const share = (value: string) => LARGE_EVENTS.filter((e) => read(e) === value).length;
  return values.find((value) => share(value) <= LARGE_EVENTS.length / 20) ?? values[0] ?? '';
}

const bruteForce = (filter: EventFilter, order: 'asc' | 'desc' = 'asc') =>
  EVENTS.filter(createEventMatcher(filter)).sort(compareEventsInOrder(order));

describe('the nirvana pushdown dataset', () => {
  it('holds users and API keys, failures, targets and addresses', () => {
    expect(new Set(EVENTS.map((e) => e.actor?.type))).toEqual(new Set(['USER', 'API_KEY']));
    expect(new Set(EVENTS.map((e) => e.outcome))).toEqual(new Set(['SUCCESS', 'FAILURE']));
    expect(EVENTS.filter((e) => e.resource?.id === TARGET_ID).length).toBeGreaterThan(1);
    expect(EVENTS.filter((e) => e.request?.ip === IP).length).toBeGreaterThan(1);
  });
});

const sources = describePushdownSuite({
  source: SOURCE,
  records: RECORDS,
  events: EVENTS,
  nowMs: NOW,
  startEmulator: (records) => startNirvanaEmulator({ records }),
  startQuirkyEmulator: (records) =>
    startNirvanaEmulator({ records, emptyPageAfterLastCursor: true }),
  createSource: ({ id, emulator, http, now }) =>
    createNirvanaSource({ id, apiKey: emulator.apiKey }, { http, now }),
  sentFilter: queryParamsBut(['limit', 'sort', 'created_at_min', 'created_at_max', 'cursor']),
  pushed: [
    { title: 'one action as action', filter: { actions: [ACTION] }, sends: { action: [ACTION] } },
    {
      title: 'outcome SUCCESS as status_code_max=399',
      filter: { outcome: 'SUCCESS' },
      sends: { status_code_max: ['399'] },
    },
    {
      title: 'outcome FAILURE as status_code_min=400',
      filter: { outcome: 'FAILURE' },
      sends: { status_code_min: ['400'] },
    },
    {
      title: 'one actor id as actor_id',
      filter: { actorIds: [USER_ID] },
      sends: { actor_id: [USER_ID] },
    },
    ...pushedForEach('actor type', 'actor_type', { USER: 'user', API_KEY: 'api_key' }, (type) => ({
      actorTypes: [type],
    })),
    {
      title: 'one resource type as target_type',
      filter: { resourceTypes: ['volume'] },
      sends: { target_type: ['volume'] },
    },
    {
      title: 'one resource id as target_id',
      filter: { resourceIds: [TARGET_ID] },
      sends: { target_id: [TARGET_ID] },
    },
    { title: 'one address as client_ip', filter: { ipAddress: IP }, sends: { client_ip: [IP] } },
    {
      title: 'an IPv4-mapped address as the IPv4 client_ip',
      filter: { ipAddress: `::FFFF:${IP}` },
      sends: { client_ip: [IP] },
    },
    {
      title: 'several fields at once',
      filter: { actions: [ACTION], actorTypes: ['API_KEY'], outcome: 'SUCCESS' },
      sends: { action: [ACTION], actor_type: ['api_key'], status_code_max: ['399'] },
    },
  ],
  residual: [
    { title: 'two actions', filter: { actions: [ACTION, 'vm.created'] } },
    {
      title: 'an address range',
      filter: { ipAddress: `${IP.split('.').slice(0, 3).join('.')}.0/24` },
    },
    { title: 'an address with a zone', filter: { ipAddress: 'fe80::1%eth0' } },
    {
      title: 'two actor ids, beside one action it sends,',
      filter: { actorIds: [USER_ID, 'ak_0'] },
      beside: { filter: { actions: [ACTION] }, sends: { action: [ACTION] } },
    },
    { title: 'an actor type Nirvana has not', filter: { actorTypes: ['ACCOUNT'] } },
    { title: 'two actor types', filter: { actorTypes: ['USER', 'API_KEY'] } },
    { title: 'two resource ids', filter: { resourceIds: [TARGET_ID, 'vm-1'] } },
    { title: 'outcome UNKNOWN', filter: { outcome: 'UNKNOWN' } },
    {
      title: 'fields Nirvana cannot filter',
      filter: { text: 'vm.', categories: ['CREATE'], actorEmails: ['a@example.com'] },
    },
  ],
  measurement: {
    records: LARGE_RECORDS,
    events: LARGE_EVENTS,
    cases: [
      { title: 'an actor id', filter: { actorIds: [measuredValue((e) => e.actor?.id)] } },
      {
        title: 'a rare resource id',
        filter: { resourceIds: [measuredValue((e) => e.resource?.id)] },
        rare: true,
      },
    ],
    // Nirvana's pages hold 100 entries at most: the feed alone reads many more of them.
    fewerRequests: true,
  },
});

describe('the nirvana source with a filter', () => {
  it('pages one filtered chain with its cursor', async () => {
    const filter = normalizeFilter({ actorTypes: ['USER'] });
    const { source, emulator } = sources.plain;
    const pages = await listPages(source, wholeQuery(EVENTS, filter, 'asc', 100));
    expect(pages.length).toBeGreaterThan(2);
    const [first, ...rest] = emulator.requests;
    expect(first?.query.get('cursor')).toBeNull();
    for (const request of rest) expect(request.query.get('cursor')).toEqual(expect.any(String));
  });
});

describe('the nirvana source, when the last page hands out a cursor to an empty page', () => {
  it('follows it once, to the empty page, and ends there', async () => {
    const filter = normalizeFilter({ actorTypes: ['USER'] });
    const expected = bruteForce(filter);
    const { source, emulator } = sources.quirky;
    const pages = await listPages(source, wholeQuery(EVENTS, filter, 'asc', 100));
    expect(sortedIds(pages.flatMap((page) => page.events))).toEqual(sortedIds(expected));
    expect(pages).toHaveLength(Math.ceil(expected.length / 100) + 1);
    expect(emulator.requests.at(-1)?.query.get('cursor')).toEqual(expect.any(String));
  });

  it('delivers every matching event through the feed, with an exact hasNextPage', async () => {
    for (const input of [{}, { actions: [ACTION] }, { actions: [ACTION, 'vm.created'] }]) {
      const filter = normalizeFilter(input);
      for (const order of ['asc', 'desc'] as const) {
        const { events, pages } = await traverse(sources.quirky.source, {
          filter,
          order,
          first: 50,
          nowMs: NOW,
        });
        expect(idsOf(events)).toEqual(idsOf(bruteForce(filter, order)));
        // hasNextPage was exact: no page promised more and then came back empty.
        expect(pages.at(-1)?.edges.length ?? 0).toBeGreaterThan(0);
      }
    }
  });
});
