import type { SharedLimits } from '../../../src/http/createRequestCoalescer';
import { createRequestCoalescer } from '../../../src/http/createRequestCoalescer';
import { AuditgraphError } from '../../../src/model/errors';
import { createHeldTime, failureOf, T0, until } from './fakeClocks';

/** A call the test settles by hand, and what it was started with. */
function createScriptedCall<T>() {
  const starts: SharedLimits[] = [];
  let settle: { resolve(value: T): void; reject(error: Error): void } | undefined;
  return {
    starts,
    start: (limits: SharedLimits): Promise<T> => {
      starts.push(limits);
      return new Promise<T>((resolve, reject) => {
        settle = { resolve, reject };
      });
    },
    resolve: (value: T) => settle?.resolve(value),
    reject: (error: Error) => settle?.reject(error),
  };
}

function setUp() {
  const time = createHeldTime();
  const coalescer = createRequestCoalescer<string>({
    now: time.now,
    sleep: time.sleep,
    timedOut: () => new AuditgraphError('SOURCE_TIMEOUT', 'deadline passed'),
    abandoned: () => new AuditgraphError('SOURCE_TIMEOUT', 'abandoned'),
  });
  return { time, coalescer };
}

describe('createRequestCoalescer', () => {
  it('starts one call for concurrent callers with equal keys and gives each its result', async () => {
    const { coalescer } = setUp();
    const call = createScriptedCall<string>();
    const joins: number[] = [];
    const results = Array.from({ length: 10 }, (_unused, index) =>
      coalescer.share({ key: 'k', start: call.start, onJoin: () => joins.push(index) }),
    );
    expect(coalescer.size()).toBe(1);
    call.resolve('answer');
    expect(await Promise.all(results)).toEqual(Array(10).fill('answer'));
    expect(call.starts).toHaveLength(1);
    expect(joins).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(coalescer.size()).toBe(0);
  });

  it('gives every waiter the failure of the shared call, and forgets it', async () => {
    const { coalescer } = setUp();
    const call = createScriptedCall<string>();
    const results = [1, 2, 3].map(() => coalescer.share({ key: 'k', start: call.start }));
    call.reject(new AuditgraphError('SOURCE_UNAVAILABLE', 'down'));
    for (const result of results) expect((await failureOf(result)).code).toBe('SOURCE_UNAVAILABLE');
    expect(coalescer.size()).toBe(0);
  });

  it('starts a new call for a caller that comes after the last one settled', async () => {
    const { coalescer } = setUp();
    const first = createScriptedCall<string>();
    const second = createScriptedCall<string>();
    const one = coalescer.share({ key: 'k', start: first.start });
    first.resolve('first');
    await one;
    const two = coalescer.share({ key: 'k', start: second.start });
    second.resolve('second');
    expect(await two).toBe('second');
    expect(second.starts).toHaveLength(1);
  });

  it('never shares between different keys', async () => {
    const { coalescer } = setUp();
    const a = createScriptedCall<string>();
    const b = createScriptedCall<string>();
    const results = [
      coalescer.share({ key: 'a', start: a.start }),
      coalescer.share({ key: 'b', start: b.start }),
    ];
    expect(coalescer.size()).toBe(2);
    a.resolve('a');
    b.resolve('b');
    expect(await Promise.all(results)).toEqual(['a', 'b']);
  });

  it('ends the wait of a joiner whose own deadline passes first; the call goes on for the others', async () => {
    const { time, coalescer } = setUp();
    const call = createScriptedCall<string>();
    const leader = coalescer.share({ key: 'k', deadlineAt: T0 + 10_000, start: call.start });
    const joiner = coalescer.share({ key: 'k', deadlineAt: T0 + 1_000, start: call.start });
    // The joiner's wait for its own deadline; the leader's deadline is the call's own.
    expect(time.held.map((sleep) => sleep.ms)).toEqual([1_000]);
    time.held[0]!.wake();
    const error = await failureOf(joiner);
    expect(error.message).toBe('deadline passed');
    expect(call.starts[0]!.signal.aborted).toBe(false);
    call.resolve('answer');
    expect(await leader).toBe('answer');
    expect(coalescer.size()).toBe(0);
  });

  it('stops the deadline wait of a joiner once the shared call answers', async () => {
    const { time, coalescer } = setUp();
    const call = createScriptedCall<string>();
    const leader = coalescer.share({ key: 'k', start: call.start });
    const joiner = coalescer.share({ key: 'k', deadlineAt: T0 + 1_000, start: call.start });
    expect(time.held).toHaveLength(1);
    call.resolve('answer');
    expect(await Promise.all([leader, joiner])).toEqual(['answer', 'answer']);
    expect(time.held).toHaveLength(0);
  });

  it('runs the shared call under the deadline of the caller that started it', () => {
    const { coalescer } = setUp();
    const call = createScriptedCall<string>();
    void coalescer.share({ key: 'k', deadlineAt: T0 + 5_000, start: call.start }).catch(() => {});
    void coalescer.share({ key: 'k', deadlineAt: T0 + 2_000, start: call.start }).catch(() => {});
    expect(call.starts.map((limits) => limits.deadlineAt)).toEqual([T0 + 5_000]);
    call.resolve('answer');
  });

  it('lets a caller with a later deadline join, pushing the call’s deadline back to its own', async () => {
    const { time, coalescer } = setUp();
    const call = createScriptedCall<string>();
    const joins: number[] = [];
    const leader = coalescer.share({ key: 'k', deadlineAt: T0 + 1_000, start: call.start });
    expect(call.starts[0]!.deadlineAt).toBe(T0 + 1_000);
    // The leader's deadline is the call's: nothing of its own to watch yet.
    expect(time.held).toHaveLength(0);
    const later = coalescer.share({
      key: 'k',
      deadlineAt: T0 + 5_000,
      start: call.start,
      onJoin: () => joins.push(5_000),
    });
    expect(call.starts).toHaveLength(1);
    expect(joins).toEqual([5_000]);
    // The call now runs to the later deadline, and the leader watches its own.
    expect(call.starts[0]!.deadlineAt).toBe(T0 + 5_000);
    expect(time.held.map((sleep) => sleep.ms)).toEqual([1_000]);
    time.held[0]!.wake();
    expect((await failureOf(leader)).message).toBe('deadline passed');
    expect(call.starts[0]!.signal.aborted).toBe(false);
    call.resolve('answer');
    expect(await later).toBe('answer');
    expect(coalescer.size()).toBe(0);
  });

  it('never moves a call’s deadline earlier, and drops it for a caller without one', async () => {
    const { coalescer } = setUp();
    const call = createScriptedCall<string>();
    const results = [
      coalescer.share({ key: 'k', deadlineAt: T0 + 5_000, start: call.start }),
      coalescer.share({ key: 'k', deadlineAt: T0 + 3_000, start: call.start }),
    ];
    expect(call.starts[0]!.deadlineAt).toBe(T0 + 5_000);
    results.push(coalescer.share({ key: 'k', start: call.start }));
    expect(call.starts[0]!.deadlineAt).toBeUndefined();
    results.push(coalescer.share({ key: 'k', deadlineAt: T0 + 9_000, start: call.start }));
    expect(call.starts[0]!.deadlineAt).toBeUndefined();
    expect(call.starts).toHaveLength(1);
    call.resolve('answer');
    expect(await Promise.all(results)).toEqual(Array(4).fill('answer'));
  });

  it('lets a caller with a deadline join a call without one', async () => {
    const { coalescer } = setUp();
    const call = createScriptedCall<string>();
    const joins: number[] = [];
    const results = [
      coalescer.share({ key: 'k', start: call.start }),
      coalescer.share({
        key: 'k',
        deadlineAt: T0 + 1_000,
        start: call.start,
        onJoin: () => joins.push(1),
      }),
    ];
    call.resolve('answer');
    expect(await Promise.all(results)).toEqual(['answer', 'answer']);
    expect(joins).toEqual([1]);
  });

  it('keeps the shared call going when one of its callers gives up', async () => {
    const { coalescer } = setUp();
    const call = createScriptedCall<string>();
    const quitter = new AbortController();
    const leader = coalescer.share({ key: 'k', signal: quitter.signal, start: call.start });
    const joiner = coalescer.share({ key: 'k', start: call.start });
    quitter.abort();
    expect((await failureOf(leader)).message).toBe('abandoned');
    expect(call.starts[0]!.signal.aborted).toBe(false);
    call.resolve('answer');
    expect(await joiner).toBe('answer');
  });

  it('aborts the shared call at once when its last caller gives up, and forgets it', async () => {
    const { coalescer } = setUp();
    const call = createScriptedCall<string>();
    const controllers = [new AbortController(), new AbortController()];
    const results = controllers.map((controller) =>
      coalescer.share({ key: 'k', signal: controller.signal, start: call.start }),
    );
    controllers[0]!.abort();
    expect(call.starts[0]!.signal.aborted).toBe(false);
    controllers[1]!.abort();
    // Synchronously: the call must not take another step for nobody.
    expect(call.starts[0]!.signal.aborted).toBe(true);
    expect(coalescer.size()).toBe(0);
    for (const result of results) expect((await failureOf(result)).message).toBe('abandoned');
    // The torn-down call's own failure reaches nobody, and is not an unhandled rejection.
    call.reject(new Error('aborted'));
    const next = createScriptedCall<string>();
    const fresh = coalescer.share({ key: 'k', start: next.start });
    next.resolve('fresh');
    expect(await fresh).toBe('fresh');
  });

  it('aborts the shared call when the last waiter’s own deadline ends its wait', async () => {
    const { time, coalescer } = setUp();
    const call = createScriptedCall<string>();
    const quitter = new AbortController();
    const leader = coalescer.share({
      key: 'k',
      signal: quitter.signal,
      deadlineAt: T0 + 9_000,
      start: call.start,
    });
    const joiner = coalescer.share({ key: 'k', deadlineAt: T0 + 1_000, start: call.start });
    quitter.abort();
    await failureOf(leader);
    expect(call.starts[0]!.signal.aborted).toBe(false);
    await until(() => time.held.length === 1);
    time.held[0]!.wake();
    expect((await failureOf(joiner)).message).toBe('deadline passed');
    expect(call.starts[0]!.signal.aborted).toBe(true);
    expect(coalescer.size()).toBe(0);
  });

  it('refuses a caller that gave up before it asked, starting nothing', async () => {
    const { coalescer } = setUp();
    const call = createScriptedCall<string>();
    const error = await failureOf(
      coalescer.share({ key: 'k', signal: AbortSignal.abort(), start: call.start }),
    );
    expect(error.message).toBe('abandoned');
    expect(call.starts).toHaveLength(0);
    expect(coalescer.size()).toBe(0);
  });
});
