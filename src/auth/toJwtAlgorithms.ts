import { createPublicKey, type KeyObject } from 'node:crypto';
import { JWT_ALGORITHMS, type JwtAlgorithm, type JwtConfig } from '../config/types';
import { AuditgraphError } from '../model/errors';

const HMAC_ALGORITHMS: readonly JwtAlgorithm[] = ['HS256', 'HS384', 'HS512'];
/** PKCS #1 v1.5 (RS*) and PSS (PS*) signatures, in JWT_ALGORITHMS' order. */
const RSA_ALGORITHMS: readonly JwtAlgorithm[] = JWT_ALGORITHMS.filter(
  (algorithm) => algorithm.startsWith('RS') || algorithm.startsWith('PS'),
);
/** A key set holds public keys only: HMAC with a public key would let anyone sign. */
const ASYMMETRIC_ALGORITHMS: readonly JwtAlgorithm[] = JWT_ALGORITHMS.filter(
  (algorithm) => !HMAC_ALGORITHMS.includes(algorithm),
);

const EC_CURVE_ALGORITHMS: Readonly<Record<string, JwtAlgorithm>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

/**
 * The algorithms a JWT may be signed with: the configured ones, each checked against what the key
 * can verify, else what the key verifies by default (every asymmetric algorithm for a key set,
 * HS256 for a secret, a public key's usual one). The verifier calls it when it is built, so a key
 * that cannot verify what the config names stops start-up with CONFIG_INVALID.
 */
export function toJwtAlgorithms(config: JwtConfig): JwtAlgorithm[] {
  if (config.jwksUrl !== undefined) {
    const label = config.keyLabel ?? 'auth.jwt.jwksUrl';
    return pickAlgorithms(config.algorithms, ASYMMETRIC_ALGORITHMS, label);
  }
  if (config.publicKey !== undefined) {
    const label = config.keyLabel ?? 'auth.jwt.publicKey';
    const fits = algorithmsOfPublicKey(config.publicKey, label);
    return pickAlgorithms(config.algorithms, fits, label, fits.slice(0, 1));
  }
  const label = config.keyLabel ?? 'auth.jwt.secret';
  return pickAlgorithms(config.algorithms, HMAC_ALGORITHMS, label, ['HS256']);
}

function pickAlgorithms(
  given: readonly JwtAlgorithm[] | undefined,
  fitting: readonly JwtAlgorithm[],
  keyLabel: string,
  defaults: readonly JwtAlgorithm[] = fitting,
): JwtAlgorithm[] {
  if (given === undefined) return [...defaults];
  const misfit = given.find((algorithm) => !fitting.includes(algorithm));
  if (misfit !== undefined) {
    throw configError(
      `auth.jwt.algorithms holds ${misfit}, which ${keyLabel} cannot verify (it can: ${fitting.join(', ')})`,
    );
  }
  return [...new Set(given)];
}

/** The algorithms a PEM public key verifies, the usual one first. */
function algorithmsOfPublicKey(pem: string, label: string): readonly JwtAlgorithm[] {
  if (pem.includes('PRIVATE KEY')) {
    throw configError(
      `${label} holds a private key: give only its public key (PEM, "-----BEGIN PUBLIC KEY-----")`,
    );
  }
  let parsed: KeyObject | null = null;
  if (pem.includes('-----BEGIN PUBLIC KEY-----')) {
    try {
      parsed = createPublicKey({ key: pem, format: 'pem' });
    } catch {
      parsed = null;
    }
  }
  if (parsed === null) {
    throw configError(`${label} must be a public key in PEM (SPKI, "-----BEGIN PUBLIC KEY-----")`);
  }
  const details = parsed.asymmetricKeyDetails;
  switch (parsed.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      if ((details?.modulusLength ?? 0) < 2048) {
        throw configError(`${label} must be an RSA key of at least 2048 bits`);
      }
      return parsed.asymmetricKeyType === 'rsa'
        ? RSA_ALGORITHMS
        : RSA_ALGORITHMS.filter((algorithm) => algorithm.startsWith('PS'));
    case 'ec': {
      const algorithm = EC_CURVE_ALGORITHMS[details?.namedCurve ?? ''];
      if (algorithm !== undefined) return [algorithm];
      break;
    }
    case 'ed25519':
    case 'ed448':
      return ['EdDSA'];
    // Keys for key agreement or DSA: no JWS algorithm verifies with them.
    case 'dsa':
    case 'x25519':
    case 'x448':
    case undefined:
      break;
  }
  throw configError(`${label} must be an RSA, EC (P-256, P-384, P-521) or Ed25519 public key`);
}

function configError(message: string): AuditgraphError {
  return new AuditgraphError('CONFIG_INVALID', message);
}
