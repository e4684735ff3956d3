import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { isLoopbackHost } from './config/isLoopbackHost';
import { SOURCE_KINDS, type SourceKind } from './model/AuditEvent';
import { AuditgraphError } from './model/errors';
import type { QueryLimits } from './model/QueryLimits';
import { QUERY_LIMIT_DEFAULTS } from './model/QueryLimits';

/**
 * The one place that reads the environment and the config file (design.md §7). Everything else
 * receives an `AuditgraphConfig`, so a test builds one by hand and no module reads process.env.
 *
 * Every problem is one `CONFIG_INVALID` error naming the key (`sources[2].accountId`) or the
 * variable (`FASTLY_BASE_URL`). Messages never quote a received value: a value may be a secret
 * put in the wrong place, and start-up errors end up in logs. Ids and numbers, which we check
 * against fixed rules, are the only values a message repeats.
 */

export interface SourceConfig {
  readonly id: string;
  readonly kind: SourceKind;
  /** Without a trailing slash; the provider's public API when the config does not name one. */
  readonly baseUrl: string;
  /** fastly, cloudflare-*. */
  readonly token?: string;
  /** fusionauth-*, nirvana. */
  readonly apiKey?: string;
  /** cloudflare-*. */
  readonly accountId?: string;
  /** fusionauth-*, optional: sent as X-FusionAuth-TenantId when the key is not tenant-bound. */
  readonly tenantId?: string;
  /**
   * How late the source's API usually shows an event, in seconds; reported per page as the
   * source's `completeUntil`. Default: 300 for cloudflare-v2, 0 for the others.
   */
  readonly lateArrivalSeconds?: number;
}

export interface AuditgraphConfig {
  /** `demo` when no source is configured at all: the emulators stand in for every kind. */
  readonly mode: 'demo' | 'live';
  readonly host: string;
  readonly port: number;
  /**
   * On SIGTERM or SIGINT, how long the listener stays open with `/readyz` at 503 and new GraphQL
   * requests refused, before it closes and in-flight requests finish. loadConfig takes whole
   * seconds; by default DEFAULT_DRAIN_SECONDS[mode].
   */
  readonly drainSeconds: number;
  readonly sources: readonly SourceConfig[];
  readonly pagination: { readonly defaultFirst: number; readonly maxFirst: number };
  /** The cursors' HMAC key; null lets the feed pick a random one per process. */
  readonly cursorSecret: string | null;
  readonly demo: { readonly seed: number };
  readonly feed: {
    /** How far behind now a new traversal's snapshot is set, so late events are already in it. */
    readonly holdBackSeconds: number;
    /** Upstream pages one source may read for one page before the page comes back short. */
    readonly scanBudgetPages: number;
    /** How long one GraphQL request may wait on upstreams in all, retries included, in ms. */
    readonly requestDeadlineMs: number;
  };
  /**
   * The cache of upstream pages of closed time windows. Always set by loadConfig; a config built
   * by hand without it gets CONFIG_DEFAULTS.
   */
  readonly cache?: CacheConfig;
  /**
   * Who may call auditgraph. Always set by loadConfig; a config built by hand without it gets
   * DEFAULT_AUTH_CONFIG, which lets no one in but the loopback demo's anonymous clients.
   */
  readonly auth?: AuthConfig;
  /** Always set by loadConfig; a config built by hand without it gets toSecurityDefaults(mode). */
  readonly security?: SecurityConfig;
  /** Always set by loadConfig; a config built by hand without it gets DEFAULT_AUDIT_CONFIG. */
  readonly audit?: AuditConfig;
}

/** What a client may be granted beyond reading its sources. */
export type Permission = 'pii';

export interface AuthConfig {
  readonly apiKeys: readonly ApiKeyConfig[];
  readonly jwt: JwtConfig | null;
  /**
   * Lets the demo answer requests without credentials on a host that is not loopback. Refused in
   * live mode: real audit logs are never served to anonymous clients.
   */
  readonly allowUnauthenticated: boolean;
}

/** One client's static API key. The key itself is never stored, only its hash. */
export interface ApiKeyConfig {
  /** Names the client in logs and as its principal. */
  readonly id: string;
  /** The SHA-256 of the key, 64 lowercase hex digits (`npm run auth:hash-key`). */
  readonly sha256: string;
  /** `['*']` for every source, else the ids of the sources it may read. */
  readonly sources: readonly string[];
  readonly permissions: readonly Permission[];
}

/** The JWS algorithms a JWT may be signed with. `none` is not one of them, whatever the config. */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** JWTs from an OIDC provider (FusionAuth, Auth0, Keycloak, ...) or any issuer with a key. */
export type JwtConfig = JwtClaimsConfig & JwtKeyConfig;

/** Exactly one key verifies the signatures. */
export type JwtKeyConfig =
  | { readonly jwksUrl: string; readonly publicKey?: never; readonly secret?: never }
  | { readonly publicKey: string; readonly jwksUrl?: never; readonly secret?: never }
  | { readonly secret: string; readonly jwksUrl?: never; readonly publicKey?: never };

export interface JwtClaimsConfig {
  /** `iss` must equal this. */
  readonly issuer: string;
  /** `aud` must be or contain this. */
  readonly audience: string;
  /**
   * Accepted signature algorithms: HMAC only with a secret, never with a public key. Checked
   * against the key when the verifier is built; unset, the key's own (toJwtAlgorithms).
   */
  readonly algorithms?: readonly JwtAlgorithm[];
  /**
   * Where the key was configured (`auth.jwt.jwksUrl`, `AUDITGRAPH_JWT_JWKS_URL`), so that a key
   * refused at start-up is named as the operator wrote it; unset, `auth.jwt.<key>`.
   */
  readonly keyLabel?: string;
  /** The claim holding the source ids a token may read (a list, or `*` for all). */
  readonly sourcesClaim: string;
  /** The claim holding the token's permissions; `pii` among them grants personal data. */
  readonly permissionsClaim: string;
  /** How far `exp` and `nbf` may be off, for clocks that differ. */
  readonly clockToleranceSeconds: number;
}

