import { generateKeyPairSync } from 'node:crypto';
import { hashApiKey } from '../../../src/auth/hashApiKey';
import {
  FASTLY,
  AUDIENCE,
  ISSUER,
  JWKS_URL,
  JWT_ENV,
  load,
  loadJson,
  messageOf,
  type Env,
} from './configTestKit';

describe('loadConfig reads client authentication', () => {
  const DASHBOARD = { id: 'dashboard', sha256: hashApiKey('agk_dashboard'), sources: ['*'] };
  const RSA = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

  /** A live config with one fastly source and a cursor secret, and the given auth. */
  const live = (auth: unknown, env: Env = {}) =>
    loadJson({ sources: [FASTLY], cursorSecret: 'c'.repeat(32), auth }, env, false);

  it('reads API keys from the file, by their hash', () => {
    const sha256 = hashApiKey('agk_siem').toUpperCase();
    const config = live({
      apiKeys: [
        DASHBOARD,
        { id: 'siem', sha256, sources: ['fastly', 'fastly'], permissions: ['pii'] },
      ],
    });
    expect(config.auth).toEqual({
      apiKeys: [
        { ...DASHBOARD, permissions: [] },
        {
          id: 'siem',
          sha256: sha256.toLowerCase(),
          sources: ['fastly'],
          permissions: ['pii'],
        },
      ],
      jwt: null,
      allowUnauthenticated: false,
    });
  });

  it('reads a JWT issuer from the environment alone, naming the variable of its key', () => {
    // Which algorithms the key set verifies is the verifier's (test/unit/auth/toJwtAlgorithms).
    expect(live(undefined, JWT_ENV).auth?.jwt).toEqual({
      jwksUrl: JWKS_URL,
      issuer: ISSUER,
      audience: AUDIENCE,
      sourcesClaim: 'auditgraph_sources',
      permissionsClaim: 'auditgraph_permissions',
      clockToleranceSeconds: 30,
      keyLabel: 'AUDITGRAPH_JWT_JWKS_URL',
    });
  });

  it('lets the environment override the file, key by key', () => {
    const jwt = {
      jwksUrl: 'https://old.example.com/jwks',
      issuer: 'old',
      audience: 'kept',
      algorithms: ['ES256'],
      sourcesClaim: 'https://example.com/sources',
      permissionsClaim: 'scope',
      clockToleranceSeconds: 5,
    };
    const config = live(
      { jwt },
      { AUDITGRAPH_JWT_JWKS_URL: JWKS_URL, AUDITGRAPH_JWT_ISSUER: ISSUER },
    );
    expect(config.auth?.jwt).toEqual({
      ...jwt,
      jwksUrl: JWKS_URL,
      issuer: ISSUER,
      keyLabel: 'AUDITGRAPH_JWT_JWKS_URL',
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a secret', { secret: 's'.repeat(32) }, 'auth.jwt.secret'],
    ['a public key', { publicKey: RSA.publicKey }, 'auth.jwt.publicKey'],
    [
      'the algorithms it names',
      { publicKey: RSA.publicKey, algorithms: ['PS256'] },
      'auth.jwt.publicKey',
    ],
  ])('reads a JWT key: %s', (_name, key, keyLabel) => {
    const jwt = live({ jwt: { ...key, issuer: ISSUER, audience: AUDIENCE } }).auth?.jwt;
    expect(jwt).toMatchObject({ ...key, keyLabel });
  });

  it('takes allowUnauthenticated for the demo, from the file or the environment', () => {
    const file = { server: { host: '0.0.0.0' }, auth: { allowUnauthenticated: 'true' } };
    expect(loadJson(file, {}, false).auth?.allowUnauthenticated).toBe(true);
    const env = { HOST: '0.0.0.0', AUDITGRAPH_ALLOW_UNAUTHENTICATED: 'TRUE' };
    expect(load({ env, secured: false }).auth?.allowUnauthenticated).toBe(true);
  });

  const key = (fields: Record<string, unknown>) => ({ apiKeys: [{ ...DASHBOARD, ...fields }] });
  const jwtWith = (fields: Record<string, unknown>) => ({
    jwt: { issuer: ISSUER, audience: AUDIENCE, ...fields },
  });

  it.each<[string, unknown, string]>([
    [
      'a hash that is no SHA-256',
      key({ sha256: 'abc' }),
      'auth.apiKeys[0].sha256 must be 64 hexadecimal digits, the SHA-256 of the key (npm run auth:hash-key)',
    ],
    [
      'the key itself instead of its hash',
      { apiKeys: [{ id: 'dashboard', key: 'agk_plain', sources: ['*'] }] },
      'auth.apiKeys[0].key is not a known key for an API key (allowed: id, sha256, sources, permissions)',
    ],
    [
      'a key without sources',
      { apiKeys: [{ id: 'dashboard', sha256: DASHBOARD.sha256 }] },
      'auth.apiKeys[0].sources is required (["*"] for every source)',
    ],
    [
      'a key with no source',
      key({ sources: [] }),
      'auth.apiKeys[0].sources must not be empty (["*"] for every source)',
    ],
    [
      'a key for "*" and more',
      key({ sources: ['*', 'fastly'] }),
      'auth.apiKeys[0].sources must be ["*"] alone, or a list of source ids',
    ],
    [
      'a key for a source that is not configured',
      key({ sources: ['fastly', 'nirvana'] }),
      'auth.apiKeys[0].sources names source "nirvana", which is not configured (configured sources: fastly)',
    ],
    [
      'a key with an unknown permission',
      key({ permissions: ['admin'] }),
      'auth.apiKeys[0].permissions[0] must be "pii" (the only permission there is)',
    ],
    [
      'two keys with one id',
      { apiKeys: [DASHBOARD, { ...DASHBOARD, id: 'Dashboard', sha256: 'a'.repeat(64) }] },
      'auth.apiKeys[1].id "Dashboard" is already used by auth.apiKeys[0]; API key ids must be unique',
    ],
    [
      'two keys with one hash',
      { apiKeys: [DASHBOARD, { ...DASHBOARD, id: 'other' }] },
      'auth.apiKeys[1].sha256 is the same as auth.apiKeys[0].sha256: give each client its own key',
    ],
    [
      'a JWT config with two keys',
      jwtWith({ jwksUrl: JWKS_URL, secret: 's'.repeat(32) }),
      'auth.jwt.jwksUrl and auth.jwt.secret are both set: JWTs are verified with exactly one of jwksUrl, publicKey or secret',
    ],
    [
      'a JWT config without a key',
      jwtWith({}),
      'auth.jwt.issuer is set, but there is no key to verify JWTs with',
    ],
    [
      'a JWT config without an issuer',
      { jwt: { jwksUrl: JWKS_URL, audience: AUDIENCE } },
      'auth.jwt.issuer (or AUDITGRAPH_JWT_ISSUER) is required with auth.jwt.jwksUrl',
    ],
    [
      'a JWT config without an audience',
      { jwt: { jwksUrl: JWKS_URL, issuer: ISSUER } },
      'auth.jwt.audience (or AUDITGRAPH_JWT_AUDIENCE) is required with auth.jwt.jwksUrl',
    ],
    [
      'a key set over plain http',
      jwtWith({ jwksUrl: 'http://idp.example.com/jwks' }),
      'auth.jwt.jwksUrl must be an https URL (plain http only on a loopback host)',
    ],
    [
      'a key set URL that is no URL',
      jwtWith({ jwksUrl: 'idp' }),
      'auth.jwt.jwksUrl must be an https URL',
    ],
    [
      'a short HS256 secret',
      jwtWith({ secret: 'short' }),
      'auth.jwt.secret must be at least 32 characters (it verifies HMAC signatures)',
    ],
    [
      'the algorithm none',
      jwtWith({ jwksUrl: JWKS_URL, algorithms: ['none'] }),
      'auth.jwt.algorithms[0] must be one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA (never none)',
    ],
    [
      'a clock tolerance over five minutes',
      jwtWith({ jwksUrl: JWKS_URL, clockToleranceSeconds: 301 }),
      'auth.jwt.clockToleranceSeconds must be an integer from 0 to 300',
    ],
    [
      'an unknown JWT key',
      jwtWith({ jwksUrl: JWKS_URL, audiences: ['x'] }),
      'auth.jwt.audiences is not a known key',
    ],
    [
      'allowUnauthenticated that is no boolean',
      { allowUnauthenticated: 'yes' },
      'auth.allowUnauthenticated must be true or false',
    ],
  ])('refuses %s', (_name, auth, message) => {
    expect(messageOf(() => live(auth))).toContain(message);
  });

  it.each<[string, Env, string]>([
    [
      'an issuer without a key',
      { AUDITGRAPH_JWT_ISSUER: ISSUER },
      'AUDITGRAPH_JWT_ISSUER is set, but there is no key to verify JWTs with: set auth.jwt.jwksUrl (or AUDITGRAPH_JWT_JWKS_URL), auth.jwt.publicKey or auth.jwt.secret',
    ],
    [
      'a key set without an audience',
      { AUDITGRAPH_JWT_JWKS_URL: JWKS_URL, AUDITGRAPH_JWT_ISSUER: ISSUER },
      'auth.jwt.audience (or AUDITGRAPH_JWT_AUDIENCE) is required with AUDITGRAPH_JWT_JWKS_URL: tokens of any other audience are refused',
    ],
    [
      'a key set URL over plain http',
      { ...JWT_ENV, AUDITGRAPH_JWT_JWKS_URL: 'http://10.0.0.1/jwks' },
      'AUDITGRAPH_JWT_JWKS_URL must be an https URL (plain http only on a loopback host)',
    ],
    [
      'a switch that is neither true nor false',
      { AUDITGRAPH_ALLOW_UNAUTHENTICATED: 'maybe' },
      'AUDITGRAPH_ALLOW_UNAUTHENTICATED must be true or false',
    ],
  ])('refuses %s from the environment', (_name, env, message) => {
    expect(messageOf(() => load({ env, secured: false }))).toBe(message);
  });

  it('refuses a key set from the environment beside a public key in the file', () => {
    const auth = jwtWith({ publicKey: RSA.publicKey });
    expect(messageOf(() => live(auth, { AUDITGRAPH_JWT_JWKS_URL: JWKS_URL }))).toBe(
      'AUDITGRAPH_JWT_JWKS_URL and auth.jwt.publicKey are both set: JWTs are verified with exactly one of jwksUrl, publicKey or secret',
    );
  });

  it('takes a key set over plain http on loopback, for tests and sidecars', () => {
    const jwt = live(jwtWith({ jwksUrl: 'http://127.0.0.1:8080/jwks' })).auth?.jwt;
    expect(jwt?.jwksUrl).toBe('http://127.0.0.1:8080/jwks');
  });
});
