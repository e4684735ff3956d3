import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from './sendError';

/** Whether the request's method is one of `allowed`; if not, it has been answered with a 405. */
export function allowMethod(
  request: IncomingMessage,
  response: ServerResponse,
  allowed: readonly string[],
): boolean {
  if (allowed.includes(request.method ?? '')) return true;
  response.setHeader('allow', allowed.join(', '));
  sendError(
    response,
    405,
    'METHOD_NOT_ALLOWED',
    `Method not allowed; use ${allowed.join(' or ')}.`,
  );
  return false;
}
