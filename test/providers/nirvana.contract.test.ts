import { generateNirvanaRecords } from '../../src/emulators/nirvana/generateNirvanaRecords';
import { startNirvanaEmulator } from '../../src/emulators/nirvana/startNirvanaEmulator';
import { createNirvanaSource } from '../../src/providers/nirvana/createNirvanaSource';
import { toNirvanaAuditEvent } from '../../src/providers/nirvana/toNirvanaAuditEvent';
import { describeSourceContract } from '../support/describeSourceContract';
import { generateDataset } from '../support/generateDataset';

const TO_MS = Date.UTC(2026, 2, 5);
const WINDOW = { fromMs: TO_MS - 4 * 86_400_000, toMs: TO_MS };

describeSourceContract({
  kind: 'nirvana',
  records: generateDataset(42, (random, people) =>
    generateNirvanaRecords(random.fork('nirvana'), people, WINDOW, 550),
  ),
  toEvent: toNirvanaAuditEvent,
  startEmulator: (records) => startNirvanaEmulator({ records, apiKey: 'contract-key' }),
  nowMs: TO_MS,
  createSource: ({ id, emulator, credential, http, now }) =>
    createNirvanaSource({ id, apiKey: credential ?? emulator.apiKey }, { http, now }),
});
