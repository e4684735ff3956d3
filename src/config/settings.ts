import { z } from 'zod';
import { QUERY_LIMIT_DEFAULTS } from '../model/QueryLimits';
import {
  algorithmSchema,
  apiKeySchema,
  bearerTokenSchema,
  booleanSchema,
  claimNameSchema,
  endpointUrlSchema,
  integer,
  jwksUrlSchema,
  oneOf,
  otlpHeadersSchema,
  plainTextSchema,
  redisUrlSchema,
  secretText,
  text,
} from './schemas';
import type {
  AuditConfig,
  AuditgraphConfig,
  AuthConfig,
  CacheConfig,
  LogConfig,
  MetricsConfig,
  SecurityConfig,
  TailConfig,
  ExportConfig,
  TracingConfig,
} from './types';
import { LOG_LEVELS, OTLP_PROTOCOLS, TRACES_EXPORTERS } from './types';

/**
 * One setting of auditgraph, declared once: the file schema (toFileSchema), the reading of the
 * environment and the file (createSettingReader), the README's table (ENVIRONMENT_VARIABLES) and
 * the secrets to redact all come from these rows.
 */
export interface SettingDefinition<T> {
  /** Where the config file holds it, dotted (`server.port`); null for a variable alone. */
  readonly key: string | null;
  /** The environment variable that overrides the file; null when only the file sets it. */
  readonly env: string | null;
  /** Checks a value from the file or the environment; its messages complete the key's name. */
  readonly schema: z.ZodType<T>;
  /** What applies when neither sets it; left out when that depends on the mode. */
  readonly default?: T;
  /** For the README, with `env`: what the variable does. `(overrides <key>)` is added to it. */
  readonly description?: string;
  /** For the README: what follows, as `; <note>` (what applies when unset, when it depends). */
  readonly note?: string;
  /** A credential: its value is redacted from every message, and never printed. */
  readonly secret?: boolean;
}

/** Keeps each row's own types, and checks that its default passes for its schema's output. */
function define<T, Row extends SettingDefinition<T>>(row: Row & SettingDefinition<T>): Row {
  return row;
}

/** The longest drain a config may ask for: five minutes, past any load balancer's probe period. */
const MAX_DRAIN_SECONDS = 300;

/** The largest `maxFirst` a config may ask for: one page must stay cheap to merge and to send. */
const MAX_FIRST_LIMIT = 1000;

/** The longest hold-back or late-arrival delay a config may name: one day. */
export const MAX_DELAY_SECONDS = 86_400;

/** Cursors are signed with HMAC-SHA256; a shorter key would be the weak link. */
export const MIN_CURSOR_SECRET_LENGTH = 32;

/**
 * How long a shutdown keeps the listener open with `/readyz` at 503, unless configured. Behind a
 * load balancer (live mode) that spans a few failed probes, so traffic has moved elsewhere before
 * connections are refused. The demo runs on someone's laptop, where Ctrl-C should stop it at once.
 */
export const DEFAULT_DRAIN_SECONDS: Readonly<Record<AuditgraphConfig['mode'], number>> = {
  live: 10,
  demo: 0,
};

const NODE_ENV = define({
  key: null,
  env: 'NODE_ENV',
  schema: z.string(),
  description: '`production` turns introspection and GraphiQL off by default, in the demo too',
});

/** A bearer token for /metrics: long enough that a scraper's secret cannot be guessed online. */
export const MIN_METRICS_TOKEN_LENGTH = 16;

