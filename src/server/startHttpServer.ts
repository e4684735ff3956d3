import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import {
  HeaderMap,
  type ApolloServer,
  type BaseContext,
  type HTTPGraphQLRequest,
} from '@apollo/server';
import { logLine } from '../logLine';
import { acceptsGzip, prefersHtml } from './prefersHtml';
import { readRequestBody } from './readRequestBody';
import { renderGraphiqlPage, type GraphiqlPage } from './renderGraphiqlPage';

export interface HttpServerOptions<C extends BaseContext> {
  /**
   * Started (`await apollo.start()`) before this is called. Build it with
   * `stopOnTerminationSignals: false` (installShutdownHandlers owns the signals, and drains HTTP
   * before Apollo stops) and `ApolloServerPluginLandingPageDisabled()` (GraphiQL is served here).
   * Keep csrfPrevention on and allowBatchedHttpRequests off, Apollo's defaults.
   */
  readonly apollo: ApolloServer<C>;
  /** Builds the per-request context (DataLoaders, the feed). */
  readonly context: (request: IncomingMessage) => Promise<C>;
  readonly host: string;
  /** 0 picks a free port; the handle's `url` names the one chosen. */
  readonly port: number;
  /**
   * Serve GraphiQL to a browser's GET of `/graphql`; default true. When false that GET goes to
   * GraphQL like any other (a 400 with a code, since it carries no operation): production mode
   * turns it off with introspection.
   */
  readonly graphiql?: boolean;
  readonly graphiqlTitle?: string;
  /** The query GraphiQL opens with. */
  readonly defaultQuery?: string;
  /** `/readyz` answers 200 only while this is true (default: always). */
  readonly isReady?: () => boolean;
  /** One JSON object per line. Default: stdout. */
  readonly log?: (line: string) => void;
  /** Largest request body accepted; default 1 MiB (reliability matrix S6). */
  readonly bodyLimitBytes?: number;
  /** Time to receive a request's headers; default 10 s (matrix S9, slowloris). */
  readonly headersTimeoutMs?: number;
  /** Time to receive a whole request; default 30 s. */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open; default 5 s. */
  readonly keepAliveTimeoutMs?: number;
  /**
   * On close, how long the listener stays open while `/readyz` answers 503 and new GraphQL
   * requests are refused with 503, so a load balancer sees the instance leave before its
   * connections are refused; default 0 (the listener closes at once).
   */
  readonly drainDelayMs?: number;
  /**
   * After the drain delay, how long in-flight requests may take before their sockets are
   * destroyed; default 10 s.
   */
  readonly drainTimeoutMs?: number;
}

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

const DEFAULTS = {
  bodyLimitBytes: 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  drainDelayMs: 0,
  drainTimeoutMs: 10_000,
} as const;

const GRAPHQL_PATH = '/graphql';

/** The codes of errors this layer answers itself, before a request reaches GraphQL. */
export type HttpErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** A GraphQL request that arrived after the drain began (HTTP 503); it was not run. */
  | 'SHUTTING_DOWN'
  | 'INTERNAL_SERVER_ERROR';

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
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  assertSettings(settings);
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

type Settings = { -readonly [K in keyof typeof DEFAULTS]: number };

function definedOnly<C extends BaseContext>(options: HttpServerOptions<C>): Partial<Settings> {
  const result: Partial<Settings> = {};
  for (const key of Object.keys(DEFAULTS) as (keyof Settings)[]) {
    const value = options[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}

function assertSettings(settings: Settings): void {
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`startHttpServer: ${name} must be a finite number >= 0`);
    }
  }
  if (settings.bodyLimitBytes < 1)
    throw new RangeError('startHttpServer: bodyLimitBytes must be >= 1');
  if (settings.requestTimeoutMs > 0 && settings.headersTimeoutMs > settings.requestTimeoutMs) {
    throw new RangeError('startHttpServer: headersTimeoutMs must not exceed requestTimeoutMs');
  }
}

function splitUrl(url: string | undefined): { path: string; search: string } {
  const raw = url ?? '/';
  const mark = raw.indexOf('?');
  return mark === -1
    ? { path: raw, search: '' }
    : { path: raw.slice(0, mark), search: raw.slice(mark) };
}

