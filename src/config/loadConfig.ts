import { SOURCE_KINDS } from '../model/AuditEvent';
import { AuditgraphError } from '../model/errors';
import { QUERY_LIMIT_DEFAULTS } from '../model/QueryLimits';
import { configError, firstIssue } from './configError';
import { isLoopbackHost } from './isLoopbackHost';
import { fileSetting, pickSetting, type Setting } from './pickSetting';
import { buildApiKeys, buildJwt } from './readAuthConfig';
import { readConfigFile, type ConfigFile } from './readConfigFile';
import { readEnv } from './readEnv';
import { assertUniqueIds, parseFileSource, sourcesFromEnv, type SourceEntry } from './readSources';
import {
  booleanSchema,
  cacheBytesSchema,
  cursorSecretSchema,
  deadlineSchema,
  drainSecondsSchema,
  fileSchema,
  firstSchema,
  freshnessSchema,
  holdBackSchema,
  hostSchema,
  MIN_CURSOR_SECRET_LENGTH,
  portSchema,
  type FileAudit,
  type FileAuth,
  type FileSecurity,
} from './schemas';
import {
  CONFIG_DEFAULTS,
  DEFAULT_AUDIT_CONFIG,
  DEFAULT_CACHE_CONFIG,
  DEFAULT_DRAIN_SECONDS,
  toSecurityDefaults,
} from './settings';
import type { AuditgraphConfig, AuthConfig, LoadConfigInput, SecurityConfig } from './types';

/**
 * The one place that reads the environment and the config file (design.md §7). Everything else
 * receives an `AuditgraphConfig`, so a test builds one by hand and no module reads process.env.
 *
 * Every problem is one `CONFIG_INVALID` error naming the key (`sources[2].accountId`) or the
 * variable (`FASTLY_BASE_URL`). Messages never quote a received value: a value may be a secret
 * put in the wrong place, and start-up errors end up in logs. Ids and numbers, which we check
 * against fixed rules, are the only values a message repeats.
 */

export function loadConfig(input: LoadConfigInput): AuditgraphConfig {
  // Filled as secrets are read, so the last guard below can blank any that slipped into a message.
  const secrets = new Set<string>();
  try {
    return buildConfig(input, secrets);
  } catch (error) {
    if (error instanceof AuditgraphError) {
      throw new AuditgraphError(error.code, redact(error.message, secrets));
    }
    throw error;
  }
}

