import { Pool, errors as undiciErrors } from 'undici';
import { AuditgraphError } from '../model/errors';
import { NON_NEGATIVE_INTEGER, assertOptions } from './assertOptions';
import { computeBackoffMs } from './computeBackoffMs';
import type { CircuitBreaker, CircuitPermit } from './createCircuitBreaker';
import { isCircuitFailure } from './createCircuitBreaker';
import type { CallerLimits } from './createRequestCoalescer';
import { createRequestCoalescer } from './createRequestCoalescer';
import { createRetryBudget } from './createRetryBudget';
import type { TokenBucket } from './createTokenBucket';
import type { ResponseHeaders } from './readRetryAfter';
import { readRetryAfterMs } from './readRetryAfter';
import { toRequestKey } from './toRequestKey';

export { parseRetryAfter } from './readRetryAfter';

export interface HttpClientOptions {
  /** The API's base URL; its path (Cloudflare's `/client/v4`) prefixes every request path. */
  readonly baseUrl: string;
  /** Named in every error, so a failure points at its source. */
  readonly sourceId: string;
  /** Keep-alive connections to the upstream at most. */
  readonly connections?: number;
  readonly connectTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  readonly bodyTimeoutMs?: number;
  /** A response body larger than this is a failure, read no further. */
  readonly maxBodyBytes?: number;
  /** Called once per upstream request made (metrics and tests), so once per attempt. */
  readonly onRequest?: (request: { readonly method: string; readonly path: string }) => void;
  /**
   * Called when a call joins an identical call already under way instead of sending a request
   * of its own (metrics and tests).
   */
  readonly onCoalesced?: (request: { readonly method: string; readonly path: string }) => void;
  /** Retries of an idempotent request after a network error, a 408 or a 5xx, at most. */
  readonly maxRetries?: number;
  /** The ceiling of the first retry's jittered delay; it doubles with each retry. */
  readonly backoffBaseMs?: number;
  /** No retry's delay ceiling grows beyond this. */
  readonly backoffMaxMs?: number;
  /**
   * The longest 429 wait honoured for a request without a deadline; with a deadline, the
   * deadline decides. Longer waits fail at once with SOURCE_RATE_LIMITED and the pause's
   * `retryAfterSeconds` (see maxRateLimitPauseMs).
   */
  readonly maxRateLimitWaitMs?: number;
  /**
   * The longest a 429's hint pauses the credential's rate limiter (and so every source of the
   * credential), however long the upstream asked for; also the most `retryAfterSeconds` of a
   * 429 reports. Once it has passed, one request asks the upstream again.
   */
  readonly maxRateLimitPauseMs?: number;
  /**
   * The source's retry budget (R7; see createRetryBudget): retry credits each call's first
   * attempt earns. A retry without a credit is not made: the call fails with its attempt's error.
   */
  readonly retryBudgetRatio?: number;
  /** Retry credits the budget holds at most. */
  readonly retryBudgetMaxTokens?: number;
  /** Retry credits a quiet source earns per second, whatever its traffic. */
  readonly retryBudgetMinPerSecond?: number;
  /** Epoch ms; injected so tests move time without waiting. */
  readonly now?: () => number;
  /** Waits `ms`, rejecting when `signal` aborts; injected so tests record waits instead. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1) for the backoff jitter; injected so tests pin it. */
  readonly random?: () => number;
  /**
   * The credential's client-side rate limit, shared with every source of the same credential:
   * one token per upstream request, taken before each attempt, retries included, since the
   * upstream counts every request. Its clock must be `now`'s.
   */
  readonly rateLimiter?: TokenBucket;
  /**
   * The source's circuit breaker: a whole call, retries included and however many callers
   * shared it, is one outcome, and an open circuit fails the call before any upstream request.
   */
  readonly circuitBreaker?: CircuitBreaker;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  /**
   * The parsed JSON body; null for an empty body. Callers that shared one request share this
   * value: read it, never change it.
   */
  readonly body: unknown;
}

