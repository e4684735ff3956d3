import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import gql from 'graphql-tag';
import {
  startHttpServer,
  type HttpServerHandle,
  type HttpServerOptions,
} from '../../../src/server/startHttpServer';
import { BROWSER_ACCEPT, json, postGraphql, rawExchange, send } from './httpTestClient';
import { SILENT_LOGGER } from '../../../src/model/Logger';
import { lineLogger } from '../../support/lineLogger';

interface TestContext {
  readonly user: string | null;
}

const typeDefs = gql`
  type Query {
    hello: String
    whoami: String
    slow: String
  }
`;

/** Lets a test hold `slow` open for as long as it needs a request in flight. */
interface Gate {
  /** Resolves when a `slow` resolver has started. */
  readonly entered: Promise<void>;
  pass(): Promise<void>;
  release(): void;
}

function createGate(): Gate {
  let enter = (): void => undefined;
  let release = (): void => undefined;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const opened = new Promise<void>((resolve) => (release = resolve));
  return {
    entered,
    pass: () => {
      enter();
      return opened;
    },
    release: () => release(),
  };
}

let gate = createGate();
/** How often `hello` has run, so a test can tell a refused request from one that ran. */
let helloRuns = 0;
const handles: HttpServerHandle[] = [];

function createApollo(
  options: { landingPage?: boolean; cacheControl?: boolean } = {},
): ApolloServer<TestContext> {
  return new ApolloServer<TestContext>({
    typeDefs,
    resolvers: {
      Query: {
        hello: () => {
          helloRuns += 1;
          return 'world';
        },
        whoami: (_parent: unknown, _args: unknown, context: TestContext) => context.user,
        slow: async () => {
          await gate.pass();
          return 'done';
        },
      },
    },
    stopOnTerminationSignals: false,
    plugins: [
      ...(options.landingPage === true ? [] : [ApolloServerPluginLandingPageDisabled()]),
      ...(options.cacheControl === false ? [ApolloServerPluginCacheControlDisabled()] : []),
    ],
  });
}

async function start(
  options: Partial<HttpServerOptions<TestContext>> & { landingPage?: boolean } = {},
): Promise<
  HttpServerHandle & { readonly apollo: ApolloServer<TestContext>; readonly logs: string[] }
> {
  const apollo = options.apollo ?? createApollo({ landingPage: options.landingPage ?? false });
  await apollo.start();
  const logs: string[] = [];
  const handle = await startHttpServer<TestContext>({
    context: (request: IncomingMessage) =>
      Promise.resolve({ user: (request.headers['x-test-user'] as string | undefined) ?? null }),
    host: '127.0.0.1',
    port: 0,
    logger: lineLogger((line) => logs.push(line)),
    ...options,
    apollo,
  });
  handles.push(handle);
  return { ...handle, apollo, logs };
}

