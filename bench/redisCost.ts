/**
 * `npm run bench:redis`: what sharing state through Redis costs a page. Two auditgraph
 * instances read the same emulated Fastly, one on its own state and one on a local Redis
 * (`redis-server` on a free port, started here), and page the head of the feed (a fresh window:
 * one upstream request and one rate-limit token each) and a closed window (the page cache).
 * Prints the median and p95 of each, in ms. The emulators answer at once, so the numbers are
 * auditgraph's own work plus Redis's round trips, nothing of a provider's latency.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateApiKey } from '../src/auth/generateApiKey';
import { hashApiKey } from '../src/auth/hashApiKey';
import { loadConfig } from '../src/config/loadConfig';
import { startDemoEmulators } from '../src/emulators/startDemoEmulators';
import type { Auditgraph } from '../src/startAuditgraph';
import { startAuditgraph } from '../src/startAuditgraph';
import { startRedis } from '../test/support/startRedis';
import { percentile } from './stats';

const SAMPLES = Number(process.argv[2] ?? 300);
const DAY_MS = 86_400_000;

async function main(): Promise<void> {
  const redis = await startRedis();
  const demo = await startDemoEmulators({ seed: 5, nowMs: Date.now() });
  const source = demo.sources.find((each) => each.kind === 'fastly');
  if (source === undefined) throw new Error('no Fastly emulator');
  const dir = mkdtempSync(join(tmpdir(), 'auditgraph-bench-redis-'));
  const apiKey = generateApiKey();
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      sources: [{ ...source, rateLimit: { burst: 10_000, perSecond: 10_000 } }],
      auth: { apiKeys: [{ id: 'bench', sha256: hashApiKey(apiKey), sources: ['*'] }] },
      server: { port: 0 },
    }),
  );
  const base = {
    AUDITGRAPH_CONFIG: file,
    AUDITGRAPH_CURSOR_SECRET: 'bench-redis-cursor-secret-0123456789abcdef',
    AUDITGRAPH_DRAIN_SECONDS: '0',
    AUDITGRAPH_AUDIT_LOG: 'false',
    LOG_LEVEL: 'warn',
  };
  const quiet = { log: () => undefined };
  const local = await startAuditgraph(loadConfig({ argv: [], env: base }), quiet);
  const env = { ...base, AUDITGRAPH_REDIS_URL: redis.url };
  const shared = await startAuditgraph(loadConfig({ argv: [], env }), quiet);
  const other = await startAuditgraph(loadConfig({ argv: [], env }), quiet);
  await new Promise((resolve) => setTimeout(resolve, 500));

  const page = async (app: Auditgraph, filter: Record<string, string>): Promise<number> => {
    const startedAt = performance.now();
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({
        query:
          'query($f: AuditEventFilter) { auditEvents(first: 20, filter: $f) { edges { node { id } } } }',
        variables: { f: filter },
      }),
    });
    const body = (await response.json()) as { errors?: unknown };
    if (body.errors !== undefined) throw new Error(JSON.stringify(body.errors));
    return performance.now() - startedAt;
  };
  const head = (n: number) => ({ since: new Date(Date.now() - 3_600_000 - n).toISOString() });
  const closed = (n: number) => {
    const before = Date.now() - 10 * DAY_MS - n * 60_000;
    return {
      since: new Date(before - DAY_MS).toISOString(),
      before: new Date(before).toISOString(),
    };
  };

  const rows: [string, number[]][] = [];
  const measure = async (name: string, run: (n: number) => Promise<number>) => {
    for (let n = 0; n < 20; n += 1) await run(1_000_000 + n); // warm-up
    const times: number[] = [];
    for (let n = 0; n < SAMPLES; n += 1) times.push(await run(n));
    rows.push([name, times]);
  };
  await measure('head page, own state', (n) => page(local, head(n)));
  await measure('head page, on Redis', (n) => page(shared, head(n)));
  // Closed windows: read upstream by the instance on its own state, by the other replica from
  // Redis once the first has read it (its memory in front does not hold it yet).
  await measure('closed window, own state (upstream)', (n) => page(local, closed(n)));
  for (let n = 0; n < SAMPLES; n += 1) await page(shared, closed(n + 5_000));
  await measure('closed window, another replica (Redis hit)', (n) =>
    page(other, closed(n + 5_000)),
  );

  for (const [name, times] of rows) {
    const sorted = [...times].sort((a, b) => a - b);
    process.stdout.write(
      `${name.padEnd(44)} p50 ${percentile(sorted, 50).toFixed(2)} ms  p95 ${percentile(sorted, 95).toFixed(2)} ms  (${times.length} pages)\n`,
    );
  }
  await Promise.all([local.close(), shared.close(), other.close()]);
  await demo.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
