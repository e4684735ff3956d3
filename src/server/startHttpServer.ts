import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { BaseContext } from '@apollo/server';
import { createDrain, refuseWhileDraining } from './createDrain';
import { allowMethod } from './allowMethod';
import { EXPORT_PATH } from './createExportRoute';
import { GRAPHQL_PATH, createGraphqlRoute } from './createGraphqlRoute';
import { GRAPHQL_STREAM_PATH, createSubscriptionServer } from './createSubscriptionServer';
import { isViewerPath } from './createViewerRoute';
import { sendError } from './sendError';
import { isProbePath, serveProbe, type Readiness } from './serveProbe';
import { splitUrl } from './splitUrl';
import { toServerSettings, type HttpServerOptions } from './toServerSettings';

export type { HttpErrorCode } from './sendError';
export type { ExtraRoute, HttpServerOptions, ObservedRequest } from './toServerSettings';

export interface HttpServerHandle {
  /** The server's origin, e.g. `http://127.0.0.1:4000` (the port chosen when 0 was asked). */
  readonly url: string;
  /** The GraphQL endpoint and GraphiQL page, e.g. `http://127.0.0.1:4000/graphql`. */
  readonly graphqlUrl: string;
  readonly server: Server;
  /** The longest close() spends on HTTP before Apollo stops: drainDelayMs plus drainTimeoutMs. */
  readonly drainBudgetMs: number;
  /**
   * Drains and stops: `/readyz` turns 503 and new GraphQL requests are refused for drainDelayMs,
   * then the listener closes, in-flight requests finish (up to drainTimeoutMs, then their sockets
   * are destroyed), then Apollo stops. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Apollo Server on Node's own HTTP server: `/graphql` (POST and GET through Apollo, GraphiQL for
 * a browser's GET), `/healthz`, `/readyz`. No framework: the few routes do not need one, and
 * every limit that guards the process (body size, header and request timeouts) is set here, in
 * one place.
 *
 * The parts: toServerSettings (limits and their checks), createGraphqlRoute (`/graphql`),
 * serveProbe (`/healthz`, `/readyz`), createDrain (close and its drain), sendError (the errors
 * this layer answers itself); the routes the caller builds: createExportRoute (`/export`),
 * createViewerRoute (`/viewer`).
 */
export async function startHttpServer<C extends BaseContext>(
  options: HttpServerOptions<C>,
): Promise<HttpServerHandle> {
  const settings = toServerSettings(options);
  const { logger } = options;
  const isReady = options.isReady ?? (() => true);
  const serveGraphqlRoute = createGraphqlRoute({
    ...options,
    bodyLimitBytes: settings.bodyLimitBytes,
  });

  const server = createServer({
    headersTimeout: settings.headersTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    // Node enforces the two timeouts above only when it sweeps its connections (every 30 s by
    // default), which would let a slowloris client hold a socket three times longer than asked.
    connectionsCheckingInterval: Math.min(1_000, Math.max(10, settings.headersTimeoutMs / 4)),
  });
  const subscriptions =
    options.subscriptions === undefined
      ? null
      : createSubscriptionServer({
          ...options.subscriptions,
          maxPayloadBytes: settings.bodyLimitBytes,
          logger,
        });
  // Aborted when the listener closes: every export in flight writes its end state and ends.
  const stopping = new AbortController();
  const drain = createDrain({
    server,
    closeStreams: async () => {
      stopping.abort();
      await subscriptions?.close();
    },
    stopApollo: () => options.apollo.stop(),
    logger,
    drainDelayMs: settings.drainDelayMs,
    drainTimeoutMs: settings.drainTimeoutMs,
  });

  const readiness = (): Readiness => {
    if (drain.draining()) return 'draining';
    return isReady() ? 'ready' : 'starting';
  };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // While draining, every response closes its connection, so keep-alive cannot hold us open.
    if (drain.draining()) response.setHeader('connection', 'close');
    const { path, search } = splitUrl(request.url);
    if (isProbePath(path)) {
      serveProbe(path, request, response, readiness, options.readinessDetails);
      return;
    }
    const extra = options.extraRoutes?.get(path);
    if (extra !== undefined) {
      await extra(request, response);
      return;
    }
    if (path === EXPORT_PATH && options.exportRoute !== undefined) {
      if (drain.draining()) {
        refuseWhileDraining(response);
        return;
      }
      await options.exportRoute(request, response, stopping.signal);
      return;
    }
    if (options.viewerRoute !== undefined && isViewerPath(path)) {
      if (drain.draining()) {
        refuseWhileDraining(response);
        return;
      }
      await options.viewerRoute(request, response);
      return;
    }
    if (path === GRAPHQL_STREAM_PATH && subscriptions !== null) {
      if (!allowMethod(request, response, ['GET', 'POST'])) return;
      if (drain.draining()) {
        refuseWhileDraining(response);
        return;
      }
      await subscriptions.serveStream(request, response);
      return;
    }
    if (path !== GRAPHQL_PATH) {
      sendError(response, 404, 'NOT_FOUND', 'Not found.');
      return;
    }
    if (drain.draining()) {
      refuseWhileDraining(response);
      return;
    }
    // A subscription sent to `/graphql` asking for an event stream (GraphiQL's GET, a gateway's
    // POST: Hive Gateway's default for subgraph subscriptions) is the same stream as
    // `/graphql/stream`. A GET needs no CSRF guard here: it is authenticated by its Authorization
    // header, which a cross-site EventSource cannot set, and no CORS header lets another origin
    // read the stream.
    if (
      subscriptions !== null &&
      (request.method === 'POST' || request.method === 'GET') &&
      request.headers.accept?.includes('text/event-stream') === true
    ) {
      await subscriptions.serveStream(request, response);
      return;
    }
    await serveGraphqlRoute(request, response, search);
  };

