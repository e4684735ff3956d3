import { AuditgraphError } from '../model/errors';
import { computeBackoffMs } from './computeBackoffMs';
import type { Attempt, AttemptRunner, FailedAttempt } from './createAttemptRunner';
import type { RateLimitGate } from './createRateLimitGate';
import type { CallerLimits } from './createRequestCoalescer';
import type { RetryBudget } from './createRetryBudget';
import { abandonedError, deadlineError } from './deadlineError';
import type { HttpResponse } from './HttpClient';
import type { PreparedRequest } from './prepareRequest';
import type { HttpClientSettings } from './toHttpClientSettings';

export interface RetryLoopOptions extends Pick<
  HttpClientSettings,
  'sourceId' | 'maxRetries' | 'backoff' | 'now' | 'sleep' | 'random' | 'observer'
> {
  readonly retryBudget: RetryBudget;
  readonly rateLimits: RateLimitGate;
  readonly attemptOnce: AttemptRunner;
}

/** Sends a prepared request, retrying it while the rules allow, until it is answered or fails. */
export type RetryLoop = (prepared: PreparedRequest, limits: CallerLimits) => Promise<HttpResponse>;

/** Where a call stands in its retries. */
interface RetryProgress {
  retries: number;
  rateLimitWaited: boolean;
  /** The error of the attempt the next one retries; undefined before the first attempt. */
  lastError: AuditgraphError | undefined;
}

/**
 * The attempts of one call. Idempotent requests are retried (network errors, 408, 5xx: backoff
 * with full jitter; 429: once, after the wait the upstream asks for), every wait stays inside
 * the request's deadline, and every retry is paid for by the source's retry budget. Every
 * attempt, retries included, takes a token of the credential's rate limiter first.
 */
export function createRetryLoop(options: RetryLoopOptions): RetryLoop {
  const { sourceId, maxRetries, backoff, retryBudget, rateLimits, attemptOnce } = options;
  const { now, sleep, random, observer } = options;

  async function send(prepared: PreparedRequest, limits: CallerLimits): Promise<HttpResponse> {
    const progress: RetryProgress = { retries: 0, rateLimitWaited: false, lastError: undefined };
    for (;;) {
      assertStillRunning(limits, progress.lastError);
      const rateLimitWaitMs = await rateLimits.takeToken(limits, progress.lastError);
      if (progress.retries === 0) retryBudget.recordFirstAttempt();
      const attempt = await observed(prepared, limits, progress.retries + 1, rateLimitWaitMs);
      if (attempt.kind === 'answered') return attempt.response;
      const delayMs = planRetry(attempt, prepared, limits.deadlineAt, progress);
      observer.retry(attempt.kind, delayMs);
      await pause(delayMs, limits.signal);
      progress.retries += 1;
      if (attempt.kind === 'rate-limited') progress.rateLimitWaited = true;
      progress.lastError = attempt.error;
    }
  }

  /** One attempt, told to the observer before it is sent and once it has ended. */
  async function observed(
    prepared: PreparedRequest,
    limits: CallerLimits,
    number: number,
    rateLimitWaitMs: number,
  ): Promise<Attempt> {
    const end = observer.attempt({ method: prepared.method, attempt: number, rateLimitWaitMs });
    const startedAt = now();
    let attempt: Attempt;
    try {
      attempt = await attemptOnce(prepared, limits);
    } catch (error) {
      const failure = error instanceof AuditgraphError ? error : null;
      const status = failure?.details.upstreamStatus ?? null;
      end({ status, outcome: 'failed', error: failure, durationMs: now() - startedAt });
      throw error;
    }
    const durationMs = now() - startedAt;
    if (attempt.kind === 'answered') {
      end({ status: attempt.response.status, outcome: 'answered', error: null, durationMs });
    } else {
      const status =
        attempt.kind === 'rate-limited' ? 429 : (attempt.error.details.upstreamStatus ?? null);
      end({ status, outcome: attempt.kind, error: attempt.error, durationMs });
    }
    return attempt;
  }

  /** Before each attempt: nobody waits for it any more, or its deadline has passed. */
  function assertStillRunning(limits: CallerLimits, lastError: AuditgraphError | undefined) {
    const { signal, deadlineAt } = limits;
    if (signal?.aborted) throw abandonedError(sourceId, signal.reason);
    if (deadlineAt === undefined || deadlineAt - now() > 0) return;
    if (lastError === undefined) throw deadlineError(sourceId, 'no-answer');
    throw deadlineError(sourceId, 'no-time-to-retry', lastError);
  }

  /**
   * The wait before a failed attempt is retried, or, thrown, the error to report instead: no
   * retry of a request that is not idempotent, beyond maxRetries, that the deadline has no room
   * for, or that the retry budget cannot pay for.
   */
  function planRetry(
    attempt: FailedAttempt,
    prepared: PreparedRequest,
    deadlineAt: number | undefined,
    progress: RetryProgress,
  ): number {
    if (!prepared.idempotent || progress.retries >= maxRetries) throw attempt.error;
    const delayMs =
      attempt.kind === 'transient'
        ? backoffDelayMs(attempt.error, progress.retries, deadlineAt)
        : rateLimits.planWait(attempt, progress.rateLimitWaited, deadlineAt);
    // Spent last, so that a retry the rules above refuse costs no credit.
    if (!retryBudget.trySpend()) throw attempt.error;
    return delayMs;
  }

  function backoffDelayMs(
    error: AuditgraphError,
    retries: number,
    deadlineAt: number | undefined,
  ): number {
    const delayMs = computeBackoffMs(retries, backoff, random);
    if (deadlineAt !== undefined && now() + delayMs >= deadlineAt) {
      throw deadlineError(sourceId, 'no-time-to-retry', error);
    }
    return delayMs;
  }

  async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch (error) {
      throw abandonedError(sourceId, error);
    }
  }

  return send;
}
