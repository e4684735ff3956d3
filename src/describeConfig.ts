import { isUnauthenticatedAllowed } from './auth/isUnauthenticatedAllowed';
import { toJwtAlgorithms } from './auth/toJwtAlgorithms';
import type { SourceKinds } from './providers/sourceKinds';
import { BUILT_IN_KINDS } from './providers/sourceKinds';
import type { AuditgraphConfig } from './config/types';
import {
  DEFAULT_AUDIT_CONFIG,
  DEFAULT_AUTH_CONFIG,
  DEFAULT_CACHE_CONFIG,
  DEFAULT_LOG_CONFIG,
  DEFAULT_METRICS_CONFIG,
  DEFAULT_TRACING_CONFIG,
  toSecurityDefaults,
} from './config/settings';

/**
 * Lines for the start-up banner. No secret: credentials show only as the keys that are set. It
 * sits above config/ and auth/, beside startAuditgraph: who may call, and with which JWT
 * algorithms, is the authenticator's rule, and config, the lowest layer, imports nothing from auth.
 */
export function describeConfig(
  config: AuditgraphConfig,
  kinds: SourceKinds = BUILT_IN_KINDS,
): string[] {
  const lines: string[] = [];
  if (config.mode === 'demo') {
    lines.push(`mode: demo (seed ${config.demo.seed}): every source kind emulated on loopback`);
  } else {
    lines.push(
      `mode: live, ${config.sources.length} source${config.sources.length === 1 ? '' : 's'}`,
    );
  }
  for (const source of config.sources) {
    const definition = kinds.get(source.kind);
    const credentials = definition.secretKeys.filter(
      (key) => (source as unknown as Readonly<Record<string, unknown>>)[key] !== undefined,
    );
    const limit =
      source.rateLimit === undefined
        ? `burst ${definition.rateLimit.capacity}, then ${definition.rateLimit.refillPerSecond}/s, the kind's default`
        : `burst ${source.rateLimit.burst}, then ${source.rateLimit.perSecond}/s`;
    const extras = [
      ...definition.describe(source),
      `credentials: ${credentials.length === 0 ? 'none' : credentials.join(', ')}`,
      `rate limit: ${limit}`,
    ];
    lines.push(`source ${source.id}: ${source.kind} at ${source.baseUrl} (${extras.join(', ')})`);
  }
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  lines.push(`listen: ${host}:${config.port}`);
  lines.push(
    config.drainSeconds === 0
      ? 'shutdown: the listener closes at once, then in-flight requests finish'
      : `shutdown: /readyz answers 503 for ${config.drainSeconds} s before the listener closes, then in-flight requests finish`,
  );
  lines.push(
    `pagination: first defaults to ${config.pagination.defaultFirst}, at most ${config.pagination.maxFirst}`,
  );
  lines.push(
    `feed: hold-back ${config.feed.holdBackSeconds} s, scan budget ${config.feed.scanBudgetPages} upstream pages per source per page, request deadline ${config.feed.requestDeadlineMs} ms`,
  );
  const cache = config.cache ?? DEFAULT_CACHE_CONFIG;
  lines.push(
    cache.maxBytes === 0
      ? 'cache: off'
      : `cache: up to ${cache.maxBytes} bytes of upstream pages of windows closed for ${cache.freshnessSeconds} s (or the source's late-arrival delay)`,
  );
  lines.push(
    config.cursorSecret === null
      ? 'cursor secret: random per process (cursors do not survive a restart or cross replicas)'
      : 'cursor secret: configured',
  );
  lines.push(`auth: ${describeAuth(config)}`);
  const security = config.security ?? toSecurityDefaults(config.mode);
  const onOff = (on: boolean) => (on ? 'on' : 'off');
  lines.push(
    `security: ${security.production ? 'production' : 'demo'}, introspection ${onOff(security.introspection)}, GraphiQL ${onOff(security.graphiql)}, cursors expire after ${security.cursorTtlSeconds} s, request bodies up to ${security.maxBodyBytes} bytes`,
  );
  const limits = security.limits;
  lines.push(
    `query limits: depth ${limits.maxDepth}, aliases ${limits.maxAliases}, tokens ${limits.maxTokens}, cost ${limits.maxCost}, directives ${limits.maxDirectives}`,
  );
  lines.push(`audit log of reads: ${onOff((config.audit ?? DEFAULT_AUDIT_CONFIG).enabled)}`);
  lines.push(`log level: ${(config.log ?? DEFAULT_LOG_CONFIG).level}`);
  lines.push(`shared state: ${describeSharedState(config)}`);
  lines.push(`metrics: ${describeMetrics(config)}`);
  lines.push(`traces: ${describeTracing(config)}`);
  return lines;
}

/** Where Redis is, never its URL whole: it may hold the password. */
function describeSharedState(config: AuditgraphConfig): string {
  const replicas = config.replicas ?? 1;
  const share = replicas === 1 ? '' : `, 1/${replicas} of each rate limit while it is away`;
  if (config.redis === undefined || config.redis === null) {
    return replicas === 1
      ? 'none (this process keeps its own)'
      : `none: this process holds 1/${replicas} of each rate limit`;
  }
  const url = new URL(config.redis.url);
  const tls = url.protocol === 'rediss:' ? ' over TLS' : '';
  return `Redis at ${url.host}${tls}, keys under ${config.redis.keyPrefix}${share}`;
}

function describeMetrics(config: AuditgraphConfig): string {
  const metrics = config.metrics ?? DEFAULT_METRICS_CONFIG;
  if (!metrics.enabled) return 'off';
  const where =
    metrics.port === null ? '/metrics on the main port' : `/metrics on port ${metrics.port}`;
  return `${where}, ${metrics.token === null ? 'open (no token)' : 'bearer token required'}`;
}

function describeTracing(config: AuditgraphConfig): string {
  const tracing = config.tracing ?? DEFAULT_TRACING_CONFIG;
  if (!tracing.enabled) return 'off';
  if (tracing.exporter === 'console') return `to the console, service ${tracing.serviceName}`;
  const to = tracing.endpoint === null ? "the SDK's default endpoint" : tracing.endpoint;
  return `OTLP ${tracing.protocol} to ${to}, service ${tracing.serviceName}`;
}

/** Who may call, without a hash or a secret: key ids, the JWT issuer and where its keys are. */
function describeAuth(config: AuditgraphConfig): string {
  const auth = config.auth ?? DEFAULT_AUTH_CONFIG;
  const parts: string[] = [];
  const keys = auth.apiKeys.length;
  if (keys > 0) {
    parts.push(
      `${keys} API key${keys === 1 ? '' : 's'} (ids: ${auth.apiKeys.map((key) => key.id).join(', ')})`,
    );
  }
  const jwt = auth.jwt;
  if (jwt !== null) {
    const from =
      jwt.jwksUrl !== undefined
        ? `from ${new URL(jwt.jwksUrl).host}`
        : jwt.publicKey !== undefined
          ? 'signed with the configured public key'
          : 'signed with the configured secret';
    parts.push(
      `JWT ${from} for issuer ${jwt.issuer}, audience ${jwt.audience} (${toJwtAlgorithms(jwt).join(', ')})`,
    );
  }
  if (isUnauthenticatedAllowed({ mode: config.mode, host: config.host, auth })) {
    parts.push(
      auth.allowUnauthenticated
        ? 'requests without credentials allowed (allowUnauthenticated)'
        : 'requests without credentials allowed (demo on loopback)',
    );
  }
  return parts.length === 0 ? 'none configured: every request is refused' : parts.join('; ');
}
