import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { AcquireContext, RateLimit, TokenBucket } from '../http/createTokenBucket';
import { createTokenBucket } from '../http/createTokenBucket';
import { AuditgraphError } from '../model/errors';
import type { RedisState } from './createRedisState';
import { TOKEN_BUCKET_SCRIPT } from './tokenBucketScript';

export interface SharedTokenBucketOptions extends RateLimit {
  readonly redis: RedisState;
  /** The bucket's key (without the deployment's prefix); holds no secret: a one-way hash. */
  readonly key: string;
  /**
   * How many replicas share the limit: while Redis does not answer, each replica runs on a
   * local bucket of `capacity / replicas` and `refillPerSecond / replicas`, so that the fleet
   * as a whole still stays within the limit.
   */
  readonly replicas: number;
  /** Waits `ms`, rejecting when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

type ScriptReply = [granted: number, waitMs: number, pauses: number];

interface RedisWithBucket extends Redis {
  auditgraphTokenBucket(
    key: string,
    capacity: number,
    rate: number,
    op: string,
    arg: number,
  ): Promise<ScriptReply>;
}

/**
 * A credential's token bucket shared by every replica through Redis (TOKEN_BUCKET_SCRIPT): the
 * local bucket's promises, for the fleet. A replica that cannot reach Redis in time falls back
 * to a local bucket holding its share of the limit, and goes back to the shared one as soon as
 * Redis answers again; a 429's pause is written to both, so that every replica holds it.
 */
export function createSharedTokenBucket(options: SharedTokenBucketOptions): TokenBucket {
  const { redis, capacity, refillPerSecond } = options;
  const sleep = options.sleep ?? defaultSleep;
  const local = createTokenBucket({
    capacity: Math.max(1, Math.floor(capacity / options.replicas)),
    refillPerSecond: refillPerSecond / options.replicas,
    sleep,
  });
  const localIntervalMs = Math.ceil((1000 * options.replicas) / refillPerSecond);
  // Hash tags keep the key on one slot of a Redis Cluster.
  const key = `{bucket:${options.key}}`;

  const run = (op: string, arg: number) =>
    redis.call((client) => {
      defineScript(client);
      return (client as RedisWithBucket).auditgraphTokenBucket(
        key,
        capacity,
        refillPerSecond,
        op,
        arg,
      );
    });

  /** Whether the last call reached Redis: the local bucket starts cold when it takes over. */
  let sharing = true;

  async function acquire(deadlineAt?: number, context: AcquireContext = {}): Promise<void> {
    const maxWaitMs = deadlineAt === undefined ? -1 : Math.max(0, deadlineAt - Date.now());
    const answer = await run('acquire', maxWaitMs);
    if (!answer.ok) {
      // The shared bucket may just have handed out its tokens: a local burst on top of them
      // would take the fleet over the limit. The local bucket takes over empty, its first token
      // one of its intervals away (Redis flapping then never adds more than the local rate).
      if (sharing) local.pauseUntil(Date.now() + localIntervalMs);
      sharing = false;
      return local.acquire(deadlineAt, context);
    }
    sharing = true;
    const [granted, waitMs, pauses] = answer.value;
    if (granted === 0) throw refusal(waitMs, context);
    if (waitMs === 0) return;
    try {
      await sleep(waitMs, context.signal);
    } catch (error) {
      // The token goes back for the next caller, unless a pause dropped it already.
      await run('release', pauses);
      throw error;
    }
    // A pause that began while this caller waited dropped its token: it queues again.
    const after = await run('ready', 0);
    if (after.ok && after.value[2] !== pauses) await acquire(deadlineAt, context);
  }

  function pauseUntil(untilMs: number): void {
    local.pauseUntil(untilMs);
    void run('pause', Math.max(0, untilMs - Date.now()));
  }

  return {
    acquire,
    pauseUntil,
    // The shared bucket's wait is a round trip away; the local one holds every pause too.
    readyInMs: () => local.readyInMs(),
  };
}

const defined = new WeakSet<Redis>();

function defineScript(client: Redis): void {
  if (defined.has(client)) return;
  client.defineCommand('auditgraphTokenBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET_SCRIPT });
  defined.add(client);
}

function refusal(waitMs: number, context: AcquireContext): AuditgraphError {
  const where = context.sourceId === undefined ? '' : ` for source ${context.sourceId}`;
  return new AuditgraphError(
    'SOURCE_RATE_LIMITED',
    `the shared rate limit${where} leaves no request before the deadline`,
    {
      ...(context.sourceId === undefined ? {} : { sourceId: context.sourceId }),
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    },
  );
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepFor(ms, undefined, signal ? { signal } : {});
}
