/**
 * `npm run bench:export`: what `GET /export` costs against what a user would write instead
 * (directExport.ts: every page of every API, JSON.parse, one sort, NDJSON), over the same
 * emulated upstreams, each side in a process of its own so that its RSS is its own. For each
 * size it reports events per second, the upstream requests, and the peak RSS over the process's
 * RSS before the run, with the gateway's RSS sampled through the export to show that it stays
 * flat while the export grows.
 *
 * Options: --sizes <n,n,…> events in all, split evenly over the six sources (default
 * 25000,100000), --latency-ms <ms> added to every upstream response (default 0), --format
 * ndjson|csv (default ndjson), --cpu-prof <dir> (write the gateway's V8 CPU profile there, for
 * bench/summarizeProfile.ts), --gateway-heap-mb <n> (the gateway's --max-old-space-size: an export
 * that holds one page at a time finishes within a heap far smaller than its data).
 */
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { generateApiKey } from '../src/auth/generateApiKey';
import type { SourceConfig } from '../src/config/types';
import { SOURCE_KIND_NAMES } from '../src/providers/sourceKinds';
import type { DirectExportResult } from './directExport';
import type { EmulatorStart } from './emulatorProcess';
import type { GatewayStart, GatewayStats } from './gatewayProcess';
import { forkPeer } from './ipc';

const KINDS = SOURCE_KIND_NAMES;
const MB = 1024 * 1024;

interface Measured {
  readonly events: number;
  readonly seconds: number;
  readonly requests: number;
  readonly peakOverStartMb: number;
  readonly peakMb: number;
  /** The live heap after a full GC, before and after the export. */
  readonly heapAfterGcMb: readonly [number, number];
}

async function measureExport(
  url: string,
  apiKey: string,
  format: string,
  gateway: ReturnType<typeof forkPeer>,
  samples: { rss: number[]; heap: number[] },
): Promise<Measured> {
  await gateway.call('gc');
  await gateway.call('resetPeak');
  const before = await gateway.call<GatewayStats>('stats');
  const sampler = setInterval(() => {
    void gateway
      .call<GatewayStats>('stats')
      .then((stats) => {
        samples.rss.push(stats.rssBytes / MB);
        samples.heap.push(stats.heapUsedBytes / MB);
      })
      .catch(() => undefined);
  }, 250);
  const startedAt = performance.now();
  const response = await request(`${url}/export?format=${format}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  if (response.statusCode !== 200)
    throw new Error(`export: HTTP ${response.statusCode}: ${await response.body.text()}`);
  let lines = 0;
  for await (const chunk of response.body) {
    const buffer = chunk as Buffer;
    for (let index = buffer.indexOf(10); index !== -1; index = buffer.indexOf(10, index + 1))
      lines += 1;
  }
  const seconds = (performance.now() - startedAt) / 1000;
  clearInterval(sampler);
  const after = await gateway.call<GatewayStats>('stats');
  await gateway.call('gc');
  const collected = await gateway.call<GatewayStats>('stats');
  // NDJSON: the @end line; CSV: the header row.
  const events = lines - 1;
  return {
    events,
    seconds,
    requests: after.upstreamRequests - before.upstreamRequests,
    peakOverStartMb: (after.peakRssBytes - before.rssBytes) / MB,
    peakMb: after.peakRssBytes / MB,
    heapAfterGcMb: [before.heapUsedBytes / MB, collected.heapUsedBytes / MB],
  };
}

interface RunOptions {
  readonly latencyMs: number;
  readonly format: string;
  readonly profileDir: string | undefined;
  readonly heapMb: number | undefined;
}

async function runSize(total: number, { latencyMs, format, profileDir, heapMb }: RunOptions) {
  const perSource = Math.floor(total / KINDS.length);
  const emulators = forkPeer('emulatorProcess.ts');
  const gateway = forkPeer('gatewayProcess.ts', [
    '--expose-gc',
    ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
    ...(heapMb === undefined ? [] : [`--max-old-space-size=${heapMb}`]),
  ]);
  const direct = forkPeer('directExport.ts');
  try {
    const { sources } = await emulators.call<{ sources: SourceConfig[] }>('start', {
      seed: 7,
      nowMs: Date.now() - 60_000,
      counts: Object.fromEntries(KINDS.map((kind) => [kind, perSource])),
      latencyMs,
    } satisfies EmulatorStart);
    const apiKey = generateApiKey();
    const { url } = await gateway.call<{ url: string }>('start', {
      sources,
      apiKey,
      cursorSecret: 'an-export-bench-cursor-secret-of-32-characters',
      requestDeadlineMs: 10_000,
    } satisfies GatewayStart);
    const samples = { rss: [] as number[], heap: [] as number[] };
    const exported = await measureExport(url, apiKey, format, gateway, samples);
    const raw = await direct.call<DirectExportResult>('run', sources);
    return { perSource, exported, raw, samples };
  } finally {
    await direct.stop();
    await gateway.stop();
    await emulators.stop();
  }
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '25000,100000' },
      'latency-ms': { type: 'string', default: '0' },
      format: { type: 'string', default: 'ndjson' },
      'cpu-prof': { type: 'string' },
      'gateway-heap-mb': { type: 'string' },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const latencyMs = Number(values['latency-ms']);
  if (sizes.some((size) => !Number.isInteger(size) || size < KINDS.length))
    throw new Error('--sizes must be whole numbers of events, at least one a source');
  process.stdout.write(
    `GET /export (${values.format}) against every page of every API + JSON.parse + one sort, upstream latency ${latencyMs} ms${values['gateway-heap-mb'] === undefined ? '' : `, gateway heap limit ${values['gateway-heap-mb']} MB`}\n\n`,
  );
  process.stdout.write(
    '| events | who | events/s | upstream requests | peak RSS | peak RSS over start | gateway RSS through the export (MB, quartiles) | gateway heap used through the export (MB, quartiles) | heap after GC, before / after |\n',
  );
  process.stdout.write('| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n');
  for (const size of sizes) {
    const { perSource, exported, raw, samples } = await runSize(size, {
      latencyMs,
      format: values.format,
      profileDir: values['cpu-prof'],
      heapMb:
        values['gateway-heap-mb'] === undefined ? undefined : Number(values['gateway-heap-mb']),
    });
    const expected = perSource * KINDS.length;
    if (exported.events !== expected || raw.events !== expected)
      throw new Error(
        `expected ${expected} events; the export wrote ${exported.events}, the direct read ${raw.events}`,
      );
    const quartiles = (values: readonly number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      if (sorted.length === 0) return '-';
      return [0.25, 0.5, 0.75, 1]
        .map((q) => fixed(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!, 0))
        .join(' / ');
    };
    const [heapBefore, heapAfter] = exported.heapAfterGcMb;
    process.stdout.write(
      `| ${expected} | auditgraph GET /export | ${fixed(exported.events / exported.seconds, 0)} | ${exported.requests} | ${fixed(exported.peakMb)} MB | ${fixed(exported.peakOverStartMb)} MB | ${quartiles(samples.rss)} | ${quartiles(samples.heap)} | ${fixed(heapBefore)} / ${fixed(heapAfter)} MB |\n`,
    );
    process.stdout.write(
      `| ${expected} | direct: pages + JSON.parse + sort | ${fixed(raw.events / (raw.ms / 1000), 0)} | ${raw.requests} | ${fixed(raw.peakRssBytes / MB)} MB | ${fixed((raw.peakRssBytes - raw.startRssBytes) / MB)} MB | - | - | - |\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:export failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