export interface SecurityConfig {
  /** Live mode. The demo, whose data is made up, never is. */
  readonly production: boolean;
  readonly introspection: boolean;
  /** GraphiQL for a browser's GET of /graphql. */
  readonly graphiql: boolean;
  /** How long a cursor stays good after its traversal's first page. */
  readonly cursorTtlSeconds: number;
  /** The largest request body accepted. */
  readonly maxBodyBytes: number;
  readonly limits: QueryLimits;
}

export interface AuditConfig {
  /** One log line per GraphQL read: who asked for what. */
  readonly enabled: boolean;
}

export interface CacheConfig {
  /** The most memory the cache may hold, estimated as JSON bytes; 0 turns the cache off. */
  readonly maxBytes: number;
  /**
   * A time window that ended less than this long ago (or less than its source's late-arrival
   * delay) is always read upstream, so the head of the feed stays fresh.
   */
  readonly freshnessSeconds: number;
}

export interface LoadConfigInput {
  /** Command-line arguments; only `--config FILE` / `--config=FILE` is read, others are ignored. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads the config file as UTF-8 text (default: fs.readFileSync); injected for tests. */
  readonly readFile?: (path: string) => string;
}

/** The providers' public API roots; FusionAuth is self-hosted, so it has none. */
export const DEFAULT_BASE_URLS: Readonly<Record<SourceKind, string | null>> = {
  fastly: 'https://api.fastly.com',
  'cloudflare-v1': 'https://api.cloudflare.com/client/v4',
  'cloudflare-v2': 'https://api.cloudflare.com/client/v4',
  'fusionauth-event-log': null,
  'fusionauth-audit-log': null,
  nirvana: 'https://api.nirvanalabs.io',
};

export const CONFIG_DEFAULTS = {
  host: '127.0.0.1',
  port: 4000,
  defaultFirst: 20,
  maxFirst: 100,
  demoSeed: 1,
  holdBackSeconds: 0,
  scanBudgetPages: 20,
  requestDeadlineMs: 10_000,
  cacheMaxBytes: 64 * 1024 * 1024,
  cacheFreshnessSeconds: 300,
  cursorTtlSeconds: 86_400,
  maxBodyBytes: 1024 * 1024,
  jwtSourcesClaim: 'auditgraph_sources',
  jwtPermissionsClaim: 'auditgraph_permissions',
  jwtClockToleranceSeconds: 30,
} as const;

/** Nobody may call without credentials, except on the loopback demo. */
export const DEFAULT_AUTH_CONFIG: AuthConfig = {
  apiKeys: [],
  jwt: null,
  allowUnauthenticated: false,
};

export const DEFAULT_AUDIT_CONFIG: AuditConfig = { enabled: true };

/**
 * The security settings when nothing configures them. Introspection and GraphiQL help people
 * explore the demo; in live mode they only help an attacker map the API, so they are off.
 */
export function toSecurityDefaults(mode: AuditgraphConfig['mode']): SecurityConfig {
  const production = mode === 'live';
  return {
    production,
    introspection: !production,
    graphiql: !production,
    cursorTtlSeconds: CONFIG_DEFAULTS.cursorTtlSeconds,
    maxBodyBytes: CONFIG_DEFAULTS.maxBodyBytes,
    limits: QUERY_LIMIT_DEFAULTS,
  };
}

/** The cache when nothing configures it: 64 MiB, windows closed for five minutes. */
export const DEFAULT_CACHE_CONFIG: CacheConfig = {
  maxBytes: CONFIG_DEFAULTS.cacheMaxBytes,
  freshnessSeconds: CONFIG_DEFAULTS.cacheFreshnessSeconds,
};

/** How late each kind's API usually shows an event, unless a source's config says otherwise. */
export const DEFAULT_LATE_ARRIVAL_SECONDS: Readonly<Record<SourceKind, number>> = {
  fastly: 0,
  'cloudflare-v1': 0,
  // Cloudflare's audit logs v2 show events minutes after they happen.
  'cloudflare-v2': 300,
  'fusionauth-event-log': 0,
  'fusionauth-audit-log': 0,
  nirvana: 0,
};

/**
 * How long a shutdown keeps the listener open with `/readyz` at 503, unless configured. Behind a
 * load balancer (live mode) that spans a few failed probes, so traffic has moved elsewhere before
 * connections are refused. The demo runs on someone's laptop, where Ctrl-C should stop it at once.
 */
export const DEFAULT_DRAIN_SECONDS: Readonly<Record<AuditgraphConfig['mode'], number>> = {
  live: 10,
  demo: 0,
};

/** The longest drain a config may ask for: five minutes, past any load balancer's probe period. */
export const MAX_DRAIN_SECONDS = 300;

/** The largest `maxFirst` a config may ask for: one page must stay cheap to merge and to send. */
export const MAX_FIRST_LIMIT = 1000;

/** The longest hold-back or late-arrival delay a config may name: one day. */
export const MAX_DELAY_SECONDS = 86_400;

/** The largest cache a config may ask for: 16 GiB. */
export const MAX_CACHE_BYTES = 16 * 1024 * 1024 * 1024;

