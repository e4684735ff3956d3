import { setTimeout as sleepFor } from 'node:timers/promises';
import { AuditgraphError } from '../model/errors';

/**
 * How many requests a credential may make: a burst, then a steady rate. Each kind states its own
 * (src/providers/<kind>/); this layer knows no kinds.
 */
export interface RateLimit {
  /** Tokens the bucket holds when full: the burst allowed after a quiet spell. */
  readonly capacity: number;
  readonly refillPerSecond: number;
}

export interface TokenBucketOptions extends RateLimit {
  /** Epoch ms; injected so tests move time without waiting. */
  readonly now?: () => number;
  /** Waits `ms`, rejecting when `signal` aborts; injected so tests record waits instead. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface AcquireContext {
  /** Named in the error, so a refusal points at its source. */
  readonly sourceId?: string;
  /** The caller giving up: the wait ends and the token goes back. */
  readonly signal?: AbortSignal;
}

export interface TokenBucket {
  /**
   * Takes one token, waiting for it when the bucket is empty and the wait ends before
   * `deadlineAt` (epoch ms on the bucket's clock; no deadline: any wait). A wait that would not
   * fit fails at once with SOURCE_RATE_LIMITED and `retryAfterSeconds`, taking nothing.
   */
  acquire(deadlineAt?: number, context?: AcquireContext): Promise<void>;
  /**
   * Holds every token until `untilMs` (epoch ms on the bucket's clock): the upstream refused the
   * credential with a 429 and said when to ask again. Then one token is free, and the bucket
   * refills from there at its rate. A pause that ends no later than the current one changes
   * nothing.
   */
  pauseUntil(untilMs: number): void;
  /** How long, in ms, until `acquire` would hand out a token; takes none. */
  readyInMs(): number;
}

/**
 * A token bucket shared by every source of one credential. Concurrent callers reserve tokens in
 * arrival order: the balance may go negative, and each caller waits until its own token has
 * been refilled, so no caller can overtake another and no token is handed out twice.
 *
 * The balance is the one at `refilledAt`, which a pause moves into the future: until then no
 * time refills anything, and every wait runs to the pause's end first. A pause drops the
 * balance to one token, reservations included: the upstream has just said the credential asked
 * too much, so it starts again with one request (which asks whether the refusal is over), not
 * with a burst. Callers already waiting when a pause begins queue again behind it.
 */
export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const { capacity, refillPerSecond } = options;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new TypeError(`createTokenBucket: capacity must be a positive integer, got ${capacity}`);
  }
  if (!Number.isFinite(refillPerSecond) || refillPerSecond <= 0) {
    throw new TypeError(
      `createTokenBucket: refillPerSecond must be a positive number, got ${refillPerSecond}`,
    );
  }
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  let tokens = capacity;
  let refilledAt = now();
  /** How many pauses have begun: a caller that waited through the start of one queues again. */
  let pauses = 0;

  function refill(): void {
    const at = now();
    if (at <= refilledAt) return;
    tokens = Math.min(capacity, tokens + ((at - refilledAt) / 1000) * refillPerSecond);
    refilledAt = at;
  }

  /** The wait for a token when the balance, after taking it, is `balance`. */
  function waitFor(balance: number): number {
    const pausedMs = Math.max(0, refilledAt - now());
    const refillMs = balance >= 0 ? 0 : Math.ceil((-balance / refillPerSecond) * 1000);
    return pausedMs + refillMs;
  }

  async function acquire(deadlineAt?: number, context: AcquireContext = {}): Promise<void> {
    refill();
    tokens -= 1;
    const waitMs = waitFor(tokens);
    if (waitMs === 0) return;
    if (deadlineAt !== undefined && now() + waitMs >= deadlineAt) {
      tokens += 1;
      throw refusal(waitMs, context);
    }
    const pausesBefore = pauses;
    try {
      await sleep(waitMs, context.signal);
    } catch (error) {
      // A pause that began meanwhile has dropped this reservation already.
      if (pauses === pausesBefore) tokens += 1;
      throw error;
    }
    // The pause dropped the token this caller waited for: it would go out while the upstream
    // still refuses the credential.
    if (pauses !== pausesBefore) await acquire(deadlineAt, context);
  }

  function refusal(waitMs: number, context: AcquireContext): AuditgraphError {
    const where = context.sourceId === undefined ? '' : ` for source ${context.sourceId}`;
    const message =
      refilledAt > now()
        ? `requests${where} are paused: its upstream rate-limited the credential`
        : `the client-side rate limit${where} leaves no request before the deadline`;
    return new AuditgraphError('SOURCE_RATE_LIMITED', message, {
      ...(context.sourceId === undefined ? {} : { sourceId: context.sourceId }),
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    });
  }

  function pauseUntil(untilMs: number): void {
    refill();
    if (!(untilMs > refilledAt)) return;
    tokens = 1;
    refilledAt = untilMs;
    pauses += 1;
  }

  function readyInMs(): number {
    refill();
    return waitFor(tokens - 1);
  }

  return { acquire, pauseUntil, readyInMs };
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepFor(ms, undefined, signal ? { signal } : {});
}
