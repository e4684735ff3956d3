import { BUILT_IN_KINDS } from '../providers/sourceKinds';
import { AuditgraphError } from '../model/errors';
import {
  allIssues,
  configError,
  configErrorOf,
  createConfigProblems,
  type ConfigProblems,
  type KeyPath,
} from './configError';
import { createSettingReader, type Setting, type SettingReader } from './createSettingReader';
import { SECRET_ENV_NAMES } from './environmentVariables';
import { isLoopbackHost } from './isLoopbackHost';
import { isRecord } from './isRecord';
import { readAuthConfig } from './readAuthConfig';
import { readConfigFile, type ConfigFile } from './readConfigFile';
import { readEnv } from './readEnv';
import { readSources } from './readSources';
import {
  DEFAULT_DRAIN_SECONDS,
  MIN_CURSOR_SECRET_LENGTH,
  NULLABLE_GROUPS,
  SETTINGS,
  toSecurityDefaults,
} from './settings';
import { toFileSchema } from './toFileSchema';
import type {
  AuditgraphConfig,
  AuthConfig,
  LoadConfigInput,
  MetricsConfig,
  RedisConfig,
  SecurityConfig,
  TracingConfig,
} from './types';

/**
 * The one place that reads the environment and the config file (design.md §7). Everything else
 * receives an `AuditgraphConfig`, so a test builds one by hand and no module reads process.env.
 *
 * Every problem names the key (`sources[2].accountId`) or the variable (`FASTLY_BASE_URL`), and
 * all of them make one `CONFIG_INVALID` error (`details.problems`): the config is read to the end,
 * so that one run lists everything to fix. Only a config file that cannot be read at all, or an
 * unusable `--config`, stops the reading at once. Messages never quote a received value: a value
 * may be a secret put in the wrong place, and start-up errors end up in logs. Ids and numbers,
 * which we check against fixed rules, are the only values a message repeats.
 */

export function loadConfig(input: LoadConfigInput): AuditgraphConfig {
  // Filled as secrets are read, so the last guard below can blank any that slipped into a message.
  const secrets = new Set<string>();
  const problems = createConfigProblems();
  let config: AuditgraphConfig | null = null;
  try {
    config = buildConfig(input, secrets, problems);
  } catch (error) {
    if (!(error instanceof AuditgraphError) || error.code !== 'CONFIG_INVALID') throw error;
    problems.attempt(() => {
      throw error;
    }, null);
  }
  if (problems.count > 0 || config === null) {
    throw configErrorOf(problems.list.map((problem) => redact(problem, secrets)));
  }
  return config;
}

