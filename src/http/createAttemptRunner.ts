import type { Pool } from 'undici';
import { AuditgraphError } from '../model/errors';
import type { RateLimited } from './createRateLimitGate';
import type { CallerLimits } from './createRequestCoalescer';
import { abandonedError, deadlineError } from './deadlineError';
import type { HttpResponse } from './HttpClient';
import type { PreparedRequest } from './prepareRequest';
import type { ResponseHeaders } from './readRetryAfter';
import type { HttpClientOptions, HttpClientSettings } from './toHttpClientSettings';
import { isRetryableNetworkError, toNetworkError } from './toNetworkError';
import { toStatusError } from './toStatusError';
import type { AttemptWatch } from './watchAttempt';
import { watchAttempt } from './watchAttempt';

/** What one attempt came to: a response to return, or a failure the loop may retry. */
export type Attempt =
  | { readonly kind: 'answered'; readonly response: HttpResponse }
  | { readonly kind: 'transient'; readonly error: AuditgraphError }
  | {
      readonly kind: 'rate-limited';
      readonly error: AuditgraphError;
      readonly waitMs: number | null;
    };

export type FailedAttempt = Exclude<Attempt, { readonly kind: 'answered' }>;

/** Sends a prepared request once; a rejection is a failure no retry can mend. */
export type AttemptRunner = (prepared: PreparedRequest, limits: CallerLimits) => Promise<Attempt>;

export interface AttemptRunnerOptions extends Pick<
  HttpClientSettings,
  'sourceId' | 'maxBodyBytes' | 'now'
> {
  readonly pool: Pick<Pool, 'request'>;
  /** Called once per upstream request made, before it is sent. */
  readonly onRequest: HttpClientOptions['onRequest'] | undefined;
  /** What a 429 comes to (createRateLimitGate): its error, and the wait before a retry. */
  readonly onTooManyRequests: (headers: ResponseHeaders) => RateLimited;
}

/** Statuses that say "try again later" about a request the upstream did not carry out. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 500, 502, 503, 504]);

/**
 * One attempt of a request: the request itself, its status and body read into a result or a
 * failure, every failure in the catalogue's SOURCE_* codes. The attempt is over when the caller
 * gives up or the deadline passes (watchAttempt), and a body over `maxBodyBytes` is not read on.
 */
export function createAttemptRunner(options: AttemptRunnerOptions): AttemptRunner {
  const { pool, sourceId, maxBodyBytes, now } = options;

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
      if (statusCode === 429) {
        return { kind: 'rate-limited', ...options.onTooManyRequests(response.headers) };
      }
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

  return attemptOnce;
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
