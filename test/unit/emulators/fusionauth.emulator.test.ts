import { createRandom } from '../../../src/emulators/dataset/createRandom';
import { createPeople } from '../../../src/emulators/dataset/people';
import { generateFusionAuthAuditLogRecords } from '../../../src/emulators/fusionauth/generateFusionAuthAuditLogRecords';
import { generateFusionAuthEventLogRecords } from '../../../src/emulators/fusionauth/generateFusionAuthEventLogRecords';
import {
  startFusionAuthEmulator,
  type FusionAuthEmulator,
} from '../../../src/emulators/fusionauth/startFusionAuthEmulator';
import type { AuditLogWire } from '../../../src/providers/fusionauth-audit-log/AuditLogWire';
import type { EventLogWire } from '../../../src/providers/fusionauth-event-log/EventLogWire';
import { fusionAuthErrorsWireSchema } from '../../../src/providers/fusionauth-shared/FusionAuthErrorsWire';

const KEY = 'test-fusionauth-key';
const TENANT = '6c9e9669-9670-4f85-9f16-8396c2206f7f';
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);

/** A small hand-made table: ten entries in one millisecond, and a few around it. */
const EVENT_LOGS: EventLogWire[] = [
  {
    id: 1,
    insertInstant: T0 - 1,
    message: 'Webhook [https://a.example] returned response code [500].',
    type: 'Error',
  },
  ...Array.from({ length: 10 }, (_, i) => ({
    id: 2 + i,
    insertInstant: T0,
    message: `User [user${i}@example.com] failed login. Reason: The password was incorrect.`,
    type: 'Information',
  })),
  {
    id: 12,
    insertInstant: T0 + 1,
    message: 'SAML v2 IdP [Okta] debug log.\nReceived a SAML response.',
    type: 'Debug',
  },
  {
    id: 13,
    insertInstant: T0 + 1000,
    message: 'Unable to send the email using the template [Forgot Password].',
    type: 'Error',
  },
];

const AUDIT_LOGS: AuditLogWire[] = [
  {
    id: 100,
    insertInstant: T0,
    insertUser: 'alice.smith@example.com',
    message: 'Updated the application with Id [3c21] and name [Pied Piper]',
    reason: 'FusionAuth User Interface',
    newValue: { name: 'Pied Piper' },
    oldValue: '{"name":"PP"}',
    tenantId: TENANT,
  },
  {
    id: 101,
    insertInstant: T0 + 5,
    insertUser: 'Bilal Okafor',
    message: 'Deleted the group with Id [g1] and name [Billing]',
    data: { oldValue: '{"roles":["billing"]}', reason: 'CI deploy key' },
    tenantId: 'a03d8853-b5de-4a05-85bd-f4edc0ab7db1',
  },
  { id: 102, insertInstant: T0 + 9, insertUser: 'ops@example.com', message: 'Rotated signing key' },
];

let emulator: FusionAuthEmulator;

beforeAll(async () => {
  emulator = await startFusionAuthEmulator({
    eventLogs: EVENT_LOGS,
    auditLogs: AUDIT_LOGS,
    apiKey: KEY,
    tenantId: TENANT,
  });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.knobs.shuffleTies = true;
  emulator.knobs.faults.length = 0;
});

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

