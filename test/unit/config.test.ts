import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { generateKeyPairSync } from 'node:crypto';
import { hashApiKey } from '../../src/auth/hashApiKey';
import { ENVIRONMENT_VARIABLES } from '../../src/config/environmentVariables';
import { loadConfig } from '../../src/config/loadConfig';
import { DEFAULT_BASE_URLS } from '../../src/config/readSources';
import { SETTINGS, toSecurityDefaults } from '../../src/config/settings';
import type { AuditgraphConfig } from '../../src/config/types';
import { describeConfig } from '../../src/describeConfig';
import { SOURCE_KINDS } from '../../src/model/AuditEvent';
import { AuditgraphError } from '../../src/model/errors';
import { QUERY_LIMIT_DEFAULTS } from '../../src/model/QueryLimits';

type Env = Record<string, string | undefined>;

interface LoadCase {
  /** Files by path, as text. */
  readonly files?: Readonly<Record<string, string>>;
  readonly argv?: readonly string[];
  readonly env?: Env;
  /**
   * Adds SECURED under `env` (default true), so tests of other settings may configure sources,
   * which live mode accepts only with client authentication and a cursor secret.
   */
  readonly secured?: boolean;
}

const JWKS_URL = 'https://idp.example.com/.well-known/jwks.json';
const ISSUER = 'https://idp.example.com';
const AUDIENCE = 'auditgraph';

/** Client authentication by JWTs, all from the environment. */
const JWT_ENV: Env = {
  AUDITGRAPH_JWT_JWKS_URL: JWKS_URL,
  AUDITGRAPH_JWT_ISSUER: ISSUER,
  AUDITGRAPH_JWT_AUDIENCE: AUDIENCE,
};

/** What live mode needs besides its sources. */
const SECURED: Env = { AUDITGRAPH_CURSOR_SECRET: 'c'.repeat(32), ...JWT_ENV };

function load({ files = {}, argv = [], env = {}, secured = true }: LoadCase): AuditgraphConfig {
  return loadConfig({
    argv,
    env: secured ? { ...SECURED, ...env } : env,
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) {
        throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
      }
      return text;
    },
  });
}

/** Loads a JSON config given as a value, as `--config config.json`. */
function loadJson(value: unknown, env: Env = {}, secured = true): AuditgraphConfig {
  return load({
    files: { 'config.json': JSON.stringify(value) },
    argv: ['--config', 'config.json'],
    env,
    secured,
  });
}

