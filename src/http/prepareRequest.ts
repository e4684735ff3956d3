import type { RequestOptions } from './HttpClient';

/** A request as it goes on the wire, worked out once for all its attempts. */
export interface PreparedRequest {
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

export function prepareRequest(
  basePath: string,
  path: string,
  request: RequestOptions,
): PreparedRequest {
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
