import type { SourceConfig } from '../../../src/config/types';
import { AuditgraphError } from '../../../src/model/errors';
import type { ListQuery } from '../../../src/model/Source';
import type { SourceSet } from '../../../src/providers/createSources';
import { createSources, toCredentialKey } from '../../../src/providers/createSources';
import type { ScriptedServer } from './startScriptedServer';
import { startScriptedServer, status } from './startScriptedServer';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const TOKEN_A = 'cf-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const TOKEN_B = 'cf-token-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const QUERY: ListQuery = { order: 'desc', sinceMs: T0 - 3_600_000, beforeMs: T0, pageSize: 10 };

let server: ScriptedServer | undefined;
let sourceSet: SourceSet | undefined;

afterEach(async () => {
  await sourceSet?.close();
  await server?.close();
  sourceSet = undefined;
  server = undefined;
});

async function failureOf(promise: Promise<unknown>): Promise<AuditgraphError> {
  const outcome = await promise.then(
    () => new Error('expected a failure'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof AuditgraphError)) throw outcome;
  return outcome;
}

function cloudflare(id: string, kind: 'cloudflare-v1' | 'cloudflare-v2', token: string) {
  return (url: string): SourceConfig => ({
    id,
    kind,
    baseUrl: `${url}/client/v4`,
    token,
    accountId: 'acc',
  });
}

/**
 * Two Cloudflare sources on a scripted upstream that refuses every credential (401: no retry,
 * no breaker count), with a limit of one token per credential that refills only after minutes.
 */
async function start(configs: readonly ((url: string) => SourceConfig)[]) {
  server = await startScriptedServer([status(401)]);
  const url = server.url;
  const requests: string[] = [];
  sourceSet = createSources(
    configs.map((config) => config(url)),
    {
      now: () => T0,
      onRequest: (sourceId) => requests.push(sourceId),
      rateLimits: {
        'cloudflare-v1': { capacity: 1, refillPerSecond: 0.01 },
        'cloudflare-v2': { capacity: 1, refillPerSecond: 0.01 },
      },
      transportClock: { now: () => T0, sleep: () => Promise.resolve() },
    },
  );
  const [first, second] = sourceSet.sources;
  if (first === undefined || second === undefined) throw new Error('two sources expected');
  return { first, second, requests };
}

describe('createSources rate limiters', () => {
  it('makes two Cloudflare sources with one token share one bucket', async () => {
    const { first, second, requests } = await start([
      cloudflare('cf-v1', 'cloudflare-v1', TOKEN_A),
      cloudflare('cf-v2', 'cloudflare-v2', TOKEN_A),
    ]);
    const options = { deadlineAt: T0 + 10_000 };
    expect((await failureOf(first.list(QUERY, null, options))).code).toBe('SOURCE_AUTH_FAILED');
    const refused = await failureOf(second.list(QUERY, null, options));
    expect(refused.code).toBe('SOURCE_RATE_LIMITED');
    expect(refused.details).toMatchObject({ sourceId: 'cf-v2', retryAfterSeconds: 100 });
    expect(requests).toEqual(['cf-v1']);
  });

  it('gives Cloudflare sources with different tokens a bucket each', async () => {
    const { first, second, requests } = await start([
      cloudflare('cf-a', 'cloudflare-v1', TOKEN_A),
      cloudflare('cf-b', 'cloudflare-v1', TOKEN_B),
    ]);
    const options = { deadlineAt: T0 + 10_000 };
    expect((await failureOf(first.list(QUERY, null, options))).code).toBe('SOURCE_AUTH_FAILED');
    expect((await failureOf(second.list(QUERY, null, options))).code).toBe('SOURCE_AUTH_FAILED');
    expect(requests).toEqual(['cf-a', 'cf-b']);
  });

  it.each([
    ['one token: the 429 pauses both', TOKEN_A, ['cf-v1'], ['SOURCE_RATE_LIMITED', 300]],
    ['different tokens: the other still asks', TOKEN_B, ['cf-v1', 'cf-v2'], ['SOURCE_AUTH_FAILED']],
  ])(
    'answers a Retry-After of 999999 on one Cloudflare source with 300 s; %s',
    async (_case, secondToken, expectedRequests, expectedSecond) => {
      server = await startScriptedServer([status(429, { 'retry-after': '999999' }), status(401)]);
      const requests: string[] = [];
      sourceSet = createSources(
        [
          cloudflare('cf-v1', 'cloudflare-v1', TOKEN_A)(server.url),
          cloudflare('cf-v2', 'cloudflare-v2', secondToken)(server.url),
        ],
        {
          now: () => T0,
          onRequest: (sourceId) => requests.push(sourceId),
          transportClock: { now: () => T0, sleep: () => Promise.resolve() },
        },
      );
      const [first, second] = sourceSet.sources;
      if (first === undefined || second === undefined) throw new Error('two sources expected');
      const options = { deadlineAt: T0 + 10_000 };
      const limited = await failureOf(first.list(QUERY, null, options));
      expect(limited.details).toMatchObject({ sourceId: 'cf-v1', retryAfterSeconds: 300 });
      const next = await failureOf(second.list(QUERY, null, options));
      const { retryAfterSeconds } = next.details;
      expect([next.code, ...(retryAfterSeconds === undefined ? [] : [retryAfterSeconds])]).toEqual(
        expectedSecond,
      );
      expect(requests).toEqual(expectedRequests);
    },
  );

  it('keys buckets by a hash that holds no part of the secret', () => {
    const config = cloudflare('cf', 'cloudflare-v1', TOKEN_A)('https://api.cloudflare.com');
    const key = toCredentialKey(config);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain('aaaaaaaa');
    expect(toCredentialKey({ ...config, id: 'other', kind: 'cloudflare-v2' })).toBe(key);
    expect(toCredentialKey({ ...config, token: TOKEN_B })).not.toBe(key);
    expect(
      toCredentialKey({ id: 'n', kind: 'nirvana', baseUrl: 'https://x', apiKey: TOKEN_A }),
    ).not.toBe(key);
  });
});

describe('createSources circuit breakers', () => {
  it('gives each source its own breaker: one failing source does not open another’s', async () => {
    server = await startScriptedServer([status(503)]);
    const url = server.url;
    const requests: string[] = [];
    sourceSet = createSources(
      [
        cloudflare('cf-a', 'cloudflare-v1', TOKEN_A)(url),
        cloudflare('cf-b', 'cloudflare-v1', TOKEN_A)(url),
      ],
      {
        now: () => T0,
        onRequest: (sourceId) => requests.push(sourceId),
        circuitBreaker: { failureThreshold: 2 },
        transportClock: { now: () => T0, sleep: () => Promise.resolve() },
      },
    );
    const [first, second] = sourceSet.sources;
    if (first === undefined || second === undefined) throw new Error('two sources expected');
    await failureOf(first.list(QUERY, null));
    await failureOf(first.list(QUERY, null));
    expect((await failureOf(first.list(QUERY, null))).code).toBe('CIRCUIT_OPEN');
    expect((await failureOf(second.list(QUERY, null))).code).toBe('SOURCE_UNAVAILABLE');
    // The retry budget (R7) decides the retries: a new source holds one credit, so its first
    // call is retried once; its second call has earned only 0.2 credits on a clock that does
    // not move, so it is not retried. None for the call the open circuit refused.
    expect(requests).toEqual([...Array(3).fill('cf-a'), ...Array(2).fill('cf-b')]);
  });
});
