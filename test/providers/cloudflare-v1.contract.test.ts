import { generateCloudflareV1Records } from '../../src/emulators/cloudflare-v1/generateCloudflareV1Records';
import { startCloudflareV1Emulator } from '../../src/emulators/cloudflare-v1/startCloudflareV1Emulator';
import { createCloudflareV1Source } from '../../src/providers/cloudflare-v1/createCloudflareV1Source';
import { toCloudflareV1AuditEvent } from '../../src/providers/cloudflare-v1/toCloudflareV1AuditEvent';
import { describeSourceContract } from '../support/describeSourceContract';
import { generateDataset } from '../support/generateDataset';

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 4) };

describeSourceContract({
  kind: 'cloudflare-v1',
  records: generateDataset(20260302, (random, people) =>
    generateCloudflareV1Records(random.fork('cloudflare-v1'), people, WINDOW, 450),
  ),
  toEvent: toCloudflareV1AuditEvent,
  startEmulator: (records) => startCloudflareV1Emulator({ records }),
  basePath: '/client/v4',
  nowMs: WINDOW.toMs,
  createSource: ({ id, emulator, credential, http, now }) =>
    createCloudflareV1Source(
      { id, token: credential ?? emulator.token, accountId: emulator.accountId },
      { http, now },
    ),
});
