import { AuditgraphError } from '../model/errors';
import type { CallerLimits } from './createRequestCoalescer';
import type { TokenBucket } from './createTokenBucket';
import { abandonedError } from './deadlineError';
import type { ResponseHeaders } from './readRetryAfter';
import { readRetryAfterMs } from './readRetryAfter';
import type { HttpClientSettings } from './toHttpClientSettings';

export interface RateLimitGateOptions extends Pick<
  HttpClientSettings,
  'sourceId' | 'now' | 'maxRateLimitWaitMs' | 'maxRateLimitPauseMs' | 'observer'
> {
  /** The credential's rate limiter, shared with every source of the credential; none: no limit. */
  readonly rateLimiter: TokenBucket | undefined;
}

/** A 429 as the client reports it, and how long to wait before a retry (null: no hint). */
export interface RateLimited {
  readonly error: AuditgraphError;
  readonly waitMs: number | null;
}

/** The client's side of a source's rate limits: the credential's, and what a 429 says. */
export interface RateLimitGate {
  /**
   * Takes the credential's token for one attempt; `retrying` is the error of the attempt it
   * would retry, undefined for a first attempt. Resolves with how long it waited, in ms.
   */
  takeToken(limits: CallerLimits, retrying: AuditgraphError | undefined): Promise<number>;
  /** What a 429 comes to; it pauses the credential's rate limiter at once. */
  onTooManyRequests(headers: ResponseHeaders): RateLimited;
  /**
   * The wait before a 429 is retried, or, thrown, `rateLimited.error`: a wait already made, no
   * hint, or no room for the wait.
   */
  planWait(
    rateLimited: RateLimited,
    alreadyWaited: boolean,
    deadlineAt: number | undefined,
  ): number;
}

/**
 * The time a request needs after its token: a wait for a token that leaves less than this before
 * the deadline is refused (SOURCE_RATE_LIMITED, which says nothing of the upstream) rather than
 * made, since the request would then run out of time on the way (SOURCE_TIMEOUT, which counts
 * against the upstream's circuit though the upstream did nothing wrong).
 */
export const MIN_TIME_AFTER_TOKEN_MS = 1_000;

export function createRateLimitGate(options: RateLimitGateOptions): RateLimitGate {
  const { sourceId, rateLimiter, now, maxRateLimitWaitMs, maxRateLimitPauseMs, observer } = options;

  /**
   * A first attempt the limiter refuses fails with SOURCE_RATE_LIMITED; a retry it refuses
   * fails with the error of the attempt it would have retried. That error is what the upstream
   * did (the limit only kept us from asking again), and it is what the circuit breaker must
   * see: a rate limit counts as neutral, and would hide a failing upstream behind a busy
   * credential.
   */
  async function takeToken(
    limits: CallerLimits,
    retrying: AuditgraphError | undefined,
  ): Promise<number> {
    if (rateLimiter === undefined) return 0;
    const startedAt = now();
    try {
      const tokenBy =
        limits.deadlineAt === undefined ? undefined : limits.deadlineAt - MIN_TIME_AFTER_TOKEN_MS;
      await rateLimiter.acquire(tokenBy, {
        sourceId,
        ...(limits.signal ? { signal: limits.signal } : {}),
      });
    } catch (error) {
      if (limits.signal?.aborted) throw abandonedError(sourceId, error);
      observer.rateLimit('refused', now() - startedAt);
      throw retrying ?? error;
    }
    const waitedMs = now() - startedAt;
    observer.rateLimit('granted', waitedMs);
    return waitedMs;
  }

  /**
   * A 429's hint, clamped to maxRateLimitPauseMs, pauses the credential's rate limiter at once:
   * no source of the credential asks again before it has passed, which is what keeps a provider
   * from extending its block. `retryAfterSeconds` is when the limiter next lets a request
   * through: this pause, or a longer one already under way; without a hint and without a pause,
   * the next call asks at once, and there is no number to give.
   */
  function onTooManyRequests(headers: ResponseHeaders): RateLimited {
    const hintMs = readRetryAfterMs(headers, now());
    const holdMs = hintMs === null ? null : Math.min(hintMs, maxRateLimitPauseMs);
    if (holdMs !== null && holdMs > 0) rateLimiter?.pauseUntil(now() + holdMs);
    const readyMs = Math.max(holdMs ?? 0, rateLimiter?.readyInMs() ?? 0);
    const retryAfterSeconds = holdMs === null && readyMs === 0 ? null : Math.ceil(readyMs / 1000);
    const error = new AuditgraphError(
      'SOURCE_RATE_LIMITED',
      `source ${sourceId} is rate limiting requests` +
        (readyMs > 0
          ? `; auditgraph holds this credential's requests for ${retryAfterSeconds} s`
          : ''),
      {
        sourceId,
        upstreamStatus: 429,
        ...(retryAfterSeconds === null ? {} : { retryAfterSeconds }),
      },
    );
    return { error, waitMs: holdMs };
  }

  function planWait(
    { error, waitMs }: RateLimited,
    alreadyWaited: boolean,
    deadlineAt: number | undefined,
  ): number {
    // One wait only: a second 429 means the hint was wrong, and asking again and again is
    // what trips Cloudflare's five-minute block.
    if (alreadyWaited || waitMs === null) throw error;
    const fits =
      deadlineAt === undefined ? waitMs <= maxRateLimitWaitMs : now() + waitMs < deadlineAt;
    if (!fits) throw error;
    return waitMs;
  }

  return { takeToken, onTooManyRequests, planWait };
}
