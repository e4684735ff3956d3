import { createRandom } from '../../src/emulators/dataset/createRandom';
import { createPeople } from '../../src/emulators/dataset/people';
import { generateNirvanaRecords } from '../../src/emulators/nirvana/generateNirvanaRecords';
import { startNirvanaEmulator } from '../../src/emulators/nirvana/startNirvanaEmulator';
import { createHttpClient } from '../../src/http/createHttpClient';
import { createNirvanaSource } from '../../src/providers/nirvana/createNirvanaSource';
import { toNirvanaAuditEvent } from '../../src/providers/nirvana/toNirvanaAuditEvent';
import { describeSourceContract } from '../support/describeSourceContract';

const TO_MS = Date.UTC(2026, 2, 5);
const window = { fromMs: TO_MS - 4 * 86_400_000, toMs: TO_MS };

describeSourceContract('nirvana', async () => {
  const random = createRandom(42);
  const people = createPeople(random.fork('people'));
  const records = generateNirvanaRecords(random.fork('nirvana'), people, window, 550);
  const emulator = await startNirvanaEmulator({ records, apiKey: 'contract-key' });
  const http = createHttpClient({ baseUrl: emulator.url, sourceId: 'nirvana' });
  const wrongHttp = createHttpClient({ baseUrl: emulator.url, sourceId: 'nirvana-wrong-key' });
  const now = () => TO_MS;
  return {
    source: createNirvanaSource({ id: 'nirvana', apiKey: 'contract-key' }, { http, now }),
    wrongCredentialSource: createNirvanaSource(
      { id: 'nirvana-wrong-key', apiKey: 'not-the-key' },
      { http: wrongHttp, now },
    ),
    expected: records.map((record) =>
      toNirvanaAuditEvent(record, { id: 'nirvana', kind: 'nirvana' }),
    ),
    emulator,
    close: async () => {
      await Promise.all([http.close(), wrongHttp.close()]);
      await emulator.close();
    },
  };
});
