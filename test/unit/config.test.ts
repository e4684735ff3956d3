import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  CONFIG_DEFAULTS,
  DEFAULT_BASE_URLS,
  ENVIRONMENT_VARIABLES,
  describeConfig,
  loadConfig,
  type AuditgraphConfig,
} from '../../src/config';
import { SOURCE_KINDS } from '../../src/model/AuditEvent';
import { AuditgraphError } from '../../src/model/errors';

type Env = Record<string, string | undefined>;

interface LoadCase {
  /** Files by path, as text. */
  readonly files?: Readonly<Record<string, string>>;
  readonly argv?: readonly string[];
  readonly env?: Env;
}

function load({ files = {}, argv = [], env = {} }: LoadCase): AuditgraphConfig {
  return loadConfig({
    argv,
    env,
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
function loadJson(value: unknown, env: Env = {}): AuditgraphConfig {
  return load({
    files: { 'config.json': JSON.stringify(value) },
    argv: ['--config', 'config.json'],
    env,
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
    expect(load({})).toEqual({
      mode: 'demo',
      host: '127.0.0.1',
      port: 4000,
      sources: [],
      pagination: { defaultFirst: 20, maxFirst: 100 },
      cursorSecret: null,
      demo: { seed: CONFIG_DEFAULTS.demoSeed },
      feed: { holdBackSeconds: 0, scanBudgetPages: 20, requestDeadlineMs: 10_000 },
      cache: { maxBytes: 67_108_864, freshnessSeconds: 300 },
    });
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
      expect(loadConfig({ argv: ['--config', path], env: {} }).sources[0]?.id).toBe('disk');
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
    server: { host: '0.0.0.0', port: 8080 },
    pagination: { defaultFirst: 10, maxFirst: 50 },
    cursorSecret: 'f'.repeat(40),
    feed: { holdBackSeconds: 120, scanBudgetPages: 5, requestDeadlineMs: 3_000 },
  };

  it('reads them from the file', () => {
    expect(loadJson(file)).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
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
      AUDITGRAPH_DEFAULT_FIRST: '30',
      AUDITGRAPH_MAX_FIRST: '1000',
      AUDITGRAPH_CURSOR_SECRET: 'e'.repeat(32),
      AUDITGRAPH_HOLD_BACK_SECONDS: '300',
      AUDITGRAPH_REQUEST_DEADLINE_MS: '2500',
    };
    expect(loadJson(file, env)).toMatchObject({
      host: '::1',
      port: 0,
      pagination: { defaultFirst: 30, maxFirst: 1000 },
      cursorSecret: 'e'.repeat(32),
      feed: { holdBackSeconds: 300, scanBudgetPages: 5, requestDeadlineMs: 2_500 },
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
      'config.json: source is not a known key (allowed: sources, server, pagination, cursorSecret, demo, feed, cache)',
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
      'server.listen is not a known key (allowed: host, port)',
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
  ])('refuses %s', (_name, file, message) => {
    expect(messageOf(() => loadJson(file))).toContain(message);
  });

  it.each<[string, Env, string]>([
    ['PORT', { PORT: '70000' }, 'PORT must be an integer from 0 to 65535'],
    ['PORT that is a word', { PORT: 'http' }, 'PORT must be an integer from 0 to 65535'],
    ['HOST with a space', { HOST: 'a b' }, 'HOST must be a host name or an IP address'],
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
      'pagination: first defaults to 20, at most 100',
      'feed: hold-back 0 s, scan budget 20 upstream pages per source per page, request deadline 10000 ms',
      "cache: up to 67108864 bytes of upstream pages of windows closed for 300 s (or the source's late-arrival delay)",
      'cursor secret: random per process (cursors do not survive a restart or cross replicas)',
    ]);
  });

  it('names the demo and its seed', () => {
    const lines = describeConfig(load({ env: { AUDITGRAPH_CURSOR_SECRET: 'c'.repeat(32) } }));
    expect(lines[0]).toBe('mode: demo (seed 1): every source kind emulated on loopback');
    expect(lines).toContain('listen: 127.0.0.1:4000');
    expect(lines).toContain('cursor secret: configured');
  });
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
