import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthConfig } from '../config/types';
import { AuditgraphError } from '../model/errors';
import type { Principal } from '../model/Principal';
import { ANONYMOUS_PRINCIPAL } from '../model/Principal';
import { createJwtVerifier } from './createJwtVerifier';
import { isUnauthenticatedAllowed } from './isUnauthenticatedAllowed';
import { unauthenticated } from './unauthenticated';

/** A request's headers, as Node gives them (names in lower case). */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Who sent a request; rejects with UNAUTHENTICATED (or, when a JWT cannot be checked, 503). */
export type Authenticate = (headers: RequestHeaders) => Promise<Principal>;

export interface AuthenticatorOptions {
  readonly mode: 'demo' | 'live';
  /** The address the server listens on: the demo admits anonymous clients only on loopback. */
  readonly host: string;
  /** The ids of the sources the gateway reads. */
  readonly sourceIds: readonly string[];
  readonly now?: () => number;
  /** How long fetching a JWT key set may take; default 5 s. */
  readonly jwksTimeoutMs?: number;
}

/** Longer than any API key or sane JWT: nothing bigger is hashed or parsed. */
const MAX_TOKEN_LENGTH = 8192;

/** RFC 6750 §2.1: `Bearer` and a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Authenticates each request from its `Authorization: Bearer <token>` header. A token of three
 * dot-separated parts is a JWT; anything else is an API key, looked up by its SHA-256. A request
 * without the header is the anonymous principal where that is allowed (the demo on loopback, or
 * `allowUnauthenticated`), else refused; a bad credential is refused everywhere, the demo too.
 */
export function createAuthenticator(auth: AuthConfig, options: AuthenticatorOptions): Authenticate {
  assertConsistent(auth, options);
  const apiKeys = auth.apiKeys.map((key) => ({
    hash: Buffer.from(key.sha256, 'hex'),
    principal: {
      id: key.id,
      via: 'api-key',
      sourceIds: key.sources.includes('*') ? null : new Set(key.sources),
      pii: key.permissions.includes('pii'),
    } satisfies Principal,
  }));
  const verifyJwt =
    auth.jwt === null
      ? null
      : createJwtVerifier(auth.jwt, {
          sourceIds: options.sourceIds,
          ...(options.now === undefined ? {} : { now: options.now }),
          ...(options.jwksTimeoutMs === undefined ? {} : { jwksTimeoutMs: options.jwksTimeoutMs }),
        });
  const anonymousAllowed = isUnauthenticatedAllowed({
    mode: options.mode,
    host: options.host,
    auth,
  });

  const findApiKey = (token: string): Principal | null => {
    const digest = createHash('sha256').update(token, 'utf8').digest();
    let found: Principal | null = null;
    // Every key is compared, in constant time, whether an earlier one matched or not: how long
    // this takes says nothing about which key, or how much of one, a guess got right.
    for (const key of apiKeys) {
      if (timingSafeEqual(digest, key.hash)) found = key.principal;
    }
    return found;
  };

  return async (headers) => {
    const header = headers.authorization;
    if (header === undefined || header === '') {
      if (anonymousAllowed) return ANONYMOUS_PRINCIPAL;
      throw unauthenticated('missing');
    }
    const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (token === undefined) throw unauthenticated('malformed');
    if (token.length > MAX_TOKEN_LENGTH) throw unauthenticated('invalid');
    if (token.split('.').length === 3) {
      if (verifyJwt === null) throw unauthenticated('invalid');
      return verifyJwt(token);
    }
    const principal = findApiKey(token);
    if (principal === null) throw unauthenticated('invalid');
    return principal;
  };
}

/** A config built by hand gets the checks loadConfig makes, with messages as precise. */
function assertConsistent(auth: AuthConfig, options: AuthenticatorOptions): void {
  const fail = (message: string): never => {
    throw new AuditgraphError('CONFIG_INVALID', message);
  };
  if (options.mode === 'live' && auth.allowUnauthenticated) {
    fail('auth.allowUnauthenticated is refused in live mode');
  }
  const known = new Set(options.sourceIds);
  const hashes = new Set<string>();
  auth.apiKeys.forEach((key, index) => {
    if (!/^[0-9a-f]{64}$/.test(key.sha256)) {
      fail(`auth.apiKeys[${index}].sha256 must be 64 lowercase hexadecimal digits`);
    }
    if (hashes.has(key.sha256)) fail(`auth.apiKeys[${index}].sha256 is used by another key`);
    hashes.add(key.sha256);
    const unknown = key.sources.find((sourceId) => sourceId !== '*' && !known.has(sourceId));
    if (unknown !== undefined) {
      fail(`auth.apiKeys[${index}].sources names source "${unknown}", which is not configured`);
    }
  });
}
