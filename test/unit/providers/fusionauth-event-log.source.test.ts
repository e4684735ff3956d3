import { startFusionAuthEmulator } from '../../../src/emulators/fusionauth/startFusionAuthEmulator';
import type { ListQuery } from '../../../src/model/Source';
import { createFusionAuthEventLogSource } from '../../../src/providers/fusionauth-event-log/createFusionAuthEventLogSource';
import type { EventLogWire } from '../../../src/providers/fusionauth-event-log/EventLogWire';
import { toFusionAuthEventLogAuditEvent } from '../../../src/providers/fusionauth-event-log/toFusionAuthEventLogAuditEvent';
import { failureOf, useSourceTestKit } from '../../support/sourceTestKit';

const KEY = 'fa-secret-api-key';
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const SINCE = T0;
const BEFORE = T0 + 10_000;

const RECORDS: EventLogWire[] = [
  { id: 1, insertInstant: SINCE - 2, message: 'too early', type: 'Debug' },
  { id: 2, insertInstant: SINCE - 1, message: 'one ms before the window', type: 'Debug' },
  { id: 3, insertInstant: SINCE, message: 'first inside', type: 'Information' },
  { id: 4, insertInstant: SINCE + 5, message: 'inside', type: 'Error' },
  { id: 5, insertInstant: SINCE + 5, message: 'inside, same ms', type: 'Error' },
  { id: 6, insertInstant: BEFORE - 1, message: 'last inside', type: 'Information' },
  { id: 7, insertInstant: BEFORE, message: 'at the exclusive end', type: 'Debug' },
  { id: 8, insertInstant: BEFORE + 1, message: 'too late', type: 'Debug' },
];

const query = (fields: Partial<ListQuery> = {}): ListQuery => ({
  order: 'asc',
  sinceMs: SINCE,
  beforeMs: BEFORE,
  pageSize: 100,
  ...fields,
});

const kit = useSourceTestKit({
  startEmulator: () => startFusionAuthEmulator({ eventLogs: RECORDS, auditLogs: [], apiKey: KEY }),
  sourceId: 'fa-events',
  createSource: (http) =>
    createFusionAuthEventLogSource({ id: 'fa-events', apiKey: KEY }, { http, now: () => T0 }),
});
const { respondOnce } = kit;

