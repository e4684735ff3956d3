import { Pool, errors as undiciErrors } from 'undici';
import { AuditgraphError } from '../model/errors';

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
  /** Called once per upstream request made (metrics and tests). */
  readonly onRequest?: (request: { readonly method: string; readonly path: string }) => void;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body; null for an empty body. */
  readonly body: unknown;
}

export interface RequestOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Statuses the caller handles itself (404 for a get-by-id) instead of an error. */
  readonly acceptStatuses?: readonly number[];
  readonly method?: 'GET' | 'POST';
  readonly jsonBody?: unknown;
}

export interface HttpClient {
  /** `path` is relative to the base URL's path and includes the query string. */
  requestJson(path: string, options?: RequestOptions): Promise<HttpResponse>;
  close(): Promise<void>;
}

const DEFAULTS = {
  connections: 8,
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  maxBodyBytes: 32 * 1024 * 1024,
} as const;

/**
 * An HTTP client for one source: one undici keep-alive pool to its origin, JSON in and out, and
 * every failure turned into an AuditgraphError with a SOURCE_* code. No message ever carries a
 * header, a query string or an upstream body, so a credential cannot leak through an error.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const url = new URL(options.baseUrl);
  const basePath = url.pathname.replace(/\/+$/, '');
  const sourceId = options.sourceId;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const pool = new Pool(url.origin, {
    connections: options.connections ?? DEFAULTS.connections,
    connectTimeout: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    headersTimeout: options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs,
  });

  async function requestJson(path: string, request: RequestOptions = {}): Promise<HttpResponse> {
    const method = request.method ?? 'GET';
    const fullPath = basePath + path;
    options.onRequest?.({ method, path: fullPath });
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: string | undefined;
    if (request.jsonBody !== undefined) {
      body = JSON.stringify(request.jsonBody);
      headers['content-type'] = 'application/json';
    }
    let response;
    try {
      response = await pool.request({
        path: fullPath,
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (error) {
      throw toNetworkError(error, sourceId);
    }
    const { statusCode } = response;
    let text: string;
    try {
      text = await readCapped(response.body, maxBodyBytes, sourceId);
    } catch (error) {
      response.body.destroy();
      throw isAuditgraphErrorLike(error) ? error : toNetworkError(error, sourceId);
    }
    const accepted = request.acceptStatuses?.includes(statusCode) ?? false;
    if (!accepted) assertSuccess(statusCode, response.headers, sourceId);
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
    return { status: statusCode, headers: response.headers, body: parsed };
  }

  return {
    requestJson,
    close: () => pool.close(),
  };
}

function isAuditgraphErrorLike(error: unknown): error is AuditgraphError {
  return error instanceof AuditgraphError;
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

function assertSuccess(
  status: number,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  sourceId: string,
): void {
  if (status >= 200 && status < 300) return;
  if (status === 401 || status === 403) {
    throw new AuditgraphError(
      'SOURCE_AUTH_FAILED',
      `source ${sourceId} refused the configured credential (HTTP ${status})`,
      { sourceId, upstreamStatus: status },
    );
  }
  if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(headers['retry-after']);
    throw new AuditgraphError(
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
    throw new AuditgraphError(
      'SOURCE_UNAVAILABLE',
      `source ${sourceId} answered with a server error (HTTP ${status})`,
      { sourceId, upstreamStatus: status },
    );
  }
  throw new AuditgraphError(
    'SOURCE_BAD_RESPONSE',
    `source ${sourceId} rejected the request (HTTP ${status})`,
    { sourceId, upstreamStatus: status },
  );
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  nowMs = Date.now(),
): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return null;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const dateMs = Date.parse(text);
  if (Number.isNaN(dateMs)) return null;
  return Math.max(0, Math.ceil((dateMs - nowMs) / 1000));
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
    return new AuditgraphError(
      'SOURCE_TIMEOUT',
      `the request to source ${sourceId} was abandoned`,
      {
        sourceId,
        cause: error,
      },
    );
  }
  return new AuditgraphError('SOURCE_UNAVAILABLE', `source ${sourceId} could not be reached`, {
    sourceId,
    cause: error,
  });
}