export interface RequestOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** The caller giving up (the GraphQL request ended): no retry, no further wait. */
  readonly signal?: AbortSignal;
  /**
   * Epoch ms (on the client's clock) by which the request must have settled, retries and waits
   * included. No wait is started that would pass it; the socket is abandoned when it passes.
   */
  readonly deadlineAt?: number;
  /** Statuses the caller handles itself (404 for a get-by-id) instead of an error. */
  readonly acceptStatuses?: readonly number[];
  readonly method?: 'GET' | 'POST';
  readonly jsonBody?: unknown;
  /**
   * Whether the request may be sent again after a failure, and shared with identical calls
   * under way. GET is by default; a read-only POST (FusionAuth's search) says so here.
   */
  readonly idempotent?: boolean;
  /**
   * Called once for each request this call sends upstream, retries included; never for a call
   * that shared an identical request already under way (it sent nothing).
   */
  readonly onAttempt?: () => void;
}

export interface HttpClient {
  /** `path` is relative to the base URL's path and includes the query string. */
  requestJson(path: string, options?: RequestOptions): Promise<HttpResponse>;
  /**
   * Requests under way that an identical call would join, however many callers share each
   * (metrics, tests); 0 once every one has settled or been abandoned.
   */
  inFlight(): number;
  close(): Promise<void>;
}

export const HTTP_CLIENT_DEFAULTS = {
  connections: 8,
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  maxBodyBytes: 32 * 1024 * 1024,
  // R7: at most 2 retries in total across one request.
  maxRetries: 2,
  backoffBaseMs: 100,
  backoffMaxMs: 1_000,
  // The default GraphQL request deadline (issue 4): a wait longer than that helps no caller.
  maxRateLimitWaitMs: 10_000,
  // Cloudflare's block (providers.md): a call over its limit blocks every call of the user for
  // five minutes, the longest wait any of the four providers documents. A genuine block is held
  // to its end; a longer or bogus hint (Retry-After: 999999) costs one request every five
  // minutes, and does not leave a source dark for days.
  maxRateLimitPauseMs: 300_000,
} as const;

/** Statuses that say "try again later" about a request the upstream did not carry out. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 500, 502, 503, 504]);

/**
 * Error codes of a connection that broke: reset before or during the body, a keep-alive socket
 * the server closed at its idle timeout (undici: UND_ERR_SOCKET "other side closed"), a body cut
 * short of its Content-Length. Anything else (a bad argument, a closed pool) is not transient.
 */