function buildConfig(
  input: LoadConfigInput,
  secrets: Set<string>,
  problems: ConfigProblems,
): AuditgraphConfig {
  const { env } = input;
  for (const name of SECRET_ENV_NAMES) {
    const value = readEnv(env, name);
    if (value !== undefined) secrets.add(value);
  }

  const configPath = findConfigPath(input.argv, env);
  const file = configPath === null ? null : readConfigFile(configPath, input, secrets, problems);
  const fileValues = file === null ? null : parseFile(file);
  const settings = createSettingReader(env, fileValues, problems, file?.isReported);
  const { sources, refused } = readSources(
    env,
    file === null ? null : { ...file, entries: settings.value('sources') },
    problems,
    input.kinds,
  );

  const host = settings.setting('host');
  const port = settings.value('port');
  const drainSeconds = settings.value('drainSeconds');
  const maxFirst = settings.setting('maxFirst');
  const explicitDefault = settings.setting('defaultFirst');
  const maxFirstValue = maxFirst?.value ?? SETTINGS.maxFirst.default;
  // Lowering maxFirst alone must not make the built-in default invalid: it follows maxFirst down.
  const defaultFirstValue =
    explicitDefault?.value ?? Math.min(SETTINGS.defaultFirst.default, maxFirstValue);
  if (explicitDefault !== undefined && explicitDefault.value > maxFirstValue) {
    problems.report(
      `${explicitDefault.label} (${explicitDefault.value}) must not exceed ${maxFirst?.label ?? 'the default maxFirst'} (${maxFirstValue})`,
    );
  }
  const requestDeadlineMs = settings.value('requestDeadlineMs');
  const holdBackSeconds = settings.value('holdBackSeconds');
  const cursorSecret = settings.setting('cursorSecret');
  const tail = {
    pollIntervalMs: settings.value('tailPollIntervalMs'),
    maxSubscriptionsPerClient: settings.value('tailMaxSubscriptionsPerClient'),
    maxSubscriptions: settings.value('tailMaxSubscriptions'),
  };
  const cache = {
    maxBytes: settings.value('cacheMaxBytes'),
    freshnessSeconds: settings.value('cacheFreshnessSeconds'),
  };

  // A source refused for a mistake is still configured: the rest is checked as for live mode.
  const mode = sources.length + refused === 0 ? 'demo' : 'live';
  // The demo's sources are its emulators, one of each kind, each named after its kind.
  // The demo has one source of each built-in kind, named after it.
  const sourceIds =
    mode === 'demo'
      ? BUILT_IN_KINDS.all.map((definition) => definition.kind)
      : sources.map((source) => source.id);
  const problemsBeforeAuth = problems.count;
  const auth = readAuthConfig(settings, {
    mode,
    sourceIds,
    sourcesRefused: refused > 0,
    problems,
  });
  assertSafeToStart(
    {
      mode,
      host: host ?? { value: SETTINGS.host.default, label: 'the default host' },
      auth,
      // Credentials that were refused are still credentials the operator meant to configure.
      authRefused: problems.count > problemsBeforeAuth,
      allowUnauthenticated: settings.setting('allowUnauthenticated'),
      cursorSecret,
      cursorSecretRefused: settings.refused('cursorSecret'),
    },
    problems,
  );

  return {
    mode,
    host: host?.value ?? SETTINGS.host.default,
    port,
    drainSeconds: drainSeconds ?? DEFAULT_DRAIN_SECONDS[mode],
    sources,
    pagination: { defaultFirst: defaultFirstValue, maxFirst: maxFirstValue },
    cursorSecret: cursorSecret?.value ?? null,
    demo: { seed: settings.value('demoSeed') },
    feed: {
      holdBackSeconds,
      scanBudgetPages: settings.value('scanBudgetPages'),
      requestDeadlineMs,
    },
    counts: { scanBudgetPages: settings.value('countScanBudgetPages') },
    export: { pageTimeoutMs: settings.value('exportPageTimeoutMs') },
    cache,
    tail,
    auth,
    security: readSecurity(settings, mode),
    audit: { enabled: settings.value('auditLog') },
    redis: readRedis(settings),
    replicas: settings.value('replicas'),
    log: { level: settings.value('logLevel') },
    metrics: readMetrics(settings, port, problems),
    tracing: readTracing(settings),
  };
}

function readRedis(settings: SettingReader): RedisConfig | null {
  // Both read, so that a bad prefix is refused even while Redis is not configured yet.
  const url = settings.value('redisUrl');
  const keyPrefix = settings.value('redisKeyPrefix');
  return url === undefined ? null : { url, keyPrefix };
}

function readMetrics(
  settings: SettingReader,
  mainPort: number,
  problems: ConfigProblems,
): MetricsConfig {
  const port = settings.setting('metricsPort');
  if (port !== undefined && port.value !== 0 && port.value === mainPort) {
    problems.report(
      `${port.label} (${port.value}) must differ from the main port, or be left unset to serve /metrics on the main port`,
    );
  }
  return {
    enabled: settings.value('metricsEnabled'),
    port: port?.value ?? null,
    token: settings.value('metricsToken') ?? null,
  };
}

/**
 * What the OpenTelemetry variables amount to. Traces are off unless an endpoint is set or
 * OTEL_TRACES_EXPORTER names an exporter (the SDK's own default would be to export to localhost).
 */
function readTracing(settings: SettingReader): TracingConfig {
  const exporter = settings.value('tracesExporter');
  const endpoint = settings.value('otlpTracesEndpoint') ?? settings.value('otlpEndpoint') ?? null;
  // Read for their check alone: the SDK reads them itself, and they may hold a credential.
  settings.value('otlpHeaders');
  settings.value('otlpTracesHeaders');
  const effective = exporter ?? (endpoint === null ? 'none' : 'otlp');
  return {
    enabled: effective !== 'none',
    exporter: effective,
    endpoint,
    protocol: settings.value('otlpTracesProtocol') ?? settings.value('otlpProtocol'),
    serviceName: settings.value('serviceName'),
  };
}

/** The config file's schema, from the settings' rows. */
const FILE_SCHEMA = toFileSchema(SETTINGS, NULLABLE_GROUPS);

