/**
 * `npm run bench`: auditgraph against a minimal reference client, both reading six emulated
 * sources (in their own process, every response delayed by a fixed latency). Prints a table and
 * writes bench/results.json. `--smoke` (`npm run bench:smoke`, CI) runs tiny sizes to check the
 * harness works, not the timings; it exits non-zero when any row has no number.
 *
 * Options: --smoke, --out <file>, --latency <ms> (default 20), --events <per source>,
 * --only <sections> (comma-separated: overhead, throughput, depth, requests, batching, memory,
 * pushdown),
 * --cpu-prof <dir> (the gateway and emulator processes write V8 CPU profiles into <dir>/gateway
 * and <dir>/emulators when they exit; `bench/summarizeProfile.ts` reads them),
 * --check [--baseline <file>] (the regression guard, checkResults.ts: each ratio against the
 * minimal fan-out is compared with the committed bench/results.json, or <file>, and the run
 * fails when one is more than 15 % worse; the run's own results go to a temporary file. With
 * --smoke, as CI runs it, only that every guarded ratio is measured is checked).
 *
 * Every overhead and throughput figure is measured against two references in the same run,
 * taking turns: the minimal direct fan-out (directFanout.ts: what a user would write instead)
 * and the adapters' reference (referenceClient.ts: auditgraph's own HTTP calls and mapping,
 * without GraphQL). The issue's targets are on the first.
 */
import { randomBytes } from 'node:crypto';
import { planPushdown } from '../src/providers/shared/pushdown';
import { BUILT_IN_KINDS } from '../src/providers/sourceKinds';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { SourceConfig } from '../src/config/types';
import { SOURCE_KIND_NAMES } from '../src/providers/sourceKinds';
import type { SourceKind } from '../src/model/AuditEvent';
import { normalizeFilter } from '../src/feed/eventFilter';
import type { GatewayStart, GatewayStats } from './gatewayProcess';
import { forkPeer } from './ipc';
import type { Peer } from './ipc';
import { measurePushdown } from './pushdownRequests';
import { createReferenceClient } from './referenceClient';
import { createDirectFanout } from './directFanout';
import { checkResults } from './checkResults';
import type { LoadResult } from './stats';
import { percentile, runLoad, timeOnce } from './stats';

interface Settings {
  readonly smoke: boolean;
  readonly out: string;
  readonly latencyMs: number;
  readonly eventsPerSource: number;
  readonly overheadIterations: number;
  readonly concurrency: number;
  readonly throughputMs: number;
  readonly depthPage: number;
  readonly depthSamples: number;
  readonly soakMs: number;
  readonly soakEarlyMs: number;
  readonly nodeLookups: number;
  /** The sections to run; all when null. */
  readonly only: ReadonlySet<string> | null;
  readonly cpuProfileDir: string | null;
  /** Compare the run's ratios with this committed results file (`--check`); null: no check. */
  readonly checkAgainst: string | null;
}

const SECTION_NAMES = [
  'overhead',
  'throughput',
  'depth',
  'requests',
  'batching',
  'memory',
  'pushdown',
];

function parseSettings(argv: readonly string[]): Settings {
  const value = (name: string) => {
    const index = argv.indexOf(name);
    return index === -1 ? undefined : argv[index + 1];
  };
  const smoke = argv.includes('--smoke');
  const check = argv.includes('--check');
  const committed = join(__dirname, 'results.json');
  const latencyMs = Number(value('--latency') ?? 20);
  return {
    smoke,
    // A checking run must not overwrite the results it is checked against.
    out:
      value('--out') ??
      (smoke || check
        ? join(tmpdir(), `auditgraph-bench-${smoke ? 'smoke' : 'check'}.json`)
        : committed),
    latencyMs,
    eventsPerSource: Number(value('--events') ?? (smoke ? 500 : 20_000)),
    overheadIterations: smoke ? 10 : 300,
    concurrency: 32,
    throughputMs: smoke ? 1_000 : 10_000,
    depthPage: smoke ? 20 : 1_000,
    depthSamples: smoke ? 3 : 20,
    soakMs: smoke ? 2_000 : 60_000,
    soakEarlyMs: smoke ? 1_000 : 10_000,
    nodeLookups: 100,
    only: parseOnly(value('--only')),
    cpuProfileDir: value('--cpu-prof') ?? null,
    checkAgainst: check ? (value('--baseline') ?? committed) : null,
  };
}

