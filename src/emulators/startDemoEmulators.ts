import { randomBytes } from 'node:crypto';
import type { SourceKind } from '../model/AuditEvent';
import { startCloudflareV1Emulator } from './cloudflare-v1/startCloudflareV1Emulator';
import { generateCloudflareV1Records } from './cloudflare-v1/generateCloudflareV1Records';
import { startCloudflareV2Emulator } from './cloudflare-v2/startCloudflareV2Emulator';
import { generateCloudflareV2Records } from './cloudflare-v2/generateCloudflareV2Records';
import { createRandom } from './dataset/createRandom';
import { createPeople } from './dataset/people';
import { startFastlyEmulator } from './fastly/startFastlyEmulator';
import { generateFastlyRecords } from './fastly/generateFastlyRecords';
import { generateFusionAuthAuditLogRecords } from './fusionauth/generateFusionAuthAuditLogRecords';
import { generateFusionAuthEventLogRecords } from './fusionauth/generateFusionAuthEventLogRecords';
import { startFusionAuthEmulator } from './fusionauth/startFusionAuthEmulator';
import { startNirvanaEmulator } from './nirvana/startNirvanaEmulator';
import { generateNirvanaRecords } from './nirvana/generateNirvanaRecords';
import type { EmulatorServer } from './startEmulatorServer';

/** How many events each kind holds in the demo: a month of a mid-sized company's activity. */
export const DEMO_EVENT_COUNTS: Readonly<Record<SourceKind, number>> = {
  fastly: 1_200,
  'cloudflare-v1': 1_000,
  'cloudflare-v2': 2_000,
  'fusionauth-event-log': 1_500,
  'fusionauth-audit-log': 1_500,
  nirvana: 1_800,
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** A source the gateway can be pointed at: the same shape as a configured one. */
export interface DemoSource {
  readonly id: string;
  readonly kind: SourceKind;
  readonly baseUrl: string;
  readonly token?: string;
  readonly apiKey?: string;
  readonly accountId?: string;
}

export interface DemoOptions {
  readonly seed: number;
  /** The demo's month ends here. */
  readonly nowMs: number;
  readonly counts?: Partial<Record<SourceKind, number>>;
  readonly host?: string;
}

export interface Demo {
  readonly sources: readonly DemoSource[];
  readonly emulators: readonly EmulatorServer[];
  /** Events each source holds. */
  readonly counts: Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * The demo: every kind emulated on loopback, fed one seeded month of the same company's activity
 * (the same people across providers), behind credentials made fresh for each start so the
 * gateway's authentication paths run exactly as against the real APIs.
 */
export async function startDemoEmulators(options: DemoOptions): Promise<Demo> {
  const random = createRandom(options.seed);
  const people = createPeople(random.fork('people'), 10);
  const window = { fromMs: options.nowMs - 30 * DAY_MS, toMs: options.nowMs };
  const count = (kind: SourceKind) => options.counts?.[kind] ?? DEMO_EVENT_COUNTS[kind];
  const secret = () => randomBytes(18).toString('base64url');
  const host = options.host ?? '127.0.0.1';
  const accountId = random.fork('account').hex(32);

  const fastlyToken = secret();
  const cloudflareToken = secret();
  const fusionAuthKey = secret();
  const nirvanaKey = secret();

  const fastlyRecords = generateFastlyRecords(
    random.fork('fastly'),
    people,
    window,
    count('fastly'),
  );
  const v1Records = generateCloudflareV1Records(
    random.fork('cloudflare-v1'),
    people,
    window,
    count('cloudflare-v1'),
    {
      accountId,
    },
  );
  const v2Records = generateCloudflareV2Records(
    random.fork('cloudflare-v2'),
    people,
    window,
    count('cloudflare-v2'),
    {
      accountId,
    },
  );
  const eventLogs = generateFusionAuthEventLogRecords(
    random.fork('fa-event'),
    people,
    window,
    count('fusionauth-event-log'),
  );
  const auditLogs = generateFusionAuthAuditLogRecords(
    random.fork('fa-audit'),
    people,
    window,
    count('fusionauth-audit-log'),
  );
  const nirvanaRecords = generateNirvanaRecords(
    random.fork('nirvana'),
    people,
    window,
    count('nirvana'),
  );

  const [fastly, cloudflareV1, cloudflareV2, fusionAuth, nirvana] = await Promise.all([
    startFastlyEmulator({ records: fastlyRecords, token: fastlyToken, host }),
    startCloudflareV1Emulator({ records: v1Records, token: cloudflareToken, accountId, host }),
    startCloudflareV2Emulator({ records: v2Records, token: cloudflareToken, accountId, host }),
    startFusionAuthEmulator({ eventLogs, auditLogs, apiKey: fusionAuthKey, host }),
    startNirvanaEmulator({ records: nirvanaRecords, apiKey: nirvanaKey, host }),
  ]);

  const sources: DemoSource[] = [
    { id: 'fastly', kind: 'fastly', baseUrl: fastly.url, token: fastlyToken },
    {
      id: 'cloudflare-v1',
      kind: 'cloudflare-v1',
      baseUrl: `${cloudflareV1.url}/client/v4`,
      token: cloudflareToken,
      accountId,
    },
    {
      id: 'cloudflare-v2',
      kind: 'cloudflare-v2',
      baseUrl: `${cloudflareV2.url}/client/v4`,
      token: cloudflareToken,
      accountId,
    },
    {
      id: 'fusionauth-event-log',
      kind: 'fusionauth-event-log',
      baseUrl: fusionAuth.url,
      apiKey: fusionAuthKey,
    },
    {
      id: 'fusionauth-audit-log',
      kind: 'fusionauth-audit-log',
      baseUrl: fusionAuth.url,
      apiKey: fusionAuthKey,
    },
    { id: 'nirvana', kind: 'nirvana', baseUrl: nirvana.url, apiKey: nirvanaKey },
  ];
  const emulators: EmulatorServer[] = [fastly, cloudflareV1, cloudflareV2, fusionAuth, nirvana];
  return {
    sources,
    emulators,
    counts: {
      fastly: fastlyRecords.length,
      'cloudflare-v1': v1Records.length,
      'cloudflare-v2': v2Records.length,
      'fusionauth-event-log': eventLogs.length,
      'fusionauth-audit-log': auditLogs.length,
      nirvana: nirvanaRecords.length,
    },
    close: async () => {
      await Promise.all(emulators.map((emulator) => emulator.close()));
    },
  };
}
