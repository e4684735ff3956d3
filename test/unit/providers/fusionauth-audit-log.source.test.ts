import {
  startFusionAuthEmulator,
  type FusionAuthEmulator,
} from '../../../src/emulators/fusionauth/startFusionAuthEmulator';
import { createHttpClient, type HttpClient } from '../../../src/http/createHttpClient';
import { AuditgraphError } from '../../../src/model/errors';
import type { AuditLogWire } from '../../../src/providers/fusionauth-audit-log/AuditLogWire';
import { createFusionAuthAuditLogSource } from '../../../src/providers/fusionauth-audit-log/createFusionAuthAuditLogSource';

const KEY = 'fa-audit-key';
const TENANT = '6c9e9669-9670-4f85-9f16-8396c2206f7f';
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);

const RECORDS: AuditLogWire[] = [
  {
    id: 9050,
    insertInstant: T0 + 2,
    insertUser: 'ops@example.com',
    message: 'Rotated signing key',
  },
  {
    id: 9051,
    insertInstant: T0 + 71_456,
    insertUser: 'admin@example.com',
    message:
      'Updated the application with Id [3c219e58-ed0e-4b18-ad48-f4f92793ae32] and name [Pied Piper]',
    reason: 'FusionAuth User Interface',
    data: { newValue: '{"name":"Pied Piper"}', oldValue: '{"name":"PP"}' },
    tenantId: TENANT,
  },
];

let emulator: FusionAuthEmulator;
let http: HttpClient;

beforeAll(async () => {
  emulator = await startFusionAuthEmulator({
    eventLogs: [],
    auditLogs: RECORDS,
    apiKey: KEY,
    tenantId: TENANT,
  });
  http = createHttpClient({ baseUrl: emulator.url, sourceId: 'fa-audit' });
});
afterAll(async () => {
  await http.close();
  await emulator.close();
});
beforeEach(() => emulator.resetRequests());

describe('createFusionAuthAuditLogSource', () => {
  const create = (tenantId?: string) =>
    createFusionAuthAuditLogSource(
      { id: 'fa-audit', apiKey: KEY, ...(tenantId === undefined ? {} : { tenantId }) },
      { http, now: () => T0 },
    );

  it('searches the audit log and maps its entries', async () => {
    const page = await create(TENANT).list(
      { order: 'desc', sinceMs: T0, beforeMs: T0 + 86_400_000, pageSize: 10 },
      null,
    );
    expect(emulator.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/system/audit-log/search',
      body: { search: { orderBy: 'insertInstant DESC', start: T0 - 1, end: T0 + 86_400_000 } },
    });
    expect(emulator.requests[0]?.headers['x-fusionauth-tenantid']).toBe(TENANT);
    expect(page.events.map((event) => [event.nativeId, event.action, event.changes])).toEqual([
      [
        '9051',
        'Updated the application',
        { before: { name: 'PP' }, after: { name: 'Pied Piper' } },
      ],
      ['9050', 'Rotated signing key', null],
    ]);
    expect(page).toMatchObject({ next: null, total: 2 });
  });

  it('gets one entry from /api/system/audit-log/{id}', async () => {
    const event = await create().get('9051', null);
    expect(emulator.requests[0]?.path).toBe('/api/system/audit-log/9051');
    expect(event?.resource).toEqual({
      id: '3c219e58-ed0e-4b18-ad48-f4f92793ae32',
      type: 'application',
      name: 'Pied Piper',
      product: null,
    });
    await expect(create().get('1', null)).resolves.toBeNull();
  });

  it('reports a key the tenant refuses as SOURCE_AUTH_FAILED naming the source', async () => {
    const error = await create('a03d8853-b5de-4a05-85bd-f4edc0ab7db1')
      .list({ order: 'asc', sinceMs: 0, beforeMs: T0 * 2, pageSize: 10 }, null)
      .then(
        () => null,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(AuditgraphError);
    expect(error).toMatchObject({ code: 'SOURCE_AUTH_FAILED', details: { sourceId: 'fa-audit' } });
  });

  it('reports an entry whose id is not a Long as SOURCE_BAD_RESPONSE', async () => {
    emulator.knobs.faults.push({
      fault: {
        type: 'status',
        status: 200,
        body: { auditLogs: [{ ...RECORDS[0], id: '9050' }], total: 1 },
      },
    });
    const error = await create()
      .list({ order: 'asc', sinceMs: 0, beforeMs: T0 * 2, pageSize: 10 }, null)
      .then(
        () => null,
        (caught: unknown) => caught,
      );
    expect(error).toMatchObject({ code: 'SOURCE_BAD_RESPONSE' });
  });
});
