import { generateFusionAuthAuditLogRecords } from '../../src/emulators/fusionauth/generateFusionAuthAuditLogRecords';
import { startFusionAuthEmulator } from '../../src/emulators/fusionauth/startFusionAuthEmulator';
import { createFusionAuthAuditLogSource } from '../../src/providers/fusionauth-audit-log/createFusionAuthAuditLogSource';
import { toFusionAuthAuditLogAuditEvent } from '../../src/providers/fusionauth-audit-log/toFusionAuthAuditLogAuditEvent';
import { describeSourceContract } from '../support/describeSourceContract';
import { generateDataset } from '../support/generateDataset';

const TO_MS = Date.UTC(2026, 2, 5);
const WINDOW = { fromMs: TO_MS - 3 * 86_400_000, toMs: TO_MS };
const TENANT = '6c9e9669-9670-4f85-9f16-8396c2206f7f';

// The key is locked to a tenant and the source names it, so the tenant header path runs too.
describeSourceContract({
  kind: 'fusionauth-audit-log',
  records: generateDataset(7, (random, people) =>
    generateFusionAuthAuditLogRecords(random.fork('audit'), people, WINDOW, 500),
  ),
  toEvent: toFusionAuthAuditLogAuditEvent,
  startEmulator: (records) =>
    startFusionAuthEmulator({
      eventLogs: [],
      auditLogs: records,
      apiKey: 'contract-key',
      tenantId: TENANT,
    }),
  nowMs: TO_MS,
  createSource: ({ id, emulator, credential, http, now }) =>
    createFusionAuthAuditLogSource(
      { id, apiKey: credential ?? emulator.apiKey, tenantId: TENANT },
      { http, now },
    ),
});
