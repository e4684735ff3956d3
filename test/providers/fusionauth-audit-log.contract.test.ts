import { createRandom } from '../../src/emulators/dataset/createRandom';
import { createPeople } from '../../src/emulators/dataset/people';
import { generateFusionAuthAuditLogRecords } from '../../src/emulators/fusionauth/generateFusionAuthAuditLogRecords';
import { startFusionAuthEmulator } from '../../src/emulators/fusionauth/startFusionAuthEmulator';
import { createHttpClient } from '../../src/http/createHttpClient';
import { createFusionAuthAuditLogSource } from '../../src/providers/fusionauth-audit-log/createFusionAuthAuditLogSource';
import { toFusionAuthAuditLogAuditEvent } from '../../src/providers/fusionauth-audit-log/toFusionAuthAuditLogAuditEvent';
import { describeSourceContract } from '../support/describeSourceContract';

const TO_MS = Date.UTC(2026, 2, 5);
const window = { fromMs: TO_MS - 3 * 86_400_000, toMs: TO_MS };
const TENANT = '6c9e9669-9670-4f85-9f16-8396c2206f7f';

// The key is locked to a tenant and the source names it, so the tenant header path runs too.
describeSourceContract('fusionauth-audit-log', async () => {
  const random = createRandom(7);
  const people = createPeople(random.fork('people'));
  const records = generateFusionAuthAuditLogRecords(random.fork('audit'), people, window, 500);
  const emulator = await startFusionAuthEmulator({
    eventLogs: [],
    auditLogs: records,
    apiKey: 'contract-key',
    tenantId: TENANT,
  });
  const http = createHttpClient({ baseUrl: emulator.url, sourceId: 'fa-audit' });
  const wrongHttp = createHttpClient({ baseUrl: emulator.url, sourceId: 'fa-audit-wrong-key' });
  const now = () => TO_MS;
  return {
    source: createFusionAuthAuditLogSource(
      { id: 'fa-audit', apiKey: 'contract-key', tenantId: TENANT },
      { http, now },
    ),
    wrongCredentialSource: createFusionAuthAuditLogSource(
      { id: 'fa-audit-wrong-key', apiKey: 'not-the-key', tenantId: TENANT },
      { http: wrongHttp, now },
    ),
    expected: records.map((record) =>
      toFusionAuthAuditLogAuditEvent(record, { id: 'fa-audit', kind: 'fusionauth-audit-log' }),
    ),
    emulator,
    close: async () => {
      await Promise.all([http.close(), wrongHttp.close()]);
      await emulator.close();
    },
  };
});
