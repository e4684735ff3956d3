import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AcmeLog {
  readonly id: string;
  readonly at: number;
  readonly action: string;
  readonly who: string | null;
}

export interface AcmeUpstream {
  readonly url: string;
  /** The query string of every request received, in order. */
  readonly requests: URLSearchParams[];
  close(): Promise<void>;
}

/** The throwaway kind's API on loopback, over a fixed list of logs. */
export async function startAcmeUpstream(
  logs: readonly AcmeLog[],
  apiKey: string,
): Promise<AcmeUpstream> {
  const requests: URLSearchParams[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://acme');
    requests.push(url.searchParams);
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.headers['x-acme-key'] !== apiKey) return send(401, { error: 'bad key' });
    if (url.pathname !== '/logs') return send(404, { error: 'no such path' });
    const q = url.searchParams;
    const since = Number(q.get('since'));
    const before = Number(q.get('before'));
    const action = q.get('action');
    const offset = Number(q.get('offset'));
    const limit = Number(q.get('limit'));
    const sign = q.get('order') === 'asc' ? 1 : -1;
    const matching = logs
      .filter(
        (log) => log.at >= since && log.at < before && (action === null || log.action === action),
      )
      .sort((a, b) => sign * (a.at - b.at) || a.id.localeCompare(b.id));
    send(200, {
      logs: matching.slice(offset, offset + limit),
      more: offset + limit < matching.length,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
