import { configError } from './configError';
import { fileSetting, pickSetting, type Setting } from './pickSetting';
import { claimValueSchema, jwksUrlSchema, type FileApiKey, type FileJwt } from './schemas';
import { CONFIG_DEFAULTS } from './settings';
import type { ApiKeyConfig, AuditgraphConfig, JwtConfig, LoadConfigInput } from './types';

export interface AuthContext {
  readonly mode: AuditgraphConfig['mode'];
  /** The ids of the sources the gateway will read, which API keys may name. */
  readonly sourceIds: readonly string[];
}

export function buildApiKeys(entries: readonly FileApiKey[], context: AuthContext): ApiKeyConfig[] {
  const ids = new Map<string, number>();
  const hashes = new Map<string, number>();
  return entries.map((entry, index) => {
    const at = `auth.apiKeys[${index}]`;
    const sameId = ids.get(entry.id.toLowerCase());
    if (sameId !== undefined) {
      throw configError(
        `${at}.id "${entry.id}" is already used by auth.apiKeys[${sameId}]; API key ids must be unique`,
      );
    }
    const sameHash = hashes.get(entry.sha256);
    if (sameHash !== undefined) {
      throw configError(
        `${at}.sha256 is the same as auth.apiKeys[${sameHash}].sha256: give each client its own key`,
      );
    }
    ids.set(entry.id.toLowerCase(), index);
    hashes.set(entry.sha256, index);
    if (entry.sources.includes('*') && entry.sources.length > 1) {
      throw configError(`${at}.sources must be ["*"] alone, or a list of source ids`);
    }
    for (const sourceId of entry.sources) {
      if (sourceId !== '*' && !context.sourceIds.includes(sourceId)) {
        const known = context.mode === 'demo' ? "the demo's sources" : 'configured sources';
        throw configError(
          `${at}.sources names source "${sourceId}", which is not configured (${known}: ${context.sourceIds.join(', ')})`,
        );
      }
    }
    return {
      id: entry.id,
      sha256: entry.sha256,
      sources: [...new Set(entry.sources)],
      permissions: [...new Set(entry.permissions ?? [])],
    };
  });
}

/** The JWT settings from the file, each overridable from the environment; null when none. */
export function buildJwt(env: LoadConfigInput['env'], file: FileJwt | undefined): JwtConfig | null {
  const jwksUrl = pickSetting(
    env,
    'AUDITGRAPH_JWT_JWKS_URL',
    jwksUrlSchema,
    fileSetting(file?.jwksUrl, 'auth.jwt.jwksUrl'),
  );
  const issuer = pickSetting(
    env,
    'AUDITGRAPH_JWT_ISSUER',
    claimValueSchema,
    fileSetting(file?.issuer, 'auth.jwt.issuer'),
  );
  const audience = pickSetting(
    env,
    'AUDITGRAPH_JWT_AUDIENCE',
    claimValueSchema,
    fileSetting(file?.audience, 'auth.jwt.audience'),
  );
  const publicKey = fileSetting(file?.publicKey, 'auth.jwt.publicKey');
  const secret = fileSetting(file?.secret, 'auth.jwt.secret');
  const keys = [jwksUrl, publicKey, secret].filter(
    (key): key is Setting<string> => key !== undefined,
  );
  if (file === undefined && keys.length === 0 && issuer === undefined && audience === undefined) {
    return null;
  }
  const [key, otherKey] = keys;
  if (key === undefined) {
    const given = issuer?.label ?? audience?.label ?? 'auth.jwt';
    throw configError(
      `${given} is set, but there is no key to verify JWTs with: set auth.jwt.jwksUrl (or AUDITGRAPH_JWT_JWKS_URL), auth.jwt.publicKey or auth.jwt.secret`,
    );
  }
  if (otherKey !== undefined) {
    throw configError(
      `${key.label} and ${otherKey.label} are both set: JWTs are verified with exactly one of jwksUrl, publicKey or secret`,
    );
  }
  const required = (setting: Setting<string> | undefined, name: string, variable: string) => {
    if (setting === undefined) {
      throw configError(
        `auth.jwt.${name} (or ${variable}) is required with ${key.label}: tokens of any other ${name} are refused`,
      );
    }
    return setting.value;
  };
  const claims = {
    issuer: required(issuer, 'issuer', 'AUDITGRAPH_JWT_ISSUER'),
    audience: required(audience, 'audience', 'AUDITGRAPH_JWT_AUDIENCE'),
    sourcesClaim: file?.sourcesClaim ?? CONFIG_DEFAULTS.jwtSourcesClaim,
    permissionsClaim: file?.permissionsClaim ?? CONFIG_DEFAULTS.jwtPermissionsClaim,
    clockToleranceSeconds: file?.clockToleranceSeconds ?? CONFIG_DEFAULTS.jwtClockToleranceSeconds,
    // Whether the key can verify them is checked when the verifier is built (toJwtAlgorithms).
    ...(file?.algorithms === undefined ? {} : { algorithms: file.algorithms }),
    keyLabel: key.label,
  };
  if (key === jwksUrl) return { ...claims, jwksUrl: key.value };
  if (key === publicKey) return { ...claims, publicKey: key.value };
  return { ...claims, secret: key.value };
}
