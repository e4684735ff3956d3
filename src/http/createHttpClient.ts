import { setTimeout as sleepFor } from 'node:timers/promises';
import { Pool, errors as undiciErrors } from 'undici';
import { AuditgraphError } from '../model/errors';
import { computeBackoffMs } from './computeBackoffMs';
import type { CircuitBreaker } from './createCircuitBreaker';
import { isCircuitFailure } from './createCircuitBreaker';
import type { TokenBucket } from './createTokenBucket';
import type { ResponseHeaders } from './readRetryAfter';
import { readRetryAfterMs } from './readRetryAfter';

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
  /** Retries of an idempotent request after a network error, a 408 or a 5xx, at most. */
  readonly maxRetries?: number;
  /** The ceiling of the first retry's jittered delay; it doubles with each retry. */
  readonly backoffBaseMs?: number;
  /** No retry's delay ceiling grows beyond this. */
  readonly backoffMaxMs?: number;
  /**
   * The longest 429 wait honoured for a request without a deadline; with a deadline, the
   * deadline decides. Longer waits fail at once with SOURCE_RATE_LIMITED and the hint.
   */
  readonly maxRateLimitWaitMs?: number;
  /** Epoch ms; injected so tests move time without waiting. */
  readonly now?: () => number;
  /** Waits `ms`, rejecting when `signal` aborts; injected so tests record waits instead. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1) for the backoff jitter; injected so tests pin it. */
  readonly random?: () => number;
  /**
   * The credential's client-side rate limit, shared with every source of the same credential:
   * one token per requestJson call, taken before the first attempt. Its clock must be `now`'s.
   */
  readonly rateLimiter?: TokenBucket;
  /**
   * The source's circuit breaker: a whole requestJson call, retries included, is one outcome,
   * and an open circuit fails the call before any upstream request.
   */
  readonly circuitBreaker?: CircuitBreaker;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  /** The parsed JSON body; null for an empty body. */
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
   * Whether the request may be sent again after a failure. GET is by default; a read-only POST
   * (FusionAuth's search) says so here.
   */
  readonly idempotent?: boolean;
}

