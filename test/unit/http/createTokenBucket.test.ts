import { createTokenBucket } from '../../../src/http/createTokenBucket';
import { BUILT_IN_KINDS } from '../../../src/providers/sourceKinds';
import { AuditgraphError } from '../../../src/model/errors';
import { T0, createFakeTime, createHeldTime, until } from './fakeClocks';

async function failureOf(promise: Promise<unknown>): Promise<AuditgraphError> {
  const outcome = await promise.then(
    () => new Error('expected a failure'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof AuditgraphError)) throw outcome;
  return outcome;
}

describe('createTokenBucket', () => {
  it('hands out a full burst without waiting, then waits for each refilled token', async () => {
    const time = createFakeTime();
    const bucket = createTokenBucket({ capacity: 3, refillPerSecond: 2, ...time });
    for (let i = 0; i < 3; i += 1) await bucket.acquire();
    expect(time.sleeps).toEqual([]);
    await bucket.acquire();
    await bucket.acquire();
    expect(time.sleeps).toEqual([500, 500]);
  });

  it('refills with elapsed time, never beyond its capacity', async () => {
    const time = createFakeTime();
    const bucket = createTokenBucket({ capacity: 2, refillPerSecond: 1, ...time });
    await bucket.acquire();
    await bucket.acquire();
    time.advance(60_000);
    await bucket.acquire();
    await bucket.acquire();
    expect(time.sleeps).toEqual([]);
    await bucket.acquire();
    expect(time.sleeps).toEqual([1_000]);
  });

  it('waits when the wait ends before the deadline', async () => {
    const time = createFakeTime();
    const bucket = createTokenBucket({ capacity: 1, refillPerSecond: 1, ...time });
    await bucket.acquire(T0 + 5_000);
    await bucket.acquire(T0 + 5_000);
    expect(time.sleeps).toEqual([1_000]);
  });

  it('refuses at once, with a retry hint, when the wait would pass the deadline', async () => {
    const time = createFakeTime();
    const bucket = createTokenBucket({ capacity: 1, refillPerSecond: 0.25, ...time });
    await bucket.acquire();
    const error = await failureOf(bucket.acquire(T0 + 2_000, { sourceId: 'cloudflare-v1' }));
    expect(error.code).toBe('SOURCE_RATE_LIMITED');
    expect(error.details).toEqual({ sourceId: 'cloudflare-v1', retryAfterSeconds: 4 });
    expect(time.sleeps).toEqual([]);
  });

  it('takes no token when it refuses, so the next caller waits no longer', async () => {
    const time = createFakeTime();
    const bucket = createTokenBucket({ capacity: 1, refillPerSecond: 1, ...time });
    await bucket.acquire();
    await failureOf(bucket.acquire(T0 + 500));
    await failureOf(bucket.acquire(T0 + 500));
    await bucket.acquire();
    expect(time.sleeps).toEqual([1_000]);
  });

  it('makes concurrent callers queue: each waits for its own token', async () => {
    const time = createFakeTime();
    // A sleep that does not move the clock, as when the waits overlap in real time.
    const sleeps: number[] = [];
    const bucket = createTokenBucket({
      capacity: 1,
      refillPerSecond: 10,
      now: time.now,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });
    await Promise.all([bucket.acquire(), bucket.acquire(), bucket.acquire()]);
    expect(sleeps).toEqual([100, 200]);
  });

  it('refuses every caller during a pause, saying how long it has left to run', async () => {
    const time = createFakeTime();
    const bucket = createTokenBucket({ capacity: 5, refillPerSecond: 1, ...time });
    bucket.pauseUntil(T0 + 300_000);
    const hints: (number | undefined)[] = [];
    for (const elapsedMs of [0, 100_000, 299_001]) {
      time.advance(T0 + elapsedMs - time.now());
      const error = await failureOf(bucket.acquire(time.now() + 500, { sourceId: 'cf' }));
      expect(error.code).toBe('SOURCE_RATE_LIMITED');
      expect(error.message).toBe(
        'requests for source cf are paused: its upstream rate-limited the credential',
      );
      hints.push(error.details.retryAfterSeconds);
    }
    expect(hints).toEqual([300, 200, 1]);
    expect(time.sleeps).toEqual([]);
  });

  it('hands out one token when the pause ends, then refills at its rate, not a burst', async () => {
    const time = createFakeTime();
    const bucket = createTokenBucket({ capacity: 5, refillPerSecond: 1, ...time });
    bucket.pauseUntil(T0 + 300_000);
    time.advance(300_000);
    await bucket.acquire(time.now() + 500);
    expect(time.sleeps).toEqual([]);
    const error = await failureOf(bucket.acquire(time.now() + 500));
    expect(error.details.retryAfterSeconds).toBe(1);
  });

  it('waits out a pause that ends before the deadline', async () => {
    const time = createFakeTime();
    const bucket = createTokenBucket({ capacity: 5, refillPerSecond: 1, ...time });
    bucket.pauseUntil(T0 + 2_000);
    await bucket.acquire(T0 + 5_000);
    expect(time.sleeps).toEqual([2_000]);
  });

  it.each([
    ['no pause', [], 0],
    ['a pause of a minute', [T0 + 60_000], 60_000],
    ['a pause that has ended', [T0 - 1_000], 0],
    ['a shorter pause after a longer one (it changes nothing)', [T0 + 60_000, T0 + 5_000], 60_000],
    ['a longer pause after a shorter one', [T0 + 5_000, T0 + 60_000], 60_000],
  ])(
    'says how long the next caller would wait after %s, taking no token',
    (_case, pauses, expected) => {
      const time = createFakeTime();
      const bucket = createTokenBucket({ capacity: 1, refillPerSecond: 1, ...time });
      for (const untilMs of pauses) bucket.pauseUntil(untilMs);
      expect(bucket.readyInMs()).toBe(expected);
      expect(bucket.readyInMs()).toBe(expected);
    },
  );

  it('makes a caller already waiting for a token when a pause begins wait for its end', async () => {
    const time = createHeldTime();
    const bucket = createTokenBucket({ capacity: 1, refillPerSecond: 1, ...time });
    await bucket.acquire();
    let granted = false;
    const waiting = bucket.acquire(T0 + 20_000).then(() => {
      granted = true;
    });
    await until(() => time.held.length === 1);
    expect(time.held[0]?.ms).toBe(1_000);
    bucket.pauseUntil(T0 + 5_000);
    time.advance(1_000);
    time.held[0]?.wake();
    await until(() => time.held.length === 1);
    expect(granted).toBe(false);
    expect(time.held[0]?.ms).toBe(4_000);
    time.advance(4_000);
    time.held[0]?.wake();
    await waiting;
    expect(granted).toBe(true);
    // The token at the pause's end went to the caller that waited for it.
    expect(bucket.readyInMs()).toBe(1_000);
  });

  it('rejects a capacity or a rate that could never hand out a token', () => {
    expect(() => createTokenBucket({ capacity: 0, refillPerSecond: 1 })).toThrow(/capacity/);
    expect(() => createTokenBucket({ capacity: 1, refillPerSecond: 0 })).toThrow(/refillPerSecond/);
  });

  it.each(['cloudflare-v1', 'cloudflare-v2'] as const)(
    'keeps %s under Cloudflare’s 1200 requests in any 5 minutes, burst included',
    (kind) => {
      const { capacity, refillPerSecond } = BUILT_IN_KINDS.get(kind).rateLimit;
      expect(capacity + refillPerSecond * 300).toBeLessThan(1200);
    },
  );
});
