import type { IncomingMessage, ServerResponse } from 'node:http';
import { acceptsGzip } from './prefersHtml';
import type { GraphiqlPage } from './renderGraphiqlPage';

/**
 * The page is ~9 MB: it goes out gzipped when the browser takes gzip, and with a validator, so a
 * reload costs a 304. `no-cache` (revalidate every time) rather than a max-age, so a new release
 * shows at once.
 */
export async function sendGraphiql(
  request: IncomingMessage,
  response: ServerResponse,
  page: GraphiqlPage,
): Promise<void> {
  const zipped = acceptsGzip(request.headers['accept-encoding']);
  const etag = zipped ? page.gzipEtag : page.identityEtag;
  response.setHeader('content-type', 'text/html; charset=utf-8');
  response.setHeader('cache-control', 'no-cache');
  response.setHeader('etag', etag);
  response.setHeader('vary', 'Accept, Accept-Encoding');
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('referrer-policy', 'no-referrer');
  // GraphiQL runs operations with the user's cookies: it must not be framed by another site.
  response.setHeader('content-security-policy', "frame-ancestors 'none'");
  if (matchesEtag(request.headers['if-none-match'], etag)) {
    response.statusCode = 304;
    response.end();
    return;
  }
  const body = zipped ? page.gzip : page.identity;
  if (zipped) response.setHeader('content-encoding', 'gzip');
  response.setHeader('content-length', body.length);
  response.statusCode = 200;
  await new Promise<void>((resolve) => response.end(body, resolve));
}

function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  // Weak comparison (RFC 9110 §13.1.2): a proxy may have marked our tag weak (W/).
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}