export interface HttpClient {
  /** `path` is relative to the base URL's path and includes the query string. */
  requestJson(path: string, options?: RequestOptions): Promise<HttpResponse>;
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

/** What one attempt came to: a response to return, or a failure the loop may retry. */
type Attempt =
  | { readonly kind: 'answered'; readonly response: HttpResponse }
  | { readonly kind: 'transient'; readonly error: AuditgraphError }
  | {
      readonly kind: 'rate-limited';
      readonly error: AuditgraphError;
      readonly waitMs: number | null;
    };

/**
 * An HTTP client for one source: one undici keep-alive pool to its origin, JSON in and out, and
 * every failure turned into an AuditgraphError with a SOURCE_* code. No message ever carries a
 * header, a query string or an upstream body, so a credential cannot leak through an error.
 *
 * Idempotent requests are retried (network errors, 408, 5xx: backoff with full jitter; 429: once,
 * after the wait the upstream asks for) and every wait stays inside the request's deadline.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const url = new URL(options.baseUrl);
  const basePath = url.pathname.replace(/\/+$/, '');
  const sourceId = options.sourceId;
  const maxBodyBytes = options.maxBodyBytes ?? HTTP_CLIENT_DEFAULTS.maxBodyBytes;
  const maxRetries = assertCount(options.maxRetries, 'maxRetries', HTTP_CLIENT_DEFAULTS.maxRetries);
  const backoff = {
    baseMs: assertCount(options.backoffBaseMs, 'backoffBaseMs', HTTP_CLIENT_DEFAULTS.backoffBaseMs),
    maxMs: assertCount(options.backoffMaxMs, 'backoffMaxMs', HTTP_CLIENT_DEFAULTS.backoffMaxMs),
  };
  const maxRateLimitWaitMs = assertCount(
    options.maxRateLimitWaitMs,
    'maxRateLimitWaitMs',
    HTTP_CLIENT_DEFAULTS.maxRateLimitWaitMs,
  );
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const pool = new Pool(url.origin, {
    connections: options.connections ?? HTTP_CLIENT_DEFAULTS.connections,
    connectTimeout: options.connectTimeoutMs ?? HTTP_CLIENT_DEFAULTS.connectTimeoutMs,
    headersTimeout: options.headersTimeoutMs ?? HTTP_CLIENT_DEFAULTS.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs ?? HTTP_CLIENT_DEFAULTS.bodyTimeoutMs,
  });

  async function requestJson(path: string, request: RequestOptions = {}): Promise<HttpResponse> {
    const { rateLimiter, circuitBreaker } = options;
    if (rateLimiter === undefined && circuitBreaker === undefined) return send(path, request);
    const permit = circuitBreaker?.admit(sourceId);
    try {
      await rateLimiter?.acquire(request.deadlineAt, {
        sourceId,
        ...(request.signal ? { signal: request.signal } : {}),
      });
      const response = await send(path, request);
      permit?.settle('success');
      return response;
    } catch (error) {
      // A caller that gave up says nothing about the upstream's health.
      const failed = isCircuitFailure(error) && request.signal?.aborted !== true;
      permit?.settle(failed ? 'failure' : 'neutral');
      if (request.signal?.aborted && !(error instanceof AuditgraphError)) {
        throw abandonedError(sourceId, error);
      }
      throw error;
    }
  }

  async function send(path: string, request: RequestOptions): Promise<HttpResponse> {
    const method = request.method ?? 'GET';
    const idempotent = request.idempotent ?? method === 'GET';
    const fullPath = basePath + path;
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: string | undefined;
    if (request.jsonBody !== undefined) {
      body = JSON.stringify(request.jsonBody);
      headers['content-type'] = 'application/json';
    }
    const deadlineAt = request.deadlineAt;
    let retries = 0;
    let rateLimitWaited = false;
    for (;;) {
      if (deadlineAt !== undefined && deadlineAt - now() <= 0) {
        throw deadlineError(sourceId, retries === 0 ? 'no-answer' : 'no-time-to-retry');
      }
      const attempt = await attemptOnce({ method, fullPath, headers, body, request });
      switch (attempt.kind) {
        case 'answered':
          return attempt.response;
        case 'transient': {
          if (!idempotent || retries >= maxRetries) throw attempt.error;
          const delayMs = computeBackoffMs(retries, backoff, random);
          if (deadlineAt !== undefined && now() + delayMs >= deadlineAt) {
            throw deadlineError(sourceId, 'no-time-to-retry', attempt.error);
          }
          await pause(delayMs, request.signal);
          break;
        }
        case 'rate-limited': {
          // One wait only: a second 429 means the hint was wrong, and asking again and again
          // is what trips Cloudflare's five-minute block.
          const { waitMs } = attempt;
          if (!idempotent || rateLimitWaited || retries >= maxRetries || waitMs === null) {
            throw attempt.error;
          }
          const fits =
            deadlineAt === undefined ? waitMs <= maxRateLimitWaitMs : now() + waitMs < deadlineAt;
          if (!fits) throw attempt.error;
          rateLimitWaited = true;
          await pause(waitMs, request.signal);
          break;
        }
        default:
          return assertNever(attempt);
      }
      retries += 1;
    }
  }

  async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch (error) {
      throw abandonedError(sourceId, error);
    }
  }

  async function attemptOnce(input: {
    readonly method: 'GET' | 'POST';
    readonly fullPath: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string | undefined;
    readonly request: RequestOptions;
  }): Promise<Attempt> {
    const { method, fullPath, request } = input;
    options.onRequest?.({ method, path: fullPath });
    const deadlineSignal =
      request.deadlineAt === undefined
        ? undefined
        : AbortSignal.timeout(Math.max(1, request.deadlineAt - now()));
    // One signal for undici: whichever of the caller and the deadline gives up first closes the
    // socket, instead of leaving it reading a response nobody waits for.
    const signal =
      deadlineSignal && request.signal
        ? AbortSignal.any([request.signal, deadlineSignal])
        : (deadlineSignal ?? request.signal);
    const classify = (error: unknown): Attempt => {
      if (request.signal?.aborted) throw abandonedError(sourceId, error);
      if (deadlineSignal?.aborted) throw deadlineError(sourceId, 'no-answer', error);
      const failure = toNetworkError(error, sourceId);
      if (isRetryableNetworkError(error)) return { kind: 'transient', error: failure };
      throw failure;
    };

    let response;
    try {
      response = await pool.request({
        path: fullPath,
        method,
        headers: input.headers,
        ...(input.body === undefined ? {} : { body: input.body }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      return classify(error);
    }
    const { statusCode } = response;
    const accepted = request.acceptStatuses?.includes(statusCode) ?? false;
    if (!accepted && (RETRYABLE_STATUSES.has(statusCode) || statusCode === 429)) {
      // The body of a refusal is of no use; dropping the socket is cheaper than reading an
      // upstream error page of unknown size before the retry.
      discard(response.body);
      const error = toStatusError(statusCode, response.headers, sourceId, now());
      return statusCode === 429
        ? { kind: 'rate-limited', error, waitMs: readRetryAfterMs(response.headers, now()) }
        : { kind: 'transient', error };
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
      throw toStatusError(statusCode, response.headers, sourceId, now());
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
    close: () => pool.close(),
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

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepFor(ms, undefined, signal ? { signal } : {});
}

/** Options are checked once, at construction, so a typo fails at start-up, not mid-request. */
function assertCount(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`createHttpClient: ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

function assertNever(value: never): never {
  throw new Error(`unexpected attempt outcome ${JSON.stringify(value)}`);
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

function toStatusError(
  status: number,
  headers: ResponseHeaders,
  sourceId: string,
  nowMs: number,
): AuditgraphError {
  if (status === 401 || status === 403) {
    return new AuditgraphError(
      'SOURCE_AUTH_FAILED',
      `source ${sourceId} refused the configured credential (HTTP ${status})`,
      { sourceId, upstreamStatus: status },
    );
  }
  if (status === 429) {
    const waitMs = readRetryAfterMs(headers, nowMs);
    const retryAfterSeconds = waitMs === null ? null : Math.ceil(waitMs / 1000);
    return new AuditgraphError(
      'SOURCE_RATE_LIMITED',
      `source ${sourceId} is rate limiting requests`,
      {
        sourceId,
        upstreamStatus: status,
        ...(retryAfterSeconds === null ? {} : { retryAfterSeconds }),
      },
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
