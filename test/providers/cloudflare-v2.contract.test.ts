import { createRandom } from '../../src/emulators/dataset/createRandom';
import { createPeople } from '../../src/emulators/dataset/people';
import { generateCloudflareV2Records } from '../../src/emulators/cloudflare-v2/generateCloudflareV2Records';
import { startCloudflareV2Emulator } from '../../src/emulators/cloudflare-v2/startCloudflareV2Emulator';
import { createHttpClient } from '../../src/http/createHttpClient';
import { createCloudflareV2Source } from '../../src/providers/cloudflare-v2/createCloudflareV2Source';
import { toCloudflareV2AuditEvent } from '../../src/providers/cloudflare-v2/toCloudflareV2AuditEvent';
import { describeSourceContract } from '../support/describeSourceContract';

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 4) };

describeSourceContract('cloudflare-v2', async () => {
  const random = createRandom(20260303);
  const people = createPeople(random.fork('people'));
  const records = generateCloudflareV2Records(random.fork('cloudflare-v2'), people, WINDOW, 450);
  const emulator = await startCloudflareV2Emulator({ records });
  const baseUrl = `${emulator.url}/client/v4`;
  const http = createHttpClient({ baseUrl, sourceId: 'cf-v2-test' });
  const wrongHttp = createHttpClient({ baseUrl, sourceId: 'cf-v2-wrong' });
  // Well inside the 18-month retention of the dataset.
  const now = () => WINDOW.toMs + 7 * 86_400_000;
  const accountId = emulator.accountId;
  return {
    source: createCloudflareV2Source(
      { id: 'cf-v2-test', token: emulator.token, accountId },
      { http, now },
    ),
    wrongCredentialSource: createCloudflareV2Source(
      { id: 'cf-v2-wrong', token: 'not-the-token', accountId },
      { http: wrongHttp, now },
    ),
    expected: records.map((record) =>
      toCloudflareV2AuditEvent(record, { id: 'cf-v2-test', kind: 'cloudflare-v2' }),
    ),
    emulator,
    close: async () => {
      await http.close();
      await wrongHttp.close();
      await emulator.close();
    },
  };
});
