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
import { generateFusionAuthEventLogRecords } from '../../src/emulators/fusionauth/generateFusionAuthEventLogRecords';
import { startFusionAuthEmulator } from '../../src/emulators/fusionauth/startFusionAuthEmulator';
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
import { createFusionAuthEventLogSource } from '../../src/providers/fusionauth-event-log/createFusionAuthEventLogSource';
import { toFusionAuthEventLogAuditEvent } from '../../src/providers/fusionauth-event-log/toFusionAuthEventLogAuditEvent';
import { capabilitiesOf, planKindPushdown } from '../support/planKindPushdown';
import { listAll } from '../support/describeSourceContract';
import { useSourceTestKit } from '../support/sourceTestKit';

/*
 * Filter pushdown of the FusionAuth event log (design.md §5), against the emulator and a
 * generated dataset: what each filter field becomes in the search body, that what comes back
 * holds every matching event, and that a whole feed traversal equals brute force.
 */

const SOURCE_ID = 'fa-events';
const KIND = 'fusionauth-event-log';
const TO_MS = Date.UTC(2026, 2, 5);
const WINDOW = { fromMs: TO_MS - 14 * 86_400_000, toMs: TO_MS };
const NOW = TO_MS + 60_000;

const random = createRandom(11);
const people = createPeople(random.fork('people'));
const RECORDS = generateFusionAuthEventLogRecords(random.fork('event-log'), people, WINDOW, 500);
/** For measuring what pushdown saves: a few thousand entries. */
const LARGE_RECORDS = generateFusionAuthEventLogRecords(
  random.fork('event-log-large'),
  people,
  WINDOW,
  3000,
);
const EVENTS: readonly AuditEvent[] = RECORDS.map((record) =>
  toFusionAuthEventLogAuditEvent(record, { id: SOURCE_ID, kind: KIND }),
);

const kit = useSourceTestKit({
  startEmulator: () => startFusionAuthEmulator({ eventLogs: RECORDS, auditLogs: [] }),
  sourceId: SOURCE_ID,
  createSource: (http, emulator) =>
    createFusionAuthEventLogSource(
      { id: SOURCE_ID, apiKey: emulator.apiKey },
      { http, now: () => NOW },
    ),
});
const large = useSourceTestKit({
  startEmulator: () => startFusionAuthEmulator({ eventLogs: LARGE_RECORDS, auditLogs: [] }),
  sourceId: SOURCE_ID,
  createSource: (http, emulator) =>
    createFusionAuthEventLogSource(
      { id: SOURCE_ID, apiKey: emulator.apiKey },
      { http, now: () => NOW },
    ),
});

const PAGING = new Set(['start', 'end', 'orderBy', 'numberOfResults', 'startRow']);

/** The filter criteria of a search request: its body's `search` without time and paging. */
function criteriaOf(request: RecordedRequest): Record<string, unknown> {
  const { search } = request.body as { search: Record<string, unknown> };
  return Object.fromEntries(Object.entries(search).filter(([key]) => !PAGING.has(key)));
}

const idsOf = (events: readonly AuditEvent[]) => events.map((event) => event.nativeId);
const sortedIds = (events: readonly AuditEvent[]) => idsOf(events).sort();

function bruteForce(filter: EventFilter, order: SortOrder = 'asc'): AuditEvent[] {
  return EVENTS.filter(createEventMatcher(filter)).sort(compareEventsInOrder(order));
}

async function listThroughAdapter(filter: EventFilter): Promise<AuditEvent[]> {
  const { events } = await listAll(kit.source, {
    order: 'asc',
    sinceMs: WINDOW.fromMs,
    beforeMs: NOW,
    pageSize: 1000,
    filter,
  });
  return events;
}

const traverse = (
  filter: EventFilter,
  options: { order: SortOrder; first: number; budget?: number; source?: Source },
): Promise<FeedPage[]> =>
  traverseFeed(options.source ?? kit.source, filter, { ...options, nowMs: NOW });

const delivered = deliveredBy;

/** A word of a message that no type name holds, in the case the client happens to type it. */
const MESSAGE_TEXT = 'WEBHOOK [HTTPS://CRM';

