import { SOURCE_ENVIRONMENT_VARIABLES } from './readSources';
import { MAX_DRAIN_SECONDS, MAX_FIRST_LIMIT, MIN_CURSOR_SECRET_LENGTH } from './schemas';
import { CONFIG_DEFAULTS, DEFAULT_DRAIN_SECONDS } from './settings';
import type { EnvironmentVariable } from './types';

/**
 * Every environment variable auditgraph reads, for the README's config table and its check.
 * `default` is what applies when the variable is unset (or set to the empty string).
 */
export const ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = [
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
  ...SOURCE_ENVIRONMENT_VARIABLES,
];