/**
 * The file's values, checked against FILE_SCHEMA (numbers and switches given as text parsed).
 * Every issue is recorded, and the keys at fault are left out, so the rest of the file is read
 * as if they were not there.
 */
function parseFile(file: ConfigFile): Readonly<Record<string, unknown>> {
  let value: unknown = file.value;
  // Each round removes the keys at fault; one round is the rule, a second one is the odd case
  // of a group that held nothing valid.
  for (let round = 0; round < 5; round += 1) {
    const parsed = FILE_SCHEMA.safeParse(value);
    if (parsed.success) return parsed.data;
    const issues = allIssues(parsed.error);
    for (const issue of issues) {
      if (!file.isReported(issue.path)) file.report(issue.path, issue.message);
      value = withoutKey(value, issue.path);
    }
  }
  return {};
}

/** `value` without the key at `path` (a copy; an entry of a list becomes undefined). */
function withoutKey(value: unknown, path: KeyPath): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return undefined;
  if (Array.isArray(value) && typeof head === 'number') {
    return (value as unknown[]).map((item, index) =>
      index === head ? withoutKey(item, rest) : item,
    );
  }
  if (!isRecord(value) || typeof head !== 'string' || !(head in value)) return value;
  if (rest.length === 0) {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== head));
  }
  return { ...value, [head]: withoutKey(value[head], rest) };
}

function readSecurity(settings: SettingReader, mode: AuditgraphConfig['mode']): SecurityConfig {
  const defaults = toSecurityDefaults(mode);
  // NODE_ENV=production means what it means to Apollo Server and most of Node: no developer
  // conveniences, even when the data is the demo's.
  const conveniences = defaults.introspection && settings.value('nodeEnv') !== 'production';
  const introspection = settings.value('introspection');
  const graphiql = settings.value('graphiql');
  return {
    production: defaults.production,
    introspection: introspection ?? conveniences,
    graphiql: graphiql ?? conveniences,
    cursorTtlSeconds: settings.value('cursorTtlSeconds'),
    maxBodyBytes: settings.value('maxBodyBytes'),
    limits: {
      maxDepth: settings.value('maxDepth'),
      maxAliases: settings.value('maxAliases'),
      maxTokens: settings.value('maxTokens'),
      maxCost: settings.value('maxCost'),
      maxDirectives: settings.value('maxDirectives'),
    },
  };
}

/**
 * Issue 5: nothing that protects real audit logs is optional in live mode, and the demo is only
 * open to anyone on its own machine unless the operator says otherwise.
 */
function assertSafeToStart(
  settings: {
    readonly mode: AuditgraphConfig['mode'];
    readonly host: Setting<string>;
    readonly auth: AuthConfig;
    readonly authRefused: boolean;
    readonly allowUnauthenticated: Setting<boolean> | undefined;
    readonly cursorSecret: Setting<string> | undefined;
    readonly cursorSecretRefused: boolean;
  },
  problems: ConfigProblems,
): void {
  const { mode, host, auth } = settings;
  const hasCredentials = auth.apiKeys.length > 0 || auth.jwt !== null || settings.authRefused;
  if (mode === 'live') {
    if (settings.allowUnauthenticated?.value === true) {
      problems.report(
        `${settings.allowUnauthenticated.label} is refused in live mode: real audit logs are never served without authentication`,
      );
    }
    if (!hasCredentials) {
      const { apiKeys, jwtJwksUrl, jwtIssuer, jwtAudience } = SETTINGS;
      problems.report(
        `live mode needs client authentication: add ${apiKeys.key} (npm run auth:hash-key makes a key and its hash) or auth.jwt (or set ${jwtJwksUrl.env}, ${jwtIssuer.env} and ${jwtAudience.env})`,
      );
    }
    if (settings.cursorSecret === undefined && !settings.cursorSecretRefused) {
      const { key, env } = SETTINGS.cursorSecret;
      problems.report(
        `live mode needs a cursor secret: set ${key} or ${env} (at least ${MIN_CURSOR_SECRET_LENGTH} characters, the same on every replica)`,
      );
    }
    return;
  }
  if (!hasCredentials && !auth.allowUnauthenticated && !isLoopbackHost(host.value)) {
    problems.report(
      `the demo has no client authentication, and ${host.label} ${host.value} is not a loopback address: listen on ${SETTINGS.host.default}, configure auth, or set ${SETTINGS.allowUnauthenticated.env}=true to let anyone who reaches it read the demo`,
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
  return found ?? readEnv(env, SETTINGS.configFile.env) ?? null;
}