/** Cursors are signed with HMAC-SHA256; a shorter key would be the weak link. */
export const MIN_CURSOR_SECRET_LENGTH = 32;

/** An HS256 secret shorter than this can be guessed offline from one token. */
export const MIN_JWT_SECRET_LENGTH = 32;

/** The longest a cursor may stay good: 30 days. */
export const MAX_CURSOR_TTL_SECONDS = 30 * 86_400;

/** The largest request body a config may allow: 16 MiB. */
export const MAX_BODY_BYTES_LIMIT = 16 * 1024 * 1024;

/**
 * Every environment variable auditgraph reads, for the README's config table and its check.
 * `default` is what applies when the variable is unset (or set to the empty string).
 */
export const ENVIRONMENT_VARIABLES: readonly {
  readonly name: string;
  readonly description: string;
  readonly default: string | null;
}[] = [
  {
    name: 'AUDITGRAPH_CONFIG',
    description: 'Path of a JSON or YAML config file (`--config FILE` wins)',
    default: null,
  },
  {
    name: 'HOST',
    description: 'Address to listen on (overrides `server.host`)',
    default: CONFIG_DEFAULTS.host,
  },
  {
    name: 'PORT',
    description: 'Port to listen on, 0 for any (overrides `server.port`)',
    default: String(CONFIG_DEFAULTS.port),
  },
  {
    name: 'AUDITGRAPH_DRAIN_SECONDS',
    description: `Seconds \`/readyz\` answers 503 after SIGTERM before the listener closes, 0 to ${MAX_DRAIN_SECONDS} (overrides \`server.drainSeconds\`); unset: ${DEFAULT_DRAIN_SECONDS.live} in live mode, ${DEFAULT_DRAIN_SECONDS.demo} in the demo`,
    default: null,
  },
  {
    name: 'AUDITGRAPH_DEFAULT_FIRST',
    description: 'Page size when a query omits `first`',
    default: String(CONFIG_DEFAULTS.defaultFirst),
  },
  {
    name: 'AUDITGRAPH_MAX_FIRST',
    description: `Largest \`first\` a query may ask for (at most ${MAX_FIRST_LIMIT})`,
    default: String(CONFIG_DEFAULTS.maxFirst),
  },
  {
    name: 'AUDITGRAPH_HOLD_BACK_SECONDS',
    description:
      'Start each traversal this many seconds in the past, so late events are in it (overrides `feed.holdBackSeconds`)',
    default: String(CONFIG_DEFAULTS.holdBackSeconds),
  },
  {
    name: 'AUDITGRAPH_REQUEST_DEADLINE_MS',
    description:
      'How long one GraphQL request may wait on upstreams in all, retries included (overrides `feed.requestDeadlineMs`)',
    default: String(CONFIG_DEFAULTS.requestDeadlineMs),
  },
  {
    name: 'AUDITGRAPH_CACHE_MAX_BYTES',
    description:
      'Memory for upstream pages of closed time windows, estimated as JSON bytes; 0 turns the cache off (overrides `cache.maxBytes`)',
    default: String(CONFIG_DEFAULTS.cacheMaxBytes),
  },
  {
    name: 'AUDITGRAPH_CACHE_FRESHNESS_SECONDS',
    description:
      "Windows that ended less than this long ago (or than the source's `lateArrivalSeconds`) are always read upstream (overrides `cache.freshnessSeconds`)",
    default: String(CONFIG_DEFAULTS.cacheFreshnessSeconds),
  },
  {
    name: 'AUDITGRAPH_CURSOR_SECRET',
    description: `Secret that seals cursors, event ids and entity keys and keys pseudonyms, at least ${MIN_CURSOR_SECRET_LENGTH} characters (overrides \`cursorSecret\`); required in live mode, random per process in the demo when unset`,
    default: null,
  },
  {
    name: 'AUDITGRAPH_JWT_JWKS_URL',
    description:
      "URL of the JSON Web Key Set that signs clients' JWTs, https unless on loopback (overrides `auth.jwt.jwksUrl`)",
    default: null,
  },
  {
    name: 'AUDITGRAPH_JWT_ISSUER',
    description: 'The `iss` every JWT must carry (overrides `auth.jwt.issuer`)',
    default: null,
  },
  {
    name: 'AUDITGRAPH_JWT_AUDIENCE',
    description: 'The `aud` every JWT must carry (overrides `auth.jwt.audience`)',
    default: null,
  },
  {
    name: 'AUDITGRAPH_ALLOW_UNAUTHENTICATED',
    description:
      '`true` lets the demo serve requests without credentials on a host that is not loopback; refused in live mode (overrides `auth.allowUnauthenticated`)',
    default: 'false',
  },
  {
    name: 'NODE_ENV',
    description: '`production` turns introspection and GraphiQL off by default, in the demo too',
    default: null,
  },
  {
    name: 'AUDITGRAPH_INTROSPECTION',
    description:
      '`true` or `false`: schema introspection (overrides `security.introspection`); unset: on in the demo, off in live mode or with NODE_ENV=production',
    default: null,
  },
  {
    name: 'AUDITGRAPH_GRAPHIQL',
    description:
      '`true` or `false`: GraphiQL for browsers at `/graphql` (overrides `security.graphiql`); unset: on in the demo, off in live mode or with NODE_ENV=production',
    default: null,
  },
  {
    name: 'AUDITGRAPH_AUDIT_LOG',
    description:
      '`true` or `false`: one log line per GraphQL read, naming the client (overrides `audit.enabled`)',
    default: 'true',
  },
  { name: 'FASTLY_API_TOKEN', description: 'Adds source `fastly` (kind fastly)', default: null },
  {
    name: 'FASTLY_BASE_URL',
    description: 'Base URL of that source',
    default: DEFAULT_BASE_URLS.fastly,
  },
  {
    name: 'CLOUDFLARE_API_TOKEN',
    description: 'With CLOUDFLARE_ACCOUNT_ID, adds source `cloudflare`',
    default: null,
  },
  {
    name: 'CLOUDFLARE_ACCOUNT_ID',
    description: 'The account whose audit logs `cloudflare` reads',
    default: null,
  },
  {
    name: 'CLOUDFLARE_AUDIT_LOG_VERSION',
    description: '`v1` (kind cloudflare-v1) or `v2` (kind cloudflare-v2)',
    default: 'v2',
  },
  {
    name: 'CLOUDFLARE_BASE_URL',
    description: 'Base URL of that source',
    default: DEFAULT_BASE_URLS['cloudflare-v2'],
  },
  {
    name: 'FUSIONAUTH_URL',
    description:
      'With FUSIONAUTH_API_KEY, adds sources `fusionauth-audit-log` and `fusionauth-event-log`',
    default: null,
  },
  { name: 'FUSIONAUTH_API_KEY', description: 'API key of those two sources', default: null },
  {
    name: 'FUSIONAUTH_TENANT_ID',
    description: 'Tenant of those two sources (a UUID), when the key is not tenant-bound',
    default: null,
  },
  { name: 'NIRVANA_API_KEY', description: 'Adds source `nirvana` (kind nirvana)', default: null },
  {
    name: 'NIRVANA_BASE_URL',
    description: 'Base URL of that source',
    default: DEFAULT_BASE_URLS.nirvana,
  },
];

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

