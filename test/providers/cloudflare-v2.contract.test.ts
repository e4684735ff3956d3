import { generateCloudflareV2Records } from '../../src/emulators/cloudflare-v2/generateCloudflareV2Records';
import { startCloudflareV2Emulator } from '../../src/emulators/cloudflare-v2/startCloudflareV2Emulator';
import { createCloudflareV2Source } from '../../src/providers/cloudflare-v2/createCloudflareV2Source';
import { toCloudflareV2AuditEvent } from '../../src/providers/cloudflare-v2/toCloudflareV2AuditEvent';
import { describeSourceContract } from '../support/describeSourceContract';
import { generateDataset } from '../support/generateDataset';

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 4) };

describeSourceContract({
  kind: 'cloudflare-v2',
  records: generateDataset(20260303, (random, people) =>
    generateCloudflareV2Records(random.fork('cloudflare-v2'), people, WINDOW, 450),
  ),
  toEvent: toCloudflareV2AuditEvent,
  startEmulator: (records) => startCloudflareV2Emulator({ records }),
  basePath: '/client/v4',
  // Well inside the 18-month retention of the dataset.
  nowMs: WINDOW.toMs + 7 * 86_400_000,
  createSource: ({ id, emulator, credential, http, now }) =>
    createCloudflareV2Source(
      { id, token: credential ?? emulator.token, accountId: emulator.accountId },
      { http, now },
    ),
});
