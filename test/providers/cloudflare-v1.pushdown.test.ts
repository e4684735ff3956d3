import { generateCloudflareV1Records } from '../../src/emulators/cloudflare-v1/generateCloudflareV1Records';
import { startCloudflareV1Emulator } from '../../src/emulators/cloudflare-v1/startCloudflareV1Emulator';
import { createRandom } from '../../src/emulators/dataset/createRandom';
import { createPeople } from '../../src/emulators/dataset/people';
import { createHttpClient } from '../../src/http/createHttpClient';
import type { SourceRef } from '../../src/model/AuditEvent';
import type { CloudflareV1RecordWire } from '../../src/providers/cloudflare-v1/cloudflareV1Wire';
import { createCloudflareV1Source } from '../../src/providers/cloudflare-v1/createCloudflareV1Source';
import { toCloudflareV1AuditEvent } from '../../src/providers/cloudflare-v1/toCloudflareV1AuditEvent';
import {
  byFrequency,
  capitalizeEmail,
  describePushdownSuite,
  valueNearShare,
  type StartedSource,
} from '../support/describePushdownSuite';

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 8) };
const NOW = WINDOW.toMs + 86_400_000;
const SOURCE: SourceRef = { id: 'cf-v1-pushdown', kind: 'cloudflare-v1' };

/**
 * A generated account log in which every fourth email is stored as people type it
 * (`Alice.Smith@Example.com`): a pushed email filter that compared case must miss those.
 */
function dataset(seed: number, count: number): CloudflareV1RecordWire[] {
  const random = createRandom(seed);
  const people = createPeople(random.fork('people'));
  return generateCloudflareV1Records(random.fork('cloudflare-v1'), people, WINDOW, count).map(
    (record, i) =>
      i % 4 === 0 && typeof record.actor?.email === 'string'
        ? { ...record, actor: { ...record.actor, email: capitalizeEmail(record.actor.email) } }
        : record,
  );
}

async function startOn(records: readonly CloudflareV1RecordWire[]): Promise<StartedSource> {
  const emulator = await startCloudflareV1Emulator({ records });
  const http = createHttpClient({ baseUrl: `${emulator.url}/client/v4`, sourceId: SOURCE.id });
  return {
    source: createCloudflareV1Source(
      { id: SOURCE.id, token: emulator.token, accountId: emulator.accountId },
      { http, now: () => NOW },
    ),
    emulator,
    close: async () => {
      await http.close();
      await emulator.close();
    },
  };
}

const RECORDS = dataset(20260313, 300);
const EVENTS = RECORDS.map((record) => toCloudflareV1AuditEvent(record, SOURCE));
const [action = '', otherAction = ''] = byFrequency(EVENTS.map((e) => e.action));
const [email = '', otherEmail = ''] = byFrequency(EVENTS.map((e) => e.actor?.email?.toLowerCase()));
const [address = ''] = byFrequency(EVENTS.map((e) => e.actor?.ip));
const LARGE_EVENTS = dataset(20260314, 3000).map((record) =>
  toCloudflareV1AuditEvent(record, SOURCE),
);

describePushdownSuite({
  kind: 'cloudflare-v1',
  sourceId: SOURCE.id,
  events: EVENTS,
  nowMs: NOW,
  filterKeys: ['action.type', 'actor.email', 'actor.ip', 'id', 'zone.name', 'hide_user_logs'],
  start: () => startOn(RECORDS),
  pushed: [
    {
      title: 'one action as action.type',
      filter: { actions: [action] },
      params: { 'action.type': [action] },
    },
    {
      title: 'one email, in any case, as actor.email in lower case',
      filter: { actorEmails: [email.toUpperCase()] },
      params: { 'actor.email': [email] },
    },
    {
      title: 'an address as actor.ip',
      filter: { ipAddress: address },
      params: { 'actor.ip': [address] },
    },
    {
      title: 'an IPv4-mapped IPv6 address as actor.ip in the IPv4 form servers print',
      filter: { ipAddress: `::ffff:${address}` },
      params: { 'actor.ip': [address] },
    },
    {
      title: 'a CIDR range as actor.ip',
      filter: { ipAddress: `${address.split('.').slice(0, 3).join('.')}.0/24` },
      params: { 'actor.ip': [`${address.split('.').slice(0, 3).join('.')}.0/24`] },
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
    start: () => startOn(dataset(20260314, 3000)),
    events: LARGE_EVENTS,
    filter: {
      actorEmails: [
        valueNearShare(
          LARGE_EVENTS.map((e) => e.actor?.email?.toLowerCase()),
          0.08,
        ),
      ],
    },
  },
});
