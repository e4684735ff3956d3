import type { DemoContext, DemoEmulator, DemoRecordGenerator } from '../shared/DemoEmulator';
import type { CloudflareEmulator, CloudflareEmulatorOptions } from './startCloudflareEmulator';

/** What the demo needs of one version of the audit-log API. */
export interface CloudflareDemoVersion<R> {
  readonly kind: 'cloudflare-v1' | 'cloudflare-v2';
  readonly generate: DemoRecordGenerator<R, [options: { readonly accountId: string }]>;
  readonly start: (options: CloudflareEmulatorOptions<R>) => Promise<CloudflareEmulator<R>>;
}

/**
 * The demo company's Cloudflare account as one version of the audit-log API serves it: both
 * versions see the same account and accept the same fresh API token, as one real account does.
 */
export async function startCloudflareDemo<R>(
  demo: DemoContext,
  version: CloudflareDemoVersion<R>,
): Promise<DemoEmulator> {
  const { kind } = version;
  const token = demo.credential('cloudflare');
  // A fork depends on the seed and its label only: both versions get the same account id.
  const accountId = demo.random.fork('account').hex(32);
  const records = demo.generate(kind, (random, people, window, count) =>
    version.generate(random, people, window, count, { accountId }),
  );
  const emulator = await version.start({
    records,
    token,
    accountId,
    host: demo.host,
    ...(demo.port === undefined ? {} : { port: demo.port }),
  });
  return {
    emulator,
    sources: [{ id: kind, kind, baseUrl: `${emulator.url}/client/v4`, token, accountId }],
  };
}
