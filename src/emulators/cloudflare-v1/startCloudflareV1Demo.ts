import { startCloudflareDemo } from '../cloudflare-shared/startCloudflareDemo';
import type { DemoContext, DemoEmulator } from '../shared/DemoEmulator';
import { generateCloudflareV1Records } from './generateCloudflareV1Records';
import { startCloudflareV1Emulator } from './startCloudflareV1Emulator';

/** The demo company's Cloudflare account, as audit logs v1 serve it. */
export function startCloudflareV1Demo(demo: DemoContext): Promise<DemoEmulator> {
  return startCloudflareDemo(demo, {
    kind: 'cloudflare-v1',
    generate: generateCloudflareV1Records,
    start: startCloudflareV1Emulator,
  });
}
