import { randomUUID } from 'node:crypto';
import { createCircuitBreaker } from '../../../src/http/createCircuitBreaker';
import type {
  CircuitBreaker,
  CircuitPermit,
  CircuitState,
} from '../../../src/http/createCircuitBreaker';
import type { CircuitChannel } from '../../../src/state/createCircuitChannel';
import { createCircuitChannel } from '../../../src/state/createCircuitChannel';
import type { RedisState } from '../../../src/state/createRedisState';
import { createRedisState } from '../../../src/state/createRedisState';
import type { RunningRedis } from '../../support/startRedis';
import { startRedis } from '../../support/startRedis';

let redis: RunningRedis;
const closers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const closer of closers.reverse()) await closer.close();
  await redis.stop();
});

const OPEN_MS = 1_500;

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const replicasOf = new Map<string, number>();

/** One replica: its connection, its channel, its breaker of `sourceId`, the moves it made. */
async function replica(sourceId: string, keyPrefix: string) {
  const state: RedisState = createRedisState({ url: redis.url, keyPrefix, callBudgetMs: 200 });
  await until(async () => (await state.call((client) => client.ping())).ok);
  const channel: CircuitChannel = createCircuitChannel({
    redis: state,
    keyPrefix,
    openMs: OPEN_MS,
    probeTimeoutMs: 5_000,
  });
  closers.push(state, channel);
  const count = (replicasOf.get(keyPrefix) ?? 0) + 1;
  replicasOf.set(keyPrefix, count);
  const moves: string[] = [];
  // The shared circuit is made from the breaker, and the breaker tells it of its moves.
  const relay: { share?: (from: CircuitState, to: CircuitState) => void } = {};
  const local = createCircuitBreaker({
    failureThreshold: 1,
    openMs: OPEN_MS,
    onTransition: (from, to) => {
      moves.push(`${from}→${to}`);
      relay.share?.(from, to);
    },
  });
  const shared = channel.join(sourceId, local);
  relay.share = (from, to) => shared.onTransition(from, to);
  // Wait for the subscription: a message published before it would be missed.
  await until(async () => {
    const answer = await state.call((client) => client.pubsub('NUMSUB', `${keyPrefix}circuits`));
    return answer.ok && Number((answer.value as [string, number])[1]) >= count;
  });
  return { breaker: shared.breaker, moves };
}

async function admitted(breaker: CircuitBreaker): Promise<CircuitPermit> {
  return breaker.admit('fastly');
}

describe('createCircuitChannel, against a real Redis', () => {
  it('opens every replica when one opens, lets one probe go for the fleet, and closes them all', async () => {
    const prefix = `t-${randomUUID()}:`;
    const a = await replica('fastly', prefix);
    const b = await replica('fastly', prefix);

    (await admitted(a.breaker)).settle('failure');
    expect(a.breaker.state()).toBe('open');
    await until(() => b.breaker.state() === 'open');
    await expect(admitted(b.breaker)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });

    await until(() => a.breaker.state() === 'half-open' && b.breaker.state() === 'half-open');
    const probe = await admitted(a.breaker);
    // B would probe too, alone; in the fleet it waits for A's probe.
    await expect(admitted(b.breaker)).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
      message: expect.stringContaining('another replica is probing') as unknown,
    });
    probe.settle('success');
    await until(() => b.breaker.state() === 'closed');
    (await admitted(b.breaker)).settle('success');
    expect(a.moves).toEqual(['closed→open', 'open→half-open', 'half-open→closed']);
    expect(b.moves).toEqual(['closed→open', 'open→closed']);
  });

  it('re-opens every replica when the fleet’s probe fails, and a replica joining late learns it', async () => {
    const prefix = `t-${randomUUID()}:`;
    const a = await replica('fastly', prefix);
    const b = await replica('fastly', prefix);
    (await admitted(a.breaker)).settle('failure');
    await until(() => b.breaker.state() === 'open');
    await until(() => b.breaker.state() === 'half-open');
    // A's circuit has turned half-open by the clock too, but no call has probed it there.
    expect(a.breaker.state()).toBe('half-open');
    (await admitted(b.breaker)).settle('failure');
    await until(() => a.breaker.state() === 'open');
    await expect(admitted(a.breaker)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(a.moves).toEqual(['closed→open']);
    expect(b.moves).toEqual(['closed→open', 'open→half-open', 'half-open→open']);
    const c = await replica('fastly', prefix);
    await until(() => c.breaker.state() === 'open');
    expect(c.moves).toEqual(['closed→open']);
  });
});
