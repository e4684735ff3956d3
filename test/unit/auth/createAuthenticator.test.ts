import type { AuthConfig, JwtConfig } from '../../../src/config/types';
import { createAuthenticator } from '../../../src/auth/createAuthenticator';
import type { AuthenticatorOptions } from '../../../src/auth/createAuthenticator';
import { hashApiKey } from '../../../src/auth/hashApiKey';
import { AuditgraphError } from '../../../src/model/errors';
import { ANONYMOUS_PRINCIPAL } from '../../../src/model/Principal';
import type { Principal } from '../../../src/model/Principal';
import {
  generateSigningKey,
  signJwt,
  startJwksServer,
  unsecuredJwt,
  type JwksServer,
  type SigningKey,
} from './jwtTestKit';

const SOURCES = ['fastly', 'cloudflare-v2', 'nirvana'];
const LIVE: AuthenticatorOptions = { mode: 'live', host: '0.0.0.0', sourceIds: SOURCES };
const NO_AUTH: AuthConfig = { apiKeys: [], jwt: null, allowUnauthenticated: false };

const DASHBOARD_KEY = 'agk_dashboard-0123456789abcdefghijklmnopqrstuvw';
const SIEM_KEY = 'agk_siem-0123456789abcdefghijklmnopqrstuvwxyz01';
const API_KEYS: AuthConfig = {
  ...NO_AUTH,
  apiKeys: [
    { id: 'dashboard', sha256: hashApiKey(DASHBOARD_KEY), sources: ['*'], permissions: [] },
    {
      id: 'siem',
      sha256: hashApiKey(SIEM_KEY),
      sources: ['fastly', 'nirvana'],
      permissions: ['pii'],
    },
  ],
};

const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'auditgraph';
const CLAIMS = {
  sourcesClaim: 'auditgraph_sources',
  permissionsClaim: 'auditgraph_permissions',
  clockToleranceSeconds: 30,
};
const HS_SECRET = 'a-shared-secret-of-at-least-32-characters';
const HS_JWT: JwtConfig = {
  secret: HS_SECRET,
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['HS256'],
  ...CLAIMS,
};
/** A token as FusionAuth would issue it, with the claims auditgraph reads. */
const GOOD_CLAIMS = {
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'user-42',
  auditgraph_sources: ['fastly'],
  auditgraph_permissions: ['pii'],
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function without<T extends object>(value: T, key: keyof T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([name]) => name !== key)) as Partial<T>;
}

/** The rejection of `promise`, which must be an AuditgraphError. */
async function rejectionOf(promise: Promise<unknown>): Promise<AuditgraphError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AuditgraphError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

async function expectUnauthenticated(
  promise: Promise<Principal>,
  message = 'the bearer token is not valid',
  token?: string,
): Promise<void> {
  const error = await rejectionOf(promise);
  expect(error.code).toBe('UNAUTHENTICATED');
  expect(error.message).toBe(message);
  if (token !== undefined)
    expect(JSON.stringify([error.message, error.stack])).not.toContain(token);
}

describe('createAuthenticator with API keys', () => {
  const authenticate = createAuthenticator(API_KEYS, LIVE);

  it('knows a key by its hash: the principal is the key id, with every source', async () => {
    await expect(authenticate(bearer(DASHBOARD_KEY))).resolves.toEqual({
      id: 'dashboard',
      via: 'api-key',
      sourceIds: null,
      pii: false,
    });
  });

  it('grants a key only its sources, and personal data only with the pii permission', async () => {
    await expect(authenticate(bearer(SIEM_KEY))).resolves.toEqual({
      id: 'siem',
      via: 'api-key',
      sourceIds: new Set(['fastly', 'nirvana']),
      pii: true,
    });
  });

  it('takes the scheme in any case', async () => {
    const principal = await authenticate({ authorization: `bearer ${DASHBOARD_KEY}` });
    expect(principal.id).toBe('dashboard');
  });

  it.each([
    ['a wrong key', 'agk_wrong-0123456789abcdefghijklmnopqrstuvwxyz0'],
    ['a known key with a character more', `${DASHBOARD_KEY}x`],
    ['a known key cut short', DASHBOARD_KEY.slice(0, -1)],
    ['the hash of a known key', hashApiKey(DASHBOARD_KEY)],
  ])('refuses %s without repeating it', async (_name, key) => {
    await expectUnauthenticated(authenticate(bearer(key)), undefined, key);
  });

  it('refuses any key when none is configured', async () => {
    const noKeys = createAuthenticator(NO_AUTH, LIVE);
    await expectUnauthenticated(noKeys(bearer(DASHBOARD_KEY)));
  });
});