function errorOf(run: () => unknown): AuditgraphError {
  try {
    run();
  } catch (error) {
    if (error instanceof AuditgraphError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

function messageOf(run: () => unknown): string {
  const error = errorOf(run);
  expect(error.code).toBe('CONFIG_INVALID');
  return error.message;
}

const FASTLY = { id: 'fastly', kind: 'fastly', token: 'fastly-token' };
const CF_ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353';
const TENANT = '6c9e9669-9670-4f85-9f16-8396c2206f7f';

describe('loadConfig defaults', () => {
  it('runs the demo on 127.0.0.1:4000 when nothing is configured', () => {
    expect(load({ secured: false })).toEqual({
      mode: 'demo',
      host: '127.0.0.1',
      port: 4000,
      drainSeconds: 0,
      sources: [],
      pagination: { defaultFirst: 20, maxFirst: 100 },
      cursorSecret: null,
      demo: { seed: SETTINGS.demoSeed.default },
      feed: { holdBackSeconds: 0, scanBudgetPages: 20, requestDeadlineMs: 10_000 },
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

describe('loadConfig reads JSON and YAML', () => {
  const json = JSON.stringify({ sources: [FASTLY], server: { port: 4100 } });
  const yaml =
    'sources:\n  - id: fastly\n    kind: fastly\n    token: fastly-token\nserver:\n  port: 4100\n';
  it.each<[string, string, string]>([
    ['.json', 'auditgraph.json', json],
    ['.yaml', 'auditgraph.yaml', yaml],
    ['.yml', 'auditgraph.YML', yaml],
    ['JSON without an extension', 'auditgraph', json],
    ['YAML without an extension', 'auditgraph.conf', yaml],
    ['JSON with a byte order mark', 'auditgraph.json', `\uFEFF${json}`],
  ])('%s', (_name, path, text) => {
    const config = load({ files: { [path]: text }, argv: ['--config', path] });
    expect(config.sources).toEqual([
      { id: 'fastly', kind: 'fastly', baseUrl: 'https://api.fastly.com', token: 'fastly-token' },
    ]);
    expect(config.port).toBe(4100);
  });

  it('loads the example of design.md §7', () => {
    const example = {
      sources: [
        {
          id: 'cf-prod',
          kind: 'cloudflare-v2',
          accountId: CF_ACCOUNT,
          token: '${CLOUDFLARE_API_TOKEN}',
          baseUrl: 'https://api.cloudflare.com/client/v4',
        },
        { id: 'fastly', kind: 'fastly', token: '${FASTLY_API_TOKEN}' },
        {
          id: 'fa-audit',
          kind: 'fusionauth-audit-log',
          baseUrl: 'https://auth.example.com',
          apiKey: '${FUSIONAUTH_API_KEY}',
        },
        { id: 'nirvana', kind: 'nirvana', apiKey: '${NIRVANA_API_KEY}' },
      ],
    };
    // The shortcuts' own variables, used by the file: they add no second source.
    const config = loadJson(example, {
      CLOUDFLARE_API_TOKEN: 'cf-token',
      FASTLY_API_TOKEN: 'fastly-token',
      FUSIONAUTH_API_KEY: 'fa-key',
      NIRVANA_API_KEY: 'nv-key',
    });
    expect(config.sources).toEqual([
      {
        id: 'cf-prod',
        kind: 'cloudflare-v2',
        baseUrl: 'https://api.cloudflare.com/client/v4',
        token: 'cf-token',
        accountId: CF_ACCOUNT,
      },
      { id: 'fastly', kind: 'fastly', baseUrl: 'https://api.fastly.com', token: 'fastly-token' },
      {
        id: 'fa-audit',
        kind: 'fusionauth-audit-log',
        baseUrl: 'https://auth.example.com',
        apiKey: 'fa-key',
      },
      { id: 'nirvana', kind: 'nirvana', baseUrl: 'https://api.nirvanalabs.io', apiKey: 'nv-key' },
    ]);
  });

  it.each([
    ['fastly', { token: 't' }, 'https://api.fastly.com'],
    [
      'cloudflare-v1',
      { token: 't', accountId: CF_ACCOUNT },
      'https://api.cloudflare.com/client/v4',
    ],
    [
      'cloudflare-v2',
      { token: 't', accountId: CF_ACCOUNT },
      'https://api.cloudflare.com/client/v4',
    ],
    ['nirvana', { apiKey: 'k' }, 'https://api.nirvanalabs.io'],
  ])('fills the public base URL of kind %s', (kind, credentials, baseUrl) => {
    const [source] = loadJson({ sources: [{ id: 's', kind, ...credentials }] }).sources;
    expect(source?.baseUrl).toBe(baseUrl);
    expect(DEFAULT_BASE_URLS[kind as keyof typeof DEFAULT_BASE_URLS]).toBe(baseUrl);
  });

  it('keeps a given base URL without its trailing slash', () => {
    const [source] = loadJson({
      sources: [{ ...FASTLY, baseUrl: 'http://127.0.0.1:8080/fastly/' }],
    }).sources;
    expect(source?.baseUrl).toBe('http://127.0.0.1:8080/fastly');
  });

  it('accepts every kind with its own keys', () => {
    const sources = SOURCE_KINDS.map((kind, index) => {
      const id = `s${index}`;
      switch (kind) {
        case 'fastly':
          return { id, kind, token: 't' };
        case 'cloudflare-v1':
        case 'cloudflare-v2':
          return { id, kind, token: 't', accountId: CF_ACCOUNT };
        case 'fusionauth-event-log':
        case 'fusionauth-audit-log':
          return { id, kind, apiKey: 'k', baseUrl: 'https://auth.example.com', tenantId: TENANT };
        case 'nirvana':
          return { id, kind, apiKey: 'k' };
      }
    });
    expect(loadJson({ sources }).sources.map((source) => source.kind)).toEqual(SOURCE_KINDS);
  });
});

describe('loadConfig substitutes ${NAME} from the environment', () => {
  it.each<[string, string, Env, string]>([
    ['a whole value', '${TOKEN}', { TOKEN: 'abc' }, 'abc'],
    ['inside a value', 'pre-${A}-${B}', { A: 'x', B: 'y' }, 'pre-x-y'],
    ['not "$$" followed by "{"', 'a$$b$c', {}, 'a$$b$c'],
    ['not "$${", which stands for "${"', 'a$${LITERAL}', {}, 'a${LITERAL}'],
  ])('in %s', (_name, token, env, expected) => {
    expect(loadJson({ sources: [{ ...FASTLY, token }] }, env).sources[0]?.token).toBe(expected);
  });

  it('in numbers written as text', () => {
    const config = loadJson(
      { server: { port: '${APP_PORT}' }, pagination: { maxFirst: '${MAX}' } },
      { APP_PORT: '4321', MAX: '500' },
    );
    expect(config.port).toBe(4321);
    expect(config.pagination.maxFirst).toBe(500);
  });

  it('in YAML as in JSON', () => {
    const yaml = 'sources:\n  - id: fastly\n    kind: fastly\n    token: ${FASTLY_TOKEN}\n';
    const config = load({
      files: { 'c.yaml': yaml },
      argv: ['--config', 'c.yaml'],
      env: { FASTLY_TOKEN: 'from-env' },
    });
    expect(config.sources[0]?.token).toBe('from-env');
  });

  it.each<[string, string, Env, string]>([
    [
      'an unset variable',
      '${NOPE}',
      {},
      'sources[0].token refers to environment variable NOPE, which is not set',
    ],
    [
      'an empty variable',
      '${EMPTY}',
      { EMPTY: '' },
      'sources[0].token refers to environment variable EMPTY, which is empty',
    ],
    [
      'a reference that is no name',
      '${NOT-A-NAME}',
      {},
      'sources[0].token has a "${...}" that is not a variable name',
    ],
    [
      'a reference without its brace',
      'abc${TOKEN',
      { TOKEN: 'x' },
      'sources[0].token has a "${" without its closing "}"',
    ],
  ])('refuses %s, naming the key and the variable', (_name, token, env, message) => {
    expect(messageOf(() => loadJson({ sources: [{ ...FASTLY, token }] }, env))).toContain(
      `config file config.json: ${message}`,
    );
  });
});

describe('loadConfig adds one source per provider from the environment', () => {
  it.each<[string, Env, AuditgraphConfig['sources']]>([
    [
      'FASTLY_API_TOKEN',
      { FASTLY_API_TOKEN: 'fastly-token' },
      [{ id: 'fastly', kind: 'fastly', baseUrl: 'https://api.fastly.com', token: 'fastly-token' }],
    ],
    [
      'FASTLY_BASE_URL',
      { FASTLY_API_TOKEN: 'fastly-token', FASTLY_BASE_URL: 'http://127.0.0.1:9001' },
      [{ id: 'fastly', kind: 'fastly', baseUrl: 'http://127.0.0.1:9001', token: 'fastly-token' }],
    ],
    [
      'CLOUDFLARE_API_TOKEN + CLOUDFLARE_ACCOUNT_ID (v2 by default)',
      { CLOUDFLARE_API_TOKEN: 'cf-token', CLOUDFLARE_ACCOUNT_ID: CF_ACCOUNT },
      [
        {
          id: 'cloudflare',
          kind: 'cloudflare-v2',
          baseUrl: 'https://api.cloudflare.com/client/v4',
          token: 'cf-token',
          accountId: CF_ACCOUNT,
        },
      ],
    ],
    [
      'CLOUDFLARE_AUDIT_LOG_VERSION=v1 and CLOUDFLARE_BASE_URL',
      {
        CLOUDFLARE_API_TOKEN: 'cf-token',
        CLOUDFLARE_ACCOUNT_ID: CF_ACCOUNT,
        CLOUDFLARE_AUDIT_LOG_VERSION: 'v1',
        CLOUDFLARE_BASE_URL: 'http://127.0.0.1:9002/client/v4',
      },
      [
        {
          id: 'cloudflare',
          kind: 'cloudflare-v1',
          baseUrl: 'http://127.0.0.1:9002/client/v4',
          token: 'cf-token',
          accountId: CF_ACCOUNT,
        },
      ],
    ],
    [
      'FUSIONAUTH_URL + FUSIONAUTH_API_KEY (both logs)',
      { FUSIONAUTH_URL: 'https://auth.example.com/', FUSIONAUTH_API_KEY: 'fa-key' },
      [
        {
          id: 'fusionauth-audit-log',
          kind: 'fusionauth-audit-log',
          baseUrl: 'https://auth.example.com',
          apiKey: 'fa-key',
        },
        {
          id: 'fusionauth-event-log',
          kind: 'fusionauth-event-log',
          baseUrl: 'https://auth.example.com',
          apiKey: 'fa-key',
        },
      ],
    ],
    [
      'FUSIONAUTH_TENANT_ID',
      {
        FUSIONAUTH_URL: 'http://localhost:9011',
        FUSIONAUTH_API_KEY: 'fa-key',
        FUSIONAUTH_TENANT_ID: TENANT,
      },
      [
        {
          id: 'fusionauth-audit-log',
          kind: 'fusionauth-audit-log',
          baseUrl: 'http://localhost:9011',
          apiKey: 'fa-key',
          tenantId: TENANT,
        },
        {
          id: 'fusionauth-event-log',
          kind: 'fusionauth-event-log',
          baseUrl: 'http://localhost:9011',
          apiKey: 'fa-key',
          tenantId: TENANT,
        },
      ],
    ],
    [
      'NIRVANA_API_KEY',
      { NIRVANA_API_KEY: 'nv-key' },
      [{ id: 'nirvana', kind: 'nirvana', baseUrl: 'https://api.nirvanalabs.io', apiKey: 'nv-key' }],
    ],
    [
      'NIRVANA_BASE_URL',
      { NIRVANA_API_KEY: 'nv-key', NIRVANA_BASE_URL: 'http://127.0.0.1:9004' },
      [{ id: 'nirvana', kind: 'nirvana', baseUrl: 'http://127.0.0.1:9004', apiKey: 'nv-key' }],
    ],
    [
      'nothing for variables set to the empty string',
      { FASTLY_API_TOKEN: '', NIRVANA_BASE_URL: '' },
      [],
    ],
  ])('%s', (_name, env, sources) => {
    expect(load({ env }).sources).toEqual(sources);
  });

  it('adds none for variables the config file uses itself', () => {
    const file = { sources: [{ id: 'fastly-prod', kind: 'fastly', token: '${FASTLY_API_TOKEN}' }] };
    const config = loadJson(file, { FASTLY_API_TOKEN: 'fastly-token', NIRVANA_API_KEY: 'nv-key' });
    expect(config.sources.map((source) => source.id)).toEqual(['fastly-prod', 'nirvana']);
  });

  it('puts them after the file sources', () => {
    const config = loadJson(
      { sources: [{ ...FASTLY, id: 'fastly-staging' }] },
      { FASTLY_API_TOKEN: 't' },
    );
    expect(config.sources.map((source) => source.id)).toEqual(['fastly-staging', 'fastly']);
  });

  it.each<[string, Env, string]>([
    [
      'a token without its account',
      { CLOUDFLARE_API_TOKEN: 't' },
      'CLOUDFLARE_ACCOUNT_ID is required when CLOUDFLARE_API_TOKEN is set',
    ],
    [
      'an account without its token',
      { CLOUDFLARE_ACCOUNT_ID: CF_ACCOUNT },
      'CLOUDFLARE_API_TOKEN is required when CLOUDFLARE_ACCOUNT_ID is set',
    ],
    [
      'an unknown Cloudflare version',
      {
        CLOUDFLARE_API_TOKEN: 't',
        CLOUDFLARE_ACCOUNT_ID: CF_ACCOUNT,
        CLOUDFLARE_AUDIT_LOG_VERSION: 'v3',
      },
      'CLOUDFLARE_AUDIT_LOG_VERSION must be v1 or v2',
    ],
    [
      'a FusionAuth URL without its key',
      { FUSIONAUTH_URL: 'http://localhost:9011' },
      'FUSIONAUTH_API_KEY is required when FUSIONAUTH_URL is set',
    ],
    [
      'a FusionAuth key without its URL',
      { FUSIONAUTH_API_KEY: 'k' },
      'FUSIONAUTH_URL is required when FUSIONAUTH_API_KEY is set',
    ],
    [
      'a FusionAuth tenant alone',
      { FUSIONAUTH_TENANT_ID: TENANT },
      'FUSIONAUTH_URL is required when FUSIONAUTH_TENANT_ID is set',
    ],
    [
      'a base URL without its credential',
      { FASTLY_BASE_URL: 'http://127.0.0.1:1' },
      'FASTLY_API_TOKEN is required when FASTLY_BASE_URL is set',
    ],
    [
      'a base URL that is no URL',
      { NIRVANA_API_KEY: 'k', NIRVANA_BASE_URL: 'nirvana' },
      'NIRVANA_BASE_URL must be an http(s) URL',
    ],
    [
      'a FusionAuth URL that is no http(s) URL',
      { FUSIONAUTH_URL: 'ftp://auth', FUSIONAUTH_API_KEY: 'k' },
      'FUSIONAUTH_URL must be an http(s) URL',
    ],
    [
      'a tenant that is no UUID',
      { FUSIONAUTH_URL: 'http://a', FUSIONAUTH_API_KEY: 'k', FUSIONAUTH_TENANT_ID: 'default' },
      'FUSIONAUTH_TENANT_ID must be a UUID',
    ],
    [
      'a token with a space',
      { FASTLY_API_TOKEN: 'two words' },
      'FASTLY_API_TOKEN must be printable ASCII without spaces or control characters',
    ],
  ])('refuses %s', (_name, env, message) => {
    expect(messageOf(() => load({ env }))).toBe(message);
  });

  it('refuses an id that a file source already uses', () => {
    expect(messageOf(() => loadJson({ sources: [FASTLY] }, { FASTLY_API_TOKEN: 't' }))).toBe(
      'source id "fastly" from FASTLY_API_TOKEN is already used by sources[0] (config file config.json); source ids must be unique',
    );
  });

  it('refuses an id that a file source uses in another case', () => {
    expect(
      messageOf(() =>
        loadJson({ sources: [{ ...FASTLY, id: 'Nirvana' }] }, { NIRVANA_API_KEY: 'k' }),
      ),
    ).toContain('source id "nirvana" from NIRVANA_API_KEY is already used by sources[0]');
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

describe('loadConfig validates', () => {
  const cf = { id: 'cf', kind: 'cloudflare-v2', token: 't', accountId: CF_ACCOUNT };
  const fa = {
    id: 'fa',
    kind: 'fusionauth-audit-log',
    apiKey: 'k',
    baseUrl: 'http://localhost:9011',
  };
  const nv = { id: 'nv', kind: 'nirvana', apiKey: 'k' };
  const without = (value: Record<string, unknown>, key: string): Record<string, unknown> =>
    Object.fromEntries(Object.entries(value).filter(([name]) => name !== key));

  it.each<[string, unknown, string]>([
    // Shape
    ['a file that is a list', [FASTLY], 'config file config.json must hold an object'],
    [
      'an unknown top-level key',
      { source: [] },
      'config.json: source is not a known key (allowed: sources, server, pagination, cursorSecret, demo, feed, cache, auth, security, audit)',
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
    [
      'a negative late arrival',
      { sources: [{ ...FASTLY, lateArrivalSeconds: -1 }] },
      'sources[0].lateArrivalSeconds must be an integer from 0 to 86400',
    ],
    ['sources that is no list', { sources: FASTLY }, 'sources must be a list'],
    ['a source that is no object', { sources: ['fastly'] }, 'sources[0] must be an object'],
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
    // Kind
    [
      'a source without kind',
      { sources: [without(FASTLY, 'kind')] },
      'sources[0].kind is required (one of fastly, cloudflare-v1, cloudflare-v2, fusionauth-event-log, fusionauth-audit-log, nirvana)',
    ],
    [
      'an unknown kind',
      { sources: [{ ...FASTLY, kind: 'cloudflare' }] },
      'sources[0].kind must be one of fastly, cloudflare-v1',
    ],
    // Keys per kind
    [
      'an unknown source key',
      { sources: [{ ...FASTLY, tokn: 'x' }] },
      'sources[0].tokn is not a known key for kind fastly (allowed: id, kind, baseUrl, lateArrivalSeconds, token)',
    ],
    [
      'apiKey on fastly',
      { sources: [{ ...FASTLY, apiKey: 'k' }] },
      'sources[0].apiKey is not a known key for kind fastly',
    ],
    [
      'token on nirvana',
      { sources: [{ ...nv, token: 't' }] },
      'sources[0].token is not a known key for kind nirvana (allowed: id, kind, baseUrl, lateArrivalSeconds, apiKey)',
    ],
    [
      'accountId on fusionauth',
      { sources: [{ ...fa, accountId: 'a' }] },
      'sources[0].accountId is not a known key for kind fusionauth-audit-log (allowed: id, kind, baseUrl, lateArrivalSeconds, apiKey, tenantId)',
    ],
    [
      'tenantId on cloudflare',
      { sources: [{ ...cf, tenantId: TENANT }] },
      'sources[0].tenantId is not a known key for kind cloudflare-v2',
    ],
    [
      'fastly without token',
      { sources: [without(FASTLY, 'token')] },
      'sources[0].token is required for kind fastly',
    ],
    [
      'cloudflare without token',
      { sources: [without(cf, 'token')] },
      'sources[0].token is required for kind cloudflare-v2',
    ],
    [
      'cloudflare without accountId',
      { sources: [FASTLY, nv, without(cf, 'accountId')] },
      'sources[2].accountId is required for kind cloudflare-v2',
    ],
    [
      'cloudflare-v1 without accountId',
      { sources: [{ ...without(cf, 'accountId'), kind: 'cloudflare-v1' }] },
      'sources[0].accountId is required for kind cloudflare-v1',
    ],
    [
      'fusionauth without apiKey',
      { sources: [without(fa, 'apiKey')] },
      'sources[0].apiKey is required for kind fusionauth-audit-log',
    ],
    [
      'fusionauth without baseUrl',
      { sources: [{ ...without(fa, 'baseUrl'), kind: 'fusionauth-event-log' }] },
      'sources[0].baseUrl is required for kind fusionauth-event-log',
    ],
    [
      'nirvana without apiKey',
      { sources: [without(nv, 'apiKey')] },
      'sources[0].apiKey is required for kind nirvana',
    ],
    // Ids
    ['a source without id', { sources: [without(FASTLY, 'id')] }, 'sources[0].id is required'],
    ['an empty id', { sources: [{ ...FASTLY, id: '' }] }, 'sources[0].id must not be empty'],
    [
      'an id with a space',
      { sources: [{ ...FASTLY, id: 'my source' }] },
      'sources[0].id must be 1 to 63 letters, digits, "-" or "_", starting with a letter or digit',
    ],
    [
      'an id starting with "-"',
      { sources: [{ ...FASTLY, id: '-fastly' }] },
      'sources[0].id must be 1 to 63',
    ],
    [
      'an id of 64 characters',
      { sources: [{ ...FASTLY, id: 'a'.repeat(64) }] },
      'sources[0].id must be 1 to 63',
    ],
    [
      'an id that is a number',
      { sources: [{ ...FASTLY, id: 7 }] },
      'sources[0].id must be a string',
    ],
    [
      'two sources with one id',
      { sources: [FASTLY, { ...nv, id: 'fastly' }] },
      'source id "fastly" from sources[1] is already used by sources[0]',
    ],
    // Values
    [
      'an empty token',
      { sources: [{ ...FASTLY, token: '' }] },
      'sources[0].token must not be empty',
    ],
    [
      'a token with a space',
      { sources: [{ ...FASTLY, token: 'a b' }] },
      'sources[0].token must be printable ASCII without spaces or control characters',
    ],
    [
      'a token with a line break',
      { sources: [{ ...FASTLY, token: 'a\nX-Evil: 1' }] },
      'sources[0].token must be printable ASCII',
    ],
    [
      'a token that is a number',
      { sources: [{ ...FASTLY, token: 12345 }] },
      'sources[0].token must be a string (quote it in YAML if it looks like a number)',
    ],
    [
      'an apiKey that is null',
      { sources: [{ ...nv, apiKey: null }] },
      'sources[0].apiKey must be a string',
    ],
    [
      'an accountId with a slash',
      { sources: [{ ...cf, accountId: '../zones' }] },
      'sources[0].accountId must be a Cloudflare account id',
    ],
    [
      'a tenantId that is no UUID',
      { sources: [{ ...fa, tenantId: 'default' }] },
      'sources[0].tenantId must be a UUID',
    ],
    [
      'a baseUrl that is no URL',
      { sources: [{ ...FASTLY, baseUrl: 'api.fastly.com' }] },
      'sources[0].baseUrl must be an http(s) URL',
    ],
    [
      'a baseUrl of another scheme',
      { sources: [{ ...FASTLY, baseUrl: 'ftp://api.fastly.com' }] },
      'sources[0].baseUrl must be an http(s) URL',
    ],
    [
      'a baseUrl with a password',
      { sources: [{ ...FASTLY, baseUrl: 'https://user:pw@api.fastly.com' }] },
      'sources[0].baseUrl must not contain a user name or password',
    ],
    [
      'a baseUrl with a query',
      { sources: [{ ...FASTLY, baseUrl: 'https://api.fastly.com/?key=1' }] },
      'sources[0].baseUrl must not contain a query string or fragment',
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

  it.each<[string, string, string, string]>([
    ['JSON', 'c.json', '{"sources": [\n  {"id": "x",}\n]}', 'config file c.json is not valid JSON'],
    [
      'YAML',
      'c.yaml',
      'sources:\n  - id: x\n   kind: fastly\n',
      'config file c.yaml is not valid YAML (line 3',
    ],
    [
      'YAML with duplicate keys',
      'c.yaml',
      'server:\n  port: 1\n  port: 2\n',
      'config file c.yaml is not valid YAML (line 3, column 3: DUPLICATE_KEY)',
    ],
    ['text that is neither', 'c.conf', 'sources: [\n', 'config file c.conf is not valid YAML'],
    ['an empty file', 'c.yaml', '', 'config file c.yaml must hold an object'],
  ])('refuses a file that is not %s', (_name, path, text, message) => {
    expect(messageOf(() => load({ files: { [path]: text }, argv: ['--config', path] }))).toContain(
      message,
    );
  });

  it('refuses a __proto__ key rather than letting it pass unseen', () => {
    const file = '{"__proto__": {"cursorSecret": "x"}, "sources": []}';
    const message = messageOf(() =>
      load({ files: { 'c.json': file }, argv: ['--config', 'c.json'] }),
    );
    expect(message).toContain('__proto__ is not a known key');
  });

  it('reports an unknown key before the key it misspells', () => {
    const message = messageOf(() =>
      loadJson({ sources: [{ ...without(FASTLY, 'token'), tokn: 't' }] }),
    );
    expect(message).toContain('sources[0].tokn is not a known key');
  });
});

describe('secrets never leave loadConfig or describeConfig', () => {
  const SECRETS = {
    fastly: 'SECRET-fastly-token-5d1e9a',
    cloudflare: 'SECRET-cloudflare-token-8b2c7f',
    fusionauth: 'SECRET-fusionauth-key-3a9d4e',
    nirvana: 'SECRET-nirvana-key-6f0b1c',
    cursor: 'SECRET-cursor-secret-2e7a90c4d1b3f5a6',
    jwt: 'SECRET-jwt-hmac-secret-9f8e7d6c5b4a3210',
  };
  const ALL = Object.values(SECRETS);
  const env: Env = {
    FASTLY_API_TOKEN: SECRETS.fastly,
    CLOUDFLARE_API_TOKEN: SECRETS.cloudflare,
    CLOUDFLARE_ACCOUNT_ID: CF_ACCOUNT,
    FUSIONAUTH_URL: 'https://auth.example.com',
    FUSIONAUTH_API_KEY: SECRETS.fusionauth,
    NIRVANA_API_KEY: SECRETS.nirvana,
    AUDITGRAPH_CURSOR_SECRET: SECRETS.cursor,
  };

  /** Everything an error can carry into a log: message, stack, cause, enumerable fields. */
  function everythingIn(error: AuditgraphError): string {
    return [
      error.message,
      error.stack ?? '',
      inspect(error, { depth: 10 }),
      JSON.stringify(error),
    ].join('\n');
  }

  it.each<[string, LoadCase]>([
    [
      'a secret in the wrong key',
      {
        files: {
          'c.json': JSON.stringify({
            sources: [{ id: 'f', kind: 'fastly', tokn: SECRETS.fastly }],
          }),
        },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a secret with a space',
      {
        files: {
          'c.json': JSON.stringify({
            sources: [{ id: 'f', kind: 'fastly', token: `${SECRETS.fastly} x` }],
          }),
        },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a secret as a number-like YAML value',
      {
        files: { 'c.yaml': 'sources:\n  - id: f\n    kind: fastly\n    token: 1234567890123\n' },
        argv: ['--config', 'c.yaml'],
      },
    ],
    [
      'a secret left unquoted in JSON',
      {
        files: { 'c.json': `{"token": ${SECRETS.fastly}}` },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a JSON error right after a secret',
      {
        files: { 'c.json': `{"sources": [{"token": "${SECRETS.fastly}" x}]}` },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a YAML error on the line of a secret',
      {
        files: { 'c.yaml': `sources:\n  - token: ${SECRETS.fastly}: [\n` },
        argv: ['--config', 'c.yaml'],
      },
    ],
    [
      'a JSON error in a file without extension',
      { files: { c: `{"cursorSecret": "${SECRETS.cursor}",,}` }, argv: ['--config', 'c'] },
    ],
    [
      'a secret in a base URL',
      {
        files: {
          'c.json': JSON.stringify({
            sources: [
              {
                id: 'f',
                kind: 'fastly',
                token: 't',
                baseUrl: `https://u:${SECRETS.fastly}@api.fastly.com`,
              },
            ],
          }),
        },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a secret in a base URL query',
      {
        files: {
          'c.json': JSON.stringify({
            sources: [
              {
                id: 'f',
                kind: 'fastly',
                token: 't',
                baseUrl: `https://api.fastly.com/?key=${SECRETS.fastly}`,
              },
            ],
          }),
        },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a secret as a substituted base URL',
      {
        files: {
          'c.json': JSON.stringify({
            sources: [{ id: 'f', kind: 'nirvana', apiKey: 'k', baseUrl: '${NIRVANA_API_KEY}' }],
          }),
        },
        argv: ['--config', 'c.json'],
        env: { NIRVANA_API_KEY: SECRETS.nirvana },
      },
    ],
    [
      'a secret as an id',
      {
        files: {
          'c.json': JSON.stringify({
            sources: [
              { id: SECRETS.fastly, kind: 'fastly', token: 't' },
              { id: SECRETS.fastly, kind: 'fastly', token: 't' },
            ],
          }),
        },
        argv: ['--config', 'c.json'],
        // The same string is a credential too: only then is it a secret to hide.
        env: { FASTLY_API_TOKEN: SECRETS.fastly },
      },
    ],
    [
      'a cursorSecret that is too short',
      {
        files: { 'c.json': JSON.stringify({ cursorSecret: SECRETS.fastly }) },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a secret with a line break from the environment',
      { env: { FASTLY_API_TOKEN: `${SECRETS.fastly}\n` } },
    ],
    [
      'a secret as the Cloudflare version',
      { env: { ...env, CLOUDFLARE_AUDIT_LOG_VERSION: SECRETS.cloudflare } },
    ],
    ['a secret as a port', { env: { PORT: SECRETS.nirvana } }],
    [
      'a secret as the FusionAuth URL',
      { env: { FUSIONAUTH_URL: SECRETS.fusionauth, FUSIONAUTH_API_KEY: 'k' } },
    ],
    [
      'a secret as a tenant',
      {
        env: {
          FUSIONAUTH_URL: 'http://a',
          FUSIONAUTH_API_KEY: 'k',
          FUSIONAUTH_TENANT_ID: SECRETS.fusionauth,
        },
      },
    ],
    [
      'a short cursor secret from the environment',
      { env: { AUDITGRAPH_CURSOR_SECRET: SECRETS.fastly } },
    ],
    [
      'a JWT secret that is too short',
      {
        files: { 'c.json': JSON.stringify({ auth: { jwt: { secret: SECRETS.fastly } } }) },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a JWT secret beside an unknown key',
      {
        files: {
          'c.json': JSON.stringify({
            auth: { jwt: { secret: SECRETS.jwt, issuer: 'i', audience: 'a', key: SECRETS.jwt } },
          }),
        },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a JWT secret as the issuer',
      {
        files: { 'c.json': JSON.stringify({ auth: { jwt: { secret: SECRETS.jwt } } }) },
        argv: ['--config', 'c.json'],
        env: { AUDITGRAPH_JWT_ISSUER: SECRETS.jwt },
      },
    ],
    [
      'a JWT secret in a key set URL',
      {
        env: { ...env, AUDITGRAPH_JWT_JWKS_URL: `http://idp.example.com/jwks?k=${SECRETS.fastly}` },
      },
    ],
    [
      'an id clash with every secret set',
      {
        env,
        files: {
          'c.json': JSON.stringify({
            sources: [{ id: 'nirvana', kind: 'nirvana', apiKey: SECRETS.nirvana }],
          }),
        },
        argv: ['--config', 'c.json'],
      },
    ],
  ])('no secret in the error for %s', (_name, input) => {
    const error = errorOf(() => load(input));
    expect(error.code).toBe('CONFIG_INVALID');
    const text = everythingIn(error);
    for (const secret of [...ALL, '1234567890123']) expect(text).not.toContain(secret);
    // Parsers quote a few characters around an error: not even a piece of a secret may show.
    expect(text).not.toMatch(/SECRET-|12345678/);
  });

  it('no secret in describeConfig', () => {
    const config = load({
      env,
      files: {
        'c.json': JSON.stringify({
          sources: [
            {
              id: 'fa-event',
              kind: 'fusionauth-event-log',
              baseUrl: 'http://localhost:9011',
              apiKey: SECRETS.fusionauth,
              tenantId: TENANT,
            },
          ],
        }),
      },
      argv: ['--config', 'c.json'],
    });
    expect(config.sources).toHaveLength(6);
    const banner = describeConfig(config).join('\n');
    for (const secret of ALL) expect(banner).not.toContain(secret);
  });

  it('no JWT secret and no API key hash in describeConfig', () => {
    const sha256 = hashApiKey(SECRETS.nirvana);
    const config = load({
      env: { AUDITGRAPH_CURSOR_SECRET: SECRETS.cursor },
      secured: false,
      files: {
        'c.json': JSON.stringify({
          sources: [FASTLY],
          auth: {
            apiKeys: [{ id: 'dashboard', sha256, sources: ['*'] }],
            jwt: { secret: SECRETS.jwt, issuer: 'https://auth.example.com', audience: 'ag' },
          },
        }),
      },
      argv: ['--config', 'c.json'],
    });
    expect(config.auth?.jwt?.secret).toBe(SECRETS.jwt);
    const banner = describeConfig(config).join('\n');
    expect(banner).toContain('1 API key (ids: dashboard)');
    for (const secret of [...ALL, sha256]) expect(banner).not.toContain(secret);
  });
});

describe('describeConfig', () => {
  it('names the mode, each source and the address', () => {
    const config = loadJson(
      { sources: [{ id: 'cf', kind: 'cloudflare-v2', token: 'tok', accountId: CF_ACCOUNT }] },
      { PORT: '4010', HOST: '::' },
    );
    expect(describeConfig(config)).toEqual([
      'mode: live, 1 source',
      `source cf: cloudflare-v2 at https://api.cloudflare.com/client/v4 (account ${CF_ACCOUNT}, credentials: token)`,
      'listen: [::]:4010',
      'shutdown: /readyz answers 503 for 10 s before the listener closes, then in-flight requests finish',
      'pagination: first defaults to 20, at most 100',
      'feed: hold-back 0 s, scan budget 20 upstream pages per source per page, request deadline 10000 ms',
      "cache: up to 67108864 bytes of upstream pages of windows closed for 300 s (or the source's late-arrival delay)",
      'cursor secret: configured',
      `auth: JWT from idp.example.com for issuer ${ISSUER}, audience ${AUDIENCE} (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)`,
      'security: production, introspection off, GraphiQL off, cursors expire after 86400 s, request bodies up to 1048576 bytes',
      'query limits: depth 10, aliases 15, tokens 2000, cost 5000, directives 50',
      'audit log of reads: on',
    ]);
  });

  it('names the demo and its seed', () => {
    const lines = describeConfig(
      load({ env: { AUDITGRAPH_CURSOR_SECRET: 'c'.repeat(32) }, secured: false }),
    );
    expect(lines[0]).toBe('mode: demo (seed 1): every source kind emulated on loopback');
    expect(lines).toContain('listen: 127.0.0.1:4000');
    expect(lines).toContain(
      'shutdown: the listener closes at once, then in-flight requests finish',
    );
    expect(lines).toContain('cursor secret: configured');
    expect(lines).toContain('auth: requests without credentials allowed (demo on loopback)');
    expect(lines).toContain(
      'security: demo, introspection on, GraphiQL on, cursors expire after 86400 s, request bodies up to 1048576 bytes',
    );
  });

  it('names API keys by id, never by hash', () => {
    const keys = [
      { id: 'dashboard', sha256: hashApiKey('agk_dashboard'), sources: ['*'] },
      { id: 'siem', sha256: hashApiKey('agk_siem'), sources: ['fastly'], permissions: ['pii'] },
    ];
    const config = loadJson(
      { sources: [FASTLY], auth: { apiKeys: keys } },
      { AUDITGRAPH_CURSOR_SECRET: 'c'.repeat(32) },
      false,
    );
    const lines = describeConfig(config);
    expect(lines).toContain('auth: 2 API keys (ids: dashboard, siem)');
    for (const key of keys) expect(lines.join('\n')).not.toContain(key.sha256);
  });

  it('names how JWTs are checked, and that the demo lets anyone in when allowed', () => {
    const config = loadJson(
      {
        server: { host: '0.0.0.0' },
        auth: {
          jwt: { secret: 's'.repeat(40), issuer: 'fusionauth.example.com', audience: 'ag' },
          allowUnauthenticated: true,
        },
      },
      {},
      false,
    );
    expect(describeConfig(config)).toContain(
      'auth: JWT signed with the configured secret for issuer fusionauth.example.com, audience ag (HS256); requests without credentials allowed (allowUnauthenticated)',
    );
  });
});

describe('loadConfig reads client authentication', () => {
  const DASHBOARD = { id: 'dashboard', sha256: hashApiKey('agk_dashboard'), sources: ['*'] };
  const RSA = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

  /** A live config with one fastly source and a cursor secret, and the given auth. */
  const live = (auth: unknown, env: Env = {}) =>
    loadJson({ sources: [FASTLY], cursorSecret: 'c'.repeat(32), auth }, env, false);

  it('reads API keys from the file, by their hash', () => {
    const sha256 = hashApiKey('agk_siem').toUpperCase();
    const config = live({
      apiKeys: [
        DASHBOARD,
        { id: 'siem', sha256, sources: ['fastly', 'fastly'], permissions: ['pii'] },
      ],
    });
    expect(config.auth).toEqual({
      apiKeys: [
        { ...DASHBOARD, permissions: [] },
        {
          id: 'siem',
          sha256: sha256.toLowerCase(),
          sources: ['fastly'],
          permissions: ['pii'],
        },
      ],
      jwt: null,
      allowUnauthenticated: false,
    });
  });

  it('reads a JWT issuer from the environment alone, naming the variable of its key', () => {
    // Which algorithms the key set verifies is the verifier's (test/unit/auth/toJwtAlgorithms).
    expect(live(undefined, JWT_ENV).auth?.jwt).toEqual({
      jwksUrl: JWKS_URL,
      issuer: ISSUER,
      audience: AUDIENCE,
      sourcesClaim: 'auditgraph_sources',
      permissionsClaim: 'auditgraph_permissions',
      clockToleranceSeconds: 30,
      keyLabel: 'AUDITGRAPH_JWT_JWKS_URL',
    });
  });

  it('lets the environment override the file, key by key', () => {
    const jwt = {
      jwksUrl: 'https://old.example.com/jwks',
      issuer: 'old',
      audience: 'kept',
      algorithms: ['ES256'],
      sourcesClaim: 'https://example.com/sources',
      permissionsClaim: 'scope',
      clockToleranceSeconds: 5,
    };
    const config = live(
      { jwt },
      { AUDITGRAPH_JWT_JWKS_URL: JWKS_URL, AUDITGRAPH_JWT_ISSUER: ISSUER },
    );
    expect(config.auth?.jwt).toEqual({
      ...jwt,
      jwksUrl: JWKS_URL,
      issuer: ISSUER,
      keyLabel: 'AUDITGRAPH_JWT_JWKS_URL',
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a secret', { secret: 's'.repeat(32) }, 'auth.jwt.secret'],
    ['a public key', { publicKey: RSA.publicKey }, 'auth.jwt.publicKey'],
    [
      'the algorithms it names',
      { publicKey: RSA.publicKey, algorithms: ['PS256'] },
      'auth.jwt.publicKey',
    ],
  ])('reads a JWT key: %s', (_name, key, keyLabel) => {
    const jwt = live({ jwt: { ...key, issuer: ISSUER, audience: AUDIENCE } }).auth?.jwt;
    expect(jwt).toMatchObject({ ...key, keyLabel });
  });

  it('takes allowUnauthenticated for the demo, from the file or the environment', () => {
    const file = { server: { host: '0.0.0.0' }, auth: { allowUnauthenticated: 'true' } };
    expect(loadJson(file, {}, false).auth?.allowUnauthenticated).toBe(true);
    const env = { HOST: '0.0.0.0', AUDITGRAPH_ALLOW_UNAUTHENTICATED: 'TRUE' };
    expect(load({ env, secured: false }).auth?.allowUnauthenticated).toBe(true);
  });

  const key = (fields: Record<string, unknown>) => ({ apiKeys: [{ ...DASHBOARD, ...fields }] });
  const jwtWith = (fields: Record<string, unknown>) => ({
    jwt: { issuer: ISSUER, audience: AUDIENCE, ...fields },
  });

  it.each<[string, unknown, string]>([
    [
      'a hash that is no SHA-256',
      key({ sha256: 'abc' }),
      'auth.apiKeys[0].sha256 must be 64 hexadecimal digits, the SHA-256 of the key (npm run auth:hash-key)',
    ],
    [
      'the key itself instead of its hash',
      { apiKeys: [{ id: 'dashboard', key: 'agk_plain', sources: ['*'] }] },
      'auth.apiKeys[0].key is not a known key for an API key (allowed: id, sha256, sources, permissions)',
    ],
    [
      'a key without sources',
      { apiKeys: [{ id: 'dashboard', sha256: DASHBOARD.sha256 }] },
      'auth.apiKeys[0].sources is required (["*"] for every source)',
    ],
    [
      'a key with no source',
      key({ sources: [] }),
      'auth.apiKeys[0].sources must not be empty (["*"] for every source)',
    ],
    [
      'a key for "*" and more',
      key({ sources: ['*', 'fastly'] }),
      'auth.apiKeys[0].sources must be ["*"] alone, or a list of source ids',
    ],
    [
      'a key for a source that is not configured',
      key({ sources: ['fastly', 'nirvana'] }),
      'auth.apiKeys[0].sources names source "nirvana", which is not configured (configured sources: fastly)',
    ],
    [
      'a key with an unknown permission',
      key({ permissions: ['admin'] }),
      'auth.apiKeys[0].permissions[0] must be "pii" (the only permission there is)',
    ],
    [
      'two keys with one id',
      { apiKeys: [DASHBOARD, { ...DASHBOARD, id: 'Dashboard', sha256: 'a'.repeat(64) }] },
      'auth.apiKeys[1].id "Dashboard" is already used by auth.apiKeys[0]; API key ids must be unique',
    ],
    [
      'two keys with one hash',
      { apiKeys: [DASHBOARD, { ...DASHBOARD, id: 'other' }] },
      'auth.apiKeys[1].sha256 is the same as auth.apiKeys[0].sha256: give each client its own key',
    ],
    [
      'a JWT config with two keys',
      jwtWith({ jwksUrl: JWKS_URL, secret: 's'.repeat(32) }),
      'auth.jwt.jwksUrl and auth.jwt.secret are both set: JWTs are verified with exactly one of jwksUrl, publicKey or secret',
    ],
    [
      'a JWT config without a key',
      jwtWith({}),
      'auth.jwt.issuer is set, but there is no key to verify JWTs with',
    ],
    [
      'a JWT config without an issuer',
      { jwt: { jwksUrl: JWKS_URL, audience: AUDIENCE } },
      'auth.jwt.issuer (or AUDITGRAPH_JWT_ISSUER) is required with auth.jwt.jwksUrl',
    ],
    [
      'a JWT config without an audience',
      { jwt: { jwksUrl: JWKS_URL, issuer: ISSUER } },
      'auth.jwt.audience (or AUDITGRAPH_JWT_AUDIENCE) is required with auth.jwt.jwksUrl',
    ],
    [
      'a key set over plain http',
      jwtWith({ jwksUrl: 'http://idp.example.com/jwks' }),
      'auth.jwt.jwksUrl must be an https URL (plain http only on a loopback host)',
    ],
    [
      'a key set URL that is no URL',
      jwtWith({ jwksUrl: 'idp' }),
      'auth.jwt.jwksUrl must be an https URL',
    ],
    [
      'a short HS256 secret',
      jwtWith({ secret: 'short' }),
      'auth.jwt.secret must be at least 32 characters (it verifies HMAC signatures)',
    ],
    [
      'the algorithm none',
      jwtWith({ jwksUrl: JWKS_URL, algorithms: ['none'] }),
      'auth.jwt.algorithms[0] must be one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA (never none)',
    ],
    [
      'a clock tolerance over five minutes',
      jwtWith({ jwksUrl: JWKS_URL, clockToleranceSeconds: 301 }),
      'auth.jwt.clockToleranceSeconds must be an integer from 0 to 300',
    ],
    [
      'an unknown JWT key',
      jwtWith({ jwksUrl: JWKS_URL, audiences: ['x'] }),
      'auth.jwt.audiences is not a known key',
    ],
    [
      'allowUnauthenticated that is no boolean',
      { allowUnauthenticated: 'yes' },
      'auth.allowUnauthenticated must be true or false',
    ],
  ])('refuses %s', (_name, auth, message) => {
    expect(messageOf(() => live(auth))).toContain(message);
  });

  it.each<[string, Env, string]>([
    [
      'an issuer without a key',
      { AUDITGRAPH_JWT_ISSUER: ISSUER },
      'AUDITGRAPH_JWT_ISSUER is set, but there is no key to verify JWTs with: set auth.jwt.jwksUrl (or AUDITGRAPH_JWT_JWKS_URL), auth.jwt.publicKey or auth.jwt.secret',
    ],
    [
      'a key set without an audience',
      { AUDITGRAPH_JWT_JWKS_URL: JWKS_URL, AUDITGRAPH_JWT_ISSUER: ISSUER },
      'auth.jwt.audience (or AUDITGRAPH_JWT_AUDIENCE) is required with AUDITGRAPH_JWT_JWKS_URL: tokens of any other audience are refused',
    ],
    [
      'a key set URL over plain http',
      { ...JWT_ENV, AUDITGRAPH_JWT_JWKS_URL: 'http://10.0.0.1/jwks' },
      'AUDITGRAPH_JWT_JWKS_URL must be an https URL (plain http only on a loopback host)',
    ],
    [
      'a switch that is neither true nor false',
      { AUDITGRAPH_ALLOW_UNAUTHENTICATED: 'maybe' },
      'AUDITGRAPH_ALLOW_UNAUTHENTICATED must be true or false',
    ],
  ])('refuses %s from the environment', (_name, env, message) => {
    expect(messageOf(() => load({ env, secured: false }))).toBe(message);
  });

  it('refuses a key set from the environment beside a public key in the file', () => {
    const auth = jwtWith({ publicKey: RSA.publicKey });
    expect(messageOf(() => live(auth, { AUDITGRAPH_JWT_JWKS_URL: JWKS_URL }))).toBe(
      'AUDITGRAPH_JWT_JWKS_URL and auth.jwt.publicKey are both set: JWTs are verified with exactly one of jwksUrl, publicKey or secret',
    );
  });

  it('takes a key set over plain http on loopback, for tests and sidecars', () => {
    const jwt = live(jwtWith({ jwksUrl: 'http://127.0.0.1:8080/jwks' })).auth?.jwt;
    expect(jwt?.jwksUrl).toBe('http://127.0.0.1:8080/jwks');
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
      `auth.apiKeys[0].sources names source "prod", which is not configured (the demo's sources: ${SOURCE_KINDS.join(', ')})`,
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
