import { generateFusionAuthEventLogRecords } from '../../src/emulators/fusionauth/generateFusionAuthEventLogRecords';
import { startFusionAuthEmulator } from '../../src/emulators/fusionauth/startFusionAuthEmulator';
import { createEventMatcher, normalizeFilter } from '../../src/feed/eventFilter';
import type { SourceRef } from '../../src/model/AuditEvent';
import { createFusionAuthEventLogSource } from '../../src/providers/fusionauth-event-log/createFusionAuthEventLogSource';
import { toFusionAuthEventLogAuditEvent } from '../../src/providers/fusionauth-event-log/toFusionAuthEventLogAuditEvent';
import { bodyCriteriaOf, describePushdownSuite } from '../support/describePushdownSuite';
import { generateDataset } from '../support/generateDataset';

/*
 * Filter pushdown of the FusionAuth event log (design.md §5): what each filter field becomes in
 * the search body; the type is exact, the message narrows.
 */

const SOURCE: SourceRef = { id: 'fa-events', kind: 'fusionauth-event-log' };
const TO_MS = Date.UTC(2026, 2, 5);
const WINDOW = { fromMs: TO_MS - 14 * 86_400_000, toMs: TO_MS };

/** A dataset, and a few thousand entries beside it for measuring what pushdown saves. */
const [RECORDS, LARGE_RECORDS] = generateDataset(11, (random, people) => [
  generateFusionAuthEventLogRecords(random.fork('event-log'), people, WINDOW, 500),
  generateFusionAuthEventLogRecords(random.fork('event-log-large'), people, WINDOW, 3000),
]);
const toEvents = (records: typeof RECORDS) =>
  records.map((record) => toFusionAuthEventLogAuditEvent(record, SOURCE));
const EVENTS = toEvents(RECORDS);
/** A word of a message that no type name holds, in the case the client happens to type it. */
const MESSAGE_TEXT = 'WEBHOOK [HTTPS://CRM';

describe('the fusionauth-event-log pushdown dataset', () => {
  it('holds every type, with Error entries whose message does not say "error"', () => {
    expect(new Set(EVENTS.map((event) => event.action))).toEqual(
      new Set(['Information', 'Debug', 'Error']),
    );
    expect(
      EVENTS.some((e) => e.action === 'Error' && !e.description?.toLowerCase().includes('error')),
    ).toBe(true);
  });

  it('would lose Error entries if text a type name holds went down as message', () => {
    const byType = EVENTS.filter(createEventMatcher(normalizeFilter({ text: 'error' })));
    const byMessageOnly = EVENTS.filter((e) => e.description?.toLowerCase().includes('error'));
    expect(byMessageOnly.length).toBeLessThan(byType.length);
  });
});

describePushdownSuite({
  source: SOURCE,
  records: RECORDS,
  events: EVENTS,
  nowMs: TO_MS + 60_000,
  startEmulator: (records) => startFusionAuthEmulator({ eventLogs: records, auditLogs: [] }),
  createSource: ({ id, emulator, http, now }) =>
    createFusionAuthEventLogSource({ id, apiKey: emulator.apiKey }, { http, now }),
  sentFilter: bodyCriteriaOf('search', ['start', 'end', 'orderBy', 'numberOfResults', 'startRow']),
  pushed: [
    {
      title: 'one action, a type, as type',
      filter: { actions: ['Debug'] },
      sends: { type: 'Debug' },
    },
    {
      title: 'the action Information as type',
      filter: { actions: ['Information'] },
      sends: { type: 'Information' },
    },
    {
      title: 'outcome FAILURE as the type Error',
      filter: { outcome: 'FAILURE' },
      sends: { type: 'Error' },
    },
    {
      title: 'actions and outcome naming the same type',
      filter: { actions: ['Error'], outcome: 'FAILURE' },
      sends: { type: 'Error' },
    },
    {
      title: 'text, lower-cased, as message=*text*',
      filter: { text: MESSAGE_TEXT },
      sends: { message: '*webhook [https://crm*' },
    },
    {
      title: 'text with actions',
      filter: { text: 'lambda', actions: ['Error'] },
      sends: { type: 'Error', message: '*lambda*' },
    },
  ],
  residual: [
    { title: 'two actions', filter: { actions: ['Debug', 'Error'] } },
    {
      title: 'an action that is no type (type would refuse it)',
      filter: { actions: ['information'] },
    },
    {
      title: 'text a type name holds, which entries of that type match anyway,',
      filter: { text: 'error' },
    },
    { title: 'text holding the wildcard', filter: { text: 'webhook*crm' } },
    { title: 'text holding a backslash', filter: { text: 'webhook \\ crm' } },
    {
      title: 'outcome FAILURE, beside an action of another type it sends,',
      filter: { outcome: 'FAILURE' },
      beside: { filter: { actions: ['Debug'] }, sends: { type: 'Debug' } },
    },
    { title: 'outcome UNKNOWN', filter: { outcome: 'UNKNOWN' } },
    {
      title: 'fields the event log cannot search',
      filter: {
        actorEmails: ['dana.nguyen@example.com'],
        ipAddress: '192.0.2.0/24',
        categories: ['OTHER'],
      },
    },
  ],
  measurement: {
    records: LARGE_RECORDS,
    events: toEvents(LARGE_RECORDS),
    cases: [{ title: 'one action', filter: { actions: ['Debug'] } }],
  },
});