function hasQuery(search: string): boolean {
  return new URLSearchParams(search).has('query');
}

function allowMethod(
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

type GraphqlBody = { readonly ok: true; readonly body: unknown } | { readonly ok: false };

/**
 * The POST body as Apollo expects it: parsed JSON for `application/json`, undefined for any other
 * type, so Apollo's CSRF prevention sees the content type as sent and refuses a `text/plain` or
 * form post (matrix S8) the way it does on every integration. A JSON array stays an array for
 * Apollo to refuse, since batching is off (S4).
 */
async function readGraphqlBody(
  request: IncomingMessage,
  response: ServerResponse,
  limitBytes: number,
): Promise<GraphqlBody> {
  const read = await readRequestBody(request, limitBytes);
  switch (read.kind) {
    case 'aborted':
      response.destroy();
      return { ok: false };
    case 'too-large':
      // The rest of the body is not read: the connection cannot carry another request.
      response.setHeader('connection', 'close');
      sendError(
        response,
        413,
        'PAYLOAD_TOO_LARGE',
        `The request body exceeds ${limitBytes} bytes.`,
      );
      return { ok: false };
    case 'complete':
      break;
  }
  const contentType = parseContentType(request.headers['content-type']);
  if (contentType?.type !== 'application/json') return { ok: true, body: undefined };
  if (contentType.charset !== undefined && !/^utf-?8$/i.test(contentType.charset)) {
    sendError(response, 415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body must be UTF-8 JSON.');
    return { ok: false };
  }
  if (read.bytes.length === 0) return { ok: true, body: undefined };
  try {
    return { ok: true, body: JSON.parse(read.bytes.toString('utf8')) as unknown };
  } catch {
    sendError(response, 400, 'BAD_REQUEST', 'The request body is not valid JSON.');
    return { ok: false };
  }
}

function parseContentType(header: string | undefined): { type: string; charset?: string } | null {
  if (header === undefined) return null;
  const [type = '', ...parameters] = header.split(';').map((part) => part.trim());
  const charset = parameters
    .map((parameter) => /^charset\s*=\s*"?([^";]*)"?$/i.exec(parameter)?.[1])
    .find((value) => value !== undefined);
  return { type: type.toLowerCase(), ...(charset === undefined ? {} : { charset }) };
}

function toHeaderMap(request: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * The page is ~9 MB: it goes out gzipped when the browser takes gzip, and with a validator, so a
 * reload costs a 304. `no-cache` (revalidate every time) rather than a max-age, so a new release
 * shows at once.
 */
async function sendGraphiql(
  request: IncomingMessage,
  response: ServerResponse,
  page: GraphiqlPage,
): Promise<void> {
  const zipped = acceptsGzip(request.headers['accept-encoding']);
  const etag = zipped ? page.gzipEtag : page.identityEtag;
  response.setHeader('content-type', 'text/html; charset=utf-8');
  response.setHeader('cache-control', 'no-cache');
  response.setHeader('etag', etag);
  response.setHeader('vary', 'Accept, Accept-Encoding');
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('referrer-policy', 'no-referrer');
  // GraphiQL runs operations with the user's cookies: it must not be framed by another site.
  response.setHeader('content-security-policy', "frame-ancestors 'none'");
  if (matchesEtag(request.headers['if-none-match'], etag)) {
    response.statusCode = 304;
    response.end();
    return;
  }
  const body = zipped ? page.gzip : page.identity;
  if (zipped) response.setHeader('content-encoding', 'gzip');
  response.setHeader('content-length', body.length);
  response.statusCode = 200;
  await new Promise<void>((resolve) => response.end(body, resolve));
}

function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  // Weak comparison (RFC 9110 §13.1.2): a proxy may have marked our tag weak (W/).
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('cache-control', 'no-store');
  response.setHeader('content-length', Buffer.byteLength(text));
  response.end(text);
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

/** Errors in the GraphQL response shape, so a client reads every failure of /graphql one way. */
function sendError(
  response: ServerResponse,
  status: number,
  code: HttpErrorCode,
  message: string,
): void {
  sendJson(response, status, { errors: [{ message, extensions: { code } }] });
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
