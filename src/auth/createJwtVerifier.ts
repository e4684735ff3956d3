import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Socket } from 'node:net';
import { createRemoteJWKSet, errors, importSPKI, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey, KeyLike } from 'jose';
import type { JwtAlgorithm, JwtConfig } from '../config/types';
import { AuditgraphError } from '../model/errors';
import type { Principal } from '../model/Principal';
import { toJwtAlgorithms } from './toJwtAlgorithms';
import { unauthenticated } from './unauthenticated';

export interface JwtVerifierOptions {
  /** The sources the gateway reads: a token is granted those of its claim that are among them. */
  readonly sourceIds: readonly string[];
  readonly now?: () => number;
  /** How long fetching the key set may take, and may stall mid-body; default 5 s. */
  readonly jwksTimeoutMs?: number;
}

/** Verifies a compact JWS and returns its principal; rejects with UNAUTHENTICATED otherwise. */
export type JwtVerifier = (token: string) => Promise<Principal>;

export const DEFAULT_JWKS_TIMEOUT_MS = 5_000;

/**
 * JWTs as an OIDC provider issues them (FusionAuth, Keycloak, Auth0, ...): the signature checked
 * against the issuer's key set, a PEM public key or a shared secret, then `iss`, `aud`, `exp`
 * (required) and `nbf`, with the configured clock tolerance. The principal is the token's `sub`;
 * what it may read comes from two claims the issuer is configured to add. A key that cannot
 * verify the configured algorithms is refused here, at start-up, with CONFIG_INVALID.
 */
export function createJwtVerifier(config: JwtConfig, options: JwtVerifierOptions): JwtVerifier {
  const algorithms = toJwtAlgorithms(config);
  const getKey = createKeyResolver(
    config,
    algorithms,
    options.jwksTimeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS,
  );
  const knownSources = new Set(options.sourceIds);
  const now = options.now ?? Date.now;
  const fromKeySet = config.jwksUrl !== undefined;
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer: config.issuer,
        audience: config.audience,
        // Never `none`, and never an algorithm the configured key was not meant for.
        algorithms,
        clockTolerance: config.clockToleranceSeconds,
        // A token without an expiry would be good forever once it leaked.
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now()),
      }));
    } catch (error) {
      throw toVerificationError(error, fromKeySet);
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw unauthenticated('invalid');
    return {
      id: payload.sub,
      via: 'jwt',
      sourceIds: toGrantedSources(payload[config.sourcesClaim], knownSources),
      pii: toClaimList(payload[config.permissionsClaim]).includes('pii'),
    };
  };
}

function createKeyResolver(
  config: JwtConfig,
  algorithms: readonly JwtAlgorithm[],
  timeoutMs: number,
): JWTVerifyGetKey {
  if (config.jwksUrl !== undefined) {
    const url = new URL(config.jwksUrl);
    // jose caches the set, and fetches it again for a `kid` it does not know (at most every 30 s).
    return createRemoteJWKSet(url, {
      timeoutDuration: timeoutMs,
      agent: createStallGuardAgent(url, timeoutMs),
    });
  }
  if (config.publicKey !== undefined) {
    const pem = config.publicKey;
    // The key fits every accepted algorithm (toJwtAlgorithms): the first one imports it.
    const algorithm = algorithms[0] ?? 'RS256';
    let imported: Promise<KeyLike> | undefined;
    return () => (imported ??= importSPKI(pem, algorithm));
  }
  const secret = new TextEncoder().encode(config.secret);
  return () => secret;
}

/**
 * jose stops waiting for the key set's headers after its timeout, but not for a body that stalls,
 * and all requests share its one fetch: a single stalled response would refuse every JWT until a
 * restart. This agent's sockets are destroyed after `timeoutMs` of silence, which fails the fetch.
 */
function createStallGuardAgent(url: URL, timeoutMs: number): HttpAgent {
  const agent = url.protocol === 'https:' ? new HttpsAgent() : new HttpAgent();
  const createConnection = agent.createConnection.bind(agent);
  agent.createConnection = (connectOptions: ClientRequestArgs, callback) => {
    const socket = createConnection(connectOptions, callback);
    // Destroyed without an error: jose listens for one on the request only until the response
    // starts, and an 'error' nobody listens to would crash the process. The body's read fails.
    if (socket instanceof Socket) socket.setTimeout(timeoutMs, () => socket.destroy());
    return socket;
  };
  return agent;
}

/**
 * An expired token and any other bad token are the client's to fix (401). A key set that cannot
 * be fetched is not: that is auditgraph's dependency failing, reported as such and logged.
 */
function toVerificationError(error: unknown, fromKeySet: boolean): AuditgraphError {
  if (error instanceof errors.JWTExpired) return unauthenticated('expired');
  if (fromKeySet && isKeySetFailure(error)) {
    return new AuditgraphError(
      'INTERNAL_SERVER_ERROR',
      "the bearer token cannot be checked now: its issuer's keys are unavailable; try again later",
      { cause: error },
    );
  }
  return unauthenticated('invalid');
}

function isKeySetFailure(error: unknown): boolean {
  // Network errors of the fetch are not jose's; its plain JOSEError is a bad HTTP status or body.
  if (!(error instanceof errors.JOSEError)) return true;
  return (
    error.code === errors.JOSEError.code ||
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid
  );
}

/** `*` grants every source; other ids only those the gateway reads, the rest silently not. */
function toGrantedSources(claim: unknown, known: ReadonlySet<string>): ReadonlySet<string> | null {
  const listed = toClaimList(claim);
  if (listed.includes('*')) return null;
  return new Set(listed.filter((sourceId) => known.has(sourceId)));
}

/** A claim as a list: a JSON array's strings, or a space-separated string like OAuth's `scope`. */
function toClaimList(claim: unknown): string[] {
  if (typeof claim === 'string') return claim.split(/\s+/).filter((item) => item !== '');
  if (Array.isArray(claim)) {
    return claim.filter((item): item is string => typeof item === 'string');
  }
  return [];
}
