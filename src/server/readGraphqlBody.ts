import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody } from './readRequestBody';
import { sendError } from './sendError';

/** The body Apollo is to see, or `ok: false` when the request has been answered already. */
export type GraphqlBody = { readonly ok: true; readonly body: unknown } | { readonly ok: false };

/**
 * The POST body as Apollo expects it: parsed JSON for `application/json`, undefined for any other
 * type, so Apollo's CSRF prevention sees the content type as sent and refuses a `text/plain` or
 * form post (matrix S8) the way it does on every integration. A JSON array stays an array for
 * Apollo to refuse, since batching is off (S4).
 */
export async function readGraphqlBody(
  request: IncomingMessage,
  response: ServerResponse,
  limitBytes: number,
): Promise<GraphqlBody> {
  const read = await readRequestBody(request, limitBytes);
  switch (read.kind) {
    case 'aborted':
      response.destroy();
      return { ok: false };
    case 'too-large':
      // The rest of the body is not read: the connection cannot carry another request.
      response.setHeader('connection', 'close');
      sendError(
        response,
        413,
        'PAYLOAD_TOO_LARGE',
        `The request body exceeds ${limitBytes} bytes.`,
      );
      return { ok: false };
    case 'complete':
      break;
  }
  const contentType = parseContentType(request.headers['content-type']);
  if (contentType?.type !== 'application/json') return { ok: true, body: undefined };
  if (contentType.charset !== undefined && !/^utf-?8$/i.test(contentType.charset)) {
    sendError(response, 415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body must be UTF-8 JSON.');
    return { ok: false };
  }
  if (read.bytes.length === 0) return { ok: true, body: undefined };
  try {
    return { ok: true, body: JSON.parse(read.bytes.toString('utf8')) as unknown };
  } catch {
    sendError(response, 400, 'BAD_REQUEST', 'The request body is not valid JSON.');
    return { ok: false };
  }
}

function parseContentType(header: string | undefined): { type: string; charset?: string } | null {
  if (header === undefined) return null;
  const [type = '', ...parameters] = header.split(';').map((part) => part.trim());
  const charset = parameters
    .map((parameter) => /^charset\s*=\s*"?([^";]*)"?$/i.exec(parameter)?.[1])
    .find((value) => value !== undefined);
  return { type: type.toLowerCase(), ...(charset === undefined ? {} : { charset }) };
}
