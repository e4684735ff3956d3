import { QUERY_LIMIT_DEFAULTS } from '../model/QueryLimits';
import type {
  AuditConfig,
  AuditgraphConfig,
  AuthConfig,
  CacheConfig,
  SecurityConfig,
} from './types';

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

/**
 * How long a shutdown keeps the listener open with `/readyz` at 503, unless configured. Behind a
 * load balancer (live mode) that spans a few failed probes, so traffic has moved elsewhere before
 * connections are refused. The demo runs on someone's laptop, where Ctrl-C should stop it at once.
 */
export const DEFAULT_DRAIN_SECONDS: Readonly<Record<AuditgraphConfig['mode'], number>> = {
  live: 10,
  demo: 0,
};
