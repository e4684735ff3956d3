import { configError } from './configError';
import type { Setting, SettingReader } from './createSettingReader';
import type { FileApiKey } from './schemas';
import { SETTINGS, toSettingNames } from './settings';
import type { ApiKeyConfig, AuditgraphConfig, AuthConfig, JwtConfig } from './types';

export interface AuthContext {
  readonly mode: AuditgraphConfig['mode'];
  /** The ids of the sources the gateway will read, which API keys may name. */
  readonly sourceIds: readonly string[];
}

/**
 * Who may call auditgraph: the file's API keys, by their hash, and JWTs from one issuer. Whether
 * that is enough to start (live mode needs it) is assertSafeToStart's to say.
 */
export function readAuthConfig(settings: SettingReader, context: AuthContext): AuthConfig {
  // Read first, as ever: with two mistakes, its variable's is the one reported.
  const allowUnauthenticated = settings.value('allowUnauthenticated');
  return {
    apiKeys: readApiKeys(settings.value('apiKeys'), context),
    jwt: readJwt(settings),
    allowUnauthenticated,
  };
}

function readApiKeys(entries: readonly FileApiKey[], context: AuthContext): ApiKeyConfig[] {
  const ids = new Map<string, number>();
  const hashes = new Map<string, number>();
  const list = SETTINGS.apiKeys.key;
  return entries.map((entry, index) => {
    const at = `${list}[${index}]`;
    const sameId = ids.get(entry.id.toLowerCase());
    if (sameId !== undefined) {
      throw configError(
        `${at}.id "${entry.id}" is already used by ${list}[${sameId}]; API key ids must be unique`,
      );
    }
    const sameHash = hashes.get(entry.sha256);
    if (sameHash !== undefined) {
      throw configError(
        `${at}.sha256 is the same as ${list}[${sameHash}].sha256: give each client its own key`,
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
function readJwt(settings: SettingReader): JwtConfig | null {
  const jwksUrl = settings.setting('jwtJwksUrl');
  const issuer = settings.setting('jwtIssuer');
  const audience = settings.setting('jwtAudience');
  const publicKey = settings.setting('jwtPublicKey');
  const secret = settings.setting('jwtSecret');
  const keys = [jwksUrl, publicKey, secret].filter(
    (key): key is Setting<string> => key !== undefined,
  );
  const inFile = settings.inFile(JWT_GROUP);
  if (!inFile && keys.length === 0 && issuer === undefined && audience === undefined) return null;
  const [key, otherKey] = keys;
  if (key === undefined) {
    const given = issuer?.label ?? audience?.label ?? JWT_GROUP;
    throw configError(
      `${given} is set, but there is no key to verify JWTs with: set ${toSettingNames(SETTINGS.jwtJwksUrl)}, ${SETTINGS.jwtPublicKey.key} or ${SETTINGS.jwtSecret.key}`,
    );
  }
  if (otherKey !== undefined) {
    throw configError(
      `${key.label} and ${otherKey.label} are both set: JWTs are verified with exactly one of jwksUrl, publicKey or secret`,
    );
  }
  const required = (name: 'jwtIssuer' | 'jwtAudience', claim: string): string => {
    const setting = name === 'jwtIssuer' ? issuer : audience;
    if (setting === undefined) {
      throw configError(
        `${toSettingNames(SETTINGS[name])} is required with ${key.label}: tokens of any other ${claim} are refused`,
      );
    }
    return setting.value;
  };
  const algorithms = settings.value('jwtAlgorithms');
  const claims = {
    issuer: required('jwtIssuer', 'issuer'),
    audience: required('jwtAudience', 'audience'),
    sourcesClaim: settings.value('jwtSourcesClaim'),
    permissionsClaim: settings.value('jwtPermissionsClaim'),
    clockToleranceSeconds: settings.value('jwtClockToleranceSeconds'),
    // Whether the key can verify them is checked when the verifier is built (toJwtAlgorithms).
    ...(algorithms === undefined ? {} : { algorithms }),
    keyLabel: key.label,
  };
  if (key === jwksUrl) return { ...claims, jwksUrl: key.value };
  if (key === publicKey) return { ...claims, publicKey: key.value };
  return { ...claims, secret: key.value };
}

/** The group of the JWT settings in the file. */
const JWT_GROUP = 'auth.jwt';
