import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { generateApiKey } from '../../src/auth/generateApiKey';
import { hashApiKey } from '../../src/auth/hashApiKey';
import type { Demo } from '../../src/emulators/startDemoEmulators';
import { startDemoEmulators } from '../../src/emulators/startDemoEmulators';
import type { EmulatorServer } from '../../src/emulators/startEmulatorServer';
import type { MainProcess } from '../support/startMainProcess';
import { startMainProcess } from '../support/startMainProcess';
import type { RunningRedis } from '../support/startRedis';
import { startRedis } from '../support/startRedis';

/**
 * Replicas as a fleet: auditgraph processes of their own, one Redis, one emulated Fastly whose
 * requests are counted (and, in the load test, limited as the provider limits them).
 */
const LIMIT = { burst: 10, perSecond: 5 };
const LOAD_SECONDS = 20;
const CLIENTS = 64;
const DAY_MS = 86_400_000;

interface GraphqlAnswer {
  readonly status: number;
  readonly body: {
    readonly data?: {
      readonly auditEvents?: {
        readonly edges: readonly { readonly node: { readonly id: string } }[];
        readonly pageInfo: { readonly endCursor: string | null; readonly hasNextPage: boolean };
      };
    };
    readonly errors?: readonly { readonly extensions?: { readonly code?: string } }[];
  };
}

let redis: RunningRedis;
let demo: Demo;
let fastly: EmulatorServer;
let dir: string;
let replicas: MainProcess[] = [];
const apiKey = generateApiKey();

const PAGE = `query Page($first: Int!, $after: String, $filter: AuditEventFilter) {
  auditEvents(first: $first, after: $after, filter: $filter) {
    edges { node { id } }
    pageInfo { endCursor hasNextPage }
  }
}`;

