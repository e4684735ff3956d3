import { generateApiKey } from '../../src/auth/generateApiKey';
import { hashApiKey } from '../../src/auth/hashApiKey';
import type { AuditgraphConfig, JwtConfig } from '../../src/config/types';
import { startDemoEmulators } from '../../src/emulators/startDemoEmulators';
import type { Demo } from '../../src/emulators/startDemoEmulators';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG } from '../support/demoConfig';
import {
  generateSigningKey,
  signJwt,
  startJwksServer,
  type JwksServer,
  type SigningKey,
} from '../unit/auth/jwtTestKit';

/**
 * Issue 5, part 1, over real HTTP: the service in live mode against the emulators, with API keys
 * and JWTs from a key set on loopback. A request that fails authentication is answered 401
 * before any resolver runs, so it costs no upstream request.
 */

const QUERY = '{ auditEvents(first: 5) { edges { node { id occurredAt source { id } } } } }';
const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'auditgraph';
const API_KEY = generateApiKey();
const CLAIMS = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['RS256'],
  sourcesClaim: 'auditgraph_sources',
  permissionsClaim: 'auditgraph_permissions',
  clockToleranceSeconds: 30,
} as const;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

async function post(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query: QUERY }),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

describe('client authentication, end to end in live mode', () => {
  let demo: Demo;
  let jwks: JwksServer;
  let issuerKey: SigningKey;
  let app: Auditgraph;
  let config: AuditgraphConfig;
  let upstreamRequests = 0;
  const countUpstream = () => {
    upstreamRequests += 1;
  };

  beforeAll(async () => {
    const small = 40;
    demo = await startDemoEmulators({
      seed: 5,
      nowMs: Date.now(),
      counts: {
        fastly: small,
        'cloudflare-v1': small,
        'cloudflare-v2': small,
        'fusionauth-event-log': small,
        'fusionauth-audit-log': small,
        nirvana: small,
      },
    });
    issuerKey = await generateSigningKey('RS256', 'issuer-key-1');
    jwks = await startJwksServer([issuerKey.publicJwk]);
    config = {
      ...DEMO_CONFIG,
      mode: 'live',
      sources: demo.sources,
      cursorSecret: 'an-e2e-cursor-secret-of-32-characters',
      auth: {
        apiKeys: [
          { id: 'dashboard', sha256: hashApiKey(API_KEY), sources: ['*'], permissions: [] },
        ],
        jwt: { jwksUrl: jwks.url, ...CLAIMS },
        allowUnauthenticated: false,
      },
    };
    app = await startAuditgraph(config, { log: () => undefined, onUpstreamRequest: countUpstream });
  });
  afterAll(async () => {
    await app.close();
    await demo.close();
    await jwks.close();
  });

  /** The answer to `request`, and how many upstream requests it caused. */
  async function measure(request: () => Promise<Answer>): Promise<[Answer, number]> {
    const before = upstreamRequests;
    const answer = await request();
    return [answer, upstreamRequests - before];
  }

  function expectRefused(answer: Answer, message: string, challenge: string): void {
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe(challenge);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toEqual({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
  }

  it('refuses a request without a credential with 401, and reads no source for it', async () => {
    const [answer, upstream] = await measure(() => post(app.url));
    expectRefused(
      answer,
      'this request needs a credential: an API key or a JWT, as "Authorization: Bearer <token>"',
      'Bearer realm="auditgraph"',
    );
    expect(upstream).toBe(0);
  });

  it('refuses a wrong API key with 401, without repeating it', async () => {
    const wrong = generateApiKey();
    const [answer, upstream] = await measure(() =>
      post(app.url, { authorization: `Bearer ${wrong}` }),
    );
    expectRefused(
      answer,
      'the bearer token is not valid',
      'Bearer realm="auditgraph", error="invalid_token"',
    );
    expect(JSON.stringify(answer.body)).not.toContain(wrong);
    expect(upstream).toBe(0);
  });

  it('answers a request with a valid API key', async () => {
    const [answer, upstream] = await measure(() =>
      post(app.url, { authorization: `Bearer ${API_KEY}` }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.auditEvents.edges).toHaveLength(5);
    expect(upstream).toBeGreaterThan(0);
  });

  it('answers a request with a valid JWT from the key set', async () => {
    const token = await signJwt(issuerKey, {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'user-7',
      auditgraph_sources: '*',
    });
    const answer = await post(app.url, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.auditEvents.edges).toHaveLength(5);
    expect(jwks.requests()).toBe(1);
  });

  it('refuses an expired JWT with 401, and reads no source for it', async () => {
    const token = await signJwt(
      issuerKey,
      { iss: ISSUER, aud: AUDIENCE, sub: 'user-7', auditgraph_sources: '*' },
      { expiresInSeconds: -3600 },
    );
    const [answer, upstream] = await measure(() =>
      post(app.url, { authorization: `Bearer ${token}` }),
    );
    expectRefused(
      answer,
      'the bearer token has expired',
      'Bearer realm="auditgraph", error="invalid_token"',
    );
    expect(upstream).toBe(0);
  });

  it("answers 503 while the issuer's key set cannot be fetched, and reads no source", async () => {
    const down = await startJwksServer([]);
    down.setBehaviour('fail');
    const logs: string[] = [];
    const jwt: JwtConfig = { jwksUrl: down.url, ...CLAIMS };
    const other = await startAuditgraph(
      { ...config, auth: { ...config.auth!, jwt } },
      { log: (line) => logs.push(line), onUpstreamRequest: countUpstream, jwksTimeoutMs: 500 },
    );
    try {
      const token = await signJwt(issuerKey, { iss: ISSUER, aud: AUDIENCE, sub: 'user-7' });
      const [answer, upstream] = await measure(() =>
        post(other.url, { authorization: `Bearer ${token}` }),
      );
      expect(answer.status).toBe(503);
      expect(answer.headers.get('www-authenticate')).toBeNull();
      expect(answer.body.errors[0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
      expect(upstream).toBe(0);
      expect(down.requests()).toBeGreaterThan(0);
      expect(logs.join('\n')).toContain("its issuer's keys are unavailable");
      expect(logs.join('\n')).not.toContain(token);
    } finally {
      await other.close();
      await down.close();
    }
  });

  it('keeps the health and readiness probes open', async () => {
    for (const path of ['/healthz', '/readyz']) {
      expect((await fetch(`${app.url}${path}`)).status).toBe(200);
    }
  });
});

describe('client authentication, end to end in the demo', () => {
  let app: Auditgraph;
  beforeAll(async () => {
    app = await startAuditgraph(DEMO_CONFIG, { log: () => undefined });
  });
  afterAll(() => app.close());

  it('answers a request without a credential on loopback', async () => {
    const answer = await post(app.url);
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.auditEvents.edges).toHaveLength(5);
  });

  it('still refuses a bad credential', async () => {
    const answer = await post(app.url, { authorization: 'Bearer agk_not-a-key' });
    expect(answer.status).toBe(401);
    expect(answer.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
