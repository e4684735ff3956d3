import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import type { JWK, JWTPayload, KeyLike } from 'jose';

/** An issuer's signing key, with what a verifier is given: a JWK for the set, or a PEM. */
export interface SigningKey {
  readonly alg: 'RS256' | 'ES256';
  readonly kid: string;
  readonly privateKey: KeyLike;
  readonly publicJwk: JWK;
  readonly publicPem: string;
}

export async function generateSigningKey(alg: SigningKey['alg'], kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    alg,
    kid,
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
    publicPem: await exportSPKI(publicKey),
  };
}

export interface SignOptions {
  /** Seconds from now; null leaves `exp` out. Default 300. */
  readonly expiresInSeconds?: number | null;
  readonly nowMs?: number;
}

/** A compact JWS of `claims`, signed with an issuer's key or an HS256 secret. */
export function signJwt(
  key: SigningKey | string,
  claims: JWTPayload,
  { expiresInSeconds = 300, nowMs = Date.now() }: SignOptions = {},
): Promise<string> {
  const nowSeconds = Math.floor(nowMs / 1000);
  const jwt = new SignJWT(claims).setIssuedAt(nowSeconds);
  if (expiresInSeconds !== null) jwt.setExpirationTime(nowSeconds + expiresInSeconds);
  if (typeof key === 'string') {
    return jwt.setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(key));
  }
  return jwt.setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
}

/** A token of `alg: none`: a JWT with an empty signature. */
export function unsecuredJwt(claims: JWTPayload): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** An issuer's key set endpoint on loopback, whose behaviour a test switches. */
export interface JwksServer {
  readonly url: string;
  /** How many times the set was asked for. */
  readonly requests: () => number;
  /** `serve` the set, `fail` with a 503, or `stall` mid-body. */
  setBehaviour(behaviour: 'serve' | 'fail' | 'stall'): void;
  setKeys(keys: readonly JWK[]): void;
  close(): Promise<void>;
}

export async function startJwksServer(initialKeys: readonly JWK[]): Promise<JwksServer> {
  let keys = initialKeys;
  let behaviour: 'serve' | 'fail' | 'stall' = 'serve';
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests += 1;
    switch (behaviour) {
      case 'serve':
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ keys }));
        return;
      case 'fail':
        response.statusCode = 503;
        response.end('unavailable');
        return;
      case 'stall':
        // Headers and the start of the body, then nothing: the socket stays open.
        response.setHeader('content-type', 'application/json');
        response.write('{"keys":[');
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    requests: () => requests,
    setBehaviour: (next) => {
      behaviour = next;
    },
    setKeys: (next) => {
      keys = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
