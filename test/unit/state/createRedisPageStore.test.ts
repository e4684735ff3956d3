import { randomUUID } from 'node:crypto';
import type { CachedEntry } from '../../../src/providers/cache/PageStore';
import { createMemoryPageStore } from '../../../src/providers/cache/createMemoryPageStore';
import type { RedisState } from '../../../src/state/createRedisState';
import {
  createRedisPageStore,
  createTieredPageStore,
} from '../../../src/state/createRedisPageStore';
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

async function connect(): Promise<RedisState> {
  const state = await connectRedisState(redis, 'pages:');
  states.push(state);
  return state;
}

const OPTIONS = { ttlSeconds: 600, maxEntryBytes: 64 * 1024, compressAboveBytes: 1024 };

/** A page of `count` events, about 200 bytes of JSON each. */
function page(count: number): CachedEntry {
  return {
    type: 'page',
    page: {
      events: Array.from({ length: count }, (_, index) => ({
        id: `evt-${index}`,
        nativeId: `evt-${index}`,
        action: 'service.update',
        description: `updated service svc-${index} with a longer description`,
      })) as never,
      next: count > 0 ? 'page-2' : null,
      total: null,
    },
  };
}

describe('createRedisPageStore, against a real Redis', () => {
  it('shares an entry between two replicas, with an expiry, gzipped when large', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    const storeA = createRedisPageStore({ redis: a, ...OPTIONS });
    const storeB = createRedisPageStore({ redis: b, ...OPTIONS });
    const small = `k-${randomUUID()}`;
    const large = `k-${randomUUID()}`;
    await storeA.set(small, page(1));
    await storeA.set(large, page(100));
    expect(await storeB.get(small)).toEqual(page(1));
    const read = await storeB.get(large);
    expect(read).toEqual(page(100));
    expect(Object.isFrozen(read)).toBe(true);

    const raw = await b.call((client) =>
      Promise.all([
        client.getBuffer(`page:${small}`),
        client.getBuffer(`page:${large}`),
        client.ttl(`page:${large}`),
      ]),
    );
    if (!raw.ok) throw new Error('Redis did not answer');
    const [smallBytes, largeBytes, ttl] = raw.value;
    expect(smallBytes?.subarray(0, 1).toString()).toBe('j');
    expect(largeBytes?.subarray(0, 1).toString()).toBe('z');
    expect(largeBytes!.length).toBeLessThan(JSON.stringify(page(100)).length / 4);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    expect(storeB.stats()).toMatchObject({ hits: 2, misses: 0 });
  });

  it('does not store an entry over the size cap, and reads a damaged value as a miss', async () => {
    const state = await connect();
    const store = createRedisPageStore({ redis: state, ...OPTIONS, maxEntryBytes: 2048 });
    const key = `k-${randomUUID()}`;
    // Random text does not compress: a page of it stays over the cap.
    const noise = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(Math.random() * 256)));
    const noisy = { type: 'event', event: { id: key, note: noise.toString('base64') } } as never;
    await store.set(key, noisy);
    expect(await store.get(key)).toBeUndefined();
    await state.call((client) => client.set(`page:${key}`, 'z-not-gzip'));
    expect(await store.get(key)).toBeUndefined();
  });

  it('never fails its caller while Redis is down: a miss, a write not made', async () => {
    const state = await connect();
    const store = createRedisPageStore({ redis: state, ...OPTIONS });
    const key = `k-${randomUUID()}`;
    await store.set(key, page(2));
    await redis.stop();
    try {
      await expect(store.get(key)).resolves.toBeUndefined();
      await expect(store.set(key, page(3))).resolves.toBeUndefined();
    } finally {
      await redis.restart();
    }
  });
});

describe('createTieredPageStore', () => {
  it('reads memory first, then Redis, keeping what Redis had in memory', async () => {
    const state = await connect();
    const shared = createRedisPageStore({ redis: state, ...OPTIONS });
    const writer = createTieredPageStore(createMemoryPageStore({ maxBytes: 1 << 20 }), shared);
    const near = createMemoryPageStore({ maxBytes: 1 << 20 });
    const reader = createTieredPageStore(near, shared);
    const key = `k-${randomUUID()}`;
    await writer.set(key, page(5));
    expect(await near.get(key)).toBeUndefined();
    expect(await reader.get(key)).toEqual(page(5));
    // Now in the reader's memory: Redis is not asked again.
    await state.call((client) => client.del(`page:${key}`));
    expect(await reader.get(key)).toEqual(page(5));
  });
});
