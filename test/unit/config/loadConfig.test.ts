import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../../../src/auth/hashApiKey';
import { ENVIRONMENT_VARIABLES } from '../../../src/config/environmentVariables';
import { loadConfig } from '../../../src/config/loadConfig';
import { SETTINGS, toSecurityDefaults } from '../../../src/config/settings';
import { SOURCE_KIND_NAMES } from '../../../src/providers/sourceKinds';
import { QUERY_LIMIT_DEFAULTS } from '../../../src/model/QueryLimits';
import {
  CF_ACCOUNT,
  FASTLY,
  JWT_ENV,
  SECURED,
  load,
  loadJson,
  messageOf,
  type Env,
  type LoadCase,
} from './configTestKit';

describe('loadConfig defaults', () => {
  it('runs the demo on 127.0.0.1:4000 when nothing is configured', () => {
    expect(load({ secured: false })).toEqual({
      mode: 'demo',
      host: '127.0.0.1',
      port: 4000,
      drainSeconds: 0,
      export: { pageTimeoutMs: 30_000 },
      sources: [],
      tail: { pollIntervalMs: 5000, maxSubscriptionsPerClient: 10, maxSubscriptions: 200 },
      pagination: { defaultFirst: 20, maxFirst: 100 },
      cursorSecret: null,
      demo: { seed: SETTINGS.demoSeed.default },
      feed: { holdBackSeconds: 0, scanBudgetPages: 20, requestDeadlineMs: 10_000 },
      counts: { scanBudgetPages: 50 },
      cache: { maxBytes: 67_108_864, freshnessSeconds: 300 },
      auth: { apiKeys: [], jwt: null, allowUnauthenticated: false },
      security: {
        production: false,
        introspection: true,
        graphiql: true,
        cursorTtlSeconds: 86_400,
        maxBodyBytes: 1_048_576,
        limits: { maxDepth: 10, maxAliases: 15, maxTokens: 2000, maxCost: 5000, maxDirectives: 50 },
      },
      audit: { enabled: true },
      redis: null,
      replicas: 1,
      log: { level: 'info' },
      metrics: { enabled: true, port: null, token: null },
      tracing: {
        enabled: false,
        exporter: 'none',
        endpoint: null,
        protocol: 'http/protobuf',
        serviceName: 'auditgraph',
      },
    });
  });

  it('is production in live mode: introspection and GraphiQL off', () => {
    const config = loadJson({ sources: [FASTLY] });
    expect(config.security).toEqual({
      ...toSecurityDefaults('live'),
      production: true,
      introspection: false,
      graphiql: false,
    });
    expect(config.audit).toEqual({ enabled: true });
  });

  it('drains for 10 s on shutdown in live mode, and not at all in the demo', () => {
    expect(loadJson({ sources: [FASTLY] }).drainSeconds).toBe(10);
    expect(load({ secured: false }).drainSeconds).toBe(0);
  });

  it('runs the demo when a file configures no source, and takes its settings', () => {
    const config = loadJson({ server: { port: 5000 }, demo: { seed: 7 } });
    expect(config).toMatchObject({ mode: 'demo', port: 5000, sources: [], demo: { seed: 7 } });
  });

  it('is live as soon as one source is configured', () => {
    expect(loadJson({ sources: [FASTLY] }).mode).toBe('live');
    expect(load({ env: { NIRVANA_API_KEY: 'nv-key' } }).mode).toBe('live');
  });

  it('ignores command-line arguments other than --config', () => {
    expect(load({ argv: ['node', 'main.ts', '--verbose', 'x'] }).mode).toBe('demo');
  });
});