async function call(
  path: string,
  init: { method?: 'GET' | 'POST'; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(`${emulator.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: KEY,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined
      ? {}
      : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: text === '' ? null : (JSON.parse(text) as unknown),
  };
}

const searchEvents = async (search: Record<string, unknown>) => {
  const answer = await call('/api/system/event-log/search', { method: 'POST', body: { search } });
  expect(answer.status).toBe(200);
  return answer.json as { eventLogs: EventLogWire[]; total: number };
};

const searchAudit = async (search: Record<string, unknown>) => {
  const answer = await call('/api/system/audit-log/search', { method: 'POST', body: { search } });
  expect(answer.status).toBe(200);
  return answer.json as { auditLogs: AuditLogWire[]; total: number };
};

const ids = (records: readonly { id: number }[]) => records.map((record) => record.id);

describe('the FusionAuth emulator: envelopes and defaults', () => {
  it('answers a POST search with {eventLogs, total}, newest first, 25 at most', async () => {
    const body = await searchEvents({});
    expect(Object.keys(body).sort()).toEqual(['eventLogs', 'total']);
    expect(body.total).toBe(EVENT_LOGS.length);
    expect(body.eventLogs[0]).toEqual(EVENT_LOGS[12]);
    const instants = body.eventLogs.map((record) => record.insertInstant);
    expect(instants).toEqual([...instants].sort((a, b) => b - a));
  });

  it('applies the default of 25 results', async () => {
    const many = await startFusionAuthEmulator({
      eventLogs: generateFusionAuthEventLogRecords(
        createRandom(3),
        createPeople(createRandom(4)),
        { fromMs: T0, toMs: T0 + 3_600_000 },
        60,
      ),
      auditLogs: [],
    });
    try {
      const response = await fetch(`${many.url}/api/system/event-log/search`, {
        headers: { authorization: many.apiKey },
      });
      const body = (await response.json()) as { eventLogs: unknown[]; total: number };
      expect(body.eventLogs).toHaveLength(25);
      expect(body.total).toBe(60);
    } finally {
      await many.close();
    }
  });

  it('answers a GET search with the criteria as query parameters, like the POST', async () => {
    const get = await call(
      `/api/system/event-log/search?type=Error&orderBy=insertInstant%20ASC&numberOfResults=5`,
    );
    const post = await searchEvents({
      type: 'Error',
      orderBy: 'insertInstant ASC',
      numberOfResults: 5,
    });
    expect(get.status).toBe(200);
    expect(get.json).toEqual(post);
    expect(ids(post.eventLogs)).toEqual([1, 13]);
  });

  it('retrieves one entry by id in {eventLog} and {auditLog}', async () => {
    expect((await call('/api/system/event-log/12')).json).toEqual({ eventLog: EVENT_LOGS[11] });
    expect((await call('/api/system/audit-log/101')).json).toEqual({ auditLog: AUDIT_LOGS[1] });
  });

  it('answers an empty search with an empty list and a zero total', async () => {
    expect(await searchEvents({ message: 'no such text anywhere' })).toEqual({
      eventLogs: [],
      total: 0,
    });
  });

  it('treats a POST without `search` as the defaults', async () => {
    const answer = await call('/api/system/audit-log/search', { method: 'POST', body: {} });
    expect(answer.status).toBe(200);
    expect((answer.json as { total: number }).total).toBe(3);
  });
});

describe('the FusionAuth emulator: authentication and unknown things', () => {
  it.each([
    ['no Authorization header', { authorization: '' }],
    ['another key', { authorization: 'not-the-key' }],
    ['the key as a Bearer token', { authorization: `Bearer ${KEY}` }],
  ])('refuses %s with 401 and an empty body', async (_case, headers) => {
    for (const path of ['/api/system/event-log/search', '/api/system/audit-log/100', '/api/nope']) {
      const answer = await call(path, { headers });
      expect(answer.status).toBe(401);
      expect(answer.text).toBe('');
    }
  });

  it('refuses a request naming another tenant than the key is locked to', async () => {
    const other = await call('/api/system/audit-log/search', {
      headers: { 'x-fusionauth-tenantid': 'a03d8853-b5de-4a05-85bd-f4edc0ab7db1' },
    });
    expect(other.status).toBe(401);
    expect(other.text).toBe('');
    const same = await call('/api/system/audit-log/search', {
      headers: { 'x-fusionauth-tenantid': TENANT.toUpperCase() },
    });
    expect(same.status).toBe(200);
  });

  it('answers 404 with an empty body for an unknown id or path', async () => {
    for (const path of [
      '/api/system/event-log/999999',
      '/api/system/event-log/9223372036854775807',
      '/api/system/audit-log/1',
      '/api/system/nope',
    ]) {
      const answer = await call(path);
      expect(answer.status).toBe(404);
      expect(answer.text).toBe('');
    }
  });

  it('answers 400 with field errors for an id that is not a Long', async () => {
    const answer = await call('/api/system/event-log/abc');
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      fieldErrors: {
        eventLogId: [
          { code: '[couldNotConvert]eventLogId', message: 'Invalid value for [eventLogId].' },
        ],
      },
    });
  });
});

describe('the FusionAuth emulator: criteria validation', () => {
  it.each([
    ['numberOfResults=0', 'search.numberOfResults', '[invalid]search.numberOfResults'],
    ['numberOfResults=1001', 'search.numberOfResults', '[invalid]search.numberOfResults'],
    ['numberOfResults=ten', 'search.numberOfResults', '[couldNotConvert]search.numberOfResults'],
    ['startRow=-1', 'search.startRow', '[invalid]search.startRow'],
    ['start=yesterday', 'search.start', '[couldNotConvert]search.start'],
    ['end=1.5', 'search.end', '[couldNotConvert]search.end'],
    ['type=error', 'search.type', '[couldNotConvert]search.type'],
    ['orderBy=id%20DESC', 'search.orderBy', '[invalid]search.orderBy'],
    ['orderBy=insertInstant%20DOWN', 'search.orderBy', '[invalid]search.orderBy'],
  ])('answers %s with a 400 Errors body naming the field', async (query, field, code) => {
    const answer = await call(`/api/system/event-log/search?${query}`);
    expect(answer.status).toBe(400);
    const errors = fusionAuthErrorsWireSchema.parse(answer.json);
    expect(errors.fieldErrors?.[field]?.[0]?.code).toBe(code);
    expect(errors.generalErrors).toBeUndefined();
  });

  it('collects every field error of one request', async () => {
    const answer = await call(
      '/api/system/event-log/search?numberOfResults=0&startRow=-3&type=Warn',
    );
    const errors = fusionAuthErrorsWireSchema.parse(answer.json);
    expect(Object.keys(errors.fieldErrors ?? {}).sort()).toEqual([
      'search.numberOfResults',
      'search.startRow',
      'search.type',
    ]);
  });

  it('refuses the audit log criterion tenantId when it is not a UUID', async () => {
    const answer = await call('/api/system/audit-log/search?tenantId=acme');
    expect(answer.status).toBe(400);
    expect(fusionAuthErrorsWireSchema.parse(answer.json).fieldErrors).toHaveProperty([
      'search.tenantId',
    ]);
  });

  it('refuses an event log orderBy column only the audit log lacks, and vice versa', async () => {
    expect((await call('/api/system/event-log/search?orderBy=type%20ASC')).status).toBe(200);
    expect((await call('/api/system/audit-log/search?orderBy=type%20ASC')).status).toBe(400);
  });

  it.each([
    ['a body that is not JSON', '{"search": '],
    ['a body that is an array', [1, 2]],
    ['an unknown property', { search: { foo: 1 } }],
    ['a property of the event log on the audit log', { search: { type: 'Error' } }],
    ['a number of the wrong JSON type', { search: { start: true } }],
    ['a search that is not an object', { search: 'all' }],
  ])('answers %s with a general [invalidJSON] error', async (_case, body) => {
    const answer = await call('/api/system/audit-log/search', { method: 'POST', body });
    expect(answer.status).toBe(400);
    expect(fusionAuthErrorsWireSchema.parse(answer.json).generalErrors?.[0]?.code).toBe(
      '[invalidJSON]',
    );
  });

  it('accepts numbers written as strings in a POST body, as FusionAuth binding does', async () => {
    const body = await searchEvents({ start: String(T0 + 1), numberOfResults: '1' });
    expect(body.total).toBe(2);
  });
});

describe('the FusionAuth emulator: criteria', () => {
  it('takes start and end as inclusive bounds', async () => {
    expect((await searchEvents({ start: T0, end: T0 })).total).toBe(10);
    expect((await searchEvents({ start: T0 - 1, end: T0 + 1 })).total).toBe(12);
    expect((await searchEvents({ start: T0 + 2, end: T0 + 999 })).total).toBe(0);
    expect((await searchEvents({ start: T0 + 5, end: T0 })).total).toBe(0);
  });

  it.each([
    ['failed login', 10],
    ['FAILED LOGIN', 10],
    ['Webhook*', 1],
    ['*[500].', 1],
    ['webhook', 1],
    ['*template [Forgot*', 1],
    ['Received a SAML', 1],
    ['SAML*response.', 1],
    ['user1@', 1],
    ['user?@', 0],
    ['failed', 10],
    ['*', EVENT_LOGS.length],
  ])('matches message %p against %i entries', async (message, count) => {
    expect((await searchEvents({ message, numberOfResults: 100 })).total).toBe(count);
  });

  it('filters by type', async () => {
    expect(ids((await searchEvents({ type: 'Debug' })).eventLogs)).toEqual([12]);
  });

  it.each<[Record<string, unknown>, number[]]>([
    [{ user: 'alice*' }, [100]],
    [{ user: 'okafor' }, [101]],
    [{ newValue: 'Pied Piper' }, [100]],
    [{ oldValue: '*billing*' }, [101]],
    [{ oldValue: '{"name":"PP"}' }, [100]],
    [{ reason: 'CI deploy' }, [101]],
    [{ reason: 'user interface' }, [100]],
    [{ tenantId: TENANT }, [100]],
    [{ message: 'Rotated*', user: 'ops@' }, [102]],
  ])('filters the audit log by %p', async (search, expected) => {
    expect(ids((await searchAudit({ ...search, orderBy: 'insertInstant ASC' })).auditLogs)).toEqual(
      expected,
    );
  });

  it('orders by a text column, then by insertInstant as a second term', async () => {
    const body = await searchAudit({ orderBy: 'insertUser ASC' });
    expect(body.auditLogs.map((record) => record.insertUser)).toEqual([
      'alice.smith@example.com',
      'Bilal Okafor',
      'ops@example.com',
    ]);
    const twoTerms = await searchEvents({
      orderBy: 'type DESC, insertInstant ASC',
      numberOfResults: 100,
    });
    expect(twoTerms.eventLogs.map((record) => record.type).slice(0, 10)).toEqual(
      Array<string>(10).fill('Information'),
    );
    expect(ids(twoTerms.eventLogs).slice(-3)).toEqual([1, 13, 12]);
  });
});

describe('the FusionAuth emulator: wildcard matching', () => {
  const LOGS: EventLogWire[] = [
    { id: 1, insertInstant: T0, message: 'Key rotated at 300 \u212A (Kelvin sign)', type: 'Debug' },
    { id: 2, insertInstant: T0, message: 'Disk 100% full_now', type: 'Error' },
    { id: 3, insertInstant: T0, message: 'Disk 100x fullXnow', type: 'Error' },
    { id: 4, insertInstant: T0, message: 'path C:\\temp\\new', type: 'Information' },
    { id: 5, insertInstant: T0, message: 'İstanbul office', type: 'Information' },
  ];
  let local: FusionAuthEmulator;
  beforeAll(async () => {
    local = await startFusionAuthEmulator({ eventLogs: LOGS, auditLogs: [], apiKey: KEY });
  });
  afterAll(async () => {
    await local.close();
  });

  it.each<[string, number[]]>([
    // Lower-cased on both sides, as the gateway compares: the Kelvin sign is a k to it.
    ['300 k', [1]],
    ['*ROTATED*K*', [1]],
    ['i̇stanbul', [5]],
    ['İSTANBUL', [5]],
    // Only `*` is a wildcard: SQL LIKE's `%` and `_`, and a backslash, are plain characters.
    ['100%', [2]],
    ['full_now', [2]],
    ['c:\\temp\\new', [4]],
    ['c:\\temp', [4]],
  ])('matches message %p against entries %p', async (message, expected) => {
    const response = await fetch(`${local.url}/api/system/event-log/search`, {
      method: 'POST',
      headers: { authorization: KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ search: { message, orderBy: 'insertInstant ASC' } }),
    });
    const body = (await response.json()) as { eventLogs: EventLogWire[] };
    expect(ids(body.eventLogs).sort()).toEqual(expected);
  });
});

describe('the FusionAuth emulator: offset pagination and ties', () => {
  async function pages(search: Record<string, unknown>, size: number): Promise<number[]> {
    const out: number[] = [];
    for (let startRow = 0; startRow < 50; startRow += size) {
      const body = await searchEvents({ ...search, startRow, numberOfResults: size });
      out.push(...ids(body.eventLogs));
      if (startRow + body.eventLogs.length >= body.total) break;
    }
    return out;
  }

  it('pages by startRow through every entry once, with a constant total', async () => {
    const all = ids((await searchEvents({ numberOfResults: 100 })).eventLogs);
    const paged = await pages({}, 3);
    expect(paged).toEqual(all);
    expect(new Set(paged).size).toBe(EVENT_LOGS.length);
  });

  it('answers a startRow past the end with no entries and the total', async () => {
    expect(await searchEvents({ startRow: 500 })).toEqual({
      eventLogs: [],
      total: EVENT_LOGS.length,
    });
  });

  it('keeps the order of ties along one query paged by startRow', async () => {
    const search = { start: T0, end: T0, orderBy: 'insertInstant ASC' };
    const whole = ids((await searchEvents({ ...search, numberOfResults: 10 })).eventLogs);
    for (const size of [1, 3, 4]) expect(await pages(search, size)).toEqual(whole);
  });

  it('orders the same ties differently for different queries', async () => {
    const orders = new Set<string>();
    for (let end = T0; end < T0 + 6; end += 1) {
      const body = await searchEvents({ start: T0, end, orderBy: 'insertInstant ASC' });
      orders.add(ids(body.eventLogs.filter((record) => record.insertInstant === T0)).join(','));
    }
    expect(orders.size).toBeGreaterThan(1);
    const same = await searchEvents({ start: T0, end: T0, orderBy: 'insertInstant ASC' });
    const again = await searchEvents({ start: T0, end: T0, orderBy: 'insertInstant ASC' });
    expect(ids(again.eventLogs)).toEqual(ids(same.eventLogs));
  });

  it('orders ties by id when shuffleTies is off, in the direction of the order', async () => {
    emulator.knobs.shuffleTies = false;
    const ascending = await searchEvents({ start: T0, end: T0, orderBy: 'insertInstant ASC' });
    expect(ids(ascending.eventLogs)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const descending = await searchEvents({ start: T0, end: T0 });
    expect(ids(descending.eventLogs)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
  });
});

describe('the FusionAuth emulator: live inserts and knobs', () => {
  it('serves an entry inserted after start-up in its place', async () => {
    const local = await startFusionAuthEmulator({ eventLogs: EVENT_LOGS, auditLogs: AUDIT_LOGS });
    try {
      local.insertEventLog({ id: 500, insertInstant: T0 + 2, message: 'late', type: 'Debug' });
      local.insertAuditLog({
        id: 501,
        insertInstant: T0 - 10,
        message: 'Created the user with Id [u]',
      });
      expect(local.eventLogs.map((record) => record.id).indexOf(500)).toBe(12);
      expect(local.auditLogs[0]?.id).toBe(501);
      expect(() =>
        local.insertEventLog({ id: 500, insertInstant: 1, message: 'x', type: 'Debug' }),
      ).toThrow();
      const response = await fetch(`${local.url}/api/system/event-log/500`, {
        headers: { authorization: local.apiKey },
      });
      expect(await response.json()).toEqual({
        eventLog: { id: 500, insertInstant: T0 + 2, message: 'late', type: 'Debug' },
      });
    } finally {
      await local.close();
    }
  });

  it('records requests and applies injected faults', async () => {
    emulator.resetRequests();
    emulator.knobs.faults.push({ fault: { type: 'status', status: 503 } });
    expect((await call('/api/system/event-log/search')).status).toBe(503);
    expect((await call('/api/system/event-log/search')).status).toBe(200);
    expect(emulator.requests.map((request) => request.path)).toEqual([
      '/api/system/event-log/search',
      '/api/system/event-log/search',
    ]);
  });
});

describe('the FusionAuth generators', () => {
  const people = createPeople(createRandom(11));
  const window = { fromMs: T0, toMs: T0 + 3 * 86_400_000 };

  it('are deterministic for a seed', () => {
    expect(generateFusionAuthEventLogRecords(createRandom(5), people, window, 200)).toEqual(
      generateFusionAuthEventLogRecords(createRandom(5), people, window, 200),
    );
    expect(generateFusionAuthAuditLogRecords(createRandom(5), people, window, 200)).toEqual(
      generateFusionAuthAuditLogRecords(createRandom(5), people, window, 200),
    );
    expect(generateFusionAuthEventLogRecords(createRandom(6), people, window, 200)).not.toEqual(
      generateFusionAuthEventLogRecords(createRandom(5), people, window, 200),
    );
  });

  it('writes event log entries with increasing ids, millisecond ties and every type', () => {
    const records = generateFusionAuthEventLogRecords(createRandom(5), people, window, 300, 1000);
    expect(records).toHaveLength(300);
    expect(records.map((record) => record.id)).toEqual(records.map((_, i) => 1000 + i));
    const instants = records.map((record) => record.insertInstant);
    expect(instants).toEqual([...instants].sort((a, b) => a - b));
    expect(new Set(instants).size).toBeLessThan(instants.length);
    expect(instants.every((ms) => ms >= window.fromMs && ms < window.toMs)).toBe(true);
    expect(new Set(records.map((record) => record.type))).toEqual(
      new Set(['Information', 'Debug', 'Error']),
    );
    expect(
      records.some((record) => /^User \[[^\]]+@example\.com\] failed login/.test(record.message)),
    ).toBe(true);
    expect(records.some((record) => record.message.startsWith('Webhook ['))).toBe(true);
  });

  it('writes audit log entries with both placements of changes, entries without, and names', () => {
    const records = generateFusionAuthAuditLogRecords(createRandom(5), people, window, 400);
    const emails = new Set(people.map((person) => person.email));
    const names = new Set(people.map((person) => person.name));
    expect(
      records.every((r) => emails.has(r.insertUser ?? '') || names.has(r.insertUser ?? '')),
    ).toBe(true);
    expect(records.some((r) => names.has(r.insertUser ?? ''))).toBe(true);
    expect(records.some((r) => r.newValue !== undefined || r.oldValue !== undefined)).toBe(true);
    expect(
      records.some((r) => r.data?.newValue !== undefined || r.data?.oldValue !== undefined),
    ).toBe(true);
    expect(records.some((r) => typeof r.newValue === 'string')).toBe(true);
    expect(records.some((r) => typeof r.newValue === 'object')).toBe(true);
    expect(
      records.some(
        (r) => r.data === undefined && r.newValue === undefined && r.oldValue === undefined,
      ),
    ).toBe(true);
    expect(records.some((r) => r.reason === 'FusionAuth User Interface')).toBe(true);
    expect(records.some((r) => r.tenantId === undefined)).toBe(true);
    expect(new Set(records.map((r) => r.insertInstant)).size).toBeLessThan(records.length);
  });
});
