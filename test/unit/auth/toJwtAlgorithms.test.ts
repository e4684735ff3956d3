import { generateKeyPairSync } from 'node:crypto';
import { createAuthenticator } from '../../../src/auth/createAuthenticator';
import { toJwtAlgorithms } from '../../../src/auth/toJwtAlgorithms';
import { loadConfig } from '../../../src/config/loadConfig';
import { JWT_ALGORITHMS, type AuditgraphConfig } from '../../../src/config/types';
import { AuditgraphError } from '../../../src/model/errors';
import { startAuditgraph } from '../../../src/startAuditgraph';

const JWKS_URL = 'https://idp.example.com/.well-known/jwks.json';
const ISSUER = 'https://idp.example.com';
const AUDIENCE = 'auditgraph';

const pem = (type: 'rsa' | 'ec' | 'ed25519', options: Record<string, unknown> = {}) =>
  generateKeyPairSync(
    type as 'rsa',
    {
      modulusLength: 2048,
      ...options,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    } as never,
  ) as unknown as { publicKey: string; privateKey: string };
const RSA = pem('rsa');
const EC = pem('ec', { namedCurve: 'P-256' });

/** A live config as loadConfig reads it: one source, a cursor secret and these JWT settings. */
function loadLive(jwt: Record<string, unknown> | undefined, env: Record<string, string> = {}) {
  const file = {
    sources: [{ id: 'fastly', kind: 'fastly', token: 'fastly-token' }],
    cursorSecret: 'c'.repeat(32),
    ...(jwt === undefined ? {} : { auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, ...jwt } } }),
  };
  return loadConfig({ argv: ['--config', 'c.json'], env, readFile: () => JSON.stringify(file) });
}

/** What start-up does with a loaded config first: build the authenticator and its JWT verifier. */
function buildAuthenticator(config: AuditgraphConfig) {
  return createAuthenticator(config.auth!, {
    mode: config.mode,
    host: config.host,
    sourceIds: config.sources.map((source) => source.id),
  });
}

function refusalOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (!(error instanceof AuditgraphError)) throw error;
    expect(error.code).toBe('CONFIG_INVALID');
    return error.message;
  }
  throw new Error('expected the authenticator to be refused');
}

describe('toJwtAlgorithms', () => {
  it('accepts only asymmetric algorithms from a key set given in the environment alone', () => {
    const config = loadLive(undefined, {
      AUDITGRAPH_JWT_JWKS_URL: JWKS_URL,
      AUDITGRAPH_JWT_ISSUER: ISSUER,
      AUDITGRAPH_JWT_AUDIENCE: AUDIENCE,
    });
    expect(toJwtAlgorithms(config.auth!.jwt!)).toEqual(
      JWT_ALGORITHMS.filter((algorithm) => !algorithm.startsWith('HS')),
    );
  });

  it.each<[string, Record<string, unknown>, readonly string[]]>([
    ['a secret', { secret: 's'.repeat(32) }, ['HS256']],
    ['an RSA public key', { publicKey: RSA.publicKey }, ['RS256']],
    ['an EC P-256 public key', { publicKey: EC.publicKey }, ['ES256']],
    ['an Ed25519 public key', { publicKey: pem('ed25519').publicKey }, ['EdDSA']],
    ['the algorithms it names', { publicKey: RSA.publicKey, algorithms: ['PS256'] }, ['PS256']],
    ['each algorithm once', { jwksUrl: JWKS_URL, algorithms: ['ES256', 'ES256'] }, ['ES256']],
  ])('verifies JWTs with %s', (_name, key, algorithms) => {
    const config = loadLive(key);
    expect(toJwtAlgorithms(config.auth!.jwt!)).toEqual(algorithms);
    expect(() => buildAuthenticator(config)).not.toThrow();
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'HMAC with a key set',
      { jwksUrl: JWKS_URL, algorithms: ['RS256', 'HS256'] },
      'auth.jwt.algorithms holds HS256, which auth.jwt.jwksUrl cannot verify',
    ],
    [
      'an algorithm that does not fit the public key',
      { publicKey: EC.publicKey, algorithms: ['RS256'] },
      'auth.jwt.algorithms holds RS256, which auth.jwt.publicKey cannot verify (it can: ES256)',
    ],
    [
      'RSA signatures with a secret',
      { secret: 's'.repeat(32), algorithms: ['RS256'] },
      'auth.jwt.algorithms holds RS256, which auth.jwt.secret cannot verify (it can: HS256, HS384, HS512)',
    ],
    [
      'a private key as the public key',
      { publicKey: RSA.privateKey },
      'auth.jwt.publicKey holds a private key: give only its public key',
    ],
    [
      'a public key that is no PEM',
      { publicKey: 'ssh-rsa AAAA' },
      'auth.jwt.publicKey must be a public key in PEM (SPKI, "-----BEGIN PUBLIC KEY-----")',
    ],
    [
      'an RSA key of 1024 bits',
      { publicKey: pem('rsa', { modulusLength: 1024 }).publicKey },
      'auth.jwt.publicKey must be an RSA key of at least 2048 bits',
    ],
  ])('refuses to build the authenticator with %s', (_name, jwt, message) => {
    expect(refusalOf(() => buildAuthenticator(loadLive(jwt)))).toContain(message);
  });

  it('names a key set given in the environment by its variable', () => {
    const config = loadLive({ algorithms: ['HS256'] }, { AUDITGRAPH_JWT_JWKS_URL: JWKS_URL });
    expect(refusalOf(() => buildAuthenticator(config))).toBe(
      'auth.jwt.algorithms holds HS256, which AUDITGRAPH_JWT_JWKS_URL cannot verify (it can: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)',
    );
  });

  it('stops start-up, before anything listens, when the key cannot verify the algorithms', async () => {
    const config = loadLive({ publicKey: EC.publicKey, algorithms: ['RS256'] });
    await expect(startAuditgraph(config, { log: () => undefined })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message:
        'auth.jwt.algorithms holds RS256, which auth.jwt.publicKey cannot verify (it can: ES256)',
    });
  });
});