describe('the fusionauth-event-log pushdown', () => {
  it('holds a dataset of every type, with Error entries whose message does not say "error"', () => {
    expect(new Set(EVENTS.map((event) => event.action))).toEqual(
      new Set(['Information', 'Debug', 'Error']),
    );
    expect(
      EVENTS.some((e) => e.action === 'Error' && !e.description?.toLowerCase().includes('error')),
    ).toBe(true);
  });

  // (a) every field of the table's row, as the parameter it documents, with the right value.
  const SENT: readonly [string, EventFilterInput, Record<string, string>][] = [
    ['actions, one type', { actions: ['Debug'] }, { type: 'Debug' }],
    ['outcome FAILURE, as the type Error', { outcome: 'FAILURE' }, { type: 'Error' }],
    [
      'actions and outcome naming the same type',
      { actions: ['Error'], outcome: 'FAILURE' },
      { type: 'Error' },
    ],
    ['text, lower-cased, as *text*', { text: MESSAGE_TEXT }, { message: '*webhook [https://crm*' }],
    [
      'text with actions',
      { text: 'lambda', actions: ['Error'] },
      { type: 'Error', message: '*lambda*' },
    ],
  ];

  it('has a case for every field of its row in the pushdown table', () => {
    const covered = new Set(
      SENT.flatMap(([, input]) => Object.keys(planKindPushdown(KIND, normalizeFilter(input)))),
    );
    expect([...covered].sort()).toEqual(Object.keys(capabilitiesOf(KIND)).sort());
  });

  it.each(SENT)(
    'sends %s upstream on every page, and lists every match',
    async (_case, input, criteria) => {
      const filter = normalizeFilter(input);
      const expected = bruteForce(filter);
      expect(expected.length).toBeGreaterThan(0);
      const listed = await listThroughAdapter(filter);
      expect(kit.emulator.requests.length).toBeGreaterThan(0);
      for (const request of kit.emulator.requests) expect(criteriaOf(request)).toEqual(criteria);
      expect(sortedIds(listed.filter(createEventMatcher(filter)))).toEqual(sortedIds(expected));
      // The upstream did filter: fewer entries came back than the dataset holds.
      expect(listed.length).toBeLessThan(EVENTS.length);
    },
  );

  it('gets back only matching entries for what it pushes exactly', async () => {
    for (const input of [{ actions: ['Information'] }, { outcome: 'FAILURE' as const }]) {
      const filter = normalizeFilter(input);
      const listed = await listThroughAdapter(filter);
      expect(listed.every(createEventMatcher(filter))).toBe(true);
      expect(listed).toHaveLength(bruteForce(filter).length);
    }
  });

  // (b) what the plan leaves to the feed is not sent.
  const RESIDUAL: readonly [string, EventFilterInput, Record<string, string>][] = [
    ['two actions', { actions: ['Debug', 'Error'] }, {}],
    ['an action that is no type (type would refuse it)', { actions: ['information'] }, {}],
    ['text a type name holds, which entries of that type match anyway', { text: 'error' }, {}],
    ['text holding the wildcard', { text: 'webhook*crm' }, {}],
    ['text holding a backslash', { text: 'webhook \\ crm' }, {}],
    [
      'outcome FAILURE beside an action of another type',
      { actions: ['Debug'], outcome: 'FAILURE' },
      { type: 'Debug' },
    ],
    ['outcome UNKNOWN', { outcome: 'UNKNOWN' }, {}],
    [
      'fields the event log cannot search',
      {
        actorEmails: ['dana.nguyen@example.com'],
        ipAddress: '192.0.2.0/24',
        categories: ['OTHER'],
      },
      {},
    ],
  ];

  it.each(RESIDUAL)('leaves %s to the feed', async (_case, input, criteria) => {
    const filter = normalizeFilter(input);
    const listed = await listThroughAdapter(filter);
    for (const request of kit.emulator.requests) expect(criteriaOf(request)).toEqual(criteria);
    expect(sortedIds(listed.filter(createEventMatcher(filter)))).toEqual(
      sortedIds(bruteForce(filter)),
    );
  });

  it('would lose Error entries if text a type name holds went down as message', () => {
    const filter = normalizeFilter({ text: 'error' });
    const byMessageOnly = EVENTS.filter((e) => e.description?.toLowerCase().includes('error'));
    expect(byMessageOnly.length).toBeLessThan(bruteForce(filter).length);
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
  it('reads fewer upstream rows, in no more requests per feed page, when it pushes the filter', async () => {
    const pushed = await measure(normalizeFilter({ actions: ['Debug'] }));
    // A second value no entry has keeps the same events but makes the field residual.
    const residual = await measure(normalizeFilter({ actions: ['Debug', 'no such type'] }));
    report('fusionauth-event-log, actions: [Debug]', LARGE_RECORDS.length, pushed, residual);
    expect(pushed.events).toBe(residual.events);
    expect(pushed.rows).toBeLessThan(residual.rows / 2);
    // A page of 50 asks for 52 entries; a tie group at its end can take one request more.
    expect(pushed.maxRequestsPerPage).toBeLessThanOrEqual(2);
  });
});

/** A full traversal in feed pages of 50, counting what it cost upstream. */
const measure = (filter: EventFilter): Promise<Measurement> =>
  measureTraversal(large.source, filter, NOW);
