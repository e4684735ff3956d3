import { createHash, createHmac } from 'node:crypto';
import type { AuditgraphConfig } from '../../src/config/types';
import { describeConfig } from '../../src/describeConfig';
import type { Demo } from '../../src/emulators/startDemoEmulators';
import { startDemoEmulators } from '../../src/emulators/startDemoEmulators';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, sourcesOf } from '../support/demoConfig';

/**
 * Issue 5, part 5: with known secrets everywhere (the upstream credentials, a client API key, a
 * JWT signing secret, the cursor secret), run the service through every kind of request and
 * failure, and look for each secret in every response (body and headers) and every log line.
 */

const API_KEY = 'agk_hygiene-test-client-key-0123456789abcdef';
const JWT_SECRET = 'hygiene-test-jwt-signing-secret-0123456789';
const CURSOR_SECRET = 'hygiene-test-cursor-secret-0123456789abcdef';
const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'auditgraph';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A compact HS256 JWT, signed here so that the test depends on nothing but node:crypto. */
function signJwt(claims: Record<string, unknown>, secret = JWT_SECRET): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  const signature = createHmac('sha256', secret).update(body).digest('base64url');
  return `${body}.${signature}`;
}

interface Exchange {
  readonly what: string;
  readonly text: string;
}

describe('secret hygiene: no secret in any response or log line', () => {
  let demo: Demo;
  let app: Auditgraph;
  let config: AuditgraphConfig;
  const logs: string[] = [];
  const exchanges: Exchange[] = [];
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const validJwt = () =>
    signJwt({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'jwt-client',
      exp: nowSeconds() + 600,
      auditgraph_sources: '*',
      auditgraph_permissions: ['pii'],
    });

  beforeAll(async () => {
    demo = await startDemoEmulators({ seed: 7, nowMs: Date.now() });
    config = {
      ...DEMO_CONFIG,
      mode: 'live',
      sources: demo.sources,
      cursorSecret: CURSOR_SECRET,
      auth: {
        apiKeys: [
          { id: 'dashboard', sha256: sha256(API_KEY), sources: ['*'], permissions: ['pii'] },
        ],
        jwt: {
          secret: JWT_SECRET,
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          sourcesClaim: 'auditgraph_sources',
          permissionsClaim: 'auditgraph_permissions',
          clockToleranceSeconds: 30,
        },
        allowUnauthenticated: false,
      },
    };
    logs.push(...describeConfig(config));
    app = await startAuditgraph(config, {
      log: (line) => logs.push(line),
      circuitBreaker: { failureThreshold: 1000, openMs: 1000 },
    });
  });
  afterAll(async () => {
    await app.close();
    await demo.close();
  });

  async function send(
    what: string,
    init: { body?: unknown; headers?: Record<string, string>; method?: string; path?: string },
  ): Promise<unknown> {
    const response = await fetch(`${app.url}${init.path ?? '/graphql'}`, {
      method: init.method ?? 'POST',
      headers: { 'content-type': 'application/json', ...init.headers },
      ...(init.body === undefined
        ? {}
        : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    });
    const text = await response.text();
    const headers = JSON.stringify([...response.headers.entries()]);
    exchanges.push({ what, text: `${response.status} ${headers} ${text}` });
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }

  const asKey = { authorization: `Bearer ${API_KEY}` };
  const PAGE = `query Page($after: String) { auditEvents(first: 50, after: $after) {
    edges { cursor node { id nativeId raw changes { before after } actor { id email name ip }
      request { ip userAgent } metadata description } }
    pageInfo { endCursor hasNextPage }
    sources { source { id } state message retryAfterSeconds }
  } }`;

  it('leaks none through a suite of good requests, bad requests and upstream failures', async () => {
    // Good requests, with both kinds of credential, paging with cursors.
    const first = (await send('page 1 with an API key', {
      body: { query: PAGE },
      headers: asKey,
    })) as any;
    const after = first.data.auditEvents.pageInfo.endCursor as string;
    await send('page 2 with an API key', {
      body: { query: PAGE, variables: { after } },
      headers: asKey,
    });
    await send('page 1 with a JWT', {
      body: { query: PAGE },
      headers: { authorization: `Bearer ${validJwt()}` },
    });
    const id = first.data.auditEvents.edges[0].node.id as string;
    await send('auditEvent by id', {
      body: {
        query: `{ auditEvent(id: ${JSON.stringify(id)}) { id raw } auditSources { id kind } }`,
      },
      headers: asKey,
    });

    // Refused credentials.
    await send('no credential', { body: { query: PAGE } });
    await send('a wrong API key', {
      body: { query: PAGE },
      headers: { authorization: `Bearer ${API_KEY}x` },
    });
    await send('a JWT signed with another secret', {
      body: { query: PAGE },
      headers: { authorization: `Bearer ${signJwt({ sub: 'x' }, `${JWT_SECRET}-other`)}` },
    });
    await send('an expired JWT', {
      body: { query: PAGE },
      headers: {
        authorization: `Bearer ${signJwt({ iss: ISSUER, aud: AUDIENCE, sub: 'x', exp: nowSeconds() - 3600 })}`,
      },
    });

    // Bad requests.
    await send('a tampered cursor', {
      body: { query: PAGE, variables: { after: `${after.slice(0, -3)}AAA` } },
      headers: asKey,
    });
    await send('a syntax error', { body: { query: '{ auditEvents(first: ' }, headers: asKey });
    await send('an unknown field', { body: { query: '{ secrets }' }, headers: asKey });
    await send('introspection', {
      body: { query: '{ __schema { types { name } } }' },
      headers: asKey,
    });
    await send('a text/plain POST', {
      body: JSON.stringify({ query: PAGE }),
      headers: { ...asKey, 'content-type': 'text/plain' },
    });
    await send('GraphiQL', { method: 'GET', headers: { accept: 'text/html' } });
    await send('healthz', { method: 'GET', path: '/healthz' });

    // Upstream failures, with the upstream's own credential in its error body.
    for (const source of sourcesOf(demo)) {
      const credential = source.token ?? source.apiKey ?? '';
      const emulator = demo.emulators.find((e) => source.baseUrl.startsWith(e.url))!;
      const leaky = { error: `token ${credential} refused; key ${API_KEY}` };
      for (const [what, fault] of [
        ['500 with a secret in its body', { type: 'status', status: 500, body: leaky }],
        ['400 with a secret in its body', { type: 'status', status: 400, body: leaky }],
        ['401 with a secret in its body', { type: 'status', status: 401, body: leaky }],
        ['200 with a secret in a wrong shape', { type: 'status', status: 200, body: leaky }],
        ['bad JSON', { type: 'bad-json' }],
        ['a reset', { type: 'reset' }],
      ] as const) {
        emulator.knobs.faults.push({ fault, times: 3 });
        await send(`${source.id}: ${what}`, { body: { query: PAGE }, headers: asKey });
        emulator.knobs.faults.length = 0;
      }
    }

    const secrets: Record<string, string> = {
      'client API key': API_KEY,
      'client API key hash': sha256(API_KEY),
      'JWT signing secret': JWT_SECRET,
      'cursor secret': CURSOR_SECRET,
      'a valid JWT': validJwt().split('.')[2]!,
    };
    for (const source of sourcesOf(demo)) {
      secrets[`${source.id} credential`] = (source.token ?? source.apiKey)!;
    }
    const found: string[] = [];
    for (const [name, secret] of Object.entries(secrets)) {
      for (const exchange of exchanges) {
        if (exchange.text.includes(secret))
          found.push(`${name} in the response to ${exchange.what}`);
      }
      for (const line of logs) if (line.includes(secret)) found.push(`${name} in a log line`);
    }
    expect(found).toEqual([]);
    // The suite did reach what it means to: pages, refusals and upstream failures.
    expect(exchanges.length).toBeGreaterThan(40);
    expect(exchanges.some((e) => e.text.startsWith('401 '))).toBe(true);
    expect(exchanges.some((e) => e.text.includes('SOURCE_UNAVAILABLE'))).toBe(true);
    expect(exchanges.some((e) => e.text.includes('SOURCE_AUTH_FAILED'))).toBe(true);
    // The logs scanned are the real ones: the read audit of the pages, and the upstream failures.
    expect(logs.some((line) => line.includes('"msg":"audit"') && line.includes('dashboard'))).toBe(
      true,
    );
    expect(logs.some((line) => line.includes('jwt-client'))).toBe(true);
  });
});
