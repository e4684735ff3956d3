import { Pool } from 'undici';
import { AuditgraphError } from '../model/errors';
import { computeBackoffMs } from './computeBackoffMs';
import type { CircuitPermit } from './createCircuitBreaker';
import { isCircuitFailure } from './createCircuitBreaker';
import type { CallerLimits } from './createRequestCoalescer';
import { createRequestCoalescer } from './createRequestCoalescer';
import { createRetryBudget } from './createRetryBudget';
import { abandonedError, deadlineError } from './deadlineError';
import type { HttpClient, HttpResponse, RequestOptions } from './HttpClient';
import type { PreparedRequest } from './prepareRequest';
import { prepareRequest } from './prepareRequest';
import type { ResponseHeaders } from './readRetryAfter';
import { readRetryAfterMs } from './readRetryAfter';
import type { HttpClientOptions } from './toHttpClientSettings';
import { HTTP_CLIENT_DEFAULTS, toHttpClientSettings } from './toHttpClientSettings';
import { isRetryableNetworkError, toNetworkError } from './toNetworkError';
import { toRequestKey } from './toRequestKey';
import { toStatusError } from './toStatusError';

export type { HttpClient, HttpResponse, RequestOptions } from './HttpClient';
export type { HttpClientOptions } from './toHttpClientSettings';
export { HTTP_CLIENT_DEFAULTS } from './toHttpClientSettings';
export { parseRetryAfter } from './readRetryAfter';

/** Statuses that say "try again later" about a request the upstream did not carry out. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 500, 502, 503, 504]);

/** What one attempt came to: a response to return, or a failure the loop may retry. */
type Attempt =
  | { readonly kind: 'answered'; readonly response: HttpResponse }
  | { readonly kind: 'transient'; readonly error: AuditgraphError }
  | {
      readonly kind: 'rate-limited';
      readonly error: AuditgraphError;
      readonly waitMs: number | null;
    };

type FailedAttempt = Exclude<Attempt, { readonly kind: 'answered' }>;

/** Where a call stands in its retries. */
interface RetryProgress {
  retries: number;
  rateLimitWaited: boolean;
  /** The error of the attempt the next one retries; undefined before the first attempt. */
  lastError: AuditgraphError | undefined;
}

