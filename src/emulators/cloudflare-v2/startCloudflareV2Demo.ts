import { startCloudflareDemo } from '../cloudflare-shared/startCloudflareDemo';
import type { DemoContext, DemoEmulator } from '../shared/DemoEmulator';
import { generateCloudflareV2Records } from './generateCloudflareV2Records';
import { startCloudflareV2Emulator } from './startCloudflareV2Emulator';

/** The demo company's Cloudflare account, as audit logs v2 serve it. */
export function startCloudflareV2Demo(demo: DemoContext): Promise<DemoEmulator> {
  return startCloudflareDemo(demo, {
    kind: 'cloudflare-v2',
    generate: generateCloudflareV2Records,
    start: startCloudflareV2Emulator,
  });
}
