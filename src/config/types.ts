import type { SourceConfig } from '../providers/sourceKinds';
import type { SourceKinds } from '../providers/sourceKinds';
import type { QueryLimits } from '../model/QueryLimits';

/**
 * A configured source: a union keyed on `kind`, each member with its kind's own keys
 * (src/providers/<kind>/<kind>Kind.ts), checked when the config is read.
 */
export type { SourceConfig } from '../providers/sourceKinds';

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
   * auditEventCounts. Always set by loadConfig; a config built by hand without it gets the
   * settings' default.
   */
  readonly counts?: {
    /** Upstream pages one source may read for one counts query before the counts are inexact. */
    readonly scanBudgetPages: number;
  };
  /**
   * The cache of upstream pages of closed time windows. Always set by loadConfig; a config built
   * by hand without it gets DEFAULT_CACHE_CONFIG.
   */
  readonly cache?: CacheConfig;
  /** `GET /export`. Always set by loadConfig; a config built by hand without it gets DEFAULT_EXPORT_CONFIG. */
  readonly export?: ExportConfig;
  /** The live tail. Always set by loadConfig; a config built by hand without it gets DEFAULT_TAIL_CONFIG. */
  readonly tail?: TailConfig;
  /**
   * Who may call auditgraph. Always set by loadConfig; a config built by hand without it gets
   * DEFAULT_AUTH_CONFIG, which lets no one in but the loopback demo's anonymous clients.
   */
  readonly auth?: AuthConfig;
  /** Always set by loadConfig; a config built by hand without it gets toSecurityDefaults(mode). */
  readonly security?: SecurityConfig;
  /** Always set by loadConfig; a config built by hand without it gets DEFAULT_AUDIT_CONFIG. */
  readonly audit?: AuditConfig;
  /**
   * The replicas' shared state; null (or absent, in a config built by hand): each process keeps
   * its own, holding `1 / replicas` of every rate limit.
   */
  readonly redis?: RedisConfig | null;
  /** How many replicas share the upstreams' limits; absent: 1. */
  readonly replicas?: number;
  /** Always set by loadConfig; a config built by hand without it gets DEFAULT_LOG_CONFIG. */
  readonly log?: LogConfig;
  /** Always set by loadConfig; a config built by hand without it gets DEFAULT_METRICS_CONFIG. */
  readonly metrics?: MetricsConfig;
  /** Always set by loadConfig; a config built by hand without it gets DEFAULT_TRACING_CONFIG. */
  readonly tracing?: TracingConfig;
}

export interface RedisConfig {
  /** `redis://` or `rediss://`; a secret, since it may hold the password. */
  readonly url: string;
  readonly keyPrefix: string;
}

/** pino's levels, and `silent` for none. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

/** The same, by the name the logging part uses. */
export type LogLevelName = LogLevel;

export interface LogConfig {
  /** The lowest level written. */
  readonly level: LogLevel;
}

export interface MetricsConfig {
  /** Whether `/metrics` is served at all. */
  readonly enabled: boolean;
  /** null: `/metrics` on the main listener; else a listener of its own on `host` at this port. */
  readonly port: number | null;
  /** When set, `/metrics` requires `Authorization: Bearer <token>`. A secret. */
  readonly token: string | null;
}

/** The values of OTEL_TRACES_EXPORTER that auditgraph accepts. */
export const TRACES_EXPORTERS = ['otlp', 'console', 'none'] as const;

export type TracesExporter = (typeof TRACES_EXPORTERS)[number];

/** The values of OTEL_EXPORTER_OTLP_PROTOCOL (and its `_TRACES_` variant). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;

export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/**
 * Traces, as the standard OpenTelemetry variables configure them (the SDK reads those variables
 * itself; loadConfig checks them and sums them up here). Headers, which may hold a credential,
 * are not repeated here.
 */
export interface TracingConfig {
  /** An endpoint is set, or OTEL_TRACES_EXPORTER names an exporter other than `none`. */
  readonly enabled: boolean;
  /** `otlp` when only an endpoint is set; `none` when traces are off. */
  readonly exporter: TracesExporter;
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT, as given; else null. */
  readonly endpoint: string | null;
  /** The `_TRACES_` variant, else OTEL_EXPORTER_OTLP_PROTOCOL, else `http/protobuf`. */
  readonly protocol: OtlpProtocol;
  /** OTEL_SERVICE_NAME, else `auditgraph`. */
  readonly serviceName: string;
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

export interface ExportConfig {
  /** How long one page of an export may wait on upstreams, in ms. */
  readonly pageTimeoutMs: number;
}

export interface TailConfig {
  /** How often one tail reads its sources, in ms. */
  readonly pollIntervalMs: number;
  /** Subscriptions one principal may hold at once. */
  readonly maxSubscriptionsPerClient: number;
  /** Subscriptions the process holds at once. */
  readonly maxSubscriptions: number;
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
  /** The kinds a source may be of; default: the built-in ones (a test adds its own). */
  readonly kinds?: SourceKinds;
}

/** One row of the README's table of environment variables. */
export interface EnvironmentVariable {
  readonly name: string;
  readonly description: string;
  /** What applies when the variable is unset (or set to the empty string). */
  readonly default: string | null;
  /** A credential: its value is redacted from every message. */
  readonly secret?: boolean;
}