beforeEach(() => {
  gate = createGate();
  helloRuns = 0;
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

afterEach(async () => {
  gate.release();
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
});

describe('startHttpServer: GraphQL', () => {
  it('answers a POST of application/json', async () => {
    const { url } = await start();
    const response = await postGraphql(url, { query: '{ hello }' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/(graphql-response\+)?json/);
    expect(json(response)).toEqual({ data: { hello: 'world' } });
  });

  it('forbids caching every GraphQL answer, with Apollo’s cache control off', async () => {
    const { url } = await start({ apollo: createApollo({ cacheControl: false }) });
    const response = await postGraphql(url, { query: '{ hello }' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const refused = await postGraphql(url, { query: '{ nope }' });
    expect(refused.status).toBe(400);
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('answers a GET with a query and a CSRF preflight header', async () => {
    const { url } = await start();
    const response = await send(url, {
      path: `/graphql?query=${encodeURIComponent('{ hello }')}`,
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    expect(json(response)).toEqual({ data: { hello: 'world' } });
  });

  it('builds the context from the request', async () => {
    const { url } = await start();
    const response = await postGraphql(url, { query: '{ whoami }' }, { 'x-test-user': 'ada' });
    expect(json(response)).toEqual({ data: { whoami: 'ada' } });
  });

  it('reports the origin and the endpoint it listens on', async () => {
    const handle = await start();
    expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(handle.graphqlUrl).toBe(`${handle.url}/graphql`);
    expect(new URL(handle.url).port).not.toBe('0');
  });

  it.each<[string, { headers: Record<string, string>; body: string }, string]>([
    [
      'refuses a POST of text/plain (CSRF, matrix S8)',
      { headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ hello }' }) },
      'Cross-Site Request Forgery',
    ],
    [
      'refuses a POST of a form (CSRF)',
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'query=%7B%20hello%20%7D',
      },
      'Cross-Site Request Forgery',
    ],
    [
      'refuses a batch, a JSON array (matrix S4)',
      {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ query: '{ hello }' }, { query: '{ hello }' }]),
      },
      'Operation batching disabled',
    ],
    [
      'refuses a body that is not JSON',
      { headers: { 'content-type': 'application/json' }, body: '{"query": ' },
      'The request body is not valid JSON.',
    ],
    [
      'refuses an empty JSON body',
      { headers: { 'content-type': 'application/json' }, body: '' },
      'POST body missing',
    ],
  ])('%s with 400', async (_name, request, message) => {
    const { url } = await start();
    const response = await send(url, { method: 'POST', path: '/graphql', ...request });
    expect(response.status).toBe(400);
    expect(response.text).toContain(message);
  });

  it('refuses a GET without a CSRF preflight header with 400 (matrix S8)', async () => {
    const { url } = await start();
    const response = await send(url, { path: `/graphql?query=${encodeURIComponent('{ hello }')}` });
    expect(response.status).toBe(400);
    expect(response.text).toContain('Cross-Site Request Forgery');
  });

  it('refuses a JSON body in another charset than UTF-8 with 415', async () => {
    const { url } = await start();
    const response = await send(url, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    expect(response.status).toBe(415);
    expect(json(response)).toEqual({
      errors: [
        {
          message: 'The request body must be UTF-8 JSON.',
          extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' },
        },
      ],
    });
  });

  it('accepts an explicit UTF-8 charset', async () => {
    const { url } = await start();
    const response = await send(url, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    expect(json(response)).toEqual({ data: { hello: 'world' } });
  });
});

describe('startHttpServer: request body limit (matrix S6)', () => {
  const tooLarge = {
    errors: [
      {
        message: 'The request body exceeds 1024 bytes.',
        extensions: { code: 'PAYLOAD_TOO_LARGE' },
      },
    ],
  };

  it.each([
    ['a declared Content-Length', false],
    ['a chunked body', true],
  ])('refuses a body over the limit with 413, given %s', async (_name, chunked) => {
    const { url } = await start({ bodyLimitBytes: 1024 });
    const body = JSON.stringify({ query: `{ hello }${' '.repeat(2048)}` });
    const response = await send(url, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body,
      chunked,
    });
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe('close');
    expect(json(response)).toEqual(tooLarge);
  });

  it('accepts a body of exactly the limit', async () => {
    const { url } = await start({ bodyLimitBytes: 1024 });
    const prefix = JSON.stringify({ query: '{ hello }' }).slice(0, -2);
    const body = `${prefix}${' '.repeat(1024 - prefix.length - 2)}"}`;
    expect(Buffer.byteLength(body)).toBe(1024);
    const response = await postGraphqlRaw(url, body);
    expect(json(response)).toEqual({ data: { hello: 'world' } });
  });

  it('has a default limit of 1 MiB', async () => {
    const { url } = await start();
    const query = (size: number): string => {
      const prefix = '{"query":"{ hello }';
      return `${prefix}${' '.repeat(size - prefix.length - 2)}"}`;
    };
    expect((await postGraphqlRaw(url, query(1024 * 1024))).status).toBe(200);
    expect((await postGraphqlRaw(url, query(1024 * 1024 + 1))).status).toBe(413);
  });

  function postGraphqlRaw(url: string, body: string): ReturnType<typeof send> {
    return send(url, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body,
    });
  }
});

describe('startHttpServer: GraphiQL', () => {
  const defaultQuery = '# the example\nquery Example { hello }';

  it('serves GraphiQL to a browser, with the title and the default query, from nowhere but here', async () => {
    const { url } = await start({ graphiqlTitle: 'auditgraph', defaultQuery });
    const response = await send(url, { path: '/graphql', headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = response.text;
    expect(html).toContain('YogaGraphiQL.renderYogaGraphiQL');
    expect(html).toContain('<title>auditgraph</title>');
    expect(html).toContain(JSON.stringify(defaultQuery));
    expect(html).toContain('"endpoint":"/graphql"');
    // No script, stylesheet, icon or frame is fetched from another origin.
    const external = [
      ...html.matchAll(
        /<(?:script|link|iframe|img)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//gi,
      ),
    ];
    expect(external.map((match) => match[0])).toEqual([]);
    expect(html).not.toMatch(/cdn\.jsdelivr|unpkg\.com|apollographql\.com|fonts\.googleapis/);
  });

  it('escapes the title for HTML', async () => {
    const { url } = await start({ graphiqlTitle: 'a <b> & "c"' });
    const response = await send(url, { path: '/graphql', headers: { accept: BROWSER_ACCEPT } });
    expect(response.text).toContain('<title>a &#60;b&#62; &#38; &#34;c&#34;</title>');
  });

  it('gzips the page for a browser that accepts gzip', async () => {
    const { url } = await start();
    const plain = await send(url, { path: '/graphql', headers: { accept: BROWSER_ACCEPT } });
    const zipped = await send(url, {
      path: '/graphql',
      headers: { accept: BROWSER_ACCEPT, 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    expect(zipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect(plain.body.length).toBeGreaterThan(1_000_000);
  });

  it('sends a validator per coding and answers a matching If-None-Match with 304', async () => {
    const { url } = await start();
    const headers = { accept: BROWSER_ACCEPT, 'accept-encoding': 'gzip' };
    const first = await send(url, { path: '/graphql', headers });
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[\w-]+-gz"$/);
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(first.headers.vary).toBe('Accept, Accept-Encoding');

    const again = await send(url, {
      path: '/graphql',
      headers: { ...headers, 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);

    const weak = await send(url, {
      path: '/graphql',
      headers: { ...headers, 'if-none-match': `W/${etag}` },
    });
    expect(weak.status).toBe(304);

    const identity = await send(url, {
      path: '/graphql',
      headers: { accept: BROWSER_ACCEPT, 'if-none-match': etag },
    });
    expect(identity.status).toBe(200);
    expect(identity.headers.etag).not.toBe(etag);
  });

  it('keeps the page from being framed by another site', async () => {
    const { url } = await start();
    const response = await send(url, { path: '/graphql', headers: { accept: BROWSER_ACCEPT } });
    expect(response.headers['content-security-policy']).toBe("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('leaves a GET with a query to GraphQL, even from a browser', async () => {
    const { url } = await start();
    const response = await send(url, {
      path: `/graphql?query=${encodeURIComponent('{ hello }')}`,
      headers: { accept: `application/json, ${BROWSER_ACCEPT}`, 'apollo-require-preflight': '1' },
    });
    expect(json(response)).toEqual({ data: { hello: 'world' } });
  });

  it('leaves a GET that does not ask for HTML to GraphQL', async () => {
    const { url } = await start();
    const response = await send(url, { path: '/graphql', headers: { accept: '*/*' } });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/json/);
  });

  it("shows GraphiQL instead of Apollo's CDN-hosted landing page when that is left on", async () => {
    const { url } = await start({ landingPage: true });
    const response = await send(url, {
      path: `/graphql?query=${encodeURIComponent('{ hello }')}`,
      headers: { accept: BROWSER_ACCEPT },
    });
    expect(response.status).toBe(200);
    expect(response.text).toContain('YogaGraphiQL');
    expect(response.text).not.toContain('apollographql.com');
  });

  it('does not serve GraphiQL when it is off: a browser GET goes to GraphQL and gets a 400 with a code', async () => {
    const { url } = await start({ graphiql: false });
    const response = await send(url, {
      path: '/graphql',
      headers: { accept: BROWSER_ACCEPT, 'accept-encoding': 'gzip' },
    });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/json/);
    expect(response.text).not.toContain('GraphiQL');
    expect(json(response)).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('still answers GraphQL over GET when GraphiQL is off', async () => {
    const { url } = await start({ graphiql: false });
    const response = await send(url, {
      path: `/graphql?query=${encodeURIComponent('{ hello }')}`,
      headers: { accept: BROWSER_ACCEPT, 'apollo-require-preflight': '1' },
    });
    expect(json(response)).toEqual({ data: { hello: 'world' } });
  });

  it("shows neither GraphiQL nor Apollo's landing page when GraphiQL is off and Apollo's is left on", async () => {
    const { url } = await start({ graphiql: false, landingPage: true });
    const response = await send(url, {
      path: `/graphql?query=${encodeURIComponent('{ hello }')}`,
      headers: { accept: BROWSER_ACCEPT },
    });
    expect(response.status).toBe(400);
    expect(json(response)).toEqual({
      errors: [{ message: 'Send a GraphQL operation.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('answers 500 and logs when the page cannot be rendered', async () => {
    const { url, logs } = await start({ defaultQuery: '# </script><script>alert(1)</script>' });
    const response = await send(url, { path: '/graphql', headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(500);
    expect(json(response)).toEqual({
      errors: [
        { message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      ],
    });
    expect(logs.some((line) => line.includes('request failed') && line.includes('</script'))).toBe(
      true,
    );
  });
});

describe('startHttpServer: health and readiness', () => {
  it('answers /healthz with 200 while the process runs', async () => {
    const { url } = await start({ isReady: () => false });
    const response = await send(url, { path: '/healthz' });
    expect(response.status).toBe(200);
    expect(json(response)).toEqual({ status: 'ok' });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('answers HEAD /healthz without a body', async () => {
    const { url } = await start();
    const response = await send(url, { method: 'HEAD', path: '/healthz' });
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(0);
  });

  it('answers /readyz with 503 starting, then 200 ready', async () => {
    let ready = false;
    const { url } = await start({ isReady: () => ready });
    const before = await send(url, { path: '/readyz' });
    expect(before.status).toBe(503);
    expect(json(before)).toEqual({ status: 'starting' });
    ready = true;
    const after = await send(url, { path: '/readyz' });
    expect(after.status).toBe(200);
    expect(json(after)).toEqual({ status: 'ready' });
  });

  it('is ready by default', async () => {
    const { url } = await start();
    expect(json(await send(url, { path: '/readyz' }))).toEqual({ status: 'ready' });
  });
});

describe('startHttpServer: routes and methods', () => {
  it.each([
    ['/', 'GET'],
    ['/graphql/', 'GET'],
    ['/graphiql', 'GET'],
    ['/healthz/extra', 'GET'],
  ])('answers %s with 404', async (path, method) => {
    const { url } = await start();
    const response = await send(url, { method, path });
    expect(response.status).toBe(404);
    expect(json(response)).toEqual({
      errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }],
    });
  });

  it.each([
    ['/graphql', 'PUT', 'GET, POST'],
    ['/graphql', 'DELETE', 'GET, POST'],
    ['/graphql', 'OPTIONS', 'GET, POST'],
    ['/healthz', 'POST', 'GET, HEAD'],
    ['/readyz', 'DELETE', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (path, method, allow) => {
    const { url } = await start();
    const response = await send(url, { method, path });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(json(response)).toMatchObject({
      errors: [{ extensions: { code: 'METHOD_NOT_ALLOWED' } }],
    });
  });
});

describe('startHttpServer: timeouts', () => {
  it('closes a connection whose headers trickle in past headersTimeout (slowloris, matrix S9)', async () => {
    const { url } = await start({ headersTimeoutMs: 300, requestTimeoutMs: 2_000 });
    const slow = rawExchange(url, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1');
    // The server keeps answering others meanwhile.
    expect((await send(url, { path: '/healthz' })).status).toBe(200);
    const { received, closedAfterMs } = await slow;
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(250);
    expect(closedAfterMs).toBeLessThan(2_000);
  });

  it('refuses settings where the headers may take longer than the whole request', async () => {
    const apollo = createApollo();
    await apollo.start();
    await expect(
      startHttpServer({
        apollo,
        context: () => Promise.resolve({ user: null }),
        host: '127.0.0.1',
        port: 0,
        headersTimeoutMs: 5_000,
        requestTimeoutMs: 1_000,
        logger: SILENT_LOGGER,
      }),
    ).rejects.toThrow('headersTimeoutMs must not exceed requestTimeoutMs');
    await apollo.stop();
  });

  it('rejects when the port is taken', async () => {
    const first = await start();
    const apollo = createApollo();
    await apollo.start();
    await expect(
      startHttpServer({
        apollo,
        context: () => Promise.resolve({ user: null }),
        host: '127.0.0.1',
        port: Number(new URL(first.url).port),
        logger: SILENT_LOGGER,
      }),
    ).rejects.toThrow(/EADDRINUSE/);
    await apollo.stop();
  });
});

describe('startHttpServer: close', () => {
  /** A client that would keep its connection open, so the server's Connection: close means something. */
  const KEEP_ALIVE = { connection: 'keep-alive' };

  it('keeps listening through drainDelayMs with /readyz at 503, then refuses connections', async () => {
    const handle = await start({ drainDelayMs: 300 });
    const closing = handle.close();
    const response = await send(handle.url, { path: '/readyz', headers: KEEP_ALIVE });
    expect(response.status).toBe(503);
    expect(json(response)).toEqual({ status: 'draining' });
    expect(response.headers.connection).toBe('close');
    // Still alive, not ready: probes keep their meaning.
    expect((await send(handle.url, { path: '/healthz' })).status).toBe(200);
    await closing;
    await expect(send(handle.url, { path: '/readyz' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses a GraphQL request that arrives during the drain with 503, running nothing', async () => {
    const handle = await start({ drainDelayMs: 300 });
    expect((await postGraphql(handle.url, { query: '{ hello }' })).status).toBe(200);
    expect(helloRuns).toBe(1);
    const closing = handle.close();
    const response = await postGraphql(handle.url, { query: '{ hello }' }, KEEP_ALIVE);
    expect(response.status).toBe(503);
    expect(response.headers.connection).toBe('close');
    expect(response.headers['retry-after']).toBe('1');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json(response)).toEqual({
      errors: [
        {
          message: 'The server is shutting down; send the request again.',
          extensions: { code: 'SHUTTING_DOWN' },
        },
      ],
    });
    expect(helloRuns).toBe(1);
    await closing;
  });

  it('refuses a GraphQL GET during the drain too', async () => {
    const handle = await start({ drainDelayMs: 300 });
    const closing = handle.close();
    const response = await send(handle.url, {
      path: `/graphql?query=${encodeURIComponent('{ hello }')}`,
      headers: { 'apollo-require-preflight': '1' },
    });
    expect(response.status).toBe(503);
    expect(json(response)).toMatchObject({ errors: [{ extensions: { code: 'SHUTTING_DOWN' } }] });
    expect(helloRuns).toBe(0);
    await closing;
  });

  it('lets a request in flight when the drain began finish with 200 and Connection: close', async () => {
    const handle = await start({ drainDelayMs: 300 });
    const inFlight = postGraphql(handle.url, { query: '{ slow }' }, KEEP_ALIVE);
    await gate.entered;
    const closing = handle.close();
    // Requests that come after the drain began are refused while this one runs on.
    expect((await postGraphql(handle.url, { query: '{ hello }' })).status).toBe(503);
    gate.release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(json(response)).toEqual({ data: { slow: 'done' } });
    expect(response.headers.connection).toBe('close');
    await closing;
  });

  it('reports how long its drain may take', async () => {
    const handle = await start({ drainDelayMs: 300, drainTimeoutMs: 2_000 });
    expect(handle.drainBudgetMs).toBe(2_300);
  });

  it('stops accepting connections once closed', async () => {
    const handle = await start();
    await handle.close();
    await expect(send(handle.url, { path: '/healthz' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('lets an in-flight request finish before it resolves, then stops Apollo', async () => {
    const handle = await start();
    const events: string[] = [];
    const stop = handle.apollo.stop.bind(handle.apollo);
    jest.spyOn(handle.apollo, 'stop').mockImplementation(() => {
      events.push('apollo stopped');
      return stop();
    });
    const inFlight = postGraphql(handle.url, { query: '{ slow }' });
    await gate.entered;
    const closing = handle.close().then(() => events.push('closed'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events).toEqual([]);
    await expect(send(handle.url, { path: '/healthz' })).rejects.toThrow(/ECONNREFUSED/);

    events.push('released');
    gate.release();
    const response = await inFlight;
    expect(json(response)).toEqual({ data: { slow: 'done' } });
    expect(response.headers.connection).toBe('close');
    await closing;
    expect(events).toEqual(['released', 'apollo stopped', 'closed']);
  });

  it('destroys what is still in flight after drainTimeoutMs', async () => {
    const handle = await start({ drainTimeoutMs: 200 });
    const inFlight = postGraphql(handle.url, { query: '{ slow }' });
    await gate.entered;
    const startedAt = Date.now();
    await handle.close();
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    await expect(inFlight).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(handle.logs.some((line) => line.includes('drain timed out'))).toBe(true);
  });

  it('closes idle keep-alive connections at once', async () => {
    const handle = await start({ keepAliveTimeoutMs: 60_000 });
    const { Agent, request } = await import('node:http');
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      request(`${handle.url}/healthz`, { agent }, (response) => {
        response.resume();
        response.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    const startedAt = Date.now();
    await handle.close();
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    agent.destroy();
  });

  it('is idempotent', async () => {
    const handle = await start();
    const first = handle.close();
    const second = handle.close();
    expect(second).toBe(first);
    await first;
    await handle.close();
  });
});

describe('startHttpServer: logs', () => {
  it('logs one JSON line per request, with neither query string nor headers', async () => {
    const { url, logs } = await start();
    const secret = 'Bearer SECRET-in-a-header-8c1f';
    await send(url, {
      path: `/graphql?query=${encodeURIComponent('{ hello }')}&variables=SECRET-in-the-query-3b7d`,
      headers: { authorization: secret, 'apollo-require-preflight': '1' },
    });
    await postGraphql(
      url,
      { query: '{ hello }', variables: { token: 'SECRET-in-the-body-9e2a' } },
      {
        authorization: secret,
      },
    );
    const requestLines = (): Record<string, unknown>[] =>
      logs
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.msg === 'request');
    // The server logs when its side of the exchange closes, which may trail the client's view.
    await waitFor(() => requestLines().length >= 2);
    const requests = requestLines();
    expect(requests).toEqual([
      expect.objectContaining({
        level: 'info',
        method: 'GET',
        path: '/graphql',
        status: expect.any(Number),
      }),
      expect.objectContaining({ level: 'info', method: 'POST', path: '/graphql', status: 200 }),
    ]);
    expect(logs.join('\n')).not.toMatch(/SECRET/);
  });

  it('does not log successful probes', async () => {
    const { url, logs } = await start();
    await send(url, { path: '/healthz' });
    await send(url, { path: '/readyz' });
    await send(url, { path: '/nowhere' });
    // The 404 is logged; by the time it is, the probes before it would have been too.
    await waitFor(() => logs.some((line) => line.includes('/nowhere')));
    expect(logs.filter((line) => line.includes('"msg":"request"'))).toHaveLength(1);
  });
});

describe('startHttpServer: request ids, the request observer and extra routes', () => {
  it('keeps a sane x-request-id, replaces any other, and answers with it', async () => {
    const { url } = await start();
    const kept = await send(url, {
      path: '/healthz',
      headers: { 'x-request-id': 'router-7f3a.01' },
    });
    expect(kept.headers['x-request-id']).toBe('router-7f3a.01');
    for (const bad of ['has space', 'x'.repeat(129), '{"json":1}']) {
      const replaced = await send(url, { path: '/healthz', headers: { 'x-request-id': bad } });
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    const fresh = await send(url, { path: '/healthz' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('runs every request inside observeRequest, with its id, method and path only', async () => {
    const seen: string[] = [];
    const { url } = await start({
      observeRequest: async (request, handle) => {
        seen.push(`${request.requestId} ${request.method} ${request.path} >`);
        await handle();
        seen.push(`< ${request.requestId}`);
      },
    });
    const response = await postGraphql(
      `${url}`,
      { query: '{ hello }' },
      { 'x-request-id': 'req-1' },
    );
    expect(response.status).toBe(200);
    expect(seen).toEqual(['req-1 POST /graphql >', '< req-1']);
  });

  it('serves an extra route on its exact path, also while draining', async () => {
    const handle = await start({
      drainDelayMs: 300,
      extraRoutes: new Map([
        [
          '/metrics',
          (_request, response) => {
            response.end('up 1\n');
            return Promise.resolve();
          },
        ],
      ]),
    });
    expect((await send(handle.url, { path: '/metrics' })).text).toBe('up 1\n');
    expect((await send(handle.url, { path: '/metrics/x' })).status).toBe(404);
    const closing = handle.close();
    expect((await send(handle.url, { path: '/metrics' })).text).toBe('up 1\n');
    await closing;
  });
});
