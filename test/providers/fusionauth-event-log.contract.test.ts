import { createRandom } from '../../src/emulators/dataset/createRandom';
import { createPeople } from '../../src/emulators/dataset/people';
import { generateFusionAuthEventLogRecords } from '../../src/emulators/fusionauth/generateFusionAuthEventLogRecords';
import { startFusionAuthEmulator } from '../../src/emulators/fusionauth/startFusionAuthEmulator';
import { createHttpClient } from '../../src/http/createHttpClient';
import { createFusionAuthEventLogSource } from '../../src/providers/fusionauth-event-log/createFusionAuthEventLogSource';
import { toFusionAuthEventLogAuditEvent } from '../../src/providers/fusionauth-event-log/toFusionAuthEventLogAuditEvent';
import { describeSourceContract } from '../support/describeSourceContract';

const TO_MS = Date.UTC(2026, 2, 5);
const window = { fromMs: TO_MS - 4 * 86_400_000, toMs: TO_MS };

describeSourceContract('fusionauth-event-log', async () => {
  const random = createRandom(2026);
  const people = createPeople(random.fork('people'));
  const records = generateFusionAuthEventLogRecords(random.fork('events'), people, window, 450);
  const emulator = await startFusionAuthEmulator({
    eventLogs: records,
    auditLogs: [],
    apiKey: 'contract-key',
  });
  const http = createHttpClient({ baseUrl: emulator.url, sourceId: 'fa-events' });
  const wrongHttp = createHttpClient({ baseUrl: emulator.url, sourceId: 'fa-events-wrong-key' });
  const now = () => TO_MS;
  return {
    source: createFusionAuthEventLogSource(
      { id: 'fa-events', apiKey: 'contract-key' },
      { http, now },
    ),
    wrongCredentialSource: createFusionAuthEventLogSource(
      { id: 'fa-events-wrong-key', apiKey: 'not-the-key' },
      { http: wrongHttp, now },
    ),
    expected: records.map((record) =>
      toFusionAuthEventLogAuditEvent(record, { id: 'fa-events', kind: 'fusionauth-event-log' }),
    ),
    emulator,
    close: async () => {
      await Promise.all([http.close(), wrongHttp.close()]);
      await emulator.close();
    },
  };
});