describe('createFusionAuthEventLogSource', () => {
  it('describes itself', () => {
    expect(kit.source).toMatchObject({
      id: 'fa-events',
      kind: 'fusionauth-event-log',
      provider: 'FUSIONAUTH',
      maxPageSize: 1000,
    });
  });

  it('searches by POST with the window widened by 1 ms, the order, the page size and the raw key', async () => {
    await kit.source.list(query({ order: 'desc', pageSize: 3 }), null);
    expect(kit.emulator.requests).toHaveLength(1);
    const [request] = kit.emulator.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/system/event-log/search');
    expect(request?.body).toEqual({
      search: {
        start: SINCE - 1,
        end: BEFORE,
        orderBy: 'insertInstant DESC',
        numberOfResults: 3,
        startRow: 0,
      },
    });
    expect(request?.headers.authorization).toBe(KEY);
    expect(request?.headers['x-fusionauth-tenantid']).toBeUndefined();
  });

  it.each([
    [0, 1],
    [1, 1],
    [250, 250],
    [1000, 1000],
    [5000, 1000],
  ])('asks for %i events as numberOfResults %i', async (pageSize, numberOfResults) => {
    await kit.source.list(query({ pageSize }), null);
    expect(kit.emulator.requests[0]?.body).toMatchObject({ search: { numberOfResults } });
  });

  it('lists the window in order, with the widened edges for the feed to drop', async () => {
    const page = await kit.listSettled(query(), null);
    // 4 and 5 share a millisecond: their order is the upstream's.
    const ids = page.events.map((event) => event.nativeId);
    expect([...ids].sort()).toEqual(['2', '3', '4', '5', '6', '7']);
    expect([ids[0], ids[1], ids[4], ids[5]]).toEqual(['2', '3', '6', '7']);
    expect(page.events[0]).toEqual(
      toFusionAuthEventLogAuditEvent(RECORDS[1]!, {
        id: 'fa-events',
        kind: 'fusionauth-event-log',
      }),
    );
    expect(page.total).toBe(6);
    expect(page.next).toBeNull();
  });

  it('continues with the next startRow and ends when the total is reached', async () => {
    const first = await kit.source.list(query({ pageSize: 4 }), null);
    expect(first.next).toBe('4');
    const second = await kit.source.list(query({ pageSize: 4 }), first.next);
    expect(kit.emulator.requests[1]?.body).toMatchObject({ search: { startRow: 4 } });
    expect(second.events.map((event) => event.nativeId)).toEqual(['6', '7']);
    expect(second.next).toBeNull();
    const exact = await kit.source.list(query({ pageSize: 3 }), '3');
    expect(exact.events).toHaveLength(3);
    expect(exact.next).toBeNull();
  });

  it('keeps paging when the server serves fewer rows than asked but its total says more', async () => {
    respondOnce({ eventLogs: [RECORDS[2]], total: 3 });
    const page = await kit.source.list(query({ pageSize: 10 }), null);
    expect(page).toMatchObject({ next: '1', total: 3 });
  });

  it.each([
    ['an empty page, whatever the total', { eventLogs: [], total: 5 }, null],
    ['a short page without a total', { eventLogs: [RECORDS[2]] }, null],
    ['a full page without a total', { eventLogs: [RECORDS[2], RECORDS[3]] }, '2'],
    ['a response without a list', { total: 0 }, null],
  ])('reads %s', async (_case, body, next) => {
    respondOnce(body);
    const page = await kit.source.list(query({ pageSize: 2 }), null);
    expect(page.next).toBe(next);
    expect(page.total).toBe('total' in body ? body.total : null);
  });

  it('refuses a continuation that is not a row offset, without asking upstream', async () => {
    const error = await failureOf(kit.source.list(query(), 'cursor-from-elsewhere'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(kit.emulator.requests).toHaveLength(0);
  });

  it.each([
    [
      'an id that is not a number',
      { eventLogs: [{ ...RECORDS[0], id: 'leaked-secret-value' }], total: 1 },
    ],
    [
      'an instant that is a string',
      { eventLogs: [{ ...RECORDS[0], insertInstant: 'leaked-secret-value' }], total: 1 },
    ],
    ['a list that is an object', { eventLogs: { secret: 'leaked-secret-value' }, total: 1 }],
    ['an array body', ['leaked-secret-value']],
  ])(
    'reports a body with %s as SOURCE_BAD_RESPONSE, naming the source, echoing nothing',
    async (_case, body) => {
      respondOnce(body);
      const error = await failureOf(kit.source.list(query(), null));
      expect(error.code).toBe('SOURCE_BAD_RESPONSE');
      expect(error.details.sourceId).toBe('fa-events');
      expect(error.message).toContain('fa-events');
      expect(error.message).not.toContain('leaked-secret-value');
      expect(error.message).not.toContain(kit.emulator.url);
    },
  );

  it('reports a body that is not JSON as SOURCE_BAD_RESPONSE', async () => {
    kit.emulator.knobs.faults.push({ fault: { type: 'bad-json' } });
    expect((await failureOf(kit.source.list(query(), null))).code).toBe('SOURCE_BAD_RESPONSE');
  });

  it.each([
    [500, 'SOURCE_UNAVAILABLE'],
    [401, 'SOURCE_AUTH_FAILED'],
    [400, 'SOURCE_BAD_RESPONSE'],
  ])('reports an upstream %i as %s without the key', async (status, code) => {
    // Persistent: the search is idempotent, so a passing 500 would be retried away.
    kit.emulator.knobs.faults.push({ fault: { type: 'status', status }, times: 3 });
    const error = await failureOf(kit.source.list(query(), null));
    expect(error.code).toBe(code);
    expect(error.message).not.toContain(KEY);
  });

  it('retries its search, a read, after a passing server error', async () => {
    kit.emulator.resetRequests();
    kit.emulator.knobs.faults.push({ fault: { type: 'status', status: 503 } });
    const page = await kit.source.list(query(), null);
    expect(page.events.length).toBeGreaterThan(0);
    expect(kit.emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it('stops when the caller abandons the request', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failureOf(kit.source.list(query(), null, { signal: controller.signal }));
    expect(error.details.sourceId).toBe('fa-events');
    expect(kit.emulator.requests).toHaveLength(0);
  });

  it('gets one entry by id, mapped as listed', async () => {
    const event = await kit.source.get('4', null);
    expect(kit.emulator.requests[0]?.path).toBe('/api/system/event-log/4');
    expect(kit.emulator.requests[0]?.headers.authorization).toBe(KEY);
    expect(event).toEqual(
      toFusionAuthEventLogAuditEvent(RECORDS[3]!, {
        id: 'fa-events',
        kind: 'fusionauth-event-log',
      }),
    );
  });

  it('gets null for an id FusionAuth does not know', async () => {
    await expect(kit.source.get('424242', null)).resolves.toBeNull();
    expect(kit.emulator.requests).toHaveLength(1);
  });

  it.each(['abc', '007', '-1', '', '1.5', '12345678901234567890', '4 '])(
    'gets null for %p without asking upstream',
    async (id) => {
      await expect(kit.source.get(id, null)).resolves.toBeNull();
      expect(kit.emulator.requests).toHaveLength(0);
    },
  );

  it('reports a retrieval of the wrong shape as SOURCE_BAD_RESPONSE', async () => {
    respondOnce({ eventLogs: [] });
    expect((await failureOf(kit.source.get('4', null))).code).toBe('SOURCE_BAD_RESPONSE');
  });

  it('names the tenant in X-FusionAuth-TenantId when one is configured', async () => {
    const scoped = createFusionAuthEventLogSource(
      { id: 'fa-events', apiKey: KEY, tenantId: '6c9e9669-9670-4f85-9f16-8396c2206f7f' },
      { http: kit.http, now: () => T0 },
    );
    await scoped.list(query(), null);
    await scoped.get('4', null);
    expect(
      kit.emulator.requests.map((request) => request.headers['x-fusionauth-tenantid']),
    ).toEqual(['6c9e9669-9670-4f85-9f16-8396c2206f7f', '6c9e9669-9670-4f85-9f16-8396c2206f7f']);
  });
});
