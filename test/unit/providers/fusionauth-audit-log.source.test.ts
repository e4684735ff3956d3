import { startFusionAuthEmulator } from '../../../src/emulators/fusionauth/startFusionAuthEmulator';
import type { AuditLogWire } from '../../../src/providers/fusionauth-audit-log/AuditLogWire';
import { createFusionAuthAuditLogSource } from '../../../src/providers/fusionauth-audit-log/createFusionAuthAuditLogSource';
import { failureOf, useSourceTestKit } from '../../support/sourceTestKit';

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

const kit = useSourceTestKit({
  startEmulator: () =>
    startFusionAuthEmulator({ eventLogs: [], auditLogs: RECORDS, apiKey: KEY, tenantId: TENANT }),
  sourceId: 'fa-audit',
  createSource: (http) =>
    createFusionAuthAuditLogSource({ id: 'fa-audit', apiKey: KEY }, { http, now: () => T0 }),
});

describe('createFusionAuthAuditLogSource', () => {
  const create = (tenantId: string) =>
    createFusionAuthAuditLogSource(
      { id: 'fa-audit', apiKey: KEY, tenantId },
      { http: kit.http, now: () => T0 },
    );

  it('searches the audit log and maps its entries', async () => {
    const page = await create(TENANT).list(
      { order: 'desc', sinceMs: T0, beforeMs: T0 + 86_400_000, pageSize: 10 },
      null,
    );
    expect(kit.emulator.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/system/audit-log/search',
      body: { search: { orderBy: 'insertInstant DESC', start: T0 - 1, end: T0 + 86_400_000 } },
    });
    expect(kit.emulator.requests[0]?.headers['x-fusionauth-tenantid']).toBe(TENANT);
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
    const event = await kit.source.get('9051', null);
    expect(kit.emulator.requests[0]?.path).toBe('/api/system/audit-log/9051');
    expect(event?.resource).toEqual({
      id: '3c219e58-ed0e-4b18-ad48-f4f92793ae32',
      type: 'application',
      name: 'Pied Piper',
      product: null,
    });
    await expect(kit.source.get('1', null)).resolves.toBeNull();
  });

  it('reports a key the tenant refuses as SOURCE_AUTH_FAILED naming the source', async () => {
    const error = await failureOf(
      create('a03d8853-b5de-4a05-85bd-f4edc0ab7db1').list(
        { order: 'asc', sinceMs: 0, beforeMs: T0 * 2, pageSize: 10 },
        null,
      ),
    );
    expect(error).toMatchObject({ code: 'SOURCE_AUTH_FAILED', details: { sourceId: 'fa-audit' } });
  });

  it('reports an entry whose id is not a Long as SOURCE_BAD_RESPONSE', async () => {
    kit.respondOnce({ auditLogs: [{ ...RECORDS[0], id: '9050' }], total: 1 });
    const error = await failureOf(
      kit.source.list({ order: 'asc', sinceMs: 0, beforeMs: T0 * 2, pageSize: 10 }, null),
    );
    expect(error).toMatchObject({ code: 'SOURCE_BAD_RESPONSE' });
  });
});