describe('createAuthenticator without a credential', () => {
  it.each<[string, AuthenticatorOptions, AuthConfig]>([
    ['live mode', LIVE, API_KEYS],
    ['live mode without any credential configured', LIVE, NO_AUTH],
    ['the demo on a public address', { ...LIVE, mode: 'demo' }, API_KEYS],
  ])('refuses a request in %s', async (_name, options, auth) => {
    await expectUnauthenticated(
      createAuthenticator(auth, options)({}),
      'this request needs a credential: an API key or a JWT, as "Authorization: Bearer <token>"',
    );
  });

  it.each<[string, AuthenticatorOptions, AuthConfig]>([
    ['on 127.0.0.1', { ...LIVE, mode: 'demo', host: '127.0.0.1' }, NO_AUTH],
    ['on ::1, with keys configured', { ...LIVE, mode: 'demo', host: '::1' }, API_KEYS],
    [
      'anywhere when allowUnauthenticated',
      { ...LIVE, mode: 'demo' },
      { ...NO_AUTH, allowUnauthenticated: true },
    ],
  ])('lets the demo in anonymously %s', async (_name, options, auth) => {
    await expect(createAuthenticator(auth, options)({})).resolves.toBe(ANONYMOUS_PRINCIPAL);
  });

  it('refuses a bad credential in the demo too, however open it is', async () => {
    const demo = createAuthenticator(
      { ...API_KEYS, allowUnauthenticated: true },
      { ...LIVE, mode: 'demo', host: '127.0.0.1' },
    );
    await expectUnauthenticated(demo(bearer('agk_not-a-key')));
  });
});

describe('createAuthenticator reads only a Bearer header', () => {
  const authenticate = createAuthenticator(API_KEYS, { ...LIVE, mode: 'demo', host: '127.0.0.1' });

  it.each([
    ['Basic credentials', `Basic ${Buffer.from('user:pass').toString('base64')}`],
    ['a bare key', DASHBOARD_KEY],
    ['Bearer without a token', 'Bearer '],
    ['two tokens', `Bearer ${DASHBOARD_KEY} ${SIEM_KEY}`],
    ['a token with a space inside', 'Bearer abc def'],
    ['a token with a quote', 'Bearer abc"def'],
  ])('refuses %s, even where anonymous requests are let in', async (_name, header) => {
    await expectUnauthenticated(
      authenticate({ authorization: header }),
      'the Authorization header must be "Bearer <token>"',
    );
  });

  it('refuses a token longer than any key or JWT before hashing it', async () => {
    await expectUnauthenticated(authenticate(bearer('a'.repeat(8193))));
  });
});