describe('loadConfig finds the config file', () => {
  const files = {
    'a.json': JSON.stringify({ sources: [{ ...FASTLY, id: 'from-a' }] }),
    'b.json': JSON.stringify({ sources: [{ ...FASTLY, id: 'from-b' }] }),
  };
  it.each<[string, LoadCase, string]>([
    ['--config FILE', { argv: ['--config', 'a.json'] }, 'from-a'],
    ['--config=FILE', { argv: ['--config=a.json'] }, 'from-a'],
    ['AUDITGRAPH_CONFIG', { env: { AUDITGRAPH_CONFIG: 'b.json' } }, 'from-b'],
    [
      '--config before AUDITGRAPH_CONFIG',
      { argv: ['--config', 'a.json'], env: { AUDITGRAPH_CONFIG: 'b.json' } },
      'from-a',
    ],
  ])('from %s', (_name, input, id) => {
    expect(load({ ...input, files }).sources.map((source) => source.id)).toEqual([id]);
  });

  it.each<[string, readonly string[], string]>([
    ['--config without a path', ['--config'], '--config needs a file path'],
    ['--config followed by another flag', ['--config', '--verbose'], '--config needs a file path'],
    ['an empty --config=', ['--config='], '--config= needs a file path'],
    [
      '--config twice',
      ['--config', 'a.json', '--config=b.json'],
      '--config is given more than once',
    ],
    [
      'a file that does not exist',
      ['--config', 'missing.json'],
      'config file missing.json cannot be read (ENOENT)',
    ],
  ])('refuses %s', (_name, argv, message) => {
    expect(messageOf(() => load({ argv, files }))).toContain(message);
  });

  it('reads the file from disk when no readFile is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auditgraph-config-'));
    try {
      const path = join(dir, 'auditgraph.yaml');
      writeFileSync(path, 'sources:\n  - id: disk\n    kind: fastly\n    token: t0ken\n');
      expect(loadConfig({ argv: ['--config', path], env: SECURED }).sources[0]?.id).toBe('disk');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadConfig takes settings from the file, then the environment', () => {
  const file = {
    server: { host: '0.0.0.0', port: 8080, drainSeconds: 30 },
    pagination: { defaultFirst: 10, maxFirst: 50 },
    cursorSecret: 'f'.repeat(40),
    feed: { holdBackSeconds: 120, scanBudgetPages: 5, requestDeadlineMs: 3_000 },
  };

  it('reads them from the file', () => {
    expect(loadJson(file, JWT_ENV, false)).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      drainSeconds: 30,
      pagination: { defaultFirst: 10, maxFirst: 50 },
      cursorSecret: 'f'.repeat(40),
      feed: { holdBackSeconds: 120, scanBudgetPages: 5, requestDeadlineMs: 3_000 },
    });
  });

  it('reads how late a source shows its events', () => {
    const source = {
      id: 'cf',
      kind: 'cloudflare-v2',
      token: 't',
      accountId: CF_ACCOUNT,
      lateArrivalSeconds: 600,
    };
    expect(loadJson({ sources: [source] }).sources[0]?.lateArrivalSeconds).toBe(600);
    expect(loadJson({ sources: [FASTLY] }).sources[0]).not.toHaveProperty('lateArrivalSeconds');
  });

  it('lets the environment override them', () => {
    const env = {
      HOST: '::1',
      PORT: '0',
      AUDITGRAPH_DRAIN_SECONDS: '5',
      AUDITGRAPH_DEFAULT_FIRST: '30',
      AUDITGRAPH_MAX_FIRST: '1000',
      AUDITGRAPH_CURSOR_SECRET: 'e'.repeat(32),
      AUDITGRAPH_HOLD_BACK_SECONDS: '300',
      AUDITGRAPH_REQUEST_DEADLINE_MS: '2500',
    };
    expect(loadJson(file, env)).toMatchObject({
      host: '::1',
      port: 0,
      drainSeconds: 5,
      pagination: { defaultFirst: 30, maxFirst: 1000 },
      cursorSecret: 'e'.repeat(32),
      feed: { holdBackSeconds: 300, scanBudgetPages: 5, requestDeadlineMs: 2_500 },
    });
  });

  it.each<[string, LoadCase]>([
    [
      'the file',
      { files: { 'c.yaml': 'server: { drainSeconds: 0 }\n' }, argv: ['--config', 'c.yaml'] },
    ],
    ['the environment', { env: { AUDITGRAPH_DRAIN_SECONDS: '0' } }],
  ])('lets %s turn the drain off in live mode', (_name, input) => {
    expect(load({ ...input, env: { ...input.env, FASTLY_API_TOKEN: 't' } })).toMatchObject({
      mode: 'live',
      drainSeconds: 0,
    });
  });

  it('lets the environment give the demo a drain', () => {
    expect(load({ env: { AUDITGRAPH_DRAIN_SECONDS: '300' }, secured: false })).toMatchObject({
      mode: 'demo',
      drainSeconds: 300,
    });
  });

  it('lowers the default page size with a lower maxFirst', () => {
    expect(load({ env: { AUDITGRAPH_MAX_FIRST: '5' } }).pagination).toEqual({
      defaultFirst: 5,
      maxFirst: 5,
    });
  });
});

