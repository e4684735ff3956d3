import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { sendError, sendJson } from '../../server/sendError';

/**
 * `GET /metrics`: the registry in Prometheus's text format. With a token, only a request with
 * `Authorization: Bearer <token>` is answered; the token is compared in constant time (over
 * hashes, so its length does not show either) and never logged.
 */
export function serveMetrics(
  registry: Registry,
  token: string | null,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const expected = token === null ? null : digest(token);
  return async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      sendError(response, 405, 'METHOD_NOT_ALLOWED', 'Use GET.');
      return;
    }
    if (expected !== null && !isAuthorized(request.headers.authorization, expected)) {
      response.setHeader('www-authenticate', 'Bearer realm="metrics"');
      sendJson(response, 401, {
        errors: [
          {
            message: '/metrics requires Authorization: Bearer <the metrics token>.',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
      return;
    }
    const text = await registry.metrics();
    response.statusCode = 200;
    response.setHeader('content-type', registry.contentType);
    response.setHeader('cache-control', 'no-store');
    response.setHeader('content-length', Buffer.byteLength(text));
    response.end(request.method === 'HEAD' ? undefined : text);
  };
}

function isAuthorized(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
