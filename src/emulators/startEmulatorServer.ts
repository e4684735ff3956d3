import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The HTTP harness every emulator runs on: routing, the recording of what was asked, and the
 * knobs tests turn (latency, injected faults). The emulators themselves are plain route tables.
 */

export interface EmulatorRequest {
  readonly method: string;
  /** The decoded path, without the query string. */
  readonly path: string;
  /** Decoded query parameters; `page%5Bnumber%5D` and `page[number]` both arrive as `page[number]`. */
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body of a POST, or null. */
  readonly body: unknown;
  /** Path parameters of the matched route (`:id` → `params.id`). */
  readonly params: Readonly<Record<string, string>>;
  /** The server's knobs as they stand when the request is handled. */
  readonly knobs: Readonly<EmulatorKnobs>;
  /**
   * Where the client called, for absolute links: `http://` and its Host header, or the server's
   * own URL when it sent none.
   */
  readonly origin: string;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A value sent as JSON; a string is sent as it is; undefined sends an empty body. */
  readonly body?: unknown;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  /** A path with `:name` segments, e.g. `/events/:id`. */
  readonly pattern: string;
  readonly handle: (request: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;
}

/** One injected fault, used by the next matching request(s). */
export type Fault =
  | {
      readonly type: 'status';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: unknown;
    }
  /** Destroy the socket before any response. */
  | { readonly type: 'reset' }
  /** 200 with a body that is not JSON. */
  | { readonly type: 'bad-json' }
  /** Send the headers, then hold the body back for `delayMs` (less if the client goes). */
  | { readonly type: 'slow-body'; readonly delayMs: number }
  /**
   * Send nothing, not even the headers, for `delayMs` (less if the client goes), then answer as
   * usual: an upstream that accepted the connection and stalls.
   */
  | { readonly type: 'hang'; readonly delayMs: number }
  /**
   * Send the usual response with a Content-Length one byte larger than what follows: the first
   * `bytes` of the body (default: all of it, so what arrives may even parse), then close the
   * connection. A body cut short must be a failure, never a short page.
   */
  | { readonly type: 'truncated-body'; readonly bytes?: number };

export interface FaultRule {
  readonly fault: Fault;
  /** Only requests whose path starts with this (default: every request). */
  readonly pathPrefix?: string;
  /** How many requests it applies to (default: 1). */
  times?: number;
}

export interface EmulatorKnobs {
  /** Added before every response. */
  latencyMs: number;
  /**
   * Order events with equal timestamps differently for each different query (the order stays
   * fixed along one query paged by offset, or one chain of cursors), as real upstreams may.
   */
  shuffleTies: boolean;
  readonly faults: FaultRule[];
  /**
   * The provider's limit, enforced: a burst, then a steady rate per second, counted over every
   * request; a request over it is answered 429 with `Retry-After`. Null: no limit (the demo).
   */
  rateLimit: { readonly burst: number; readonly perSecond: number } | null;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

export interface EmulatorServerOptions {
  readonly name: string;
  readonly routes: readonly Route[];
  /** Checks the credential; returns the provider's error response when it is refused. */
  readonly authenticate: (request: EmulatorRequest) => EmulatorResponse | null;
  /** The provider's response for an unknown path. */
  readonly notFound: (request: EmulatorRequest) => EmulatorResponse;
  /** Content type of JSON responses (Fastly: application/vnd.api+json). */
  readonly contentType?: string;
  /** Where to listen (default 127.0.0.1, a free port); undefined as if absent. */
  readonly host?: string | undefined;
  readonly port?: number | undefined;
}

export interface EmulatorServer {
  readonly name: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly knobs: EmulatorKnobs;
  /** Every request received, in order (cleared by `resetRequests`). */
  readonly requests: readonly RecordedRequest[];
  resetRequests(): void;
  /** Requests answered 429 because they were over `knobs.rateLimit`. */
  tooManyRequests(): number;
  /** TCP connections open to the server now, idle keep-alive ones included. */
  openConnections(): number;
  /**
   * Requests received whose response has not finished and whose connection is still open: after
   * a client gave up on a hang or a slow body, 0 shows it closed its socket rather than leave it.
   */
  pendingResponses(): number;
  close(): Promise<void>;
}

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly string[];
}

export async function startEmulatorServer(options: EmulatorServerOptions): Promise<EmulatorServer> {
  const compiled: CompiledRoute[] = options.routes.map((route) => ({
    route,
    segments: splitPath(route.pattern),
  }));
  const knobs: EmulatorKnobs = { latencyMs: 0, shuffleTies: true, faults: [], rateLimit: null };
  const limiter = createLimiter(() => knobs.rateLimit);
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let pending = 0;
  const contentType = options.contentType ?? 'application/json';
  // Known once the server listens, before any request arrives.
  let url = '';

  const server = createServer((req, res) => {
    pending += 1;
    // 'close' comes once the response has finished or its connection closed, whichever is first.
    res.once('close', () => {
      pending -= 1;
    });
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestUrl = new URL(req.url ?? '/', 'http://emulator.invalid');
    const rawBody = await readBody(req);
    let body: unknown = null;
    if (rawBody !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
      }
    }
    const path = safeDecode(requestUrl.pathname);
    const method = req.method ?? 'GET';
    requests.push({ method, path, query: requestUrl.searchParams, headers: req.headers, body });

    if (knobs.latencyMs > 0) await delay(knobs.latencyMs);

    const retryAfterSeconds = limiter.take();
    if (retryAfterSeconds !== null) {
      send(
        res,
        {
          status: 429,
          headers: { 'retry-after': String(retryAfterSeconds) },
          body: { message: 'rate limit exceeded' },
        },
        contentType,
      );
      return;
    }

    const fault = takeFault(knobs, path);
    if (fault?.type === 'hang') {
      await delayUnlessClosed(fault.delayMs, res);
      if (res.destroyed) return;
    }
    if (fault?.type === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.type === 'bad-json') {
      send(res, { status: 200, body: '{"data": [ this is not JSON' }, contentType);
      return;
    }
    if (fault?.type === 'status') {
      send(
        res,
        {
          status: fault.status,
          ...(fault.headers ? { headers: fault.headers } : {}),
          body: fault.body,
        },
        contentType,
      );
      return;
    }

    const host = req.headers.host;
    const request: EmulatorRequest = {
      method,
      path,
      query: requestUrl.searchParams,
      headers: req.headers,
      body,
      params: {},
      knobs,
      origin: host !== undefined && host !== '' ? `http://${host}` : url,
    };
    const matched = match(compiled, method, path);
    const authError = options.authenticate(request);
    let response: EmulatorResponse;
    if (authError) response = authError;
    else if (!matched) response = options.notFound(request);
    else response = await matched.route.handle({ ...request, params: matched.params });

    if (fault?.type === 'slow-body') {
      res.writeHead(response.status, { 'content-type': contentType, ...response.headers });
      res.flushHeaders();
      await delayUnlessClosed(fault.delayMs, res);
      if (!res.destroyed) res.end(serialize(response.body));
      return;
    }
    if (fault?.type === 'truncated-body') {
      const payload = Buffer.from(serialize(response.body), 'utf8');
      const sent = payload.subarray(0, Math.max(0, fault.bytes ?? payload.length));
      res.writeHead(response.status, {
        'content-type': contentType,
        ...response.headers,
        'content-length': String(payload.length + 1),
      });
      res.write(sent, () => res.destroy());
      return;
    }
    send(res, response, contentType);
  }

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  return {
    name: options.name,
    url,
    knobs,
    requests,
    resetRequests: () => {
      requests.length = 0;
    },
    tooManyRequests: () => limiter.refused(),
    openConnections: () => sockets.size,
    pendingResponses: () => pending,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The provider's side of a rate limit: a token bucket over every request, refilled with time;
 * a request finding it empty is refused and told how many seconds until a token is back.
 */
function createLimiter(limit: () => EmulatorKnobs['rateLimit']) {
  let tokens: number | null = null;
  let at = Date.now();
  let refused = 0;
  return {
    /** null: let it through; else the Retry-After, in seconds, of its refusal. */
    take(): number | null {
      const current = limit();
      if (current === null) {
        tokens = null;
        return null;
      }
      const nowMs = Date.now();
      tokens = Math.min(
        current.burst,
        (tokens ?? current.burst) + ((nowMs - at) / 1000) * current.perSecond,
      );
      at = nowMs;
      if (tokens >= 1) {
        tokens -= 1;
        return null;
      }
      refused += 1;
      return Math.max(1, Math.ceil((1 - tokens) / current.perSecond));
    },
    refused: () => refused,
  };
}

function takeFault(knobs: EmulatorKnobs, path: string): Fault | null {
  const index = knobs.faults.findIndex(
    (rule) => rule.pathPrefix === undefined || path.startsWith(rule.pathPrefix),
  );
  if (index < 0) return null;
  const rule = knobs.faults[index] as FaultRule;
  const remaining = (rule.times ?? 1) - 1;
  if (remaining <= 0) knobs.faults.splice(index, 1);
  else rule.times = remaining;
  return rule.fault;
}

function match(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | null {
  const segments = splitPath(path);
  for (const { route, segments: pattern } of routes) {
    if (route.method !== method || pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i += 1) {
      const expected = pattern[i] as string;
      const actual = segments[i] as string;
      if (expected.startsWith(':')) params[expected.slice(1)] = actual;
      else ok = expected === actual;
    }
    if (ok) return { route, params };
  }
  return null;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function serialize(body: unknown): string {
  if (body === undefined) return '';
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function send(res: ServerResponse, response: EmulatorResponse, contentType: string): void {
  const payload = serialize(response.body);
  const headers: Record<string, string> = { ...response.headers };
  if (payload !== '' && headers['content-type'] === undefined)
    headers['content-type'] = contentType;
  res.writeHead(response.status, headers);
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits `ms`, or less when the response's connection closes first: a fault that outlived the
 * client would keep a timer, and the test's process, alive for nothing.
 */
function delayUnlessClosed(ms: number, res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}