describe('loadConfig validates the settings', () => {
  it.each<[string, unknown, string]>([
    [
      'an unknown top-level key',
      { source: [] },
      'config.json: source is not a known key (allowed: sources, server, pagination, cursorSecret, demo, feed, counts, cache, export, tail, auth, security, audit, log, redis, metrics)',
    ],
    [
      'an unknown feed key',
      { feed: { holdBack: 1 } },
      'feed.holdBack is not a known key (allowed: holdBackSeconds, scanBudgetPages, requestDeadlineMs)',
    ],
    [
      'a hold-back over a day',
      { feed: { holdBackSeconds: 86_401 } },
      'feed.holdBackSeconds must be an integer from 0 to 86400',
    ],
    [
      'a scan budget of 0 pages',
      { feed: { scanBudgetPages: 0 } },
      'feed.scanBudgetPages must be an integer from 1 to 1000',
    ],
    ['server that is no object', { server: 4000 }, 'server must be an object'],
    [
      'an unknown server key',
      { server: { listen: 1 } },
      'server.listen is not a known key (allowed: host, port, drainSeconds)',
    ],
    [
      'an unknown pagination key',
      { pagination: { first: 1 } },
      'pagination.first is not a known key (allowed: defaultFirst, maxFirst)',
    ],
    [
      'an unknown demo key',
      { demo: { speed: 1 } },
      'demo.speed is not a known key (allowed: seed)',
    ],
    ['an empty host', { server: { host: '' } }, 'server.host must not be empty'],
    [
      'a host with a space',
      { server: { host: 'local host' } },
      'server.host must be a host name or an IP address',
    ],
    ['a negative port', { server: { port: -1 } }, 'server.port must be an integer from 0 to 65535'],
    [
      'a port above 65535',
      { server: { port: 65536 } },
      'server.port must be an integer from 0 to 65535',
    ],
    [
      'a fractional port',
      { server: { port: 80.5 } },
      'server.port must be an integer from 0 to 65535',
    ],
    [
      'a port that is a word',
      { server: { port: 'http' } },
      'server.port must be an integer from 0 to 65535',
    ],
    [
      'defaultFirst 0',
      { pagination: { defaultFirst: 0 } },
      'pagination.defaultFirst must be an integer from 1 to 1000',
    ],
    [
      'maxFirst 1001',
      { pagination: { maxFirst: 1001 } },
      'pagination.maxFirst must be an integer from 1 to 1000',
    ],
    [
      'defaultFirst above maxFirst',
      { pagination: { defaultFirst: 60, maxFirst: 50 } },
      'pagination.defaultFirst (60) must not exceed pagination.maxFirst (50)',
    ],
    [
      'defaultFirst above the default maxFirst',
      { pagination: { defaultFirst: 200 } },
      'pagination.defaultFirst (200) must not exceed the default maxFirst (100)',
    ],
    [
      'a short cursorSecret',
      { cursorSecret: 'short' },
      'cursorSecret must be at least 32 characters',
    ],
    [
      'a negative seed',
      { demo: { seed: -1 } },
      'demo.seed must be an integer from 0 to 4294967295',
    ],
    [
      'a drain over five minutes',
      { server: { drainSeconds: 301 } },
      'config file config.json: server.drainSeconds must be an integer from 0 to 300',
    ],
    [
      'a negative drain',
      { server: { drainSeconds: -1 } },
      'server.drainSeconds must be an integer from 0 to 300',
    ],
    [
      'a drain of a fraction of a second',
      { server: { drainSeconds: 2.5 } },
      'server.drainSeconds must be an integer from 0 to 300',
    ],
    [
      'a drain given as a duration',
      { server: { drainSeconds: '10s' } },
      'server.drainSeconds must be an integer from 0 to 300',
    ],
  ])('refuses %s', (_name, file, message) => {
    expect(messageOf(() => loadJson(file))).toContain(message);
  });

  it.each<[string, Env, string]>([
    ['PORT', { PORT: '70000' }, 'PORT must be an integer from 0 to 65535'],
    ['PORT that is a word', { PORT: 'http' }, 'PORT must be an integer from 0 to 65535'],
    ['HOST with a space', { HOST: 'a b' }, 'HOST must be a host name or an IP address'],
    [
      'AUDITGRAPH_EXPORT_PAGE_TIMEOUT_MS under the floor',
      { AUDITGRAPH_EXPORT_PAGE_TIMEOUT_MS: '50' },
      'AUDITGRAPH_EXPORT_PAGE_TIMEOUT_MS must be an integer from 100 to 600000',
    ],
    [
      'AUDITGRAPH_DRAIN_SECONDS over five minutes',
      { AUDITGRAPH_DRAIN_SECONDS: '301' },
      'AUDITGRAPH_DRAIN_SECONDS must be an integer from 0 to 300',
    ],
    [
      'AUDITGRAPH_DRAIN_SECONDS that is a duration',
      { AUDITGRAPH_DRAIN_SECONDS: '10s' },
      'AUDITGRAPH_DRAIN_SECONDS must be an integer from 0 to 300',
    ],
    [
      'AUDITGRAPH_MAX_FIRST',
      { AUDITGRAPH_MAX_FIRST: '1001' },
      'AUDITGRAPH_MAX_FIRST must be an integer from 1 to 1000',
    ],
    [
      'AUDITGRAPH_DEFAULT_FIRST',
      { AUDITGRAPH_DEFAULT_FIRST: '0' },
      'AUDITGRAPH_DEFAULT_FIRST must be an integer from 1 to 1000',
    ],
    [
      'AUDITGRAPH_DEFAULT_FIRST above AUDITGRAPH_MAX_FIRST',
      { AUDITGRAPH_DEFAULT_FIRST: '50', AUDITGRAPH_MAX_FIRST: '10' },
      'AUDITGRAPH_DEFAULT_FIRST (50) must not exceed AUDITGRAPH_MAX_FIRST (10)',
    ],
    [
      'AUDITGRAPH_CURSOR_SECRET',
      { AUDITGRAPH_CURSOR_SECRET: 'too-short' },
      'AUDITGRAPH_CURSOR_SECRET must be at least 32 characters (it signs cursors)',
    ],
  ])('refuses %s from the environment', (_name, env, message) => {
    expect(messageOf(() => load({ env }))).toBe(message);
  });
});