  const observeRequest = options.observeRequest ?? ((_request, handle) => handle());

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const requestId = toRequestId(request.headers['x-request-id']);
    response.setHeader('x-request-id', requestId);
    const observed = {
      requestId,
      method: request.method ?? 'GET',
      path: splitUrl(request.url).path,
      headers: request.headers,
    };
    observeRequest(observed, () => handle(request, response)).catch((error: unknown) => {
      logger.error({ error: describeError(error) }, 'request observer failed');
    });
  });

  const handle = (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const startedAt = process.hrtime.bigint();
    drain.track(response);
    // 'close' rather than 'finish': a request whose client went away is logged too. Bound to
    // this request's async context: the emitter's own would lose the request id of the line.
    response.once(
      'close',
      AsyncResource.bind(() => {
        const { path } = splitUrl(request.url);
        const completed = response.writableFinished;
        // Probes hit these every few seconds; only their failures are worth a line.
        if (isProbePath(path) && completed && response.statusCode < 400) return;
        logger.info(
          {
            method: request.method,
            path, // never the query string: it may carry a query's variables
            status: response.statusCode,
            durationMs: Number((process.hrtime.bigint() - startedAt) / 1_000n) / 1000,
            ...(completed ? {} : { aborted: true }),
          },
          'request',
        );
      }),
    );
    return route(request, response).catch((error: unknown) => {
      logger.error(
        { path: splitUrl(request.url).path, error: describeError(error) },
        'request failed',
      );
      if (!response.headersSent) {
        response.setHeader('connection', 'close');
        sendError(response, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error.');
      } else {
        response.destroy();
      }
    });
  };

  // WebSocket upgrades: graphql-ws on `/graphql`; none at all without subscriptions or while
  // draining (the client reconnects, through the load balancer, to another instance).
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (subscriptions === null || drain.draining()) {
      socket.end(
        `HTTP/1.1 ${subscriptions === null ? '404 Not Found' : '503 Service Unavailable'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
      );
      return;
    }
    subscriptions.handleUpgrade(request, socket, head, splitUrl(request.url).path);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ error: describeError(error) }, 'http server error'));

  const url = `http://${urlHost(server.address() as AddressInfo)}`;
  return {
    url,
    graphqlUrl: `${url}${GRAPHQL_PATH}`,
    server,
    drainBudgetMs: settings.drainDelayMs + settings.drainTimeoutMs,
    close: () => drain.close(),
  };
}

/**
 * A caller's request id is kept when it is one a log line can carry as it is (a router's or a
 * load balancer's: letters, digits and `-_.:`, at most 128 characters); anything else, or none,
 * gets a new UUID, so that no client can write what it likes into every log line.
 */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function toRequestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

function urlHost(address: AddressInfo): string {
  const unspecified = address.address === '0.0.0.0' || address.address === '::';
  const host = unspecified ? 'localhost' : address.address;
  return `${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/** Name and message only: a stack or a cause may hold request data. */
function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown';
}
