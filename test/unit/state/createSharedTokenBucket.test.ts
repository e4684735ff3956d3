import { randomUUID } from 'node:crypto';
import type { RedisState, RedisStatus } from '../../../src/state/createRedisState';
import { createSharedTokenBucket } from '../../../src/state/createSharedTokenBucket';
import type { RunningRedis } from '../../support/startRedis';
import { connectRedisState, startRedis } from '../../support/startRedis';

let redis: RunningRedis;
const states: RedisState[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await Promise.all(states.map((state) => state.close()));
  await redis.stop();
});

/** One replica's connection; its status moves are recorded. */
async function connect(statuses: RedisStatus[] = []): Promise<RedisState> {
  const state = await connectRedisState(redis, 'test:', statuses);
  states.push(state);
  return state;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A sleep that records the waits asked of it and returns at once. */
function recordingSleep() {
  const waits: number[] = [];
  return {
    waits,
    sleep: (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
}

describe('createSharedTokenBucket, against a real Redis', () => {
  it('is one budget for two replicas: one burst between them, then waits in arrival order', async () => {
    const key = randomUUID();
    const time = recordingSleep();
    const [a, b] = await Promise.all([connect(), connect()]);
    const limit = { capacity: 4, refillPerSecond: 1, key, replicas: 2, sleep: time.sleep };
    const bucketA = createSharedTokenBucket({ ...limit, redis: a });
    const bucketB = createSharedTokenBucket({ ...limit, redis: b });
    for (const bucket of [bucketA, bucketB, bucketA, bucketB]) await bucket.acquire();
    expect(time.waits).toEqual([]);
    await bucketB.acquire();
    await bucketA.acquire();
    await bucketB.acquire();
    // Each caller waits for its own token: about 1, 2 and 3 s at one a second (the sleeps are
    // recorded, not slept, so only the round trips' milliseconds pass meanwhile).
    expect(time.waits).toHaveLength(3);
    const [first, second, third] = time.waits as [number, number, number];
    expect(first).toBeGreaterThan(500);
    expect(first).toBeLessThanOrEqual(1_000);
    expect(second - first).toBeGreaterThan(500);
    expect(third - second).toBeGreaterThan(500);
  });

  it('refuses a wait the deadline has no room for, taking no token, with a retry hint', async () => {
    const key = randomUUID();
    const time = recordingSleep();
    const state = await connect();
    const limit = { capacity: 1, refillPerSecond: 0.5, key, replicas: 1, sleep: time.sleep };
    const bucket = createSharedTokenBucket({ ...limit, redis: state });
    await bucket.acquire();
    await expect(bucket.acquire(Date.now() + 100, { sourceId: 'cf-prod' })).rejects.toMatchObject({
      code: 'SOURCE_RATE_LIMITED',
      details: { sourceId: 'cf-prod', retryAfterSeconds: 2 },
    });
    // Nothing was taken: a caller that can wait gets the next token, about 2 s out, not 4.
    await bucket.acquire();
    expect(time.waits).toHaveLength(1);
    expect(time.waits[0]).toBeLessThanOrEqual(2_000);
    expect(time.waits[0]).toBeGreaterThan(1_500);
  });

  it('holds every replica when one of them is told to pause (a 429)', async () => {
    const key = randomUUID();
    const time = recordingSleep();
    const [a, b] = await Promise.all([connect(), connect()]);
    const limit = { capacity: 10, refillPerSecond: 10, key, replicas: 2, sleep: time.sleep };
    const bucketA = createSharedTokenBucket({ ...limit, redis: a });
    const bucketB = createSharedTokenBucket({ ...limit, redis: b });
    bucketA.pauseUntil(Date.now() + 1_000);
    // The pause is written without waiting for it; the next call on B comes after it.
    await until(async () => {
      const answer = await b.call((client) => client.exists(`{bucket:${key}}`));
      return answer.ok && answer.value === 1;
    });
    await bucketB.acquire();
    expect(time.waits).toHaveLength(1);
    expect(time.waits[0]).toBeGreaterThan(800);
    expect(time.waits[0]).toBeLessThanOrEqual(1_000);
    // B's bucket learned nothing locally: only Redis held it.
    expect(bucketB.readyInMs()).toBe(0);
  });
});

describe('createSharedTokenBucket when Redis goes away', () => {
  it('falls back to its share of the limit, says so once, and shares again when Redis is back', async () => {
    const key = randomUUID();
    const time = recordingSleep();
    const statuses: RedisStatus[] = [];
    const state = await connect(statuses);
    const limit = { capacity: 4, refillPerSecond: 2, key, replicas: 2, sleep: time.sleep };
    const bucket = createSharedTokenBucket({ ...limit, redis: state });
    expect(statuses).toEqual(['shared']);
    await redis.stop();
    await until(() => Promise.resolve(state.status() === 'local'));
    // The local share, 2 / 2 = one a second, starting empty: the shared bucket may just have
    // handed out its burst, and another on top of it would take the fleet over the limit.
    await bucket.acquire();
    await bucket.acquire();
    expect(time.waits).toHaveLength(2);
    const [first, second] = time.waits as [number, number];
    expect(first).toBeGreaterThan(900);
    expect(first).toBeLessThanOrEqual(1_000);
    expect(second - first).toBeGreaterThan(900);
    expect(statuses).toEqual(['shared', 'local']);

    await redis.restart();
    await until(async () => (await state.call((client) => client.ping())).ok);
    expect(statuses).toEqual(['shared', 'local', 'shared']);
    // The shared bucket is used again: Redis holds its key after the next token.
    await bucket.acquire();
    const stored = await state.call((client) => client.hget(`{bucket:${key}}`, 'tokens'));
    expect(stored).toEqual({ ok: true, value: '3' });
  });
});