const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** A request as it goes on the wire, worked out once for all its attempts. */
interface PreparedRequest {
  readonly method: 'GET' | 'POST';
  /** The base URL's path, then the request's path and query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly acceptStatuses: readonly number[] | undefined;
  readonly idempotent: boolean;
  /** The starting caller's attempt hook; not part of the request's identity. */
  readonly onAttempt: (() => void) | undefined;
}

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
  const url = new URL(options.baseUrl);
  const basePath = url.pathname.replace(/\/+$/, '');
  const sourceId = options.sourceId;
  const maxBodyBytes = options.maxBodyBytes ?? HTTP_CLIENT_DEFAULTS.maxBodyBytes;
  const { maxRetries, backoffBaseMs, backoffMaxMs, maxRateLimitWaitMs, maxRateLimitPauseMs } =
    assertOptions('createHttpClient', options, HTTP_CLIENT_DEFAULTS, {
      maxRetries: NON_NEGATIVE_INTEGER,
      backoffBaseMs: NON_NEGATIVE_INTEGER,
      backoffMaxMs: NON_NEGATIVE_INTEGER,
      maxRateLimitWaitMs: NON_NEGATIVE_INTEGER,
      maxRateLimitPauseMs: NON_NEGATIVE_INTEGER,
    });
  const backoff = { baseMs: backoffBaseMs, maxMs: backoffMaxMs };
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
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
  const pool = new Pool(url.origin, {
    connections: options.connections ?? HTTP_CLIENT_DEFAULTS.connections,
    connectTimeout: options.connectTimeoutMs ?? HTTP_CLIENT_DEFAULTS.connectTimeoutMs,
    headersTimeout: options.headersTimeoutMs ?? HTTP_CLIENT_DEFAULTS.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs ?? HTTP_CLIENT_DEFAULTS.bodyTimeoutMs,
  });

  async function requestJson(path: string, request: RequestOptions = {}): Promise<HttpResponse> {
    assertStillWanted(request);
    const prepared = prepareRequest(path, request);
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

  function prepareRequest(path: string, request: RequestOptions): PreparedRequest {
    const method = request.method ?? 'GET';
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: string | undefined;
    if (request.jsonBody !== undefined) {
      body = JSON.stringify(request.jsonBody);
      headers['content-type'] = 'application/json';
    }
    return {
      method,
      path: basePath + path,
      headers,
      body,
      acceptStatuses: request.acceptStatuses,
      idempotent: request.idempotent ?? method === 'GET',
      onAttempt: request.onAttempt,
    };
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

/**
 * Waits `ms`, or rejects with the signal's reason when it aborts first. Not timers/promises'
 * setTimeout: that builds an AbortError, stack and all, for every wait cut short, and a shared
 * call cuts short a wait for each caller whose deadline it outlives.
 */
function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
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

/** The error of a refusal other than a 429, which the client turns into a pause (see above). */
function toStatusError(status: number, sourceId: string): AuditgraphError {
  if (status === 401 || status === 403) {
    return new AuditgraphError(
      'SOURCE_AUTH_FAILED',
      `source ${sourceId} refused the configured credential (HTTP ${status})`,
      { sourceId, upstreamStatus: status },
    );
  }
  if (status >= 500) {
    return new AuditgraphError(
      'SOURCE_UNAVAILABLE',
      `source ${sourceId} answered with a server error (HTTP ${status})`,
      { sourceId, upstreamStatus: status },
    );
  }
  return new AuditgraphError(
    'SOURCE_BAD_RESPONSE',
    `source ${sourceId} rejected the request (HTTP ${status})`,
    { sourceId, upstreamStatus: status },
  );
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isRetryableNetworkError(error: unknown): boolean {
  // undici wraps the socket's own error (ECONNRESET) as the cause of its SocketError.
  const cause = (error as { cause?: unknown } | null)?.cause;
  return [errorCode(error), errorCode(cause)].some(
    (code) => code !== undefined && RETRYABLE_NETWORK_CODES.has(code),
  );
}

/** Why a deadline ended a request: the upstream was too slow, or no retry fitted any more. */
type DeadlineReason = 'no-answer' | 'no-time-to-retry';

function deadlineError(sourceId: string, reason: DeadlineReason, cause?: unknown): AuditgraphError {
  const message =
    reason === 'no-answer'
      ? `source ${sourceId} did not answer before the request's deadline`
      : `source ${sourceId} failed and the request's deadline left no time to try again`;
  return new AuditgraphError('SOURCE_TIMEOUT', message, {
    sourceId,
    ...(cause === undefined ? {} : { cause }),
  });
}

function abandonedError(sourceId: string, cause: unknown): AuditgraphError {
  return new AuditgraphError('SOURCE_TIMEOUT', `the request to source ${sourceId} was abandoned`, {
    sourceId,
    cause,
  });
}

function toNetworkError(error: unknown, sourceId: string): AuditgraphError {
  if (error instanceof AuditgraphError) return error;
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return new AuditgraphError('SOURCE_TIMEOUT', `source ${sourceId} did not answer in time`, {
      sourceId,
      cause: error,
    });
  }
  // Checked by name: an abort raised in another realm (a test runner's VM) is not instanceof Error.
  if ((error as { name?: unknown } | null)?.name === 'AbortError') {
    return abandonedError(sourceId, error);
  }
  return new AuditgraphError('SOURCE_UNAVAILABLE', `source ${sourceId} could not be reached`, {
    sourceId,
    cause: error,
  });
}
