import { randomBytes } from 'node:crypto';
import type { SourceKind } from '../model/AuditEvent';
import { startCloudflareV1Demo } from './cloudflare-v1/startCloudflareV1Demo';
import { startCloudflareV2Demo } from './cloudflare-v2/startCloudflareV2Demo';
import { createRandom } from './dataset/createRandom';
import { createPeople } from './dataset/people';
import { startFastlyDemo } from './fastly/startFastlyDemo';
import { startFusionAuthDemo } from './fusionauth/startFusionAuthDemo';
import { startNirvanaDemo } from './nirvana/startNirvanaDemo';
import type { DemoContext, DemoSource, StartDemoEmulator } from './shared/DemoEmulator';
import type { EmulatorServer } from './startEmulatorServer';

export type { DemoSource } from './shared/DemoEmulator';

/** How many events each kind holds in the demo: a month of a mid-sized company's activity. */
export const DEMO_EVENT_COUNTS: Readonly<Record<SourceKind, number>> = {
  fastly: 1_200,
  'cloudflare-v1': 1_000,
  'cloudflare-v2': 2_000,
  'fusionauth-event-log': 1_500,
  'fusionauth-audit-log': 1_500,
  nirvana: 1_800,
};

/** Every emulator of the demo, in the order of its sources; a new kind adds its line here. */
const DEMO_EMULATORS: readonly StartDemoEmulator[] = [
  startFastlyDemo,
  startCloudflareV1Demo,
  startCloudflareV2Demo,
  startFusionAuthDemo,
  startNirvanaDemo,
];

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DemoOptions {
  readonly seed: number;
  /** The demo's month ends here. */
  readonly nowMs: number;
  readonly counts?: Partial<Record<SourceKind, number>>;
  readonly host?: string;
  /**
   * The first emulator listens on this port, the next on the one after, in the order of
   * DEMO_EMULATORS; unset: each on any free port.
   */
  readonly basePort?: number;
  /** Secrets by credential family (`fastly`, `cloudflare`…); a family not given gets a fresh one. */
  readonly credentials?: Readonly<Partial<Record<string, string>>>;
}

/** How many ports the demo's emulators take from `basePort` on. */
export const DEMO_EMULATOR_COUNT = DEMO_EMULATORS.length;

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
  const secrets = new Map<string, string>();
  // By source id: the demo's source of a kind has the kind as its id.
  const counts: Record<string, number> = {};
  const context: DemoContext = {
    random,
    generate: (kind, generate, label = kind) => {
      const count = options.counts?.[kind] ?? DEMO_EVENT_COUNTS[kind] ?? 0;
      const records = generate(random.fork(label), people, window, count);
      counts[kind] = records.length;
      return records;
    },
    credential: (name) => {
      const secret =
        secrets.get(name) ?? options.credentials?.[name] ?? randomBytes(18).toString('base64url');
      secrets.set(name, secret);
      return secret;
    },
    host: options.host ?? '127.0.0.1',
    port: undefined,
  };

  const { basePort } = options;
  const settled = await Promise.allSettled(
    DEMO_EMULATORS.map((start, index) =>
      start({ ...context, port: basePort === undefined ? undefined : basePort + index }),
    ),
  );
  const started = settled.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    // A fixed port already taken fails one emulator: the others must not stay listening.
    await Promise.all(started.map(({ emulator }) => emulator.close()));
    throw failure.reason;
  }
  const emulators = started.map(({ emulator }) => emulator);
  return {
    sources: started.flatMap(({ sources }) => sources),
    emulators,
    counts,
    close: async () => {
      await Promise.all(emulators.map((emulator) => emulator.close()));
    },
  };
}
