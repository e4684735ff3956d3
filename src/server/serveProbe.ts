import type { IncomingMessage, ServerResponse } from 'node:http';
import { allowMethod } from './allowMethod';
import { sendJson } from './sendError';

export type ProbePath = '/healthz' | '/readyz';

/** What `/readyz` says: serving, not yet ready (isReady), or leaving (the drain began). */
export type Readiness = 'ready' | 'starting' | 'draining';

export function isProbePath(path: string): path is ProbePath {
  return path === '/healthz' || path === '/readyz';
}

/**
 * `/healthz` answers 200 while the process runs; `/readyz` answers 200 only while the server
 * takes requests, so a load balancer sends none before it is ready or once it is draining.
 * `readiness` is asked only for a GET or HEAD of `/readyz`, and `details` beside it.
 */
export function serveProbe(
  path: ProbePath,
  request: IncomingMessage,
  response: ServerResponse,
  readiness: () => Readiness,
  details: () => Readonly<Record<string, string>> = () => ({}),
): void {
  if (!allowMethod(request, response, ['GET', 'HEAD'])) return;
  switch (path) {
    case '/healthz':
      sendJson(response, 200, { status: 'ok' });
      return;
    case '/readyz': {
      const status = readiness();
      // Details say how it is serving (its shared state, say); they never make it unready.
      sendJson(response, status === 'ready' ? 200 : 503, { status, ...details() });
      return;
    }
  }
}
