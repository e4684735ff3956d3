import type { IncomingMessage } from 'node:http';

export type RequestBody =
  | { readonly kind: 'complete'; readonly bytes: Buffer }
  /** Larger than the limit: reading stopped there, the rest is left unread. */
  | { readonly kind: 'too-large' }
  /** The client went away, or the server's request timeout cut it off. */
  | { readonly kind: 'aborted' };

/**
 * Reads a request body into memory, never more than `limitBytes` of it (reliability matrix S6):
 * a declared Content-Length over the limit is refused before a byte is read, and a chunked body
 * is cut off as soon as it passes the limit.
 */
export function readRequestBody(
  request: IncomingMessage,
  limitBytes: number,
): Promise<RequestBody> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    return Promise.resolve({ kind: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (body: RequestBody): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onAbort);
      request.off('close', onAbort);
      resolve(body);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        request.pause();
        finish({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ kind: 'complete', bytes: Buffer.concat(chunks, size) });
    const onAbort = (): void => finish({ kind: 'aborted' });
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onAbort);
    request.on('close', onAbort);
  });
}
