import type { ServerResponse } from 'node:http';

/** The codes of errors this layer answers itself, before a request reaches GraphQL. */
export type HttpErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** A GraphQL request that arrived after the drain began (HTTP 503); it was not run. */
  | 'SHUTTING_DOWN'
  /** `/viewer` on a server started without the viewer's bundle (HTTP 503). */
  | 'VIEWER_NOT_BUILT'
  | 'INTERNAL_SERVER_ERROR';

/** Errors in the GraphQL response shape, so a client reads every failure of /graphql one way. */
export function sendError(
  response: ServerResponse,
  status: number,
  code: HttpErrorCode,
  message: string,
): void {
  sendJson(response, status, { errors: [{ message, extensions: { code } }] });
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('cache-control', 'no-store');
  response.setHeader('content-length', Buffer.byteLength(text));
  response.end(text);
}
