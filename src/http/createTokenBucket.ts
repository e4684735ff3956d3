import { setTimeout as sleepFor } from 'node:timers/promises';
import type { SourceKind } from '../model/AuditEvent';
import { AuditgraphError } from '../model/errors';

/** How many requests a credential may make: a burst, then a steady rate. */
export interface RateLimit {
  /** Tokens the bucket holds when full: the burst allowed after a quiet spell. */
  readonly capacity: number;
  readonly refillPerSecond: number;
}

/**
 * The client-side limit per credential, by source kind. Only Cloudflare documents one
 * (providers.md): 1200 requests per 5 minutes per user, cumulative across all of the user's
 * tokens, and a call over it blocks every call of the user for five minutes. A full burst plus
 * five minutes of refill (50 + 3.5 × 300 = 1100) stays under 1200 in any 5-minute window and
 * leaves room for the dashboard and other tools of the same user.
 *
 * Fastly does not limit reads, FusionAuth and Nirvana document no limit: their numbers are our
 * choice, generous enough for any dashboard, and only there to keep a runaway loop from
 * hammering an upstream.
 */
export const RATE_LIMIT_DEFAULTS: Readonly<Record<SourceKind, RateLimit>> = {
  'cloudflare-v1': { capacity: 50, refillPerSecond: 3.5 },
  'cloudflare-v2': { capacity: 50, refillPerSecond: 3.5 },
  fastly: { capacity: 40, refillPerSecond: 20 },
  'fusionauth-event-log': { capacity: 40, refillPerSecond: 20 },
  'fusionauth-audit-log': { capacity: 40, refillPerSecond: 20 },
  nirvana: { capacity: 40, refillPerSecond: 20 },
};

/**
 * The limit for sources auditgraph's own emulators serve (the demo, tests): they are not the
 * provider, so its limit does not apply; high enough that only a runaway loop meets it. Applied
 * only where the caller says so (`createSources` rateLimits), never guessed from an address: a
 * proxy on localhost in front of the real provider must keep the provider's limit.
 */
export const EMULATOR_RATE_LIMIT: RateLimit = { capacity: 1_000, refillPerSecond: 1_000 };

/** EMULATOR_RATE_LIMIT for every kind, as `createSources` takes it. */
export const EMULATOR_RATE_LIMITS = {
  fastly: EMULATOR_RATE_LIMIT,
  'cloudflare-v1': EMULATOR_RATE_LIMIT,
  'cloudflare-v2': EMULATOR_RATE_LIMIT,
  'fusionauth-event-log': EMULATOR_RATE_LIMIT,
  'fusionauth-audit-log': EMULATOR_RATE_LIMIT,
  nirvana: EMULATOR_RATE_LIMIT,
} as const;

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