function buildConfig(input: LoadConfigInput, secrets: Set<string>): AuditgraphConfig {
  const { env } = input;
  for (const name of SECRET_ENV_NAMES) {
    const value = readEnv(env, name);
    if (value !== undefined) secrets.add(value);
  }

  const configPath = findConfigPath(input.argv, env);
  const file =
    configPath === null ? null : parseFileConfig(readConfigFile(configPath, input, secrets));

  const fileSources = file?.sources ?? [];
  const envSources = sourcesFromEnv(env, file?.referencedVariables ?? new Set());
  assertUniqueIds([...fileSources, ...envSources], configPath);
  const sources = [...fileSources, ...envSources].map((entry) => entry.source);

  const host = pickSetting(env, 'HOST', hostSchema, file?.host);
  const port = pickSetting(env, 'PORT', portSchema, file?.port);
  const drainSeconds = pickSetting(
    env,
    'AUDITGRAPH_DRAIN_SECONDS',
    drainSecondsSchema,
    file?.drainSeconds,
  );
  const maxFirst = pickSetting(env, 'AUDITGRAPH_MAX_FIRST', firstSchema, file?.maxFirst);
  const explicitDefault = pickSetting(
    env,
    'AUDITGRAPH_DEFAULT_FIRST',
    firstSchema,
    file?.defaultFirst,
  );
  const maxFirstValue = maxFirst?.value ?? CONFIG_DEFAULTS.maxFirst;
  // Lowering maxFirst alone must not make the built-in default invalid: it follows maxFirst down.
  const defaultFirstValue =
    explicitDefault?.value ?? Math.min(CONFIG_DEFAULTS.defaultFirst, maxFirstValue);
  if (explicitDefault !== undefined && explicitDefault.value > maxFirstValue) {
    throw configError(
      `${explicitDefault.label} (${explicitDefault.value}) must not exceed ${maxFirst?.label ?? 'the default maxFirst'} (${maxFirstValue})`,
    );
  }
  const deadline = pickSetting(
    env,
    'AUDITGRAPH_REQUEST_DEADLINE_MS',
    deadlineSchema,
    file?.requestDeadlineMs,
  );
  const holdBack = pickSetting(
    env,
    'AUDITGRAPH_HOLD_BACK_SECONDS',
    holdBackSchema,
    file?.holdBackSeconds,
  );
  const cursorSecret = pickSetting(
    env,
    'AUDITGRAPH_CURSOR_SECRET',
    cursorSecretSchema,
    file?.cursorSecret,
  );
  const cacheMaxBytes = pickSetting(
    env,
    'AUDITGRAPH_CACHE_MAX_BYTES',
    cacheBytesSchema,
    file?.cacheMaxBytes,
  );
  const cacheFreshness = pickSetting(
    env,
    'AUDITGRAPH_CACHE_FRESHNESS_SECONDS',
    freshnessSchema,
    file?.cacheFreshnessSeconds,
  );

  const mode = sources.length === 0 ? 'demo' : 'live';
  const hostValue = host?.value ?? CONFIG_DEFAULTS.host;
  // The demo's sources are its emulators, one of each kind, each named after its kind.
  const sourceIds = mode === 'demo' ? SOURCE_KINDS : sources.map((source) => source.id);
  const allowUnauthenticated = pickSetting(
    env,
    'AUDITGRAPH_ALLOW_UNAUTHENTICATED',
    booleanSchema,
    fileSetting(file?.auth?.allowUnauthenticated, 'auth.allowUnauthenticated'),
  );
  const auth: AuthConfig = {
    apiKeys: buildApiKeys(file?.auth?.apiKeys ?? [], { mode, sourceIds }),
    jwt: buildJwt(env, file?.auth?.jwt ?? undefined),
    allowUnauthenticated: allowUnauthenticated?.value ?? false,
  };
  assertSafeToStart({
    mode,
    host: host ?? { value: hostValue, label: 'the default host' },
    auth,
    allowUnauthenticated,
    cursorSecret,
  });

  return {
    mode,
    host: hostValue,
    port: port?.value ?? CONFIG_DEFAULTS.port,
    drainSeconds: drainSeconds?.value ?? DEFAULT_DRAIN_SECONDS[mode],
    sources,
    pagination: { defaultFirst: defaultFirstValue, maxFirst: maxFirstValue },
    cursorSecret: cursorSecret?.value ?? null,
    demo: { seed: file?.seed?.value ?? CONFIG_DEFAULTS.demoSeed },
    feed: {
      holdBackSeconds: holdBack?.value ?? CONFIG_DEFAULTS.holdBackSeconds,
      scanBudgetPages: file?.scanBudgetPages?.value ?? CONFIG_DEFAULTS.scanBudgetPages,
      requestDeadlineMs: deadline?.value ?? CONFIG_DEFAULTS.requestDeadlineMs,
    },
    cache: {
      maxBytes: cacheMaxBytes?.value ?? DEFAULT_CACHE_CONFIG.maxBytes,
      freshnessSeconds: cacheFreshness?.value ?? DEFAULT_CACHE_CONFIG.freshnessSeconds,
    },
    auth,
    security: buildSecurity(env, file?.security, mode),
    audit: {
      enabled:
        pickSetting(
          env,
          'AUDITGRAPH_AUDIT_LOG',
          booleanSchema,
          fileSetting(file?.audit?.enabled, 'audit.enabled'),
        )?.value ?? DEFAULT_AUDIT_CONFIG.enabled,
    },
  };
}

