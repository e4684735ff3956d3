import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeOtlpTraces, type ExportedSpan } from './decodeOtlpTraces';

/** One request the receiver was sent, whatever its path. */
export interface ReceivedExport {
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:PORT`: what OTEL_EXPORTER_OTLP_ENDPOINT is set to. */
  readonly url: string;
  /** Every request received, exports of spans or anything else. */
  requests(): readonly ReceivedExport[];
  /** Every span received so far, in the order they came. */
  spans(): readonly ExportedSpan[];
  /** Resolves once the spans received include one that `matches`. */
  waitForSpan(matches: (span: ExportedSpan) => boolean): Promise<ExportedSpan>;
  close(): Promise<void>;
}

/**
 * An OTLP/HTTP trace receiver, as a collector is one: `POST /v1/traces` with an OTLP/JSON or
 * OTLP/protobuf body, answered with an empty success in the same encoding. Anything else is
 * recorded and answered 404, so a test sees what else was sent.
 */
export async function startOtlpReceiver(
  listen: { readonly host: string; readonly port: number } = { host: '127.0.0.1', port: 0 },
): Promise<OtlpReceiver> {
  const requests: ReceivedExport[] = [];
  const spans: ExportedSpan[] = [];
  const waiters: {
    matches: (span: ExportedSpan) => boolean;
    resolve: (span: ExportedSpan) => void;
  }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const contentType = request.headers['content-type'] ?? '';
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      requests.push({ method: request.method ?? 'GET', path, contentType });
      if (request.method !== 'POST' || path !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      let received: ExportedSpan[];
      try {
        received = decodeOtlpTraces(contentType, Buffer.concat(chunks));
      } catch (error) {
        response.writeHead(400).end(error instanceof Error ? error.message : 'undecodable');
        return;
      }
      spans.push(...received);
      for (const waiter of [...waiters]) {
        const found = received.find(waiter.matches);
        if (found === undefined) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(found);
      }
      // An empty ExportTraceServiceResponse: `{}` in JSON, zero bytes in protobuf.
      const json = contentType.startsWith('application/json');
      response
        .writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' })
        .end(json ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}`,
    requests: () => requests,
    spans: () => spans,
    waitForSpan: (matches) => {
      const found = spans.find(matches);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ matches, resolve }));
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
