import { NON_NEGATIVE_INTEGER, assertOptions } from './assertOptions';
import type { BackoffOptions } from './computeBackoffMs';
import type { CircuitBreaker } from './createCircuitBreaker';
import type { TokenBucket } from './createTokenBucket';
import type { HttpObserver } from './HttpObserver';
import { SILENT_HTTP_OBSERVER } from './HttpObserver';

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
  /** Hears every attempt, wait, retry and shared call (logs, metrics, traces); default: nobody. */
  readonly observer?: HttpObserver;
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

/** The options the client's parts run on, checked and with every default filled in. */
export interface HttpClientSettings {
  /** The base URL's origin: the one the connection pool connects to. */
  readonly origin: string;
  /** The base URL's path without a trailing slash; every request path goes after it. */
  readonly basePath: string;
  readonly sourceId: string;
  readonly maxBodyBytes: number;
  readonly maxRetries: number;
  readonly backoff: BackoffOptions;
  readonly maxRateLimitWaitMs: number;
  readonly maxRateLimitPauseMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
  readonly observer: HttpObserver;
}

/**
 * The client's options as its parts use them. A bad base URL or number throws here, when the
 * client is built, not on its first request.
 */
export function toHttpClientSettings(options: HttpClientOptions): HttpClientSettings {
  const url = new URL(options.baseUrl);
  const { maxRetries, backoffBaseMs, backoffMaxMs, maxRateLimitWaitMs, maxRateLimitPauseMs } =
    assertOptions('createHttpClient', options, HTTP_CLIENT_DEFAULTS, {
      maxRetries: NON_NEGATIVE_INTEGER,
      backoffBaseMs: NON_NEGATIVE_INTEGER,
      backoffMaxMs: NON_NEGATIVE_INTEGER,
      maxRateLimitWaitMs: NON_NEGATIVE_INTEGER,
      maxRateLimitPauseMs: NON_NEGATIVE_INTEGER,
    });
  return {
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, ''),
    sourceId: options.sourceId,
    maxBodyBytes: options.maxBodyBytes ?? HTTP_CLIENT_DEFAULTS.maxBodyBytes,
    maxRetries,
    backoff: { baseMs: backoffBaseMs, maxMs: backoffMaxMs },
    maxRateLimitWaitMs,
    maxRateLimitPauseMs,
    now: options.now ?? Date.now,
    sleep: options.sleep ?? defaultSleep,
    random: options.random ?? Math.random,
    observer: options.observer ?? SILENT_HTTP_OBSERVER,
  };
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