describe('loadConfig refuses to start unsafely', () => {
  const DASHBOARD = { id: 'dashboard', sha256: hashApiKey('agk_dashboard'), sources: ['*'] };
  const SECRET = { cursorSecret: 'c'.repeat(32) };

  it('refuses live mode without client authentication', () => {
    expect(messageOf(() => loadJson({ sources: [FASTLY], ...SECRET }, {}, false))).toBe(
      'live mode needs client authentication: add auth.apiKeys (npm run auth:hash-key makes a key and its hash) or auth.jwt (or set AUDITGRAPH_JWT_JWKS_URL, AUDITGRAPH_JWT_ISSUER and AUDITGRAPH_JWT_AUDIENCE)',
    );
  });

  it('refuses live mode without a cursor secret', () => {
    const file = { sources: [FASTLY], auth: { apiKeys: [DASHBOARD] } };
    expect(messageOf(() => loadJson(file, {}, false))).toBe(
      'live mode needs a cursor secret: set cursorSecret or AUDITGRAPH_CURSOR_SECRET (at least 32 characters, the same on every replica)',
    );
  });

  it('starts live mode with an API key and a cursor secret', () => {
    const file = { sources: [FASTLY], auth: { apiKeys: [DASHBOARD] }, ...SECRET };
    expect(loadJson(file, {}, false).mode).toBe('live');
  });

  it.each<[string, unknown, Env, string]>([
    [
      'from the file',
      { sources: [FASTLY], auth: { apiKeys: [DASHBOARD], allowUnauthenticated: true }, ...SECRET },
      {},
      'auth.allowUnauthenticated is refused in live mode: real audit logs are never served without authentication',
    ],
    [
      'from the environment',
      { sources: [FASTLY], auth: { apiKeys: [DASHBOARD] }, ...SECRET },
      { AUDITGRAPH_ALLOW_UNAUTHENTICATED: 'true' },
      'AUDITGRAPH_ALLOW_UNAUTHENTICATED is refused in live mode: real audit logs are never served without authentication',
    ],
  ])('refuses allowUnauthenticated in live mode, %s', (_name, file, env, message) => {
    expect(messageOf(() => loadJson(file, env, false))).toBe(message);
  });

  it.each<[string, LoadCase, string]>([
    ['HOST', { env: { HOST: '0.0.0.0' } }, 'HOST 0.0.0.0'],
    ['HOST', { env: { HOST: '192.0.2.10' } }, 'HOST 192.0.2.10'],
    [
      'server.host',
      {
        files: { 'c.json': JSON.stringify({ server: { host: '::' } }) },
        argv: ['--config', 'c.json'],
      },
      'server.host ::',
    ],
  ])(
    'refuses the demo without authentication on a host that is not loopback (%s)',
    (_n, input, named) => {
      expect(messageOf(() => load({ ...input, secured: false }))).toBe(
        `the demo has no client authentication, and ${named} is not a loopback address: listen on 127.0.0.1, configure auth, or set AUDITGRAPH_ALLOW_UNAUTHENTICATED=true to let anyone who reaches it read the demo`,
      );
    },
  );

  it.each(['127.0.0.1', '127.8.9.10', '::1', 'localhost'])(
    'runs the demo without authentication on loopback host %s',
    (host) => {
      expect(load({ env: { HOST: host }, secured: false }).mode).toBe('demo');
    },
  );

  it('runs the demo on any host when it is allowed, or when clients authenticate', () => {
    const open = { HOST: '0.0.0.0', AUDITGRAPH_ALLOW_UNAUTHENTICATED: 'true' };
    expect(load({ env: open, secured: false }).auth?.allowUnauthenticated).toBe(true);
    expect(load({ env: { HOST: '0.0.0.0', ...JWT_ENV }, secured: false }).mode).toBe('demo');
  });

  it("checks a demo API key's sources against the demo's own", () => {
    const demoKey = { ...DASHBOARD, sources: ['cloudflare-v2', 'nirvana'] };
    expect(loadJson({ auth: { apiKeys: [demoKey] } }, {}, false).auth?.apiKeys[0]?.sources).toEqual(
      ['cloudflare-v2', 'nirvana'],
    );
    expect(
      messageOf(() =>
        loadJson({ auth: { apiKeys: [{ ...DASHBOARD, sources: ['prod'] }] } }, {}, false),
      ),
    ).toBe(
      `auth.apiKeys[0].sources names source "prod", which is not configured (the demo's sources: ${SOURCE_KIND_NAMES.join(', ')})`,
    );
  });
});

