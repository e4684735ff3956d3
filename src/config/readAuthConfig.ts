import { configError, configErrorOf, type ConfigProblems } from './configError';
import type { Setting, SettingReader } from './createSettingReader';
import type { FileApiKey } from './schemas';
import { SETTINGS, toSettingNames } from './settings';
import type { ApiKeyConfig, AuditgraphConfig, AuthConfig, JwtConfig } from './types';

export interface AuthContext {
  readonly mode: AuditgraphConfig['mode'];
  /** The ids of the sources the gateway will read, which API keys may name. */
  readonly sourceIds: readonly string[];
  /** Whether a configured source was refused: its id may be among those an API key names. */
  readonly sourcesRefused: boolean;
  readonly problems: ConfigProblems;
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
    jwt: context.problems.attempt(() => readJwt(settings), null),
    allowUnauthenticated,
  };
}

/** The file's keys; one with a problem is recorded and left out. */
function readApiKeys(entries: readonly FileApiKey[], context: AuthContext): ApiKeyConfig[] {
  return entries.flatMap((entry, index) =>
    context.problems.attempt(() => [readApiKey(entry, index, entries, context)], []),
  );
}

function readApiKey(
  entry: FileApiKey,
  index: number,
  entries: readonly FileApiKey[],
  context: AuthContext,
): ApiKeyConfig {
  const list = SETTINGS.apiKeys.key;
  // The first key of an id or a hash keeps it; a later one is the mistake.
  const ids = new Map<string, number>();
  const hashes = new Map<string, number>();
  entries.slice(0, index).forEach((earlier, earlierIndex) => {
    if (!ids.has(earlier.id.toLowerCase())) ids.set(earlier.id.toLowerCase(), earlierIndex);
    if (!hashes.has(earlier.sha256)) hashes.set(earlier.sha256, earlierIndex);
  });
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
  if (entry.sources.includes('*') && entry.sources.length > 1) {
    throw configError(`${at}.sources must be ["*"] alone, or a list of source ids`);
  }
  for (const sourceId of entry.sources) {
    // A source refused for its own mistake is not also unknown here.
    if (sourceId !== '*' && !context.sourceIds.includes(sourceId) && !context.sourcesRefused) {
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
  // A key that was refused is recorded already; it is not missing as well.
  const keyRefused = (['jwtJwksUrl', 'jwtPublicKey', 'jwtSecret'] as const).some((name) =>
    settings.refused(name),
  );
  if (key === undefined && keyRefused) return null;
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
  const missing = (['jwtIssuer', 'jwtAudience'] as const).flatMap((name) =>
    (name === 'jwtIssuer' ? issuer : audience) === undefined && !settings.refused(name)
      ? [
          `${toSettingNames(SETTINGS[name])} is required with ${key.label}: tokens of any other ${name === 'jwtIssuer' ? 'issuer' : 'audience'} are refused`,
        ]
      : [],
  );
  if (missing.length > 0) throw configErrorOf(missing);
  if (issuer === undefined || audience === undefined) return null;
  const algorithms = settings.value('jwtAlgorithms');
  const claims = {
    issuer: issuer.value,
    audience: audience.value,
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
