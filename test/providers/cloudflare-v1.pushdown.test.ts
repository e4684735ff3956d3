import { generateCloudflareV1Records } from '../../src/emulators/cloudflare-v1/generateCloudflareV1Records';
import { startCloudflareV1Emulator } from '../../src/emulators/cloudflare-v1/startCloudflareV1Emulator';
import type { SourceRef } from '../../src/model/AuditEvent';
import type { CloudflareV1RecordWire } from '../../src/providers/cloudflare-v1/cloudflareV1Wire';
import { createCloudflareV1Source } from '../../src/providers/cloudflare-v1/createCloudflareV1Source';
import { toCloudflareV1AuditEvent } from '../../src/providers/cloudflare-v1/toCloudflareV1AuditEvent';
import {
  byFrequency,
  describePushdownSuite,
  queryParamsOf,
  valueNearShare,
  withTypedEmails,
} from '../support/describePushdownSuite';
import { generateDataset } from '../support/generateDataset';

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 8) };
const SOURCE: SourceRef = { id: 'cf-v1-pushdown', kind: 'cloudflare-v1' };

/** A generated account log, some of its emails stored as people type them. */
const dataset = (seed: number, count: number): CloudflareV1RecordWire[] =>
  withTypedEmails(
    generateDataset(seed, (random, people) =>
      generateCloudflareV1Records(random.fork('cloudflare-v1'), people, WINDOW, count),
    ),
  );
const RECORDS = dataset(20260313, 300);
const EVENTS = RECORDS.map((record) => toCloudflareV1AuditEvent(record, SOURCE));
const LARGE_RECORDS = dataset(20260314, 3000);
const LARGE_EVENTS = LARGE_RECORDS.map((record) => toCloudflareV1AuditEvent(record, SOURCE));
const [action = '', otherAction = ''] = byFrequency(EVENTS.map((e) => e.action));
const [email = '', otherEmail = ''] = byFrequency(EVENTS.map((e) => e.actor?.email?.toLowerCase()));
const [address = ''] = byFrequency(EVENTS.map((e) => e.actor?.ip));
const range = `${address.split('.').slice(0, 3).join('.')}.0/24`;

describePushdownSuite({
  source: SOURCE,
  records: RECORDS,
  events: EVENTS,
  nowMs: WINDOW.toMs + 86_400_000,
  startEmulator: (records) => startCloudflareV1Emulator({ records }),
  basePath: '/client/v4',
  createSource: ({ id, emulator, http, now }) =>
    createCloudflareV1Source(
      { id, token: emulator.token, accountId: emulator.accountId },
      { http, now },
    ),
  sentFilter: queryParamsOf([
    'action.type',
    'actor.email',
    'actor.ip',
    'id',
    'zone.name',
    'hide_user_logs',
  ]),
  pushed: [
    {
      title: 'one action as action.type',
      filter: { actions: [action] },
      sends: { 'action.type': [action] },
    },
    {
      title: 'one email, in any case, as actor.email in lower case',
      filter: { actorEmails: [email.toUpperCase()] },
      sends: { 'actor.email': [email] },
    },
    {
      title: 'an address as actor.ip',
      filter: { ipAddress: address },
      sends: { 'actor.ip': [address] },
    },
    {
      title: 'an IPv4-mapped IPv6 address as actor.ip in the IPv4 form servers print',
      filter: { ipAddress: `::ffff:${address}` },
      sends: { 'actor.ip': [address] },
    },
    {
      title: 'a CIDR range as actor.ip',
      filter: { ipAddress: range },
      sends: { 'actor.ip': [range] },
    },
  ],
  residual: [
    // v1's filters take one value each.
    { title: 'two actions', filter: { actions: [action, otherAction] } },
    { title: 'two emails', filter: { actorEmails: [email, otherEmail] } },
    // actor.email is typed as an email address: v1 answers anything else with a 400.
    { title: 'an email filter that is no address', filter: { actorEmails: ['alice'] } },
    { title: 'an address with a zone', filter: { ipAddress: 'fe80::1%eth0' } },
    { title: 'actor ids', filter: { actorIds: [EVENTS[0]?.actor?.id ?? ''] } },
    { title: 'categories', filter: { categories: ['CREATE'] } },
    { title: 'an outcome', filter: { outcome: 'FAILURE' } },
    { title: 'actor types', filter: { actorTypes: ['SYSTEM'] } },
    { title: 'resource types', filter: { resourceTypes: ['zone'] } },
    { title: 'resource ids', filter: { resourceIds: [EVENTS[0]?.resource?.id ?? ''] } },
    { title: 'text', filter: { text: 'setting' } },
  ],
  measurement: {
    records: LARGE_RECORDS,
    events: LARGE_EVENTS,
    cases: [
      {
        title: 'an email',
        filter: {
          actorEmails: [
            valueNearShare(
              LARGE_EVENTS.map((e) => e.actor?.email?.toLowerCase()),
              0.08,
            ),
          ],
        },
      },
    ],
  },
});
