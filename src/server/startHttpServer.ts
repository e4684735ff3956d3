import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { HeaderMap, type BaseContext, type HTTPGraphQLRequest } from '@apollo/server';
import { logLine } from '../logLine';
import { allowMethod } from './allowMethod';
import { prefersHtml } from './prefersHtml';
import { readGraphqlBody } from './readGraphqlBody';
import { renderGraphiqlPage, type GraphiqlPage } from './renderGraphiqlPage';
import { sendError, sendJson } from './sendError';
import { sendGraphiql } from './sendGraphiql';
import { splitUrl } from './splitUrl';
import { toServerSettings, type HttpServerOptions } from './toServerSettings';

export type { HttpErrorCode } from './sendError';
export type { HttpServerOptions } from './toServerSettings';

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

const GRAPHQL_PATH = '/graphql';

type ServerState =
  { readonly phase: 'serving' } | { readonly phase: 'draining'; readonly done: Promise<void> };

/**
 * Apollo Server on Node's own HTTP server: `/graphql` (POST and GET through Apollo, GraphiQL for
 * a browser's GET), `/healthz`, `/readyz`. No framework: the few routes do not need one, and
 * every limit that guards the process (body size, header and request timeouts) is set here, in
 * one place.
 */
export async function startHttpServer<C extends BaseContext>(
  options: HttpServerOptions<C>,
): Promise<HttpServerHandle> {
  const settings = toServerSettings(options);
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const isReady = options.isReady ?? (() => true);
  const graphiqlEnabled = options.graphiql ?? true;
  let state: ServerState = { phase: 'serving' };
  /** Responses not yet closed, so the drain can tell the ones already started to close too. */
  const open = new Set<ServerResponse>();
  let graphiql: Promise<GraphiqlPage> | null = null;

  const loadGraphiql = (): Promise<GraphiqlPage> => {
    graphiql ??= renderGraphiqlPage({
      endpoint: GRAPHQL_PATH,
      ...(options.graphiqlTitle === undefined ? {} : { title: options.graphiqlTitle }),
      ...(options.defaultQuery === undefined ? {} : { defaultQuery: options.defaultQuery }),
    }).catch((error: unknown) => {
      graphiql = null; // a failed render is tried again by the next browser
      throw error;
    });
    return graphiql;
  };

  const server = createServer({
    headersTimeout: settings.headersTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    // Node enforces the two timeouts above only when it sweeps its connections (every 30 s by
    // default), which would let a slowloris client hold a socket three times longer than asked.
    connectionsCheckingInterval: Math.min(1_000, Math.max(10, settings.headersTimeoutMs / 4)),
  });

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // While draining, every response closes its connection, so keep-alive cannot hold us open.
    if (state.phase === 'draining') response.setHeader('connection', 'close');
    const { path, search } = splitUrl(request.url);
    const method = request.method ?? 'GET';
    switch (path) {
      case '/healthz':
        if (!allowMethod(request, response, ['GET', 'HEAD'])) return;
        sendJson(response, 200, { status: 'ok' });
        return;
      case '/readyz': {
        if (!allowMethod(request, response, ['GET', 'HEAD'])) return;
        if (state.phase === 'draining') sendJson(response, 503, { status: 'draining' });
        else if (!isReady()) sendJson(response, 503, { status: 'starting' });
        else sendJson(response, 200, { status: 'ready' });
        return;
      }
      case GRAPHQL_PATH: {
        if (state.phase === 'draining') {
          refuseWhileDraining(response);
          return;
        }
        if (!allowMethod(request, response, ['GET', 'POST'])) return;
        if (
          graphiqlEnabled &&
          method === 'GET' &&
          prefersHtml(request.headers.accept) &&
          !hasQuery(search)
        ) {
          await sendGraphiql(request, response, await loadGraphiql());
          return;
        }
        await serveGraphql(request, response, search);
        return;
      }
      default:
        sendError(response, 404, 'NOT_FOUND', 'Not found.');
    }
  };

  const serveGraphql = async (
    request: IncomingMessage,
    response: ServerResponse,
    search: string,
  ): Promise<void> => {
    let body: unknown = undefined;
    if (request.method === 'POST') {
      const parsed = await readGraphqlBody(request, response, settings.bodyLimitBytes);
      if (!parsed.ok) return;
      body = parsed.body;
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: request.method ?? 'GET',
      headers: toHeaderMap(request),
      search,
      body,
    };
    const result = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: () => options.context(request),
    });
    // Apollo answers a browser's GET with its landing page, which loads Apollo Sandbox from a
    // CDN. The server is told to disable it; should it not be, the local GraphiQL stands in, or
    // nothing when GraphiQL is off.
    if (result.headers.get('content-type')?.startsWith('text/html') === true) {
      if (graphiqlEnabled) await sendGraphiql(request, response, await loadGraphiql());
      else sendError(response, 400, 'BAD_REQUEST', 'Send a GraphQL operation.');
      return;
    }
    response.statusCode = result.status ?? 200;
    // Audit data is per client and live: no shared or private cache may keep it. (Apollo's cache
    // control calculation is off, since no field of auditgraph's is ever cacheable.)
    response.setHeader('cache-control', 'no-store');
    for (const [name, value] of result.headers) response.setHeader(name, value);
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
      return;
    }
    // Incremental delivery (@defer): write each part as it comes, minding backpressure.
    for await (const chunk of result.body.asyncIterator) {
      if (response.destroyed) return;
      if (!response.write(chunk)) {
        await new Promise<void>((resolve) => {
          response.once('drain', resolve);
          response.once('close', resolve);
        });
      }
    }
    response.end();
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const startedAt = process.hrtime.bigint();
    open.add(response);
    // 'close' rather than 'finish': a request whose client went away is logged too.
    response.once('close', () => {
      open.delete(response);
      const { path } = splitUrl(request.url);
      const completed = response.writableFinished;
      // Probes hit these every few seconds; only their failures are worth a line.
      const isProbe = path === '/healthz' || path === '/readyz';
      if (isProbe && completed && response.statusCode < 400) return;
      log(
        logLine('info', 'request', {
          method: request.method,
          path, // never the query string: it may carry a query's variables
          status: response.statusCode,
          durationMs: Number((process.hrtime.bigint() - startedAt) / 1_000n) / 1000,
          ...(completed ? {} : { aborted: true }),
        }),
      );
    });
    route(request, response).catch((error: unknown) => {
      log(
        logLine('error', 'request failed', {
          path: splitUrl(request.url).path,
          error: describeError(error),
        }),
      );
      if (!response.headersSent) {
        response.setHeader('connection', 'close');
        sendError(response, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error.');
      } else {
        response.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) =>
    log(logLine('error', 'http server error', { error: describeError(error) })),
  );

  const url = `http://${urlHost(server.address() as AddressInfo)}`;

  const drain = async (): Promise<void> => {
    log(logLine('info', 'draining', { drainDelayMs: settings.drainDelayMs, inFlight: open.size }));
    // Responses begun before the drain close their connections too; those begun since already do.
    for (const response of open) {
      if (!response.headersSent) response.setHeader('connection', 'close');
    }
    if (settings.drainDelayMs > 0) await delay(settings.drainDelayMs);
    log(logLine('info', 'closing the listener', { inFlight: open.size }));
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), settings.drainTimeoutMs);
    });
    const finished = await Promise.race([closed.then(() => true as const), timedOut]);
    clearTimeout(timer);
    if (!finished) {
      log(
        logLine('warn', 'drain timed out; closing the remaining connections', {
          drainTimeoutMs: settings.drainTimeoutMs,
        }),
      );
      server.closeAllConnections();
      await closed;
    }
    await options.apollo.stop();
    log(logLine('info', 'stopped'));
  };

  return {
    url,
    graphqlUrl: `${url}${GRAPHQL_PATH}`,
    server,
    drainBudgetMs: settings.drainDelayMs + settings.drainTimeoutMs,
    close: () => {
      // Draining starts a microtask later, so no work of it runs before the state says so.
      if (state.phase === 'serving')
        state = { phase: 'draining', done: Promise.resolve().then(drain) };
      return state.done;
    },
  };
}

// ---------------------------------------------------------------------------------------------

function hasQuery(search: string): boolean {
  return new URLSearchParams(search).has('query');
}

function toHeaderMap(request: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * The load balancer may still send a request or two before it sees `/readyz` fail. The request
 * is not run, so a client may send it again at once; through the load balancer it then reaches
 * another instance.
 */
function refuseWhileDraining(response: ServerResponse): void {
  response.setHeader('retry-after', '1');
  sendError(response, 503, 'SHUTTING_DOWN', 'The server is shutting down; send the request again.');
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