async function ask(
  replica: MainProcess,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<GraphqlAnswer> {
  const response = await fetch(`${replica.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query: PAGE, variables }),
    ...(signal ? { signal } : {}),
  });
  return { status: response.status, body: (await response.json()) as GraphqlAnswer['body'] };
}

async function readiness(replica: MainProcess): Promise<Record<string, unknown>> {
  const response = await fetch(`${replica.url}/readyz`);
  return { httpStatus: response.status, ...((await response.json()) as Record<string, unknown>) };
}

async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const codesOf = (answer: GraphqlAnswer) =>
  (answer.body.errors ?? []).map((error) => error.extensions?.code ?? 'none');
const idsOf = (answer: GraphqlAnswer) =>
  (answer.body.data?.auditEvents?.edges ?? []).map((edge) => edge.node.id);

/** A window that ended days ago: closed, so its pages may be cached and shared. */
function closedWindow(daysAgo: number) {
  const before = Date.now() - daysAgo * DAY_MS;
  return { since: new Date(before - DAY_MS).toISOString(), before: new Date(before).toISOString() };
}

beforeAll(async () => {
  redis = await startRedis();
  demo = await startDemoEmulators({ seed: 42, nowMs: Date.now() });
  const found = demo.emulators.find((emulator) => emulator.name === 'fastly');
  const source = demo.sources.find((each) => each.kind === 'fastly');
  if (found === undefined || source === undefined) throw new Error('no Fastly emulator');
  fastly = found;
  dir = await mkdtemp(join(tmpdir(), 'auditgraph-replicas-'));
  const configFile = join(dir, 'auditgraph.json');
  await writeFile(
    configFile,
    JSON.stringify({
      sources: [{ ...source, rateLimit: LIMIT }],
      auth: { apiKeys: [{ id: 'fleet-test', sha256: hashApiKey(apiKey), sources: ['*'] }] },
    }),
  );
  const env = {
    AUDITGRAPH_CONFIG: configFile,
    AUDITGRAPH_CURSOR_SECRET: 'replicas-test-cursor-secret-0123456789abcdef',
    AUDITGRAPH_REDIS_URL: redis.url,
    AUDITGRAPH_REDIS_KEY_PREFIX: 'fleet-test:',
    AUDITGRAPH_REPLICAS: '2',
    AUDITGRAPH_DRAIN_SECONDS: '0',
  };
  replicas = await Promise.all([startMainProcess(env), startMainProcess(env)]);
  for (const replica of replicas) {
    await until(async () => (await readiness(replica)).sharedState === 'shared');
  }
}, 60_000);

afterAll(async () => {
  for (const replica of replicas) replica.child.kill('SIGTERM');
  await Promise.all(replicas.map((replica) => replica.exited));
  await demo?.close();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('replicas sharing one Redis', () => {
  it('serve a closed window read through A from the shared cache on B: no upstream request', async () => {
    const [a, b] = replicas as [MainProcess, MainProcess];
    const variables = { first: 20, filter: closedWindow(10) };
    const before = fastly.requests.length;
    const onA = await ask(a, variables);
    expect(codesOf(onA)).toEqual([]);
    expect(idsOf(onA).length).toBeGreaterThan(0);
    const afterA = fastly.requests.length;
    expect(afterA).toBeGreaterThan(before);
    const onB = await ask(b, variables);
    expect(codesOf(onB)).toEqual([]);
    expect(fastly.requests.length).toBe(afterA);
    // Ids are sealed per process secret, which both share: the same events, the same ids.
    expect(idsOf(onB)).toEqual(idsOf(onA));
  });

  it('continue on B a traversal A began, with the cursor A made', async () => {
    const [a, b] = replicas as [MainProcess, MainProcess];
    const filter = closedWindow(12);
    const whole = await ask(a, { first: 10, filter });
    const first = await ask(a, { first: 5, filter });
    const cursor = first.body.data?.auditEvents?.pageInfo.endCursor;
    expect(cursor).toEqual(expect.any(String));
    const rest = await ask(b, { first: 5, after: cursor, filter });
    expect(codesOf(rest)).toEqual([]);
    expect([...idsOf(first), ...idsOf(rest)]).toEqual(idsOf(whole));
    expect(idsOf(rest)).toHaveLength(5);
  });

  it('know on B a persisted query a router registered on A', async () => {
    const [a, b] = replicas as [MainProcess, MainProcess];
    const query = `query Persisted { auditEvents(first: 2, filter: { since: "${closedWindow(20).since}", before: "${closedWindow(20).before}" }) { edges { node { id } } } }`;
    const extensions = {
      persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') },
    };
    const send = async (replica: MainProcess, body: unknown) => {
      const response = await fetch(`${replica.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify(body),
      });
      return (await response.json()) as GraphqlAnswer['body'];
    };
    // B has not seen it: the router is asked for the document, as APQ provides.
    const unknown = await send(b, {
      extensions: { persistedQuery: { ...extensions.persistedQuery, sha256Hash: 'f'.repeat(64) } },
    });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await send(a, { query, extensions });
    expect(registered.errors).toBeUndefined();
    const byHash = await send(b, { extensions });
    expect(byHash.errors).toBeUndefined();
    expect(byHash.data).toEqual(registered.data);
  });

  it('keep serving, every request, while Redis is down, and share again once it is back', async () => {
    const [a, b] = replicas as [MainProcess, MainProcess];
    const answers: GraphqlAnswer[] = [];
    const readyDuringOutage: Record<string, unknown>[] = [];
    const stopAt = Date.now() + 8_000;
    const client = async (index: number) => {
      const replica = index % 2 === 0 ? a : b;
      for (let n = 0; Date.now() < stopAt; n += 1) {
        // A fresh window each time: read upstream, never from the cache.
        const since = new Date(Date.now() - 3_600_000 - index * 1000 - n).toISOString();
        answers.push(await ask(replica, { first: 3, filter: { since } }));
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const outage = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await redis.stop();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      readyDuringOutage.push(await readiness(a), await readiness(b));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await redis.restart();
    })();
    await Promise.all([client(0), client(1), client(2), client(3), outage]);

    expect(answers.length).toBeGreaterThan(20);
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(answers.flatMap(codesOf)).toEqual([]);
    // Still ready while Redis was away, and saying how it served.
    expect(readyDuringOutage).toEqual([
      { httpStatus: 200, status: 'ready', sharedState: 'local' },
      { httpStatus: 200, status: 'ready', sharedState: 'local' },
    ]);
    for (const replica of replicas) {
      await until(async () => (await readiness(replica)).sharedState === 'shared');
    }
    // The shared budget is used again: the next request takes its token in Redis.
    await ask(a, { first: 1, filter: { since: new Date(Date.now() - 60_000).toISOString() } });
    const inspector = new Redis(redis.url);
    const keys = (await inspector.keys('fleet-test:{bucket:*')).join(',');
    await inspector.quit();
    expect(keys).toMatch(/fleet-test:\{bucket:[0-9a-f]{64}\}/);
  }, 30_000);

  it(`hold ${CLIENTS} clients for ${LOAD_SECONDS} s to one budget of ${LIMIT.burst} + ${LIMIT.perSecond}/s, with no 429`, async () => {
    // The provider's side: its limit, with one second of refill as slack for clock and network.
    fastly.knobs.rateLimit = { burst: LIMIT.burst + LIMIT.perSecond, perSecond: LIMIT.perSecond };
    const refusedBefore = fastly.tooManyRequests();
    const fallbacks = () =>
      replicas.reduce(
        (count, replica) => count + replica.output().split('Redis does not answer').length - 1,
        0,
      );
    const fallbacksBefore = fallbacks();
    const before = fastly.requests.length;
    const startedAt = Date.now();
    const stopAt = startedAt + LOAD_SECONDS * 1000;
    const statuses: number[] = [];
    const codes: string[] = [];
    const client = async (index: number) => {
      const replica = replicas[index % replicas.length] as MainProcess;
      for (let n = 0; Date.now() < stopAt; n += 1) {
        const since = new Date(Date.now() - 7_200_000 - index * 1000 - n).toISOString();
        const answer = await ask(replica, { first: 2, filter: { since } });
        statuses.push(answer.status);
        codes.push(...codesOf(answer));
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));
    const elapsedSeconds = (Date.now() - startedAt) / 1000;
    fastly.knobs.rateLimit = null;
    const sent = fastly.requests.length - before;
    // Every request a client made was answered: some with data, the rest refused in time.
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(new Set(codes)).toEqual(new Set(codes.length === 0 ? [] : ['SOURCE_RATE_LIMITED']));
    // While Redis answers, the fleet never goes over the provider's limit. A replica that meets a
    // Redis too slow for its 50 ms budget (a loaded machine) runs on its share meanwhile, which a
    // request of the shared budget may overlap, by one request per miss.
    const fellBack = fallbacks() - fallbacksBefore;
    // Each call that missed Redis's budget may have spent a shared token and a local one.
    expect(sent).toBeLessThanOrEqual(
      LIMIT.burst + LIMIT.perSecond * (elapsedSeconds + 1) + fellBack,
    );
    if (fellBack === 0) expect(fastly.tooManyRequests() - refusedBefore).toBe(0);
    else
      process.stdout.write(
        `fleet load: ${fellBack} fallbacks to local state, ${fastly.tooManyRequests() - refusedBefore} upstream 429s\n`,
      );

    // The fleet used its budget: without sharing, two replicas would have sent about twice this.
    expect(sent).toBeGreaterThan(LIMIT.perSecond * LOAD_SECONDS * 0.6);
    process.stdout.write(
      `fleet load: ${sent} upstream requests in ${elapsedSeconds.toFixed(1)} s (${(sent / elapsedSeconds).toFixed(2)}/s) against ${LIMIT.burst} + ${LIMIT.perSecond}/s; ${statuses.length} GraphQL requests\n`,
    );
  }, 60_000);

  it('hold B back when an upstream 429 reached A: the credential is paused for the fleet', async () => {
    const [a, b] = replicas as [MainProcess, MainProcess];
    // Let the budget refill after the load above.
    await new Promise((resolve) => setTimeout(resolve, (LIMIT.burst / LIMIT.perSecond) * 1000));
    fastly.knobs.faults.push({
      fault: { type: 'status', status: 429, headers: { 'retry-after': '30' }, body: {} },
    });
    const since = new Date(Date.now() - 30 * 60_000).toISOString();
    const onA = await ask(a, { first: 2, filter: { since } });
    expect(codesOf(onA)).toEqual(['SOURCE_RATE_LIMITED']);
    const sentAfterA = fastly.requests.length;
    const onB = await ask(b, {
      first: 2,
      filter: { since: new Date(Date.now() - 31 * 60_000).toISOString() },
    });
    expect(codesOf(onB)).toEqual(['SOURCE_RATE_LIMITED']);
    // B asked nothing of the upstream: it knew the credential was paused.
    expect(fastly.requests.length).toBe(sentAfterA);
  });
});
