import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphiqlPage } from './renderGraphiqlPage';
import { sendCodedBody } from './sendCodedBody';

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
  response.setHeader('content-type', 'text/html; charset=utf-8');
  response.setHeader('cache-control', 'no-cache');
  response.setHeader('vary', 'Accept, Accept-Encoding');
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('referrer-policy', 'no-referrer');
  // GraphiQL runs operations with the user's cookies: it must not be framed by another site.
  response.setHeader('content-security-policy', "frame-ancestors 'none'");
  await sendCodedBody(request, response, page);
}
