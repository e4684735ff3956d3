import type { ResponseHeaders } from './readRetryAfter';

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

/** What createHttpClient builds: one source's JSON client (see there for what it promises). */
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