/**
 * An HTTP client for one source: one undici keep-alive pool to its origin, JSON in and out, and
 * every failure turned into an AuditgraphError with a SOURCE_* code. No message ever carries a
 * header, a query string or an upstream body, so a credential cannot leak through an error.
 *
 * Idempotent requests are retried (network errors, 408, 5xx: backoff with full jitter; 429: once,
 * after the wait the upstream asks for), every wait stays inside the request's deadline, and
 * every retry is paid for by the source's retry budget. A 429 also pauses the credential's rate
 * limiter for the wait it asks, maxRateLimitPauseMs at most, so that no source of the credential
 * asks again before then; `retryAfterSeconds` says when that is.
 *
 * Identical idempotent calls under way at the same time are sent once and share the answer
 * (createRequestCoalescer says how their deadlines and signals combine). The shared request is
 * one call for the circuit breaker and the retry budget, and takes the rate-limit tokens of its
 * own attempts only.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const settings = toHttpClientSettings(options);
  const { sourceId, maxBodyBytes, maxRetries, backoff, now, sleep, random } = settings;
  const { maxRateLimitWaitMs, maxRateLimitPauseMs } = settings;
  const retryBudget = createRetryBudget({
    ...(options.retryBudgetRatio === undefined ? {} : { ratio: options.retryBudgetRatio }),
    ...(options.retryBudgetMaxTokens === undefined
      ? {}
      : { maxTokens: options.retryBudgetMaxTokens }),
    ...(options.retryBudgetMinPerSecond === undefined
      ? {}
      : { minPerSecond: options.retryBudgetMinPerSecond }),
    now,
  });
  const coalescer = createRequestCoalescer<HttpResponse>({
    now,
    sleep,
    timedOut: () => deadlineError(sourceId, 'no-answer'),
    abandoned: (reason) => abandonedError(sourceId, reason),
  });
  const pool = new Pool(settings.origin, {
    connections: options.connections ?? HTTP_CLIENT_DEFAULTS.connections,
    connectTimeout: options.connectTimeoutMs ?? HTTP_CLIENT_DEFAULTS.connectTimeoutMs,
    headersTimeout: options.headersTimeoutMs ?? HTTP_CLIENT_DEFAULTS.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs ?? HTTP_CLIENT_DEFAULTS.bodyTimeoutMs,
  });

  async function requestJson(path: string, request: RequestOptions = {}): Promise<HttpResponse> {
    assertStillWanted(request);
    const prepared = prepareRequest(settings.basePath, path, request);
    // Sending a request that changes something twice is not the same as sending it once.
    if (!prepared.idempotent) return runCall(prepared, request);
    return coalescer.share({
      key: toRequestKey(prepared),
      signal: request.signal,
      deadlineAt: request.deadlineAt,
      start: (limits) => runCall(prepared, limits),
      onJoin: () => options.onCoalesced?.({ method: prepared.method, path: prepared.path }),
    });
  }

  /** A call that is over before it starts sends nothing, and says nothing about the upstream. */
  function assertStillWanted(request: RequestOptions): void {
    if (request.signal?.aborted) throw abandonedError(sourceId, request.signal.reason);
    if (request.deadlineAt !== undefined && request.deadlineAt - now() <= 0) {
      throw deadlineError(sourceId, 'no-answer');
    }
  }

  /**
   * One call as the circuit breaker sees it: admitted or refused as a whole, and one outcome
   * however many attempts it took and however many callers shared it.
   */
  async function runCall(prepared: PreparedRequest, limits: CallerLimits): Promise<HttpResponse> {
    const permit = admit();
    try {
      const response = await send(prepared, limits);
      permit?.settle('success');
      return response;
    } catch (error) {
      // Callers that gave up say nothing about the upstream's health.
      const failed = isCircuitFailure(error) && limits.signal?.aborted !== true;
      permit?.settle(failed ? 'failure' : 'neutral');
      throw error;
    }
  }

  async function send(prepared: PreparedRequest, limits: CallerLimits): Promise<HttpResponse> {
    const progress: RetryProgress = { retries: 0, rateLimitWaited: false, lastError: undefined };
    for (;;) {
      assertStillRunning(limits, progress.lastError);
      await takeRateToken(limits, progress.lastError);
      if (progress.retries === 0) retryBudget.recordFirstAttempt();
      const attempt = await attemptOnce(prepared, limits);
      if (attempt.kind === 'answered') return attempt.response;
      const delayMs = planRetry(attempt, prepared, limits.deadlineAt, progress);
      await pause(delayMs, limits.signal);
      progress.retries += 1;
      if (attempt.kind === 'rate-limited') progress.rateLimitWaited = true;
      progress.lastError = attempt.error;
    }
  }

  /**
   * The circuit breaker's permit for one call. An open circuit's `retryAfterSeconds` is when its
   * probe may go; when the credential's rate limiter is paused beyond that (a 429 on this or
   * another source of the credential), the probe would be refused too, so the pause's end is
   * the earliest a retry can succeed.
   */
  function admit(): CircuitPermit | undefined {
    try {
      return options.circuitBreaker?.admit(sourceId);
    } catch (error) {
      const readyMs = options.rateLimiter?.readyInMs() ?? 0;
      if (!(error instanceof AuditgraphError) || readyMs === 0) throw error;
      const retryAfterSeconds = Math.ceil(readyMs / 1000);
      if (retryAfterSeconds <= (error.details.retryAfterSeconds ?? 0)) throw error;
      throw new AuditgraphError(error.code, error.message, { ...error.details, retryAfterSeconds });
    }
  }

  /**
   * What a 429 comes to. Its hint, clamped to maxRateLimitPauseMs, pauses the credential's rate
   * limiter at once: no source of the credential asks again before it has passed, which is what
   * keeps a provider from extending its block. `retryAfterSeconds` is when the limiter next lets
   * a request through: this pause, or a longer one already under way; without a hint and
   * without a pause, the next call asks at once, and there is no number to give.
   */
  function toRateLimitedAttempt(headers: ResponseHeaders): FailedAttempt {
    const hintMs = readRetryAfterMs(headers, now());
    const holdMs = hintMs === null ? null : Math.min(hintMs, maxRateLimitPauseMs);
    if (holdMs !== null && holdMs > 0) options.rateLimiter?.pauseUntil(now() + holdMs);
    const readyMs = Math.max(holdMs ?? 0, options.rateLimiter?.readyInMs() ?? 0);
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
    return { kind: 'rate-limited', error, waitMs: holdMs };
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
   * Takes the credential's rate-limit token for one attempt. A first attempt it refuses fails
   * with SOURCE_RATE_LIMITED; a retry it refuses fails with the error of the attempt it would
   * have retried. That error is what the upstream did (the limit only kept us from asking
   * again), and it is what the circuit breaker must see: a rate limit counts as neutral, and
   * would hide a failing upstream behind a busy credential.
   */
  async function takeRateToken(
    limits: CallerLimits,
    retrying: AuditgraphError | undefined,
  ): Promise<void> {
    const { rateLimiter } = options;
    if (rateLimiter === undefined) return;
    try {
      await rateLimiter.acquire(limits.deadlineAt, {
        sourceId,
        ...(limits.signal ? { signal: limits.signal } : {}),
      });
    } catch (error) {
      if (limits.signal?.aborted) throw abandonedError(sourceId, error);
      throw retrying ?? error;
    }
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
        : rateLimitWaitMs(attempt.error, attempt.waitMs, progress, deadlineAt);
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

  function rateLimitWaitMs(
    error: AuditgraphError,
    waitMs: number | null,
    progress: RetryProgress,
    deadlineAt: number | undefined,
  ): number {
    // One wait only: a second 429 means the hint was wrong, and asking again and again is
    // what trips Cloudflare's five-minute block.
    if (progress.rateLimitWaited || waitMs === null) throw error;
    const fits =
      deadlineAt === undefined ? waitMs <= maxRateLimitWaitMs : now() + waitMs < deadlineAt;
    if (!fits) throw error;
    return waitMs;
  }

  async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch (error) {
      throw abandonedError(sourceId, error);
    }
  }

  async function attemptOnce(prepared: PreparedRequest, limits: CallerLimits): Promise<Attempt> {
    const { method, path } = prepared;
    options.onRequest?.({ method, path });
    prepared.onAttempt?.();
    const watch = watchAttempt(limits, now);
    try {
      return await attemptUntil(prepared, limits, watch);
    } finally {
      watch.stop();
    }
  }

  /** One attempt, over when the caller gives up or the deadline passes. */
  async function attemptUntil(
    prepared: PreparedRequest,
    limits: CallerLimits,
    watch: AttemptWatch,
  ): Promise<Attempt> {
    const { method, path } = prepared;
    const { signal } = watch;
    const classify = (error: unknown): Attempt => {
      if (limits.signal?.aborted) throw abandonedError(sourceId, error);
      if (watch.deadlinePassed()) throw deadlineError(sourceId, 'no-answer', error);
      const failure = toNetworkError(error, sourceId);
      if (isRetryableNetworkError(error)) return { kind: 'transient', error: failure };
      throw failure;
    };

    let response;
    try {
      response = await pool.request({
        path,
        method,
        headers: prepared.headers,
        ...(prepared.body === undefined ? {} : { body: prepared.body }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      return classify(error);
    }
    const { statusCode } = response;
    const accepted = prepared.acceptStatuses?.includes(statusCode) ?? false;
    if (!accepted && (RETRYABLE_STATUSES.has(statusCode) || statusCode === 429)) {
      // The body of a refusal is of no use; dropping the socket is cheaper than reading an
      // upstream error page of unknown size before the retry.
      discard(response.body);
      if (statusCode === 429) return toRateLimitedAttempt(response.headers);
      return { kind: 'transient', error: toStatusError(statusCode, sourceId) };
    }
    // The body is buffered whole before it is parsed, so a connection that breaks mid-body has
    // not produced any part of a result yet: it is a failure like any other, never a short page.
    let text: string;
    try {
      text = await readCapped(response.body, maxBodyBytes, sourceId);
    } catch (error) {
      discard(response.body);
      if (error instanceof AuditgraphError) throw error;
      return classify(error);
    }
    if (!accepted && (statusCode < 200 || statusCode >= 300)) {
      throw toStatusError(statusCode, sourceId);
    }
    let parsed: unknown = null;
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        if (accepted && statusCode >= 400) parsed = null;
        else
          throw new AuditgraphError(
            'SOURCE_BAD_RESPONSE',
            `source ${sourceId} answered with a body that is not JSON`,
            { sourceId, upstreamStatus: statusCode, cause: error },
          );
      }
    }
    return {
      kind: 'answered',
      response: { status: statusCode, headers: response.headers, body: parsed },
    };
  }

  return {
    requestJson,
    inFlight: () => coalescer.size(),
    close: () => pool.close(),
  };
}

/** What one attempt hands undici, and why it stopped. */
interface AttemptWatch {
  /** Aborts when the caller gives up or the deadline passes; none when neither can happen. */
  readonly signal: AbortSignal | undefined;
  deadlinePassed(): boolean;
  stop(): void;
}

/**
 * One signal for undici: whichever of the caller and the deadline gives up first closes the
 * socket, instead of leaving it reading a response nobody waits for. One controller that the
 * caller's signal forwards to, rather than AbortSignal.any, which costs several times as much on
 * every attempt.
 *
 * A shared call's deadline can move later while an attempt is under way (a caller with a later
 * deadline joined), so when the timer fires it checks the deadline again and waits on for the
 * difference.
 */
function watchAttempt(limits: CallerLimits, now: () => number): AttemptWatch {
  const callerSignal = limits.signal;
  let armedFor = limits.deadlineAt;
  if (armedFor === undefined) {
    return { signal: callerSignal, deadlinePassed: () => false, stop: () => undefined };
  }
  const controller = new AbortController();
  let passed = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number): void => {
    timer = setTimeout(onTimer, Math.max(1, ms));
    // Like AbortSignal.timeout: a deadline alone does not keep the process up.
    timer.unref();
  };
  const onTimer = (): void => {
    const current = limits.deadlineAt;
    // Pushed back to no deadline at all: nothing to watch any more.
    if (current === undefined) return;
    if (armedFor !== undefined && current > armedFor) {
      const extraMs = current - armedFor;
      armedFor = current;
      arm(extraMs);
      return;
    }
    passed = true;
    controller.abort(new DOMException('The deadline passed.', 'TimeoutError'));
  };
  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  arm(armedFor - now());
  return {
    signal: controller.signal,
    deadlinePassed: () => passed,
    stop: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}

/**
 * Drops a response body unread. The listener keeps the abort error that destroying raises from
 * becoming an unhandled 'error' event: nobody is reading this body any more.
 */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => undefined);
  body.destroy();
}

async function readCapped(
  body: AsyncIterable<Buffer | string>,
  maxBytes: number,
  sourceId: string,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) {
      throw new AuditgraphError(
        'SOURCE_BAD_RESPONSE',
        `source ${sourceId} sent a response larger than ${maxBytes} bytes`,
        { sourceId },
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