function buildSecurity(
  env: LoadConfigInput['env'],
  file: FileSecurity | undefined,
  mode: AuditgraphConfig['mode'],
): SecurityConfig {
  const defaults = toSecurityDefaults(mode);
  // NODE_ENV=production means what it means to Apollo Server and most of Node: no developer
  // conveniences, even when the data is the demo's.
  const conveniences = defaults.introspection && readEnv(env, 'NODE_ENV') !== 'production';
  const introspection = pickSetting(
    env,
    'AUDITGRAPH_INTROSPECTION',
    booleanSchema,
    fileSetting(file?.introspection, 'security.introspection'),
  );
  const graphiql = pickSetting(
    env,
    'AUDITGRAPH_GRAPHIQL',
    booleanSchema,
    fileSetting(file?.graphiql, 'security.graphiql'),
  );
  const limits = file?.limits;
  return {
    production: defaults.production,
    introspection: introspection?.value ?? conveniences,
    graphiql: graphiql?.value ?? conveniences,
    cursorTtlSeconds: file?.cursorTtlSeconds ?? defaults.cursorTtlSeconds,
    maxBodyBytes: file?.maxBodyBytes ?? defaults.maxBodyBytes,
    limits: {
      maxDepth: limits?.maxDepth ?? QUERY_LIMIT_DEFAULTS.maxDepth,
      maxAliases: limits?.maxAliases ?? QUERY_LIMIT_DEFAULTS.maxAliases,
      maxTokens: limits?.maxTokens ?? QUERY_LIMIT_DEFAULTS.maxTokens,
      maxCost: limits?.maxCost ?? QUERY_LIMIT_DEFAULTS.maxCost,
      maxDirectives: limits?.maxDirectives ?? QUERY_LIMIT_DEFAULTS.maxDirectives,
    },
  };
}

/**
 * Issue 5: nothing that protects real audit logs is optional in live mode, and the demo is only
 * open to anyone on its own machine unless the operator says otherwise.
 */
function assertSafeToStart(settings: {
  readonly mode: AuditgraphConfig['mode'];
  readonly host: Setting<string>;
  readonly auth: AuthConfig;
  readonly allowUnauthenticated: Setting<boolean> | undefined;
  readonly cursorSecret: Setting<string> | undefined;
}): void {
  const { mode, host, auth } = settings;
  const hasCredentials = auth.apiKeys.length > 0 || auth.jwt !== null;
  if (mode === 'live') {
    if (settings.allowUnauthenticated?.value === true) {
      throw configError(
        `${settings.allowUnauthenticated.label} is refused in live mode: real audit logs are never served without authentication`,
      );
    }
    if (!hasCredentials) {
      throw configError(
        'live mode needs client authentication: add auth.apiKeys (npm run auth:hash-key makes a key and its hash) or auth.jwt (or set AUDITGRAPH_JWT_JWKS_URL, AUDITGRAPH_JWT_ISSUER and AUDITGRAPH_JWT_AUDIENCE)',
      );
    }
    if (settings.cursorSecret === undefined) {
      throw configError(
        `live mode needs a cursor secret: set cursorSecret or AUDITGRAPH_CURSOR_SECRET (at least ${MIN_CURSOR_SECRET_LENGTH} characters, the same on every replica)`,
      );
    }
    return;
  }
  if (!hasCredentials && !auth.allowUnauthenticated && !isLoopbackHost(host.value)) {
    throw configError(
      `the demo has no client authentication, and ${host.label} ${host.value} is not a loopback address: listen on 127.0.0.1, configure auth, or set AUDITGRAPH_ALLOW_UNAUTHENTICATED=true to let anyone who reaches it read the demo`,
    );
  }
}

/** The last guard: a secret long enough to be one is never printed, whatever the message. */
function redact(message: string, secrets: ReadonlySet<string>): string {
  let result = message;
  for (const secret of secrets) {
    if (secret.length >= 8) result = result.split(secret).join('[redacted]');
  }
  return result;
}

