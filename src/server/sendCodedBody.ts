import type { IncomingMessage, ServerResponse } from 'node:http';
import { acceptsGzip } from './prefersHtml';

/** A body held in both codings, each with its own strong validator. */
export interface CodedBody {
  readonly identity: Buffer;
  readonly identityEtag: string;
  readonly gzip: Buffer;
  /** Not the identity's: a cache must not answer a gzip request with the identity body. */
  readonly gzipEtag: string;
}

/**
 * Sends `body` gzipped when the client takes gzip, with the validator of that coding, and a 304
 * with no body when `If-None-Match` already names it. The caller has set the content type, the
 * cache policy and `Vary` (which must name Accept-Encoding).
 */
export async function sendCodedBody(
  request: IncomingMessage,
  response: ServerResponse,
  body: CodedBody,
): Promise<void> {
  const zipped = acceptsGzip(request.headers['accept-encoding']);
  const etag = zipped ? body.gzipEtag : body.identityEtag;
  response.setHeader('etag', etag);
  if (matchesEtag(request.headers['if-none-match'], etag)) {
    response.statusCode = 304;
    response.end();
    return;
  }
  const bytes = zipped ? body.gzip : body.identity;
  if (zipped) response.setHeader('content-encoding', 'gzip');
  response.setHeader('content-length', bytes.length);
  response.statusCode = 200;
  // Node sends no body to a HEAD, but the headers say what a GET would get.
  await new Promise<void>((resolve) => response.end(bytes, resolve));
}

/** Whether `If-None-Match` names `etag`, by the weak comparison (RFC 9110 §13.1.2). */
function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  // A proxy may have marked our tag weak (W/).
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}
