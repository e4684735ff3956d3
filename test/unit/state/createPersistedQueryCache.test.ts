import { createHash } from 'node:crypto';
import type { RedisState } from '../../../src/state/createRedisState';
import { createPersistedQueryCache } from '../../../src/state/createPersistedQueryCache';
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
  const state = await connectRedisState(redis, 'apq-test:');
  states.push(state);
  return state;
}

const options = { maxLocalBytes: 1 << 20, ttlSeconds: 3_600 };
const query = (n: number) => `query Latest${n} { auditEvents(first: ${n}) { edges { cursor } } }`;
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

describe('createPersistedQueryCache, against a real Redis', () => {
  it('lets a query registered on one replica be found by hash on another, with an expiry', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    const onA = createPersistedQueryCache({ redis: a, ...options });
    const onB = createPersistedQueryCache({ redis: b, ...options });
    const hash = hashOf(query(1));
    expect(await onB.get(hash)).toBeUndefined();
    await onA.set(hash, query(1));
    expect(await onB.get(hash)).toBe(query(1));
    const ttl = await b.call((client) => client.ttl(`apq:${hash}`));
    expect(ttl.ok && ttl.value > 3_500).toBe(true);
    await onA.set(hashOf(query(2)), query(2), { ttl: 60 });
    const shortTtl = await b.call((client) => client.ttl(`apq:${hashOf(query(2))}`));
    expect(shortTtl.ok && shortTtl.value <= 60 && shortTtl.value > 0).toBe(true);
  });

  it('keeps answering from memory what this replica saw while Redis is down', async () => {
    const state = await connect();
    const cache = createPersistedQueryCache({ redis: state, ...options });
    const seen = hashOf(query(3));
    await cache.set(seen, query(3));
    await redis.stop();
    try {
      expect(await cache.get(seen)).toBe(query(3));
      expect(await cache.get(hashOf(query(4)))).toBeUndefined();
      await expect(cache.set(hashOf(query(4)), query(4))).resolves.toBeUndefined();
      expect(await cache.get(hashOf(query(4)))).toBe(query(4));
    } finally {
      await redis.restart();
    }
  });
});
