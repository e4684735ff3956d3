import type { SourceConfig } from '../../../src/config/types';
import { AuditgraphError } from '../../../src/model/errors';
import type { ListQuery, Source } from '../../../src/model/Source';
import type { SourceDeps, SourceSet } from '../../../src/providers/createSources';
import { createSources, toCredentialRateLimits } from '../../../src/providers/createSources';
import type { SourceRateLimit } from '../../../src/providers/SourceKindDefinition';
import { BUILT_IN_KINDS } from '../../../src/providers/sourceKinds';
import { T0, createFakeTime } from './fakeClocks';
import type { ScriptedServer } from './startScriptedServer';
import { startScriptedServer, status } from './startScriptedServer';

const QUERY: ListQuery = { order: 'desc', sinceMs: T0 - 3_600_000, beforeMs: T0, pageSize: 10 };
const TOKEN = 'fastly-token-aaaaaaaaaaaaaaaaaaaaaaaa';

let server: ScriptedServer | undefined;
let sourceSet: SourceSet | undefined;

afterEach(async () => {
  await sourceSet?.close();
  await server?.close();
  sourceSet = undefined;
  server = undefined;
});

function fastly(id: string, rateLimit?: SourceRateLimit): (url: string) => SourceConfig {
  return (url) => ({
    id,
    kind: 'fastly',
    baseUrl: url,
    token: TOKEN,
    ...(rateLimit === undefined ? {} : { rateLimit }),
  });
}

/** A call that reaches the upstream (which refuses the credential: no retry, no breaker count). */
async function call(source: Source): Promise<void> {
  const outcome = await source.list(QUERY, null).then(
    () => null,
    (error: unknown) => error,
  );
  if (!(outcome instanceof AuditgraphError) || outcome.code !== 'SOURCE_AUTH_FAILED') {
    throw new Error(`expected SOURCE_AUTH_FAILED, got ${String(outcome)}`);
  }
}

/** Sources on a scripted upstream, on a clock that moves only when the rate limiter sleeps. */
async function start(
  configs: readonly ((url: string) => SourceConfig)[],
  rateLimits?: SourceDeps['rateLimits'],
) {
  server = await startScriptedServer([status(401)]);
  const url = server.url;
  const time = createFakeTime();
  sourceSet = createSources(
    configs.map((config) => config(url)),
    {
      now: () => T0,
      transportClock: { now: time.now, sleep: time.sleep },
      ...(rateLimits === undefined ? {} : { rateLimits }),
    },
  );
  return { sources: sourceSet.sources, time, upstream: server };
}

describe('a source with a configured rateLimit', () => {
  it('lets `burst` requests through at once, then paces them at `perSecond`', async () => {
    const { sources, time, upstream } = await start([fastly('fastly', { burst: 4, perSecond: 5 })]);
    const [source] = sources;
    for (let i = 0; i < 4; i += 1) await call(source!);
    expect(time.sleeps).toEqual([]);
    expect(upstream.requests).toHaveLength(4);
    for (let i = 0; i < 3; i += 1) await call(source!);
    expect(time.sleeps).toEqual([200, 200, 200]);
    expect(upstream.requests).toHaveLength(7);
  });

  it('refills to its burst, and no further, after a quiet spell', async () => {
    const { sources, time } = await start([fastly('fastly', { burst: 2, perSecond: 1 })]);
    const [source] = sources;
    await call(source!);
    await call(source!);
    time.advance(60_000);
    await call(source!);
    await call(source!);
    expect(time.sleeps).toEqual([]);
    await call(source!);
    expect(time.sleeps).toEqual([1_000]);
  });

  it("wins over the per-kind limit given at start (the bench's, the emulators')", async () => {
    const { sources, time } = await start([fastly('fastly', { burst: 1, perSecond: 2 })], {
      fastly: { capacity: 1_000, refillPerSecond: 1_000 },
    });
    await call(sources[0]!);
    await call(sources[0]!);
    expect(time.sleeps).toEqual([500]);
  });

  it('leaves a source without one to the per-kind limit given at start', async () => {
    const { sources, time } = await start([fastly('fastly')], {
      fastly: { capacity: 2, refillPerSecond: 10 },
    });
    for (let i = 0; i < 3; i += 1) await call(sources[0]!);
    expect(time.sleeps).toEqual([100]);
  });
});

describe('sources that share a credential', () => {
  it('share one bucket with the smallest burst and the smallest rate they set', async () => {
    const { sources, time } = await start([
      fastly('fastly-a', { burst: 5, perSecond: 4 }),
      fastly('fastly-b', { burst: 2, perSecond: 10 }),
    ]);
    const [a, b] = sources;
    await call(a!);
    await call(b!);
    expect(time.sleeps).toEqual([]);
    await call(a!);
    await call(b!);
    expect(time.sleeps).toEqual([250, 250]);
  });

  it('take the limit of those that set one, not the default of those that do not', () => {
    const limits = toCredentialRateLimits(
      [
        fastly('fastly-a')('https://api.fastly.com'),
        fastly('fastly-b', { burst: 200, perSecond: 50 })('https://api.fastly.com'),
      ],
      BUILT_IN_KINDS,
      undefined,
    );
    expect([...limits.values()]).toEqual([{ capacity: 200, refillPerSecond: 50 }]);
  });

  it("keep the kind's default when none sets one", () => {
    const limits = toCredentialRateLimits(
      [fastly('fastly')('https://api.fastly.com')],
      BUILT_IN_KINDS,
      undefined,
    );
    expect([...limits.values()]).toEqual([BUILT_IN_KINDS.get('fastly').rateLimit]);
  });
});
