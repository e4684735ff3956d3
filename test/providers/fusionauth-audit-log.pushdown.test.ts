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
import { generateFusionAuthAuditLogRecords } from '../../src/emulators/fusionauth/generateFusionAuthAuditLogRecords';
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
import { createFusionAuthAuditLogSource } from '../../src/providers/fusionauth-audit-log/createFusionAuthAuditLogSource';
import { toFusionAuthAuditLogAuditEvent } from '../../src/providers/fusionauth-audit-log/toFusionAuthAuditLogAuditEvent';
import { capabilitiesOf, planKindPushdown } from '../support/planKindPushdown';
import { listAll } from '../support/describeSourceContract';
import { useSourceTestKit } from '../support/sourceTestKit';

/*
 * Filter pushdown of the FusionAuth audit log (design.md §5), against the emulator and a
 * generated dataset: what each filter field becomes in the search body, that what comes back
 * holds every matching event, and that a whole feed traversal equals brute force.
 */

const SOURCE_ID = 'fa-audit';
const KIND = 'fusionauth-audit-log';
const TO_MS = Date.UTC(2026, 2, 5);
const WINDOW = { fromMs: TO_MS - 14 * 86_400_000, toMs: TO_MS };
const NOW = TO_MS + 60_000;

const random = createRandom(11);
const people = createPeople(random.fork('people'));
const RECORDS = generateFusionAuthAuditLogRecords(random.fork('audit-log'), people, WINDOW, 500);
/** For measuring what pushdown saves: a few thousand entries. */
const LARGE_RECORDS = generateFusionAuthAuditLogRecords(
  random.fork('audit-log-large'),
  people,
  WINDOW,
  3000,
);
const EVENTS: readonly AuditEvent[] = RECORDS.map((record) =>
  toFusionAuthAuditLogAuditEvent(record, { id: SOURCE_ID, kind: KIND }),
);

const kit = useSourceTestKit({
  startEmulator: () => startFusionAuthEmulator({ eventLogs: [], auditLogs: RECORDS }),
  sourceId: SOURCE_ID,
  createSource: (http, emulator) =>
    createFusionAuthAuditLogSource(
      { id: SOURCE_ID, apiKey: emulator.apiKey },
      { http, now: () => NOW },
    ),
});
const large = useSourceTestKit({
  startEmulator: () => startFusionAuthEmulator({ eventLogs: [], auditLogs: LARGE_RECORDS }),
  sourceId: SOURCE_ID,
  createSource: (http, emulator) =>
    createFusionAuthAuditLogSource(
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

/** How often each actor email occurs. */
const EMAIL_COUNTS = new Map<string, number>();
for (const event of EVENTS) {
  const email = event.actor?.email;
  if (email) EMAIL_COUNTS.set(email, (EMAIL_COUNTS.get(email) ?? 0) + 1);
}
/** Actor emails, the most frequent first. */
const EMAILS = [...EMAIL_COUNTS]
  .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  .map(([email]) => email);
const EMAIL = EMAILS[0] ?? 'none@example.com';
const RAREST_EMAIL = EMAILS[EMAILS.length - 1] ?? 'none@example.com';

describe('the fusionauth-audit-log pushdown', () => {
  it('holds a dataset of emails and names as insertUser, each action a piece of its message', () => {
    expect(EMAIL_COUNTS.size).toBeGreaterThan(3);
    expect(EVENTS.some((event) => event.actor !== null && event.actor.email === null)).toBe(true);
    expect(EVENTS.every((event) => event.description?.includes(event.action))).toBe(true);
  });

  // (a) every field of the table's row, as the parameter it documents, with the right value.
  const SENT: readonly [string, EventFilterInput, Record<string, string>][] = [
    [
      'one actor email, lower-cased, as user=*email*',
      { actorEmails: [EMAIL.toUpperCase()] },
      { user: `*${EMAIL}*` },
    ],
    [
      'text, lower-cased, as message=*text*',
      { text: 'Updated the Email Template' },
      { message: '*updated the email template*' },
    ],
    [
      'text only an action could hold in full, as message=*text*',
      { text: 'rotated signing' },
      { message: '*rotated signing*' },
    ],
    [
      'an email and text together',
      { actorEmails: [EMAIL], text: 'created the user' },
      { user: `*${EMAIL}*`, message: '*created the user*' },
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

  // (b) what the plan leaves to the feed is not sent.
  const RESIDUAL: readonly [string, EventFilterInput, Record<string, string>][] = [
    ['two actor emails', { actorEmails: [EMAIL, RAREST_EMAIL] }, {}],
    ['an email holding the wildcard', { actorEmails: [`*${EMAIL}`] }, {}],
    ['text holding the wildcard', { text: 'updated*user' }, {}],
    ['text holding a backslash', { text: 'updated \\ user' }, {}],
    [
      'text with the wildcard beside an email',
      { text: 'the*user', actorEmails: [EMAIL] },
      { user: `*${EMAIL}*` },
    ],
    ['an action (no action criterion)', { actions: ['Created the user'] }, {}],
    [
      'fields the audit log cannot search',
      { resourceTypes: ['user'], categories: ['UPDATE'], actorTypes: ['USER'], outcome: 'UNKNOWN' },
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
    const pushed = await measure(normalizeFilter({ actorEmails: [RAREST_EMAIL] }));
    // A second value no entry has keeps the same events but makes the field residual.
    const residual = await measure(
      normalizeFilter({ actorEmails: [RAREST_EMAIL, 'nobody@example.invalid'] }),
    );
    report(
      `fusionauth-audit-log, actorEmails: [${RAREST_EMAIL}]`,
      LARGE_RECORDS.length,
      pushed,
      residual,
    );
    expect(pushed.events).toBe(residual.events);
    expect(pushed.rows).toBeLessThan(residual.rows / 2);
    expect(pushed.requests).toBeLessThanOrEqual(residual.requests);
  });
});

/** A full traversal in feed pages of 50, counting what it cost upstream. */
const measure = (filter: EventFilter): Promise<Measurement> =>
  measureTraversal(large.source, filter, NOW);