const SECRET_ENV_NAMES = [
  'FASTLY_API_TOKEN',
  'CLOUDFLARE_API_TOKEN',
  'FUSIONAUTH_API_KEY',
  'NIRVANA_API_KEY',
  'AUDITGRAPH_CURSOR_SECRET',
] as const;

function findConfigPath(argv: readonly string[], env: LoadConfigInput['env']): string | null {
  let found: string | null = null;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    let value: string | undefined;
    if (arg === '--config') {
      value = argv[index + 1];
      index += 1;
      if (value === undefined || value === '' || value.startsWith('--')) {
        throw configError('--config needs a file path (--config FILE or --config=FILE)');
      }
    } else if (arg?.startsWith('--config=') === true) {
      value = arg.slice('--config='.length);
      if (value === '') throw configError('--config= needs a file path');
    } else {
      continue;
    }
    if (found !== null) throw configError('--config is given more than once');
    found = value;
  }
  return found ?? readEnv(env, 'AUDITGRAPH_CONFIG') ?? null;
}

/** The file's settings, each with the key path to blame. */
interface FileConfig {
  readonly sources: readonly SourceEntry[];
  /** Environment variables the file refers to with `${NAME}`. */
  readonly referencedVariables: ReadonlySet<string>;
  readonly host?: Setting<string>;
  readonly port?: Setting<number>;
  readonly drainSeconds?: Setting<number>;
  readonly defaultFirst?: Setting<number>;
  readonly maxFirst?: Setting<number>;
  readonly cursorSecret?: Setting<string>;
  readonly seed?: Setting<number>;
  readonly holdBackSeconds?: Setting<number>;
  readonly scanBudgetPages?: Setting<number>;
  readonly requestDeadlineMs?: Setting<number>;
  readonly cacheMaxBytes?: Setting<number>;
  readonly cacheFreshnessSeconds?: Setting<number>;
  readonly auth?: FileAuth;
  readonly security?: FileSecurity;
  readonly audit?: FileAudit;
}

function parseFileConfig(file: ConfigFile): FileConfig {
  const { value, referencedVariables, fail } = file;
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error);
    file.fail(issue.path, issue.message);
  }
  const { server, pagination, cursorSecret, demo, feed, cache, auth, security, audit } =
    parsed.data;
  return {
    sources: (parsed.data.sources ?? []).map((entry, index) => parseFileSource(entry, index, fail)),
    referencedVariables,
    ...setting('host', server?.host, 'server.host'),
    ...setting('port', server?.port, 'server.port'),
    ...setting('drainSeconds', server?.drainSeconds, 'server.drainSeconds'),
    ...setting('defaultFirst', pagination?.defaultFirst, 'pagination.defaultFirst'),
    ...setting('maxFirst', pagination?.maxFirst, 'pagination.maxFirst'),
    ...setting('cursorSecret', cursorSecret, 'cursorSecret'),
    ...setting('seed', demo?.seed, 'demo.seed'),
    ...setting('holdBackSeconds', feed?.holdBackSeconds, 'feed.holdBackSeconds'),
    ...setting('scanBudgetPages', feed?.scanBudgetPages, 'feed.scanBudgetPages'),
    ...setting('requestDeadlineMs', feed?.requestDeadlineMs, 'feed.requestDeadlineMs'),
    ...setting('cacheMaxBytes', cache?.maxBytes, 'cache.maxBytes'),
    ...setting('cacheFreshnessSeconds', cache?.freshnessSeconds, 'cache.freshnessSeconds'),
    ...(auth === undefined ? {} : { auth }),
    ...(security === undefined ? {} : { security }),
    ...(audit === undefined ? {} : { audit }),
  };
}

/** `{ [key]: { value, label } }` when the value is present, `{}` otherwise (exact optionals). */
function setting<K extends string, T>(
  key: K,
  value: T | undefined,
  label: string,
): { [P in K]?: Setting<T> } {
  return value === undefined ? {} : ({ [key]: { value, label } } as { [P in K]?: Setting<T> });
}