const OTLP_PROTOCOL_DESCRIPTION = `OTLP transport of the traces: ${OTLP_PROTOCOLS.map((protocol) => `\`${protocol}\``).join(', ')}`;

/** Unset, introspection and GraphiQL help people explore the demo, and only the demo. */
const CONVENIENCE_NOTE = `unset: on in the demo, off in live mode or with ${NODE_ENV.env}=production`;

/**
 * Every setting, in the order of the config file's keys (the order its messages list them in).
 * The sources are read by readSources, each against the schema of its kind.
 */
export const SETTINGS = {
  configFile: define({
    key: null,
    env: 'AUDITGRAPH_CONFIG',
    schema: z.string(),
    description: 'Path of a JSON or YAML config file (`--config FILE` wins)',
  }),
  sources: define({
    key: 'sources',
    env: null,
    schema: z.array(z.unknown(), { error: 'must be a list' }),
    default: [],
    description: "The sources to read, each an object with `id`, `kind` and its kind's keys",
  }),
  host: define({
    key: 'server.host',
    env: 'HOST',
    schema: text('is required').regex(/^\S+$/, { error: 'must be a host name or an IP address' }),
    default: '127.0.0.1',
    description: 'Address to listen on',
  }),
  port: define({
    key: 'server.port',
    env: 'PORT',
    schema: integer(0, 65535),
    default: 4000,
    description: 'Port to listen on, 0 for any',
  }),
  drainSeconds: define({
    key: 'server.drainSeconds',
    env: 'AUDITGRAPH_DRAIN_SECONDS',
    schema: integer(0, MAX_DRAIN_SECONDS),
    description: `Seconds \`/readyz\` answers 503 after SIGTERM before the listener closes, 0 to ${MAX_DRAIN_SECONDS}`,
    note: `unset: ${DEFAULT_DRAIN_SECONDS.live} in live mode, ${DEFAULT_DRAIN_SECONDS.demo} in the demo`,
  }),
  defaultFirst: define({
    key: 'pagination.defaultFirst',
    env: 'AUDITGRAPH_DEFAULT_FIRST',
    schema: integer(1, MAX_FIRST_LIMIT),
    default: 20,
    description: 'Page size when a query omits `first`',
  }),
  maxFirst: define({
    key: 'pagination.maxFirst',
    env: 'AUDITGRAPH_MAX_FIRST',
    schema: integer(1, MAX_FIRST_LIMIT),
    default: 100,
    description: `Largest \`first\` a query may ask for, at most ${MAX_FIRST_LIMIT}`,
  }),
  cursorSecret: define({
    key: 'cursorSecret',
    env: 'AUDITGRAPH_CURSOR_SECRET',
    schema: secretText(MIN_CURSOR_SECRET_LENGTH, 'it signs cursors'),
    secret: true,
    description: `Secret that seals cursors, event ids and entity keys and keys pseudonyms, at least ${MIN_CURSOR_SECRET_LENGTH} characters`,
    note: 'required in live mode, random per process in the demo when unset',
  }),
  demoSeed: define({
    key: 'demo.seed',
    env: null,
    schema: integer(0, 0xffffffff),
    default: 1,
    description: "Seed of the demo's generated month of events",
  }),
  holdBackSeconds: define({
    key: 'feed.holdBackSeconds',
    env: 'AUDITGRAPH_HOLD_BACK_SECONDS',
    schema: integer(0, MAX_DELAY_SECONDS),
    default: 0,
    description: 'Start each traversal this many seconds in the past, so late events are in it',
  }),
  scanBudgetPages: define({
    key: 'feed.scanBudgetPages',
    env: null,
    schema: integer(1, 1000),
    default: 20,
    description: 'Upstream pages one source may read for one page before the page comes back short',
  }),
  countScanBudgetPages: define({
    key: 'counts.scanBudgetPages',
    env: 'AUDITGRAPH_COUNTS_SCAN_BUDGET_PAGES',
    schema: integer(1, 1000),
    default: 50,
    description:
      'Upstream pages one source may read for one `auditEventCounts` query before its counts come back inexact, covering the newest part of the window',
  }),
  requestDeadlineMs: define({
    key: 'feed.requestDeadlineMs',
    env: 'AUDITGRAPH_REQUEST_DEADLINE_MS',
    schema: integer(100, 120_000),
    default: 10_000,
    description: 'How long one GraphQL request may wait on upstreams in all, retries included',
  }),
  cacheMaxBytes: define({
    key: 'cache.maxBytes',
    env: 'AUDITGRAPH_CACHE_MAX_BYTES',
    // 16 GiB at most.
    schema: integer(0, 16 * 1024 * 1024 * 1024),
    default: 64 * 1024 * 1024,
    description:
      'Memory for upstream pages of closed time windows, estimated as JSON bytes; 0 turns the cache off',
  }),
  cacheFreshnessSeconds: define({
    key: 'cache.freshnessSeconds',
    env: 'AUDITGRAPH_CACHE_FRESHNESS_SECONDS',
    schema: integer(0, MAX_DELAY_SECONDS),
    default: 300,
    description:
      "Windows that ended less than this long ago (or than the source's `lateArrivalSeconds`) are always read upstream",
  }),
  exportPageTimeoutMs: define({
    key: 'export.pageTimeoutMs',
    env: 'AUDITGRAPH_EXPORT_PAGE_TIMEOUT_MS',
    schema: integer(100, 600_000),
    default: 30_000,
    description:
      'How long one page of `GET /export` may wait on upstreams, retries included; the export as a whole has no deadline',
  }),
  tailPollIntervalMs: define({
    key: 'tail.pollIntervalMs',
    env: 'AUDITGRAPH_TAIL_POLL_INTERVAL_MS',
    schema: integer(50, 600_000),
    default: 5_000,
    description:
      'How often a live tail (`auditEventAdded`) reads its sources; one read serves every subscriber of the same client scope and filter',
  }),
  tailMaxSubscriptionsPerClient: define({
    key: 'tail.maxSubscriptionsPerClient',
    env: null,
    schema: integer(1, 10_000),
    default: 10,
    description: 'Live-tail subscriptions one client (API key or JWT subject) may hold at once',
  }),
  tailMaxSubscriptions: define({
    key: 'tail.maxSubscriptions',
    env: null,
    schema: integer(1, 100_000),
    default: 200,
    description: 'Live-tail subscriptions the process holds at once, over all clients',
  }),
  apiKeys: define({
    key: 'auth.apiKeys',
    env: null,
    schema: z.array(apiKeySchema, { error: 'must be a list' }),
    default: [],
    description: "Clients' static API keys, by their SHA-256 (`npm run auth:hash-key`)",
  }),
  jwtJwksUrl: define({
    key: 'auth.jwt.jwksUrl',
    env: 'AUDITGRAPH_JWT_JWKS_URL',
    schema: jwksUrlSchema,
    description: "URL of the JSON Web Key Set that signs clients' JWTs, https unless on loopback",
  }),
  jwtPublicKey: define({
    key: 'auth.jwt.publicKey',
    env: null,
    schema: text('is required'),
    description: "PEM public key that verifies clients' JWTs",
  }),
  jwtSecret: define({
    key: 'auth.jwt.secret',
    env: null,
    // An HS256 secret shorter than this can be guessed offline from one token.
    schema: secretText(32, 'it verifies HMAC signatures'),
    secret: true,
    description: 'Shared secret that verifies HMAC-signed JWTs, at least 32 characters',
  }),
  jwtIssuer: define({
    key: 'auth.jwt.issuer',
    env: 'AUDITGRAPH_JWT_ISSUER',
    schema: plainTextSchema,
    description: 'The `iss` every JWT must carry',
  }),
  jwtAudience: define({
    key: 'auth.jwt.audience',
    env: 'AUDITGRAPH_JWT_AUDIENCE',
    schema: plainTextSchema,
    description: 'The `aud` every JWT must carry',
  }),
  jwtAlgorithms: define({
    key: 'auth.jwt.algorithms',
    env: null,
    schema: z
      .array(algorithmSchema, { error: 'must be a list' })
      .min(1, { error: 'must not be empty' }),
    description: 'JWS algorithms a JWT may be signed with (never `none`); unset: those of the key',
  }),
  jwtSourcesClaim: define({
    key: 'auth.jwt.sourcesClaim',
    env: null,
    schema: claimNameSchema,
    default: 'auditgraph_sources',
    description: 'Claim holding the source ids a token may read (a list, or `*`)',
  }),
  jwtPermissionsClaim: define({
    key: 'auth.jwt.permissionsClaim',
    env: null,
    schema: claimNameSchema,
    default: 'auditgraph_permissions',
    description: "Claim holding the token's permissions (`pii` grants personal data)",
  }),
  jwtClockToleranceSeconds: define({
    key: 'auth.jwt.clockToleranceSeconds',
    env: null,
    schema: integer(0, 300),
    default: 30,
    description: 'How far `exp` and `nbf` may be off, in seconds',
  }),
  allowUnauthenticated: define({
    key: 'auth.allowUnauthenticated',
    env: 'AUDITGRAPH_ALLOW_UNAUTHENTICATED',
    schema: booleanSchema,
    default: false,
    description:
      '`true` lets the demo serve requests without credentials on a host that is not loopback; refused in live mode',
  }),
  nodeEnv: NODE_ENV,
  introspection: define({
    key: 'security.introspection',
    env: 'AUDITGRAPH_INTROSPECTION',
    schema: booleanSchema,
    description: '`true` or `false`: schema introspection',
    note: CONVENIENCE_NOTE,
  }),
  graphiql: define({
    key: 'security.graphiql',
    env: 'AUDITGRAPH_GRAPHIQL',
    schema: booleanSchema,
    description: '`true` or `false`: GraphiQL for browsers at `/graphql`',
    note: CONVENIENCE_NOTE,
  }),
  cursorTtlSeconds: define({
    key: 'security.cursorTtlSeconds',
    env: null,
    // 30 days at most.
    schema: integer(60, 30 * 86_400),
    default: 86_400,
    description: "How long a cursor stays good after its traversal's first page, in seconds",
  }),
  maxBodyBytes: define({
    key: 'security.maxBodyBytes',
    env: null,
    // 16 MiB at most.
    schema: integer(1024, 16 * 1024 * 1024),
    default: 1024 * 1024,
    description: 'Largest request body accepted, in bytes',
  }),
  maxDepth: define({
    key: 'security.limits.maxDepth',
    env: null,
    schema: integer(1, 100),
    default: QUERY_LIMIT_DEFAULTS.maxDepth,
    description: 'Deepest selection a query may have',
  }),
  maxAliases: define({
    key: 'security.limits.maxAliases',
    env: null,
    schema: integer(1, 1000),
    default: QUERY_LIMIT_DEFAULTS.maxAliases,
    description: 'Most aliases a query may use',
  }),
  maxTokens: define({
    key: 'security.limits.maxTokens',
    env: null,
    schema: integer(10, 1_000_000),
    default: QUERY_LIMIT_DEFAULTS.maxTokens,
    description: 'Most tokens a query document may hold',
  }),
  maxCost: define({
    key: 'security.limits.maxCost',
    env: null,
    schema: integer(1, 100_000_000),
    default: QUERY_LIMIT_DEFAULTS.maxCost,
    description: 'Highest estimated cost a query may have',
  }),
  maxDirectives: define({
    key: 'security.limits.maxDirectives',
    env: null,
    schema: integer(0, 100_000),
    default: QUERY_LIMIT_DEFAULTS.maxDirectives,
    description: 'Most directives a query may use',
  }),
  auditLog: define({
    key: 'audit.enabled',
    env: 'AUDITGRAPH_AUDIT_LOG',
    schema: booleanSchema,
    default: true,
    description: '`true` or `false`: one log line per GraphQL read, naming the client',
  }),
  logLevel: define({
    key: 'log.level',
    env: 'LOG_LEVEL',
    schema: oneOf(LOG_LEVELS),
    default: 'info' as const,
    description: `Lowest level of the JSON log lines on stdout: ${LOG_LEVELS.map((level) => `\`${level}\``).join(', ')}`,
  }),
  redisUrl: define({
    key: 'redis.url',
    env: 'AUDITGRAPH_REDIS_URL',
    schema: redisUrlSchema,
    // A password may be in it.
    secret: true,
    description:
      'Redis that replicas share their rate budgets, page cache, circuits and persisted queries through (`redis://` or `rediss://`, password in the URL)',
    note: 'unset: each process keeps its own state',
  }),
  redisKeyPrefix: define({
    key: 'redis.keyPrefix',
    env: 'AUDITGRAPH_REDIS_KEY_PREFIX',
    schema: text('is required').regex(/^[A-Za-z0-9:_.-]{1,64}$/, {
      error: 'must be 1 to 64 letters, digits or `:_.-`',
    }),
    default: 'auditgraph:',
    description: 'Put before every key auditgraph writes, so that deployments can share one Redis',
  }),
  replicas: define({
    key: 'redis.replicas',
    env: 'AUDITGRAPH_REPLICAS',
    schema: integer(1, 1000),
    default: 1,
    description:
      "How many replicas run: without Redis (or while it is away), each holds this share of every source's rate limit",
  }),
  metricsEnabled: define({
    key: 'metrics.enabled',
    env: 'AUDITGRAPH_METRICS',
    schema: booleanSchema,
    default: true,
    description: '`true` or `false`: Prometheus metrics at `/metrics`',
  }),
  metricsPort: define({
    key: 'metrics.port',
    env: 'AUDITGRAPH_METRICS_PORT',
    schema: integer(0, 65535),
    description:
      'Serve `/metrics` on a listener of its own on this port (on `server.host`), 0 for any',
    note: 'unset: on the main port',
  }),
  metricsToken: define({
    key: 'metrics.token',
    env: 'AUDITGRAPH_METRICS_TOKEN',
    schema: bearerTokenSchema(MIN_METRICS_TOKEN_LENGTH, 'it guards /metrics'),
    secret: true,
    description: `Bearer token \`/metrics\` requires (\`Authorization: Bearer <token>\`), at least ${MIN_METRICS_TOKEN_LENGTH} characters`,
    note: 'unset: `/metrics` is open to whoever reaches it',
  }),
  // Tracing: the standard OpenTelemetry variables, which the OpenTelemetry SDK reads itself.
  // They are rows here so that start-up and check-config refuse a value the SDK would ignore.
  tracesExporter: define({
    key: null,
    env: 'OTEL_TRACES_EXPORTER',
    schema: oneOf(TRACES_EXPORTERS),
    description: `Where traces go: ${TRACES_EXPORTERS.map((exporter) => `\`${exporter}\``).join(', ')}`,
    note: 'unset: `otlp` when an OTLP endpoint is set, else none (traces off)',
  }),
  otlpEndpoint: define({
    key: null,
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    schema: endpointUrlSchema,
    description:
      'Base URL of the OTLP collector (the SDK adds `/v1/traces` over HTTP); setting it turns traces on',
  }),
  otlpTracesEndpoint: define({
    key: null,
    env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    schema: endpointUrlSchema,
    description:
      'Full URL traces are sent to, used as it is (wins over OTEL_EXPORTER_OTLP_ENDPOINT); setting it turns traces on',
  }),
  otlpProtocol: define({
    key: null,
    env: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    schema: oneOf(OTLP_PROTOCOLS),
    default: 'http/protobuf' as const,
    description: OTLP_PROTOCOL_DESCRIPTION,
  }),
  otlpTracesProtocol: define({
    key: null,
    env: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    schema: oneOf(OTLP_PROTOCOLS),
    description: `${OTLP_PROTOCOL_DESCRIPTION} (wins over OTEL_EXPORTER_OTLP_PROTOCOL)`,
  }),
  otlpHeaders: define({
    key: null,
    env: 'OTEL_EXPORTER_OTLP_HEADERS',
    schema: otlpHeadersSchema,
    secret: true,
    description:
      'Headers sent to the collector, `name=value` pairs separated by commas (often a credential: never printed)',
  }),
  otlpTracesHeaders: define({
    key: null,
    env: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
    schema: otlpHeadersSchema,
    secret: true,
    description: 'Headers sent with traces only, as OTEL_EXPORTER_OTLP_HEADERS (never printed)',
  }),
  serviceName: define({
    key: null,
    env: 'OTEL_SERVICE_NAME',
    schema: plainTextSchema,
    default: 'auditgraph',
    description: 'The `service.name` of the traces',
  }),
};

export type SettingName = keyof typeof SETTINGS;

/** The groups of keys a file may set to null, which means what leaving them out does. */
export const NULLABLE_GROUPS: readonly string[] = ['auth.jwt'];

/** `auth.jwt.issuer (or AUDITGRAPH_JWT_ISSUER)`: every name a setting goes by, for messages. */
export function toSettingNames(setting: SettingDefinition<unknown>): string {
  return setting.env === null ? String(setting.key) : `${setting.key} (or ${setting.env})`;
}

/** Nobody may call without credentials, except on the loopback demo. */
export const DEFAULT_AUTH_CONFIG: AuthConfig = {
  apiKeys: [],
  jwt: null,
  allowUnauthenticated: SETTINGS.allowUnauthenticated.default,
};

export const DEFAULT_AUDIT_CONFIG: AuditConfig = { enabled: SETTINGS.auditLog.default };

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
    cursorTtlSeconds: SETTINGS.cursorTtlSeconds.default,
    maxBodyBytes: SETTINGS.maxBodyBytes.default,
    limits: QUERY_LIMIT_DEFAULTS,
  };
}

export const DEFAULT_LOG_CONFIG: LogConfig = { level: SETTINGS.logLevel.default };

/** Metrics at `/metrics` on the main port, without a token. */
export const DEFAULT_METRICS_CONFIG: MetricsConfig = {
  enabled: SETTINGS.metricsEnabled.default,
  port: null,
  token: null,
};

/** Traces are off unless an OpenTelemetry variable turns them on. */
export const DEFAULT_TRACING_CONFIG: TracingConfig = {
  enabled: false,
  exporter: 'none',
  endpoint: null,
  protocol: SETTINGS.otlpProtocol.default,
  serviceName: SETTINGS.serviceName.default,
};

/** The live tail when nothing configures it: a read every 5 s, 10 subscriptions a client, 200 in all. */
export const DEFAULT_TAIL_CONFIG: TailConfig = {
  pollIntervalMs: SETTINGS.tailPollIntervalMs.default,
  maxSubscriptionsPerClient: SETTINGS.tailMaxSubscriptionsPerClient.default,
  maxSubscriptions: SETTINGS.tailMaxSubscriptions.default,
};

/** The export when nothing configures it: 30 s a page. */
export const DEFAULT_EXPORT_CONFIG: ExportConfig = {
  pageTimeoutMs: SETTINGS.exportPageTimeoutMs.default,
};

/** The cache when nothing configures it: 64 MiB, windows closed for five minutes. */
export const DEFAULT_CACHE_CONFIG: CacheConfig = {
  maxBytes: SETTINGS.cacheMaxBytes.default,
  freshnessSeconds: SETTINGS.cacheFreshnessSeconds.default,
};
