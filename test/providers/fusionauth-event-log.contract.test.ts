import { generateFusionAuthEventLogRecords } from '../../src/emulators/fusionauth/generateFusionAuthEventLogRecords';
import { startFusionAuthEmulator } from '../../src/emulators/fusionauth/startFusionAuthEmulator';
import { createFusionAuthEventLogSource } from '../../src/providers/fusionauth-event-log/createFusionAuthEventLogSource';
import { toFusionAuthEventLogAuditEvent } from '../../src/providers/fusionauth-event-log/toFusionAuthEventLogAuditEvent';
import { describeSourceContract } from '../support/describeSourceContract';
import { generateDataset } from '../support/generateDataset';

const TO_MS = Date.UTC(2026, 2, 5);
const WINDOW = { fromMs: TO_MS - 4 * 86_400_000, toMs: TO_MS };

describeSourceContract({
  kind: 'fusionauth-event-log',
  records: generateDataset(2026, (random, people) =>
    generateFusionAuthEventLogRecords(random.fork('events'), people, WINDOW, 450),
  ),
  toEvent: toFusionAuthEventLogAuditEvent,
  startEmulator: (records) =>
    startFusionAuthEmulator({ eventLogs: records, auditLogs: [], apiKey: 'contract-key' }),
  nowMs: TO_MS,
  createSource: ({ id, emulator, credential, http, now }) =>
    createFusionAuthEventLogSource({ id, apiKey: credential ?? emulator.apiKey }, { http, now }),
});