describe('createAuthenticator with JWTs signed by a shared secret (HS256)', () => {
  const authenticate = createAuthenticator({ ...NO_AUTH, jwt: HS_JWT }, LIVE);

  it("takes the principal from the token's subject and claims", async () => {
    await expect(authenticate(bearer(await signJwt(HS_SECRET, GOOD_CLAIMS)))).resolves.toEqual({
      id: 'user-42',
      via: 'jwt',
      sourceIds: new Set(['fastly']),
      pii: true,
    });
  });

  it.each<[string, unknown, ReadonlySet<string> | null]>([
    ['"*" as every source', '*', null],
    ['["*"] as every source', ['*'], null],
    ['a space-separated list', 'fastly nirvana', new Set(['fastly', 'nirvana'])],
    ['only the configured ids of a list', ['fastly', 'prod-db', 7], new Set(['fastly'])],
    ['no source without the claim', undefined, new Set()],
    ['no source from a claim of another shape', { fastly: true }, new Set()],
  ])('reads the sources claim: %s', async (_name, claim, sourceIds) => {
    const token = await signJwt(HS_SECRET, { ...GOOD_CLAIMS, auditgraph_sources: claim });
    expect((await authenticate(bearer(token))).sourceIds).toEqual(sourceIds);
  });

  it.each<[string, unknown, boolean]>([
    ['a list with pii', ['read', 'pii'], true],
    ['a scope-like string with pii', 'read pii', true],
    ['a list without pii', ['read'], false],
    ['no claim', undefined, false],
    ['pii as a boolean', true, false],
  ])('reads the permissions claim: %s', async (_name, claim, pii) => {
    const token = await signJwt(HS_SECRET, { ...GOOD_CLAIMS, auditgraph_permissions: claim });
    expect((await authenticate(bearer(token))).pii).toBe(pii);
  });

  it('refuses an expired token, saying so', async () => {
    const token = await signJwt(HS_SECRET, GOOD_CLAIMS, { expiresInSeconds: -31 });
    await expectUnauthenticated(authenticate(bearer(token)), 'the bearer token has expired', token);
  });

  it('accepts a token expired within the clock tolerance', async () => {
    const token = await signJwt(HS_SECRET, GOOD_CLAIMS, { expiresInSeconds: -20 });
    expect((await authenticate(bearer(token))).id).toBe('user-42');
  });

  it('checks expiry against the injected clock', async () => {
    const nowMs = Date.UTC(2030, 0, 1);
    const later = createAuthenticator({ ...NO_AUTH, jwt: HS_JWT }, { ...LIVE, now: () => nowMs });
    const token = await signJwt(HS_SECRET, GOOD_CLAIMS, { nowMs: nowMs - 3_600_000 });
    await expectUnauthenticated(later(bearer(token)), 'the bearer token has expired');
    const fresh = await signJwt(HS_SECRET, GOOD_CLAIMS, { nowMs });
    expect((await later(bearer(fresh))).id).toBe('user-42');
  });

  it.each<[string, () => Promise<string>]>([
    ['of another issuer', () => signJwt(HS_SECRET, { ...GOOD_CLAIMS, iss: 'https://evil' })],
    ['for another audience', () => signJwt(HS_SECRET, { ...GOOD_CLAIMS, aud: 'other-app' })],
    ['without an audience', () => signJwt(HS_SECRET, without(GOOD_CLAIMS, 'aud'))],
    ['signed with another secret', () => signJwt(`${HS_SECRET}!`, GOOD_CLAIMS)],
    ['without an expiry', () => signJwt(HS_SECRET, GOOD_CLAIMS, { expiresInSeconds: null })],
    ['without a subject', () => signJwt(HS_SECRET, without(GOOD_CLAIMS, 'sub'))],
    [
      'not valid yet',
      () => signJwt(HS_SECRET, { ...GOOD_CLAIMS, nbf: Math.floor(Date.now() / 1000) + 3600 }),
    ],
    ['of alg none', () => Promise.resolve(unsecuredJwt({ ...GOOD_CLAIMS, exp: 4102444800 }))],
    [
      'with its payload swapped for another',
      async () => {
        const [header, , signature] = (await signJwt(HS_SECRET, GOOD_CLAIMS)).split('.');
        const payload = Buffer.from(
          JSON.stringify({ ...GOOD_CLAIMS, sub: 'admin', exp: 4102444800 }),
        ).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['that is three dots of nothing', () => Promise.resolve('a.b.c')],
  ])('refuses a token %s', async (_name, makeToken) => {
    const token = await makeToken();
    await expectUnauthenticated(authenticate(bearer(token)), undefined, token);
  });

  it('refuses a JWT when no JWT issuer is configured', async () => {
    const keysOnly = createAuthenticator(API_KEYS, LIVE);
    await expectUnauthenticated(keysOnly(bearer(await signJwt(HS_SECRET, GOOD_CLAIMS))));
  });
});

describe('createAuthenticator with JWTs verified by a PEM public key', () => {
  let rsa: SigningKey;
  let ec: SigningKey;
  let otherRsa: SigningKey;
  beforeAll(async () => {
    [rsa, ec, otherRsa] = await Promise.all([
      generateSigningKey('RS256', 'rsa-1'),
      generateSigningKey('ES256', 'ec-1'),
      generateSigningKey('RS256', 'rsa-2'),
    ]);
  });
  const withKey = (key: SigningKey): JwtConfig => ({
    publicKey: key.publicPem,
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: [key.alg],
    ...CLAIMS,
  });

  it.each(['RS256', 'ES256'] as const)('accepts a token signed %s', async (alg) => {
    const key = alg === 'RS256' ? rsa : ec;
    const authenticate = createAuthenticator({ ...NO_AUTH, jwt: withKey(key) }, LIVE);
    expect(await authenticate(bearer(await signJwt(key, GOOD_CLAIMS)))).toMatchObject({
      id: 'user-42',
      via: 'jwt',
    });
  });

  it('refuses a token signed by another key', async () => {
    const authenticate = createAuthenticator({ ...NO_AUTH, jwt: withKey(rsa) }, LIVE);
    await expectUnauthenticated(authenticate(bearer(await signJwt(otherRsa, GOOD_CLAIMS))));
  });

  it('refuses an HS256 token whose secret is the public key (algorithm confusion)', async () => {
    const authenticate = createAuthenticator({ ...NO_AUTH, jwt: withKey(rsa) }, LIVE);
    const forged = await signJwt(rsa.publicPem, GOOD_CLAIMS);
    await expectUnauthenticated(authenticate(bearer(forged)));
  });

  it('refuses an algorithm the config does not list, though the key could verify it', async () => {
    const authenticate = createAuthenticator(
      { ...NO_AUTH, jwt: { ...withKey(rsa), algorithms: ['PS256'] } },
      LIVE,
    );
    await expectUnauthenticated(authenticate(bearer(await signJwt(rsa, GOOD_CLAIMS))));
  });
});

describe('createAuthenticator with JWTs verified against a key set', () => {
  let rsa: SigningKey;
  let ec: SigningKey;
  let stranger: SigningKey;
  let jwks: JwksServer;
  let jwt: JwtConfig;
  beforeAll(async () => {
    [rsa, ec, stranger] = await Promise.all([
      generateSigningKey('RS256', 'rsa-1'),
      generateSigningKey('ES256', 'ec-1'),
      generateSigningKey('RS256', 'rsa-1'),
    ]);
    jwks = await startJwksServer([rsa.publicJwk, ec.publicJwk]);
    jwt = {
      jwksUrl: jwks.url,
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256', 'ES256'],
      ...CLAIMS,
    };
  });
  afterAll(() => jwks.close());
  afterEach(() => {
    jwks.setBehaviour('serve');
    jwks.setKeys([rsa.publicJwk, ec.publicJwk]);
  });

  const authenticator = () =>
    createAuthenticator({ ...NO_AUTH, jwt }, { ...LIVE, jwksTimeoutMs: 300 });

  it('accepts tokens signed by any key of the set, fetching the set once', async () => {
    const authenticate = authenticator();
    const before = jwks.requests();
    for (const key of [rsa, ec, rsa, ec]) {
      expect((await authenticate(bearer(await signJwt(key, GOOD_CLAIMS)))).id).toBe('user-42');
    }
    expect(jwks.requests() - before).toBe(1);
  });

  it('refuses a token signed by a key not in the set, under a kid that is', async () => {
    const authenticate = authenticator();
    await expectUnauthenticated(authenticate(bearer(await signJwt(stranger, GOOD_CLAIMS))));
  });

  it('refuses an expired token from the set, saying so', async () => {
    const token = await signJwt(rsa, GOOD_CLAIMS, { expiresInSeconds: -3600 });
    await expectUnauthenticated(authenticator()(bearer(token)), 'the bearer token has expired');
  });

  it.each(['fail', 'stall'] as const)(
    'answers 503-worthy INTERNAL_SERVER_ERROR when the set does not come (%s), then recovers',
    async (behaviour) => {
      const authenticate = authenticator();
      jwks.setBehaviour(behaviour);
      const token = await signJwt(rsa, GOOD_CLAIMS);
      const startedAt = Date.now();
      const error = await rejectionOf(authenticate(bearer(token)));
      expect(error.code).toBe('INTERNAL_SERVER_ERROR');
      expect(error.message).toBe(
        "the bearer token cannot be checked now: its issuer's keys are unavailable; try again later",
      );
      expect(error.message).not.toContain(token);
      expect(Date.now() - startedAt).toBeLessThan(2_000);
      jwks.setBehaviour('serve');
      expect((await authenticate(bearer(token))).id).toBe('user-42');
    },
  );
});

describe('createAuthenticator checks its config', () => {
  it.each<[string, AuthConfig, AuthenticatorOptions, string]>([
    [
      'allowUnauthenticated in live mode',
      { ...API_KEYS, allowUnauthenticated: true },
      LIVE,
      'auth.allowUnauthenticated is refused in live mode',
    ],
    [
      'a key for a source the gateway does not read',
      {
        ...NO_AUTH,
        apiKeys: [{ id: 'k', sha256: hashApiKey('k'), sources: ['prod'], permissions: [] }],
      },
      LIVE,
      'auth.apiKeys[0].sources names source "prod", which is not configured',
    ],
    [
      'a hash in upper case',
      {
        ...NO_AUTH,
        apiKeys: [{ id: 'k', sha256: 'A'.repeat(64), sources: ['*'], permissions: [] }],
      },
      LIVE,
      'auth.apiKeys[0].sha256 must be 64 lowercase hexadecimal digits',
    ],
    [
      'two keys with one hash',
      {
        ...NO_AUTH,
        apiKeys: [
          { id: 'a', sha256: hashApiKey('k'), sources: ['*'], permissions: [] },
          { id: 'b', sha256: hashApiKey('k'), sources: ['*'], permissions: [] },
        ],
      },
      LIVE,
      'auth.apiKeys[1].sha256 is used by another key',
    ],
  ])('refuses %s', (_name, auth, options, message) => {
    expect(() => createAuthenticator(auth, options)).toThrow(
      new AuditgraphError('CONFIG_INVALID', message),
    );
  });
});