function parseOnly(list: string | undefined): ReadonlySet<string> | null {
  if (list === undefined) return null;
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !SECTION_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `--only: unknown section ${unknown.join(', ')}; known: ${SECTION_NAMES.join(', ')}`,
    );
  }
  return new Set(names);
}

interface Row {
  readonly section: string;
  readonly measure: string;
  readonly value: number | null;
  readonly unit: string;
  readonly target?: string;
  readonly met?: boolean;
  readonly note?: string;
}

const FEED_QUERY = `query Feed($first: Int!, $after: String, $filter: AuditEventFilter) {
  auditEvents(first: $first, after: $after, filter: $filter) {
    edges { node { id occurredAt action category outcome actor { name email } resource { type id } source { id } } }
    pageInfo { hasNextPage endCursor }
    sources { upstreamRequests }
  }
}`;

interface FeedPage {
  readonly edges: { node: { id: string; action: string; source: { id: string } } }[];
  readonly pageInfo: { hasNextPage: boolean; endCursor: string | null };
  readonly sources: { upstreamRequests: number }[];
}

interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string }[];
  extensions?: Record<string, unknown>;
}

function createGraphqlClient(url: string, apiKey: string, connections: number) {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const post = async (
    query: string,
    variables: Record<string, unknown>,
    extraHeaders: Record<string, string> = {},
  ): Promise<GraphqlBody> => {
    const response = await pool.request({
      path: '/graphql',
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${apiKey}`,
        ...extraHeaders,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.body.json()) as GraphqlBody;
    if (response.statusCode !== 200 || body.errors !== undefined) {
      throw new Error(`HTTP ${response.statusCode}: ${JSON.stringify(body.errors ?? body)}`);
    }
    return body;
  };
  const feed = async (
    variables: Record<string, unknown>,
    extraHeaders: Record<string, string> = {},
  ): Promise<FeedPage> => {
    const body = await post(FEED_QUERY, variables, extraHeaders);
    return body.data!['auditEvents'] as FeedPage;
  };
  return { post, feed, close: () => pool.close() };
}

/** auditgraph's default deadline per GraphQL request, given to the reference's calls too. */
const REQUEST_DEADLINE_MS = 10_000;
/** Load results added up across slices. */
function createTally() {
  let completed = 0;
  let failed = 0;
  let seconds = 0;
  return {
    add: (result: LoadResult) => {
      completed += result.completed;
      failed += result.failed;
      seconds += result.seconds;
    },
    get completed() {
      return completed;
    },
    get failed() {
      return failed;
    },
    get perSecond() {
      return completed / Math.max(seconds, Number.EPSILON);
    },
  };
}

/** The two ways of asking auditgraph: as a standalone API, and as a router asks a subgraph. */
const GATEWAY_RUNS = ['standalone', 'subgraph (ftv1)'] as const;
const OVERHEAD_SECTION = 'overhead (concurrency 1)';
const THROUGHPUT_SECTION = 'throughput (concurrency 32)';

const FTV1 = { 'apollo-federation-include-trace': 'ftv1' };
const requestsOf = (page: FeedPage) => page.sources.reduce((sum, s) => sum + s.upstreamRequests, 0);
const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const mb = (bytes: number) => round(bytes / (1024 * 1024), 1);

async function main() {
  const settings = parseSettings(process.argv.slice(2));
  const rows: Row[] = [];
  const failures: string[] = [];
  const add = (row: Row) => {
    rows.push(row);
    process.stdout.write(`  ${row.section} | ${row.measure}: ${row.value ?? 'n/a'} ${row.unit}\n`);
  };
  const section = async (
    key: string,
    name: string,
    measures: readonly string[],
    run: () => Promise<void>,
  ) => {
    if (settings.only !== null && !settings.only.has(key)) return;
    process.stdout.write(`${name}…\n`);
    try {
      await run();
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      for (const measure of measures) {
        if (!rows.some((row) => row.section === name && row.measure === measure)) {
          rows.push({ section: name, measure, value: null, unit: '' });
        }
      }
    }
  };
  const benchStarted = performance.now();
  const nowMs = Date.now();
  const counts = Object.fromEntries(
    SOURCE_KIND_NAMES.map((kind) => [kind, settings.eventsPerSource]),
  ) as Record<SourceKind, number>;

  const profileFlags = (name: string) =>
    settings.cpuProfileDir === null
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${join(settings.cpuProfileDir, name)}`];
  const emulators = forkPeer('emulatorProcess.ts', profileFlags('emulators'));
  // As deployed: graphql-js checks less per value in production (docs/performance.md).
  const gateway = forkPeer('gatewayProcess.ts', profileFlags('gateway'), {
    NODE_ENV: 'production',
  });
  const peers: Peer[] = [gateway, emulators];
  try {
    const setupStarted = performance.now();
    const upstream = await emulators.call<{
      sources: SourceConfig[];
      counts: Record<string, number>;
    }>('start', { seed: 1, nowMs, counts, latencyMs: settings.latencyMs });
    const apiKey = randomBytes(32).toString('base64url');
    const { url } = await gateway.call<{ url: string }>('start', {
      sources: upstream.sources,
      apiKey,
      cursorSecret: randomBytes(32).toString('base64url'),
      requestDeadlineMs: REQUEST_DEADLINE_MS,
    } satisfies GatewayStart);
    const setupMs = performance.now() - setupStarted;
    const client = createGraphqlClient(url, apiKey, settings.concurrency);
    const reference = createReferenceClient(upstream.sources, nowMs, REQUEST_DEADLINE_MS);
    const direct = createDirectFanout(upstream.sources, settings.concurrency);
    const REFERENCES = [
      { label: 'minimal fan-out', run: (first: number) => direct.latest(first) },
      { label: 'reference (adapters)', run: (first: number) => reference.latest(first) },
    ] as const;
    const stats = () => gateway.call<GatewayStats>('stats');
    const totalEvents = Object.values(upstream.counts).reduce((a, b) => a + b, 0);
    add({ section: 'setup', measure: 'events (six sources)', value: totalEvents, unit: 'events' });
    add({ section: 'setup', measure: 'upstream latency', value: settings.latencyMs, unit: 'ms' });
    add({
      section: 'setup',
      measure: 'emulators + gateway ready',
      value: round(setupMs, 0),
      unit: 'ms',
    });

    // Warm both paths (JIT, connection pools) before anything is timed.
    for (let i = 0; i < (settings.smoke ? 3 : 30); i++) {
      await client.feed({ first: 50 });
      await client.feed({ first: 50 }, FTV1);
      await reference.latest(50);
      await direct.latest(50);
    }

    await section(
      'overhead',
      OVERHEAD_SECTION,
      [
        ...REFERENCES.flatMap((ref) => [`${ref.label} p50`, `${ref.label} p99`]),
        ...GATEWAY_RUNS.flatMap((run) => [
          `${run} p50`,
          `${run} p99`,
          ...REFERENCES.flatMap((ref) => [
            `${run} p50 − ${ref.label} p50`,
            `${run} p99 − ${ref.label} p99`,
          ]),
          `${run} p50 / minimal fan-out p50`,
        ]),
        'ftv1 trace returned',
      ],
      async () => {
        const name = OVERHEAD_SECTION;
        const samples = new Map<string, number[]>(
          [...REFERENCES.map((ref) => ref.label), ...GATEWAY_RUNS].map((label) => [label, []]),
        );
        const sample = async (label: string, run: () => Promise<unknown>) =>
          samples.get(label)!.push(await timeOnce(run));
        let traced = 0;
        // Interleaved, so drift on the machine touches all four alike.
        for (let i = 0; i < settings.overheadIterations; i++) {
          await sample('minimal fan-out', () => direct.latest(50));
          await sample('reference (adapters)', () => reference.latest(50));
          await sample('standalone', () => client.feed({ first: 50 }));
          await sample('subgraph (ftv1)', async () => {
            const body = await client.post(FEED_QUERY, { first: 50 }, FTV1);
            if (typeof body.extensions?.['ftv1'] === 'string') traced += 1;
          });
        }
        const p = (label: string, rank: number) => percentile(samples.get(label)!, rank);
        for (const ref of REFERENCES) {
          add({
            section: name,
            measure: `${ref.label} p50`,
            value: round(p(ref.label, 50)),
            unit: 'ms',
          });
          add({
            section: name,
            measure: `${ref.label} p99`,
            value: round(p(ref.label, 99)),
            unit: 'ms',
          });
        }
        for (const run of GATEWAY_RUNS) {
          add({ section: name, measure: `${run} p50`, value: round(p(run, 50)), unit: 'ms' });
          add({ section: name, measure: `${run} p99`, value: round(p(run, 99)), unit: 'ms' });
          for (const ref of REFERENCES) {
            // The targets are the issue's: over the minimal fan-out, standalone.
            const targeted = run === 'standalone' && ref.label === 'minimal fan-out';
            const p50 = p(run, 50) - p(ref.label, 50);
            const p99 = p(run, 99) - p(ref.label, 99);
            add({
              section: name,
              measure: `${run} p50 − ${ref.label} p50`,
              value: round(p50),
              unit: 'ms',
              ...(targeted ? { target: '≤ 1 ms', met: p50 <= 1 } : {}),
            });
            add({
              section: name,
              measure: `${run} p99 − ${ref.label} p99`,
              value: round(p99),
              unit: 'ms',
              ...(targeted ? { target: '≤ 5 ms', met: p99 <= 5 } : {}),
            });
          }
          add({
            section: name,
            measure: `${run} p50 / minimal fan-out p50`,
            value: round(p(run, 50) / p('minimal fan-out', 50), 3),
            unit: 'ratio',
          });
        }
        add({
          section: name,
          measure: 'ftv1 trace returned',
          value: round(traced / settings.overheadIterations, 2),
          unit: 'share of responses',
          target: '1',
          met: traced === settings.overheadIterations,
        });
      },
    );

    await section(
      'throughput',
      THROUGHPUT_SECTION,
      [
        ...REFERENCES.flatMap((ref) => [ref.label, `${ref.label} CPU per call`]),
        ...GATEWAY_RUNS.flatMap((run) => [
          run,
          ...REFERENCES.map((ref) => `${run} / ${ref.label}`),
          `${run} gateway CPU per request`,
          `${run} gateway CPU / minimal fan-out CPU`,
        ]),
        'failed requests',
        'gateway peak RSS (standalone run)',
      ],
      async () => {
        const name = THROUGHPUT_SECTION;
        // CPU per answered request: a reference's is this process's (it runs here, and the
        // load loop around it costs next to nothing); auditgraph's is the gateway process's.
        const cpuMicros = () => {
          const usage = process.cpuUsage();
          return usage.user + usage.system;
        };
        // The four runs take turns in short slices, so a machine that speeds up or slows down
        // during the section moves all four alike and leaves their ratios alone.
        const slices = settings.smoke ? 1 : 5;
        const sliceMs = settings.throughputMs / slices;
        const tallies = new Map<
          string,
          { tally: ReturnType<typeof createTally>; cpuMicros: number }
        >(
          [...REFERENCES.map((ref) => ref.label), ...GATEWAY_RUNS].map((label) => [
            label,
            { tally: createTally(), cpuMicros: 0 },
          ]),
        );
        let peak = 0;
        for (let slice = 0; slice < slices; slice++) {
          for (const ref of REFERENCES) {
            const entry = tallies.get(ref.label)!;
            const before = cpuMicros();
            entry.tally.add(await runLoad(() => ref.run(50), settings.concurrency, sliceMs));
            entry.cpuMicros += cpuMicros() - before;
          }
          for (const run of GATEWAY_RUNS) {
            const entry = tallies.get(run)!;
            if (run === 'standalone') await gateway.call('resetPeak');
            const before = await stats();
            const headers = run === 'standalone' ? {} : FTV1;
            entry.tally.add(
              await runLoad(
                () => client.feed({ first: 50 }, headers),
                settings.concurrency,
                sliceMs,
              ),
            );
            const after = await stats();
            entry.cpuMicros += after.cpuMicros - before.cpuMicros;
            if (run === 'standalone') peak = Math.max(peak, after.peakRssBytes);
          }
        }
        const perRequestMs = (label: string) => {
          const entry = tallies.get(label)!;
          return entry.cpuMicros / 1000 / Math.max(1, entry.tally.completed);
        };
        const perSecond = (label: string) => tallies.get(label)!.tally.perSecond;
        for (const ref of REFERENCES) {
          add({
            section: name,
            measure: ref.label,
            value: round(perSecond(ref.label), 1),
            unit: 'req/s',
          });
          add({
            section: name,
            measure: `${ref.label} CPU per call`,
            value: round(perRequestMs(ref.label)),
            unit: 'ms',
          });
        }
        for (const run of GATEWAY_RUNS) {
          add({ section: name, measure: run, value: round(perSecond(run), 1), unit: 'req/s' });
          for (const ref of REFERENCES) {
            const ratio = perSecond(run) / perSecond(ref.label);
            const target =
              ref.label === 'minimal fan-out' ? (run === 'standalone' ? 0.9 : 0.8) : null;
            add({
              section: name,
              measure: `${run} / ${ref.label}`,
              value: round(ratio),
              unit: 'ratio',
              ...(target === null ? {} : { target: `≥ ${target}`, met: ratio >= target }),
            });
          }
          const cpu = perRequestMs(run);
          add({
            section: name,
            measure: `${run} gateway CPU per request`,
            value: round(cpu),
            unit: 'ms',
            ...(run === 'standalone' ? { target: '≤ 1.5 ms', met: cpu <= 1.5 } : {}),
          });
          add({
            section: name,
            measure: `${run} gateway CPU / minimal fan-out CPU`,
            value: round(cpu / perRequestMs('minimal fan-out')),
            unit: 'ratio',
          });
        }
        const failed = [...tallies.values()].reduce((sum, entry) => sum + entry.tally.failed, 0);
        add({
          section: name,
          measure: 'failed requests',
          value: failed,
          unit: 'requests',
          target: '0',
          met: failed === 0,
        });
        add({
          section: name,
          measure: 'gateway peak RSS (standalone run)',
          value: mb(peak),
          unit: 'MiB',
        });
      },
    );

    await section(
      'depth',
      'depth (first: 50)',
      [
        'page 1 time (median)',
        `page ${settings.depthPage} time (median)`,
        `page ${settings.depthPage} / page 1 time`,
        'page 1 upstream requests',
        `page ${settings.depthPage} upstream requests`,
      ],
      async () => {
        const name = 'depth (first: 50)';
        let after: string | null = null;
        for (let page = 1; page < settings.depthPage; page++) {
          const result: FeedPage = await client.feed({ first: 50, after });
          if (!result.pageInfo.hasNextPage) throw new Error(`the feed ended at page ${page}`);
          after = result.pageInfo.endCursor;
        }
        const deepCursor = after;
        const first: number[] = [];
        const deep: number[] = [];
        let firstRequests = 0;
        let deepRequests = 0;
        for (let i = 0; i < settings.depthSamples; i++) {
          first.push(
            await timeOnce(
              async () => (firstRequests = requestsOf(await client.feed({ first: 50 }))),
            ),
          );
          deep.push(
            await timeOnce(
              async () =>
                (deepRequests = requestsOf(await client.feed({ first: 50, after: deepCursor }))),
            ),
          );
        }
        const ratio = percentile(deep, 50) / percentile(first, 50);
        add({
          section: name,
          measure: 'page 1 time (median)',
          value: round(percentile(first, 50)),
          unit: 'ms',
        });
        add({
          section: name,
          measure: `page ${settings.depthPage} time (median)`,
          value: round(percentile(deep, 50)),
          unit: 'ms',
        });
        add({
          section: name,
          measure: `page ${settings.depthPage} / page 1 time`,
          value: round(ratio),
          unit: 'ratio',
          target: '≤ 1.2',
          met: ratio <= 1.2,
        });
        add({
          section: name,
          measure: 'page 1 upstream requests',
          value: firstRequests,
          unit: 'requests',
        });
        add({
          section: name,
          measure: `page ${settings.depthPage} upstream requests`,
          value: deepRequests,
          unit: 'requests',
          target: 'same as page 1',
          met: deepRequests === firstRequests,
        });
      },
    );

    await section(
      'requests',
      'upstream requests per page (first: 50)',
      ['no filter (six sources)', 'pushed filter', 'residual filter'],
      async () => {
        const name = 'upstream requests per page (first: 50)';
        const sample = await client.feed({ first: 100, filter: { sources: ['nirvana'] } });
        const actions = [...new Set(sample.edges.map((edge) => edge.node.action))];
        if (actions.length < 2) throw new Error('nirvana has fewer than two actions');
        const pushed = { sources: ['nirvana'], actions: actions.slice(0, 1) };
        const residual = { sources: ['nirvana'], actions: actions.slice(0, 2) };
        const planOf = (filter: object) =>
          Object.entries(
            planPushdown(BUILT_IN_KINDS.get('nirvana').capabilities, normalizeFilter(filter)),
          )
            .map(([field, level]) => `${field} ${level}`)
            .join(', ');
        const pages = settings.smoke ? 2 : 5;
        for (const [measure, filter, detail] of [
          ['no filter (six sources)', undefined, 'all sources'],
          [
            'pushed filter',
            pushed,
            `nirvana, ${JSON.stringify(pushed.actions)}: ${planOf(pushed)}`,
          ],
          [
            'residual filter',
            residual,
            `nirvana, ${JSON.stringify(residual.actions)}: ${planOf(residual)}`,
          ],
        ] as const) {
          let after: string | null = null;
          let requests = 0;
          let read = 0;
          for (; read < pages; read++) {
            const page: FeedPage = await client.feed({
              first: 50,
              after,
              ...(filter ? { filter } : {}),
            });
            requests += requestsOf(page);
            if (!page.pageInfo.hasNextPage) {
              read += 1;
              break;
            }
            after = page.pageInfo.endCursor;
          }
          add({
            section: name,
            measure,
            value: round(requests / read),
            unit: 'requests/page',
            note: `${detail}; mean of ${read} pages`,
          });
        }
      },
    );

    await section(
      'batching',
      'batching',
      [
        `${settings.nodeLookups} node(id) in one query: time`,
        `${settings.nodeLookups} node(id) in one query: upstream requests`,
      ],
      async () => {
        const name = 'batching';
        const ids = (await client.feed({ first: 100 })).edges
          .map((edge) => edge.node.id)
          .slice(0, settings.nodeLookups);
        if (ids.length < settings.nodeLookups) throw new Error(`only ${ids.length} ids`);
        const query = `{ ${ids
          .map(
            (id, i) =>
              `n${i}: node(id: ${JSON.stringify(id)}) { id ... on AuditEvent { action occurredAt } }`,
          )
          .join(' ')} }`;
        const lookUp = async () => {
          const body = await client.post(query, {});
          const found = Object.values(body.data ?? {}).filter((node) => node !== null).length;
          if (found !== ids.length) throw new Error(`found ${found} of ${ids.length} nodes`);
        };
        // The first run counts the requests (and parses the document); the median of the next
        // ones is the time.
        const before = (await stats()).upstreamRequests;
        await lookUp();
        const requests = (await stats()).upstreamRequests - before;
        const samples: number[] = [];
        for (let i = 0; i < settings.depthSamples; i++) samples.push(await timeOnce(lookUp));
        add({
          section: name,
          measure: `${settings.nodeLookups} node(id) in one query: time`,
          value: round(percentile(samples, 50)),
          unit: 'ms',
          note: `median of ${samples.length}`,
        });
        add({
          section: name,
          measure: `${settings.nodeLookups} node(id) in one query: upstream requests`,
          value: requests,
          unit: 'requests',
        });
      },
    );

    await section(
      'memory',
      'memory (gateway process)',
      [
        `RSS after ${settings.soakEarlyMs / 1000} s of load`,
        `RSS after ${settings.soakMs / 1000} s of load`,
        'growth',
      ],
      async () => {
        const name = 'memory (gateway process)';
        let early: number | null = null;
        let failed = 0;
        const soak = await runLoad(
          () => client.feed({ first: 50 }),
          settings.concurrency,
          settings.soakMs,
          async (elapsed) => {
            if (early === null && elapsed >= settings.soakEarlyMs) early = (await stats()).rssBytes;
          },
        );
        failed += soak.failed;
        const late = (await stats()).rssBytes;
        if (early === null) throw new Error('no early RSS sample');
        const growth = (late - early) / early;
        add({
          section: name,
          measure: `RSS after ${settings.soakEarlyMs / 1000} s of load`,
          value: mb(early),
          unit: 'MiB',
        });
        add({
          section: name,
          measure: `RSS after ${settings.soakMs / 1000} s of load`,
          value: mb(late),
          unit: 'MiB',
        });
        add({
          section: name,
          measure: 'growth',
          value: round(growth * 100, 1),
          unit: '%',
          target: '< 10 %',
          met: growth < 0.1,
          note: `${failed} failed requests`,
        });
      },
    );

    await client.close();
    await reference.close();
    await direct.close();
  } finally {
    for (const peer of peers) await peer.stop();
  }

  // The earlier benches' tables: the demo's sizes, no latency, in this process.
  let pushdownTable: string[][] = [];
  if (!settings.smoke && (settings.only === null || settings.only.has('pushdown'))) {
    process.stdout.write('pushdown per source (demo dataset, no latency)…\n');
    try {
      pushdownTable = await measurePushdown();
    } catch (error) {
      failures.push(`pushdown per source: ${String(error)}`);
    }
  }

  const missing = rows.filter((row) => row.value === null || !Number.isFinite(row.value));
  const results = {
    mode: settings.smoke ? 'smoke' : 'full',
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, platform: process.platform },
    settings: { ...settings, out: undefined },
    seconds: round((performance.now() - benchStarted) / 1000, 1),
    rows,
    pushdownPerSource: pushdownTable,
    failures,
  };
  writeFileSync(settings.out, `${JSON.stringify(results, null, 2)}\n`);
  printTable(rows);
  if (pushdownTable.length > 0) {
    process.stdout.write('\nUpstream requests per page, per source (demo dataset, no latency):\n');
    printGrid(pushdownTable);
  }
  process.stdout.write(`\n${results.seconds} s; wrote ${relative(process.cwd(), settings.out)}\n`);
  for (const failure of failures) process.stderr.write(`FAILED ${failure}\n`);
  if (missing.length > 0 || failures.length > 0) process.exitCode = 1;
  if (settings.checkAgainst !== null && !runCheck(settings, rows)) process.exitCode = 1;
}

const SECTION_TITLES: Record<string, string> = {
  overhead: OVERHEAD_SECTION,
  throughput: THROUGHPUT_SECTION,
  depth: 'depth (first: 50)',
};

/** Prints the regression guard's verdict; false when a ratio got worse or could not be read. */
function runCheck(settings: Settings, rows: readonly Row[]): boolean {
  const baseline = JSON.parse(readFileSync(settings.checkAgainst!, 'utf8')) as {
    mode: string;
    settings: { depthPage: number };
    rows: Row[];
  };
  if (baseline.mode !== 'full') {
    process.stderr.write(`--check: ${settings.checkAgainst} is not a full run\n`);
    return false;
  }
  const outcome = checkResults(baseline.rows, rows, {
    baselineDepthPage: baseline.settings.depthPage,
    currentDepthPage: settings.depthPage,
    sections:
      settings.only === null
        ? null
        : new Set([...settings.only].map((key) => SECTION_TITLES[key] ?? key)),
    presenceOnly: settings.smoke,
  });
  process.stdout.write(
    `\nRegression guard against ${relative(process.cwd(), settings.checkAgainst!)}${settings.smoke ? ' (smoke: every guarded ratio present; values not compared)' : ''}:\n`,
  );
  if (outcome.checks.length > 0) {
    printGrid([
      ['measure', 'better', 'committed', 'this run', 'worse by', 'ok'],
      ...outcome.checks.map((check) => [
        `${check.section} | ${check.measure}`,
        check.better,
        String(check.baseline),
        String(check.current),
        `${round(check.worse * 100, 1)} %`,
        check.ok ? 'yes' : 'NO',
      ]),
    ]);
  }
  for (const problem of outcome.problems) process.stderr.write(`CHECK ${problem}\n`);
  const worse = outcome.checks.filter((check) => !check.ok);
  for (const check of worse) {
    process.stderr.write(
      `CHECK FAILED ${check.section} | ${check.measure}: ${check.current} against ${check.baseline} committed, ${round(check.worse * 100, 1)} % worse (more than 15 %)\n`,
    );
  }
  return worse.length === 0 && outcome.problems.length === 0;
}

function printTable(rows: readonly Row[]) {
  printGrid([
    ['section', 'measure', 'value', 'unit', 'target', 'met', 'note'],
    ...rows.map((row) => [
      row.section,
      row.measure,
      row.value === null ? 'FAILED' : String(row.value),
      row.unit,
      row.target ?? '',
      row.met === undefined ? '' : row.met ? 'yes' : 'NO',
      row.note ?? '',
    ]),
  ]);
}

function printGrid(table: readonly (readonly string[])[]) {
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  process.stdout.write('\n');
  for (const row of table) {
    process.stdout.write(
      `${row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
