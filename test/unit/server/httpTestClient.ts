import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body as it came on the wire (still gzipped when it was). */
  readonly body: Buffer;
  readonly text: string;
}

export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string | number>>;
  readonly body?: string | Buffer;
  /** Send the body with chunked transfer coding, without Content-Length. */
  readonly chunked?: boolean;
}

/**
 * One request on a fresh connection, with node:http rather than fetch: fetch decodes gzip and
 * adds headers of its own, and these tests look at exactly what the server sent.
 */
export function send(origin: string, options: RawRequest): Promise<RawResponse> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined && options.chunked !== true) {
      headers['content-length'] = Buffer.byteLength(options.body);
    }
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            text: body.toString('utf8'),
          });
        });
      },
    );
    request.on('error', reject);
    if (options.body === undefined) {
      request.end();
    } else if (options.chunked === true) {
      request.write(options.body);
      request.end();
    } else {
      request.end(options.body);
    }
  });
}

export function json(response: RawResponse): unknown {
  return JSON.parse(response.text) as unknown;
}

/** A GraphQL POST the way a well-behaved client sends it. */
export function postGraphql(
  origin: string,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<RawResponse> {
  return send(origin, {
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** What a browser sends when it navigates to a page. */
export const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

/** Opens a raw TCP connection, writes `text`, and reports what came back and when it closed. */
export function rawExchange(
  origin: string,
  text: string,
): Promise<{ readonly received: string; readonly closedAfterMs: number }> {
  const url = new URL(origin);
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
      socket.write(text);
    });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ received, closedAfterMs: Date.now() - startedAt }));
  });
}
