import { createRandom } from '../../src/emulators/dataset/createRandom';
import { createPeople } from '../../src/emulators/dataset/people';
import { generateFastlyRecords } from '../../src/emulators/fastly/generateFastlyRecords';
import { startFastlyEmulator } from '../../src/emulators/fastly/startFastlyEmulator';
import { createHttpClient } from '../../src/http/createHttpClient';
import { createFastlySource } from '../../src/providers/fastly/createFastlySource';
import { toFastlyAuditEvent } from '../../src/providers/fastly/toFastlyAuditEvent';
import { describeSourceContract } from '../support/describeSourceContract';

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 4) };

describeSourceContract('fastly', async () => {
  const random = createRandom(20260301);
  const people = createPeople(random.fork('people'));
  const records = generateFastlyRecords(random.fork('fastly'), people, WINDOW, 450);
  const emulator = await startFastlyEmulator({ records });
  const http = createHttpClient({ baseUrl: emulator.url, sourceId: 'fastly-test' });
  const wrongHttp = createHttpClient({ baseUrl: emulator.url, sourceId: 'fastly-wrong' });
  const now = () => WINDOW.toMs;
  return {
    source: createFastlySource({ id: 'fastly-test', token: emulator.token }, { http, now }),
    wrongCredentialSource: createFastlySource(
      { id: 'fastly-wrong', token: 'not-the-token' },
      { http: wrongHttp, now },
    ),
    expected: records.map((record) =>
      toFastlyAuditEvent(record, { id: 'fastly-test', kind: 'fastly' }),
    ),
    emulator,
    close: async () => {
      await http.close();
      await wrongHttp.close();
      await emulator.close();
    },
  };
});
