import { Pool } from 'undici';
import { AuditgraphError } from '../model/errors';
import { createAttemptRunner } from './createAttemptRunner';
import type { CircuitPermit } from './createCircuitBreaker';
import { isCircuitFailure } from './createCircuitBreaker';
import { createRateLimitGate } from './createRateLimitGate';
import type { CallerLimits } from './createRequestCoalescer';
import { createRequestCoalescer } from './createRequestCoalescer';
import { createRetryBudget } from './createRetryBudget';
import { createRetryLoop } from './createRetryLoop';
import { abandonedError, deadlineError } from './deadlineError';
import type { HttpClient, HttpResponse, RequestOptions } from './HttpClient';
import type { PreparedRequest } from './prepareRequest';
import { prepareRequest } from './prepareRequest';
import type { HttpClientOptions } from './toHttpClientSettings';
import { HTTP_CLIENT_DEFAULTS, toHttpClientSettings } from './toHttpClientSettings';
import { toRequestKey } from './toRequestKey';

export type { HttpClient, HttpResponse, RequestOptions } from './HttpClient';
export type { HttpClientOptions } from './toHttpClientSettings';
export { HTTP_CLIENT_DEFAULTS } from './toHttpClientSettings';
export { parseRetryAfter } from './readRetryAfter';

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
 *
 * The parts: toHttpClientSettings (options and their checks), createAttemptRunner (one
 * attempt: the request, its status and body, the deadline, the size cap), createRetryLoop (the
 * retries and their waits), createRateLimitGate (the credential's limiter and 429s); the circuit
 * breaker and the sharing of identical calls are here.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const settings = toHttpClientSettings(options);
  const { sourceId, now, sleep } = settings;
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
  const rateLimits = createRateLimitGate({ ...settings, rateLimiter: options.rateLimiter });
  const send = createRetryLoop({
    ...settings,
    retryBudget,
    rateLimits,
    attemptOnce: createAttemptRunner({
      ...settings,
      pool,
      onRequest: options.onRequest,
      onTooManyRequests: (headers) => rateLimits.onTooManyRequests(headers),
    }),
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
      onJoin: () => {
        settings.observer.coalesced();
        options.onCoalesced?.({ method: prepared.method, path: prepared.path });
      },
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
    // A local breaker answers at once: no await, so a call starts in the same turn it was made.
    const admitted = admit();
    const permit = admitted instanceof Promise ? await admitted : admitted;
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

  /**
   * The circuit breaker's permit for one call. An open circuit's `retryAfterSeconds` is when its
   * probe may go; when the credential's rate limiter is paused beyond that (a 429 on this or
   * another source of the credential), the probe would be refused too, so the pause's end is
   * the earliest a retry can succeed.
   */
  function admit(): CircuitPermit | undefined | Promise<CircuitPermit> {
    let admitted: CircuitPermit | undefined | Promise<CircuitPermit>;
    try {
      admitted = options.circuitBreaker?.admit(sourceId);
    } catch (error) {
      throw withPauseHint(error);
    }
    return admitted instanceof Promise
      ? admitted.catch((error: unknown) => {
          throw withPauseHint(error);
        })
      : admitted;
  }

  function withPauseHint(error: unknown): unknown {
    const readyMs = options.rateLimiter?.readyInMs() ?? 0;
    if (!(error instanceof AuditgraphError) || readyMs === 0) return error;
    const retryAfterSeconds = Math.ceil(readyMs / 1000);
    if (retryAfterSeconds <= (error.details.retryAfterSeconds ?? 0)) return error;
    return new AuditgraphError(error.code, error.message, { ...error.details, retryAfterSeconds });
  }

  return {
    requestJson,
    inFlight: () => coalescer.size(),
    close: () => pool.close(),
  };
}
