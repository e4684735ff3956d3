import { generateFastlyRecords } from '../../src/emulators/fastly/generateFastlyRecords';
import { startFastlyEmulator } from '../../src/emulators/fastly/startFastlyEmulator';
import { createFastlySource } from '../../src/providers/fastly/createFastlySource';
import { toFastlyAuditEvent } from '../../src/providers/fastly/toFastlyAuditEvent';
import { describeSourceContract } from '../support/describeSourceContract';
import { generateDataset } from '../support/generateDataset';

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 4) };

describeSourceContract({
  kind: 'fastly',
  records: generateDataset(20260301, (random, people) =>
    generateFastlyRecords(random.fork('fastly'), people, WINDOW, 450),
  ),
  toEvent: toFastlyAuditEvent,
  startEmulator: (records) => startFastlyEmulator({ records }),
  nowMs: WINDOW.toMs,
  createSource: ({ id, emulator, credential, http, now }) =>
    createFastlySource({ id, token: credential ?? emulator.token }, { http, now }),
});