describe('loadConfig reads the other security settings', () => {
  it('reads them from the file', () => {
    const security = {
      introspection: true,
      graphiql: false,
      cursorTtlSeconds: 3600,
      maxBodyBytes: 65_536,
      limits: { maxDepth: 6, maxAliases: 5 },
    };
    const config = loadJson({ sources: [FASTLY], security, audit: { enabled: false } });
    expect(config.security).toEqual({
      ...security,
      production: true,
      limits: { ...QUERY_LIMIT_DEFAULTS, maxDepth: 6, maxAliases: 5 },
    });
    expect(config.audit).toEqual({ enabled: false });
  });

  it('lets the environment override them', () => {
    const file = { security: { introspection: false, graphiql: false }, audit: { enabled: false } };
    const env = {
      AUDITGRAPH_INTROSPECTION: 'true',
      AUDITGRAPH_GRAPHIQL: 'true',
      AUDITGRAPH_AUDIT_LOG: 'true',
    };
    const config = loadJson(file, env);
    expect(config.security).toMatchObject({ introspection: true, graphiql: true });
    expect(config.audit).toEqual({ enabled: true });
  });

  it('turns introspection and GraphiQL off in the demo with NODE_ENV=production', () => {
    const config = load({ env: { NODE_ENV: 'production' }, secured: false });
    expect(config.security).toMatchObject({
      production: false,
      introspection: false,
      graphiql: false,
    });
    expect(load({ env: { NODE_ENV: 'development' } }).security?.introspection).toBe(true);
  });

  it.each<[string, unknown, string]>([
    [
      'production, which is the mode',
      { security: { production: false } },
      'security.production is not a known key (allowed: introspection, graphiql, cursorTtlSeconds, maxBodyBytes, limits)',
    ],
    [
      'a cursor lifetime under a minute',
      { security: { cursorTtlSeconds: 59 } },
      'security.cursorTtlSeconds must be an integer from 60 to 2592000',
    ],
    [
      'a body limit over 16 MiB',
      { security: { maxBodyBytes: 16 * 1024 * 1024 + 1 } },
      'security.maxBodyBytes must be an integer from 1024 to 16777216',
    ],
    [
      'a depth limit of 0',
      { security: { limits: { maxDepth: 0 } } },
      'security.limits.maxDepth must be an integer from 1 to 100',
    ],
    [
      'an audit switch that is a word',
      { audit: { enabled: 'on' } },
      'audit.enabled must be true or false',
    ],
  ])('refuses %s', (_name, file, message) => {
    expect(messageOf(() => loadJson(file))).toContain(message);
  });

  it.each(['AUDITGRAPH_INTROSPECTION', 'AUDITGRAPH_GRAPHIQL', 'AUDITGRAPH_AUDIT_LOG'])(
    'refuses %s that is neither true nor false',
    (name) => {
      expect(messageOf(() => load({ env: { [name]: '1' } }))).toBe(`${name} must be true or false`);
    },
  );
});

describe('ENVIRONMENT_VARIABLES', () => {
  it('lists every variable loadConfig reads', () => {
    const read = new Set<string>();
    const env = new Proxy<Env>(
      {},
      {
        get: (_target, name) => {
          if (typeof name === 'string') read.add(name);
          return undefined;
        },
      },
    );
    loadConfig({ argv: [], env });
    expect([...read].sort()).toEqual(ENVIRONMENT_VARIABLES.map((variable) => variable.name).sort());
  });
});