// ---------------------------------------------------------------------------------------------
// Building

type KeyPath = readonly (string | number)[];

function buildConfig(input: LoadConfigInput, secrets: Set<string>): AuditgraphConfig {
  const { env } = input;
  for (const name of SECRET_ENV_NAMES) {
    const value = readEnv(env, name);
    if (value !== undefined) secrets.add(value);
  }

  const configPath = findConfigPath(input.argv, env);
  const file =
    configPath === null
      ? null
      : parseFileConfig(configPath, readConfigFile(configPath, input.readFile), env, secrets);

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

// ---------------------------------------------------------------------------------------------
// Authentication and the other security settings

interface AuthContext {
  readonly mode: AuditgraphConfig['mode'];
  /** The ids of the sources the gateway will read, which API keys may name. */
  readonly sourceIds: readonly string[];
}

function buildApiKeys(entries: readonly FileApiKey[], context: AuthContext): ApiKeyConfig[] {
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
function buildJwt(env: LoadConfigInput['env'], file: FileJwt | undefined): JwtConfig | null {
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

/** A file value as a setting to blame on its key, or undefined when the file does not set it. */
function fileSetting<T>(value: T | undefined, label: string): Setting<T> | undefined {
  return value === undefined ? undefined : { value, label };
}

/** A setting's value and the name to blame it on (`PORT`, `server.port`). */
interface Setting<T> {
  readonly value: T;
  readonly label: string;
}

/** The environment variable when set, else the file's value (already validated), else undefined. */
function pickSetting<T>(
  env: LoadConfigInput['env'],
  name: string,
  schema: z.ZodType<T>,
  fromFile: Setting<T> | undefined,
): Setting<T> | undefined {
  const raw = readEnv(env, name);
  if (raw === undefined) return fromFile;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw configError(`${name} ${firstIssue(parsed.error).message}`);
  return { value: parsed.data, label: name };
}

/** An empty variable counts as unset: `FOO=` in an env file or a compose file means "not given". */
function readEnv(env: LoadConfigInput['env'], name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function configError(message: string): AuditgraphError {
  return new AuditgraphError('CONFIG_INVALID', message);
}

/** The last guard: a secret long enough to be one is never printed, whatever the message. */
function redact(message: string, secrets: ReadonlySet<string>): string {
  let result = message;
  for (const secret of secrets) {
    if (secret.length >= 8) result = result.split(secret).join('[redacted]');
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// The config file

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

function readConfigFile(path: string, readFile: LoadConfigInput['readFile']): unknown {
  let text: string;
  try {
    text = (readFile ?? ((file: string) => readFileSync(file, 'utf8')))(path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const reason = typeof code === 'string' ? code : 'read error';
    throw new AuditgraphError('CONFIG_INVALID', `config file ${path} cannot be read (${reason})`, {
      cause: error,
    });
  }
  text = text.replace(/^\uFEFF/, '');
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return parseJson(path, text);
  if (extension === '.yaml' || extension === '.yml') return parseYaml(path, text);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Any JSON document is YAML too; YAML's errors say where the text went wrong.
    return parseYaml(path, text);
  }
}

function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // V8 quotes the text around the error in its message, and that text may hold a secret:
    // only the position survives.
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    const where = position === undefined ? '' : ` (${lineAndColumn(text, Number(position))})`;
    throw configError(`config file ${path} is not valid JSON${where}`);
  }
}

function parseYaml(path: string, text: string): unknown {
  const document = parseDocument(text, { prettyErrors: false });
  const problem = document.errors[0];
  if (problem !== undefined) {
    // The error's message quotes the offending line; its code and position are enough.
    throw configError(
      `config file ${path} is not valid YAML (${lineAndColumn(text, problem.pos[0])}: ${problem.code})`,
    );
  }
  try {
    return document.toJS({ maxAliasCount: 100 }) as unknown;
  } catch {
    throw configError(`config file ${path} is not valid YAML (too many aliases)`);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
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

type FileAuth = NonNullable<z.infer<typeof fileSchema>['auth']>;
type FileApiKey = z.infer<typeof apiKeySchema>;
type FileJwt = NonNullable<FileAuth['jwt']>;
type FileSecurity = NonNullable<z.infer<typeof fileSchema>['security']>;
type FileAudit = NonNullable<z.infer<typeof fileSchema>['audit']>;

function parseFileConfig(
  path: string,
  raw: unknown,
  env: LoadConfigInput['env'],
  secrets: Set<string>,
): FileConfig {
  const fail: (keyPath: KeyPath, message: string) => never = (keyPath, message) => {
    throw configError(`config file ${path}: ${formatPath(keyPath)} ${message}`);
  };
  if (!isRecord(raw)) {
    throw configError(`config file ${path} must hold an object (with "sources" and other keys)`);
  }
  const referencedVariables = new Set<string>();
  const value = substituteEnv(raw, { env, referenced: referencedVariables, fail }, []);
  collectSecrets(value, secrets);

  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error);
    fail(issue.path, issue.message);
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

/** Remembers every value held under a credential key, wherever it sits in the file. */
function collectSecrets(value: unknown, secrets: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectSecrets(item, secrets);
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (SECRET_KEYS.has(key) && typeof item === 'string') secrets.add(item);
      else collectSecrets(item, secrets);
    }
  }
}

const SECRET_KEYS = new Set(['token', 'apiKey', 'cursorSecret', 'secret']);

interface Substitution {
  readonly env: LoadConfigInput['env'];
  /** Filled with every variable name substituted. */
  readonly referenced: Set<string>;
  readonly fail: (path: KeyPath, message: string) => never;
}

/**
 * Replaces `${NAME}` in every string value with the environment variable NAME; `$${` stands for
 * a literal `${`. Keys are left alone. An unset or empty variable is an error naming both the key
 * and the variable, since a silently empty credential would only fail later, upstream.
 */
function substituteEnv(value: unknown, substitution: Substitution, path: KeyPath): unknown {
  if (typeof value === 'string') return substituteString(value, substitution, path);
  if (Array.isArray(value)) {
    return value.map((item, index) => substituteEnv(item, substitution, [...path, index]));
  }
  if (isRecord(value)) {
    // fromEntries defines each key as its own property: a `__proto__` key from JSON stays a key
    // (and is refused as unknown) instead of silently becoming the object's prototype.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        substituteEnv(item, substitution, [...path, key]),
      ]),
    );
  }
  return value;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function substituteString(
  text: string,
  { env, referenced, fail }: Substitution,
  path: KeyPath,
): string {
  let result = '';
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf('$', index);
    if (dollar === -1) {
      result += text.slice(index);
      break;
    }
    result += text.slice(index, dollar);
    if (text.startsWith('$${', dollar)) {
      result += '${';
      index = dollar + 3;
      continue;
    }
    if (!text.startsWith('${', dollar)) {
      result += '$';
      index = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    if (close === -1) {
      fail(path, 'has a "${" without its closing "}" (write "$${" for a literal "${")');
    }
    const name = text.slice(dollar + 2, close);
    if (!ENV_NAME.test(name)) {
      fail(path, 'has a "${...}" that is not a variable name (write "$${" for a literal "${")');
    }
    const substituted = env[name];
    if (substituted === undefined) {
      fail(path, `refers to environment variable ${name}, which is not set`);
    }
    if (substituted === '') fail(path, `refers to environment variable ${name}, which is empty`);
    referenced.add(name);
    result += substituted;
    index = close + 1;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Schemas. Messages complete a sentence that starts with the key path.

/** Numbers may come from `${VAR}` or the environment as text: whole-number strings count. */
function integer(min: number, max: number): z.ZodType<number> {
  const message = `must be an integer from ${min} to ${max}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    z
      .number({ error: message })
      .int({ error: message })
      .min(min, { error: message })
      .max(max, { error: message }),
  );
}

function text(required: string): z.ZodString {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? required
          : 'must be a string (quote it in YAML if it looks like a number)',
    })
    .min(1, { error: 'must not be empty' });
}

/** Credentials travel in HTTP headers: printable ASCII without spaces, nothing to inject. */
function credential(required: string): z.ZodType<string> {
  return text(required).regex(/^[\x21-\x7e]+$/, {
    error: 'must be printable ASCII without spaces or control characters',
  });
}

function baseUrl(required: string): z.ZodType<string> {
  return text(required)
    .superRefine((value, context) => {
      const problem = urlProblem(value);
      if (problem !== null) context.addIssue({ code: 'custom', message: problem });
    })
    .transform((value) => value.replace(/\/+$/, ''));
}

function urlProblem(value: string): string | null {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return 'must be an http(s) URL';
  }
  // The base URL is printed in the start-up banner and in logs; credentials have their own keys.
  if (url.username !== '' || url.password !== '') {
    return 'must not contain a user name or password (use the credential keys)';
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?')) {
    return 'must not contain a query string or fragment';
  }
  return null;
}

const ID = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

const idSchema = text('is required').regex(ID, {
  error: 'must be 1 to 63 letters, digits, "-" or "_", starting with a letter or digit',
});

const hostSchema = text('is required').regex(/^\S+$/, {
  error: 'must be a host name or an IP address',
});
const portSchema = integer(0, 65535);
const drainSecondsSchema = integer(0, MAX_DRAIN_SECONDS);
const firstSchema = integer(1, MAX_FIRST_LIMIT);
const seedSchema = integer(0, 0xffffffff);
const holdBackSchema = integer(0, MAX_DELAY_SECONDS);
const lateArrivalSchema = integer(0, MAX_DELAY_SECONDS);
const scanBudgetSchema = integer(1, 1000);
const deadlineSchema = integer(100, 120_000);
const cacheBytesSchema = integer(0, MAX_CACHE_BYTES);
const freshnessSchema = integer(0, MAX_DELAY_SECONDS);
const cursorSecretSchema = text('is required')
  .min(MIN_CURSOR_SECRET_LENGTH, {
    error: `must be at least ${MIN_CURSOR_SECRET_LENGTH} characters (it signs cursors)`,
  })
  .regex(/^[^\x00-\x1f\x7f]+$/, { error: 'must not contain control characters' });

/** A switch; `true` and `false` may come as text, from `${VAR}` or the environment. */
const booleanSchema: z.ZodType<boolean> = z.preprocess(
  (value) =>
    typeof value === 'string' && /^\s*(true|false)\s*$/i.test(value)
      ? value.trim().toLowerCase() === 'true'
      : value,
  z.boolean({ error: 'must be true or false' }),
);

const sha256Schema = text('is required')
  .regex(/^[0-9a-f]{64}$/i, {
    error: 'must be 64 hexadecimal digits, the SHA-256 of the key (npm run auth:hash-key)',
  })
  .transform((value) => value.toLowerCase());

const keySourcesSchema = z
  .array(
    text('is required').refine((value) => value === '*' || ID.test(value), {
      error: 'must be a source id, or "*" for every source',
    }),
    {
      error: (issue) =>
        issue.input === undefined
          ? 'is required (["*"] for every source)'
          : 'must be a list of source ids, or ["*"]',
    },
  )
  .min(1, { error: 'must not be empty (["*"] for every source)' });

const permissionsSchema = z.array(
  z.literal('pii', { error: 'must be "pii" (the only permission there is)' }),
  { error: 'must be a list' },
);

/** Claim values are compared as text, and the claim names are looked up as keys. */
const claimValueSchema = text('is required').regex(/^[^\x00-\x1f\x7f]+$/, {
  error: 'must not contain control characters',
});
const claimNameSchema = text('is required').regex(/^[\x21-\x7e]{1,200}$/, {
  error: 'must be a claim name: printable ASCII without spaces',
});

const jwksUrlSchema = text('is required').superRefine((value, context) => {
  const url = URL.canParse(value) ? new URL(value) : null;
  let problem: string | null = null;
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    problem = 'must be an https URL';
  } else if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    // Whoever can change the keys in transit can sign any token.
    problem = 'must be an https URL (plain http only on a loopback host)';
  } else if (url.username !== '' || url.password !== '') {
    problem = 'must not contain a user name or password';
  }
  if (problem !== null) context.addIssue({ code: 'custom', message: problem });
});

const jwtSecretSchema = text('is required')
  .min(MIN_JWT_SECRET_LENGTH, {
    error: `must be at least ${MIN_JWT_SECRET_LENGTH} characters (it verifies HMAC signatures)`,
  })
  .regex(/^[^\x00-\x1f\x7f]+$/, { error: 'must not contain control characters' });

const algorithmSchema = z.enum(JWT_ALGORITHMS, {
  error: `must be one of ${JWT_ALGORITHMS.join(', ')} (never none)`,
});

/** A strict object whose unknown keys are reported with the keys that are allowed there. */
function strictObject<T extends z.ZodRawShape>(
  shape: T,
  context = '',
): z.ZodObject<T, z.core.$strict> {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `is not a known key${context} (allowed: ${allowed})`
        : 'must be an object',
  });
}

/** One client's key, by its hash: the key itself never sits in a config file. */
const apiKeySchema = strictObject(
  {
    id: idSchema,
    sha256: sha256Schema,
    sources: keySourcesSchema,
    permissions: permissionsSchema.optional(),
  },
  ' for an API key',
);

const fileSchema = strictObject({
  sources: z.array(z.unknown(), { error: 'must be a list' }).optional(),
  server: strictObject({
    host: hostSchema.optional(),
    port: portSchema.optional(),
    drainSeconds: drainSecondsSchema.optional(),
  }).optional(),
  pagination: strictObject({
    defaultFirst: firstSchema.optional(),
    maxFirst: firstSchema.optional(),
  }).optional(),
  cursorSecret: cursorSecretSchema.optional(),
  demo: strictObject({ seed: seedSchema.optional() }).optional(),
  feed: strictObject({
    holdBackSeconds: holdBackSchema.optional(),
    scanBudgetPages: scanBudgetSchema.optional(),
    requestDeadlineMs: deadlineSchema.optional(),
  }).optional(),
  cache: strictObject({
    maxBytes: cacheBytesSchema.optional(),
    freshnessSeconds: freshnessSchema.optional(),
  }).optional(),
  auth: strictObject({
    apiKeys: z.array(apiKeySchema, { error: 'must be a list' }).optional(),
    jwt: strictObject({
      jwksUrl: jwksUrlSchema.optional(),
      publicKey: text('is required').optional(),
      secret: jwtSecretSchema.optional(),
      issuer: claimValueSchema.optional(),
      audience: claimValueSchema.optional(),
      algorithms: z
        .array(algorithmSchema, { error: 'must be a list' })
        .min(1, { error: 'must not be empty' })
        .optional(),
      sourcesClaim: claimNameSchema.optional(),
      permissionsClaim: claimNameSchema.optional(),
      clockToleranceSeconds: integer(0, 300).optional(),
    })
      .nullable()
      .optional(),
    allowUnauthenticated: booleanSchema.optional(),
  }).optional(),
  security: strictObject({
    introspection: booleanSchema.optional(),
    graphiql: booleanSchema.optional(),
    cursorTtlSeconds: integer(60, MAX_CURSOR_TTL_SECONDS).optional(),
    maxBodyBytes: integer(1024, MAX_BODY_BYTES_LIMIT).optional(),
    limits: strictObject({
      maxDepth: integer(1, 100).optional(),
      maxAliases: integer(1, 1000).optional(),
      maxTokens: integer(10, 1_000_000).optional(),
      maxCost: integer(1, 100_000_000).optional(),
      maxDirectives: integer(0, 100_000).optional(),
    }).optional(),
  }).optional(),
  audit: strictObject({ enabled: booleanSchema.optional() }).optional(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One strict schema per kind, so a credential of the wrong kind is an unknown key. */
function sourceSchema(kind: SourceKind) {
  const required = `is required for kind ${kind}`;
  const url = DEFAULT_BASE_URLS[kind] === null ? baseUrl(required) : baseUrl(required).optional();
  const common = {
    id: idSchema,
    kind: z.literal(kind),
    baseUrl: url,
    lateArrivalSeconds: lateArrivalSchema.optional(),
  };
  const context = ` for kind ${kind}`;
  switch (kind) {
    case 'fastly':
      return strictObject({ ...common, token: credential(required) }, context);
    case 'cloudflare-v1':
    case 'cloudflare-v2':
      return strictObject(
        {
          ...common,
          token: credential(required),
          // It goes into the request path: nothing that could change the path.
          accountId: text(required).regex(/^[A-Za-z0-9_-]{1,64}$/, {
            error: 'must be a Cloudflare account id (letters, digits, "-" or "_")',
          }),
        },
        context,
      );
    case 'fusionauth-event-log':
    case 'fusionauth-audit-log':
      return strictObject(
        {
          ...common,
          apiKey: credential(required),
          tenantId: text(required).regex(UUID, { error: 'must be a UUID' }).optional(),
        },
        context,
      );
    case 'nirvana':
      return strictObject({ ...common, apiKey: credential(required) }, context);
  }
}

interface ParsedSource {
  readonly id: string;
  readonly kind: SourceKind;
  readonly baseUrl?: string | undefined;
  readonly token?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly accountId?: string | undefined;
  readonly tenantId?: string | undefined;
  readonly lateArrivalSeconds?: number | undefined;
}

function toSourceConfig(parsed: ParsedSource): SourceConfig {
  const baseUrl = parsed.baseUrl ?? DEFAULT_BASE_URLS[parsed.kind];
  // The schema requires baseUrl for kinds without a default; this only narrows the type.
  if (baseUrl === null) throw configError(`source ${parsed.id} has no baseUrl`);
  return {
    id: parsed.id,
    kind: parsed.kind,
    baseUrl,
    ...(parsed.token === undefined ? {} : { token: parsed.token }),
    ...(parsed.apiKey === undefined ? {} : { apiKey: parsed.apiKey }),
    ...(parsed.accountId === undefined ? {} : { accountId: parsed.accountId }),
    ...(parsed.tenantId === undefined ? {} : { tenantId: parsed.tenantId }),
    ...(parsed.lateArrivalSeconds === undefined
      ? {}
      : { lateArrivalSeconds: parsed.lateArrivalSeconds }),
  };
}

/** A source and where it came from, for messages about clashes. */
interface SourceEntry {
  readonly source: SourceConfig;
  readonly origin: string;
}

function parseFileSource(
  raw: unknown,
  index: number,
  fail: (path: KeyPath, message: string) => never,
): SourceEntry {
  const path: KeyPath = ['sources', index];
  if (!isRecord(raw)) fail(path, 'must be an object');
  const kinds = SOURCE_KINDS.join(', ');
  const kind = raw.kind;
  if (kind === undefined) fail([...path, 'kind'], `is required (one of ${kinds})`);
  if (!isSourceKind(kind)) fail([...path, 'kind'], `must be one of ${kinds}`);
  const parsed = sourceSchema(kind).safeParse(raw);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error);
    fail([...path, ...issue.path], issue.message);
  }
  return { source: toSourceConfig(parsed.data), origin: formatPath(path) };
}

function isSourceKind(value: unknown): value is SourceKind {
  return typeof value === 'string' && (SOURCE_KINDS as readonly string[]).includes(value);
}

/**
 * The issue to report. An unknown key comes first: a misspelt `tokn` also makes `token` missing,
 * and the misspelling is the thing to fix.
 */
function firstIssue(error: z.ZodError): { readonly path: KeyPath; readonly message: string } {
  const issues = [...error.issues].sort(
    (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
  );
  const issue = issues[0];
  if (issue === undefined) return { path: [], message: 'is invalid' };
  const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return { path: [...path, issue.keys[0] ?? ''], message: issue.message };
  }
  return { path, message: issue.message };
}

/** `['sources', 2, 'accountId']` → `sources[2].accountId`; a key that is no identifier is quoted. */
function formatPath(path: KeyPath): string {
  let result = '';
  for (const key of path) {
    if (typeof key === 'number') result += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) result += result === '' ? key : `.${key}`;
    else result += `[${JSON.stringify(key)}]`;
  }
  return result === '' ? 'the top level' : result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Environment shortcuts: one source per provider without a file.

interface EnvShortcut {
  /** Variables that must all be set together; setting any of `optional` alone is a mistake too. */
  readonly required: readonly string[];
  readonly optional: readonly string[];
  readonly build: (read: (name: string) => string | undefined) => readonly EnvSource[];
}

interface EnvSource {
  readonly raw: Record<string, string | undefined>;
  /** Which variable each key came from, so a message names the variable. */
  readonly variables: Readonly<Record<string, string>>;
}

const SECRET_ENV_NAMES = [
  'FASTLY_API_TOKEN',
  'CLOUDFLARE_API_TOKEN',
  'FUSIONAUTH_API_KEY',
  'NIRVANA_API_KEY',
  'AUDITGRAPH_CURSOR_SECRET',
] as const;

const ENV_SHORTCUTS: readonly EnvShortcut[] = [
  {
    required: ['FASTLY_API_TOKEN'],
    optional: ['FASTLY_BASE_URL'],
    build: (read) => [
      {
        raw: {
          id: 'fastly',
          kind: 'fastly',
          token: read('FASTLY_API_TOKEN'),
          baseUrl: read('FASTLY_BASE_URL'),
        },
        variables: { token: 'FASTLY_API_TOKEN', baseUrl: 'FASTLY_BASE_URL' },
      },
    ],
  },
  {
    required: ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ACCOUNT_ID'],
    optional: ['CLOUDFLARE_AUDIT_LOG_VERSION', 'CLOUDFLARE_BASE_URL'],
    build: (read) => {
      const version = (read('CLOUDFLARE_AUDIT_LOG_VERSION') ?? 'v2').trim().toLowerCase();
      if (version !== 'v1' && version !== 'v2') {
        throw configError('CLOUDFLARE_AUDIT_LOG_VERSION must be v1 or v2');
      }
      return [
        {
          raw: {
            id: 'cloudflare',
            kind: `cloudflare-${version}`,
            token: read('CLOUDFLARE_API_TOKEN'),
            accountId: read('CLOUDFLARE_ACCOUNT_ID'),
            baseUrl: read('CLOUDFLARE_BASE_URL'),
          },
          variables: {
            token: 'CLOUDFLARE_API_TOKEN',
            accountId: 'CLOUDFLARE_ACCOUNT_ID',
            baseUrl: 'CLOUDFLARE_BASE_URL',
          },
        },
      ];
    },
  },
  {
    required: ['FUSIONAUTH_URL', 'FUSIONAUTH_API_KEY'],
    optional: ['FUSIONAUTH_TENANT_ID'],
    // One FusionAuth holds both logs, and a key that reads one usually reads the other: the
    // shortcut adds both, each its own source, so a failure of one is reported on its own.
    build: (read) =>
      (['fusionauth-audit-log', 'fusionauth-event-log'] as const).map((kind) => ({
        raw: {
          id: kind,
          kind,
          baseUrl: read('FUSIONAUTH_URL'),
          apiKey: read('FUSIONAUTH_API_KEY'),
          tenantId: read('FUSIONAUTH_TENANT_ID'),
        },
        variables: {
          baseUrl: 'FUSIONAUTH_URL',
          apiKey: 'FUSIONAUTH_API_KEY',
          tenantId: 'FUSIONAUTH_TENANT_ID',
        },
      })),
  },
  {
    required: ['NIRVANA_API_KEY'],
    optional: ['NIRVANA_BASE_URL'],
    build: (read) => [
      {
        raw: {
          id: 'nirvana',
          kind: 'nirvana',
          apiKey: read('NIRVANA_API_KEY'),
          baseUrl: read('NIRVANA_BASE_URL'),
        },
        variables: { apiKey: 'NIRVANA_API_KEY', baseUrl: 'NIRVANA_BASE_URL' },
      },
    ],
  },
];

/**
 * The shortcuts' sources. A shortcut whose variables the config file already uses (`"token":
 * "${FASTLY_API_TOKEN}"`, as in design.md §7) is the file's: it adds nothing of its own.
 */
function sourcesFromEnv(
  env: LoadConfigInput['env'],
  usedByFile: ReadonlySet<string>,
): SourceEntry[] {
  const read = (name: string): string | undefined => readEnv(env, name);
  const entries: SourceEntry[] = [];
  for (const shortcut of ENV_SHORTCUTS) {
    if ([...shortcut.required, ...shortcut.optional].some((name) => usedByFile.has(name))) continue;
    const given = [...shortcut.required, ...shortcut.optional].find(
      (name) => read(name) !== undefined,
    );
    if (given === undefined) continue;
    const missing = shortcut.required.find((name) => read(name) === undefined);
    if (missing !== undefined) throw configError(`${missing} is required when ${given} is set`);
    for (const { raw, variables } of shortcut.build(read)) {
      const definedRaw = Object.fromEntries(
        Object.entries(raw).filter(([, value]) => value !== undefined),
      );
      const kind = definedRaw.kind;
      if (!isSourceKind(kind)) throw configError(`unknown source kind ${String(kind)}`);
      const parsed = sourceSchema(kind).safeParse(definedRaw);
      if (!parsed.success) {
        const issue = firstIssue(parsed.error);
        const key = issue.path[0];
        const variable = typeof key === 'string' ? variables[key] : undefined;
        throw configError(`${variable ?? formatPath(issue.path)} ${issue.message}`);
      }
      const origin = Object.values(variables).find((name) => read(name) !== undefined) ?? given;
      entries.push({ source: toSourceConfig(parsed.data), origin });
    }
  }
  return entries;
}

/** Ids name sources in filters and cursors; two that differ only in case would confuse both. */
function assertUniqueIds(entries: readonly SourceEntry[], configPath: string | null): void {
  const seen = new Map<string, SourceEntry>();
  for (const entry of entries) {
    const key = entry.source.id.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const inFile = configPath === null ? '' : ` (config file ${configPath})`;
      throw configError(
        `source id "${entry.source.id}" from ${entry.origin} is already used by ${earlier.origin}${inFile}; source ids must be unique`,
      );
    }
    seen.set(key, entry);
  }
}
