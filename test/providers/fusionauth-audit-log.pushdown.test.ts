import { generateFusionAuthAuditLogRecords } from '../../src/emulators/fusionauth/generateFusionAuthAuditLogRecords';
import { startFusionAuthEmulator } from '../../src/emulators/fusionauth/startFusionAuthEmulator';
import type { SourceRef } from '../../src/model/AuditEvent';
import { createFusionAuthAuditLogSource } from '../../src/providers/fusionauth-audit-log/createFusionAuthAuditLogSource';
import { toFusionAuthAuditLogAuditEvent } from '../../src/providers/fusionauth-audit-log/toFusionAuthAuditLogAuditEvent';
import {
  bodyCriteriaOf,
  byFrequency,
  describePushdownSuite,
} from '../support/describePushdownSuite';
import { generateDataset } from '../support/generateDataset';

/*
 * Filter pushdown of the FusionAuth audit log (design.md §5): what each filter field becomes in
 * the search body, the upstream answering fewer entries that hold every match.
 */

const SOURCE: SourceRef = { id: 'fa-audit', kind: 'fusionauth-audit-log' };
const TO_MS = Date.UTC(2026, 2, 5);
const WINDOW = { fromMs: TO_MS - 14 * 86_400_000, toMs: TO_MS };

/** A dataset, and a few thousand entries beside it for measuring what pushdown saves. */
const [RECORDS, LARGE_RECORDS] = generateDataset(11, (random, people) => [
  generateFusionAuthAuditLogRecords(random.fork('audit-log'), people, WINDOW, 500),
  generateFusionAuthAuditLogRecords(random.fork('audit-log-large'), people, WINDOW, 3000),
]);
const toEvents = (records: typeof RECORDS) =>
  records.map((record) => toFusionAuthAuditLogAuditEvent(record, SOURCE));
const EVENTS = toEvents(RECORDS);
/** Actor emails, the most frequent first. */
const EMAILS = byFrequency(EVENTS.map((event) => event.actor?.email));
const EMAIL = EMAILS[0] ?? 'none@example.com';
const RAREST_EMAIL = EMAILS.at(-1) ?? 'none@example.com';

describe('the fusionauth-audit-log pushdown dataset', () => {
  it('holds emails and names as insertUser, each action a piece of its message', () => {
    expect(EMAILS.length).toBeGreaterThan(3);
    expect(EVENTS.some((event) => event.actor !== null && event.actor.email === null)).toBe(true);
    expect(EVENTS.every((event) => event.description?.includes(event.action))).toBe(true);
  });
});

describePushdownSuite({
  source: SOURCE,
  records: RECORDS,
  events: EVENTS,
  nowMs: TO_MS + 60_000,
  startEmulator: (records) => startFusionAuthEmulator({ eventLogs: [], auditLogs: records }),
  createSource: ({ id, emulator, http, now }) =>
    createFusionAuthAuditLogSource({ id, apiKey: emulator.apiKey }, { http, now }),
  sentFilter: bodyCriteriaOf('search', ['start', 'end', 'orderBy', 'numberOfResults', 'startRow']),
  pushed: [
    {
      title: 'one actor email, lower-cased, as user=*email*',
      filter: { actorEmails: [EMAIL.toUpperCase()] },
      sends: { user: `*${EMAIL}*` },
    },
    {
      title: 'text, lower-cased, as message=*text*',
      filter: { text: 'Updated the Email Template' },
      sends: { message: '*updated the email template*' },
    },
    {
      title: 'text only an action could hold in full, as message=*text*',
      filter: { text: 'rotated signing' },
      sends: { message: '*rotated signing*' },
    },
    {
      title: 'an email and text together',
      filter: { actorEmails: [EMAIL], text: 'created the user' },
      sends: { user: `*${EMAIL}*`, message: '*created the user*' },
    },
  ],
  residual: [
    { title: 'two actor emails', filter: { actorEmails: [EMAIL, RAREST_EMAIL] } },
    { title: 'an email holding the wildcard', filter: { actorEmails: [`*${EMAIL}`] } },
    { title: 'text holding the wildcard', filter: { text: 'updated*user' } },
    { title: 'text holding a backslash', filter: { text: 'updated \\ user' } },
    {
      title: 'text holding the wildcard, beside an email it sends,',
      filter: { text: 'the*user' },
      beside: { filter: { actorEmails: [EMAIL] }, sends: { user: `*${EMAIL}*` } },
    },
    { title: 'an action (no action criterion)', filter: { actions: ['Created the user'] } },
    {
      title: 'fields the audit log cannot search',
      filter: {
        resourceTypes: ['user'],
        categories: ['UPDATE'],
        actorTypes: ['USER'],
        outcome: 'UNKNOWN',
      },
    },
  ],
  measurement: {
    records: LARGE_RECORDS,
    events: toEvents(LARGE_RECORDS),
    cases: [{ title: 'one actor email', filter: { actorEmails: [RAREST_EMAIL] } }],
  },
});
