import { createRandom } from '../../src/emulators/dataset/createRandom';
import { createPeople } from '../../src/emulators/dataset/people';
import { generateCloudflareV1Records } from '../../src/emulators/cloudflare-v1/generateCloudflareV1Records';
import { startCloudflareV1Emulator } from '../../src/emulators/cloudflare-v1/startCloudflareV1Emulator';
import { createHttpClient } from '../../src/http/createHttpClient';
import { createCloudflareV1Source } from '../../src/providers/cloudflare-v1/createCloudflareV1Source';
import { toCloudflareV1AuditEvent } from '../../src/providers/cloudflare-v1/toCloudflareV1AuditEvent';
import { describeSourceContract } from '../support/describeSourceContract';

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 4) };

describeSourceContract('cloudflare-v1', async () => {
  const random = createRandom(20260302);
  const people = createPeople(random.fork('people'));
  const records = generateCloudflareV1Records(random.fork('cloudflare-v1'), people, WINDOW, 450);
  const emulator = await startCloudflareV1Emulator({ records });
  const baseUrl = `${emulator.url}/client/v4`;
  const http = createHttpClient({ baseUrl, sourceId: 'cf-v1-test' });
  const wrongHttp = createHttpClient({ baseUrl, sourceId: 'cf-v1-wrong' });
  const now = () => WINDOW.toMs;
  const accountId = emulator.accountId;
  return {
    source: createCloudflareV1Source(
      { id: 'cf-v1-test', token: emulator.token, accountId },
      { http, now },
    ),
    wrongCredentialSource: createCloudflareV1Source(
      { id: 'cf-v1-wrong', token: 'not-the-token', accountId },
      { http: wrongHttp, now },
    ),
    expected: records.map((record) =>
      toCloudflareV1AuditEvent(record, { id: 'cf-v1-test', kind: 'cloudflare-v1' }),
    ),
    emulator,
    close: async () => {
      await http.close();
      await wrongHttp.close();
      await emulator.close();
    },
  };
});
