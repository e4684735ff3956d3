import { BUILT_IN_KINDS } from '../../../src/providers/sourceKinds';
import type { AuditgraphConfig } from '../../../src/config/types';
import { SOURCE_KIND_NAMES } from '../../../src/providers/sourceKinds';
import { CF_ACCOUNT, FASTLY, TENANT, load, loadJson, messageOf, type Env } from './configTestKit';

describe('readSources reads each kind', () => {
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
    expect(BUILT_IN_KINDS.get(kind).defaultBaseUrl).toBe(baseUrl);
  });

  it('keeps a given base URL without its trailing slash', () => {
    const [source] = loadJson({
      sources: [{ ...FASTLY, baseUrl: 'http://127.0.0.1:8080/fastly/' }],
    }).sources;
    expect(source?.baseUrl).toBe('http://127.0.0.1:8080/fastly');
  });

  it('accepts every kind with its own keys', () => {
    const sources = SOURCE_KIND_NAMES.map((kind, index) => {
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
    expect(loadJson({ sources }).sources.map((source) => source.kind)).toEqual(SOURCE_KIND_NAMES);
  });
});

describe('readSources validates the sources of the file', () => {
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
    [
      'a negative late arrival',
      { sources: [{ ...FASTLY, lateArrivalSeconds: -1 }] },
      'sources[0].lateArrivalSeconds must be an integer from 0 to 86400',
    ],
    ['sources that is no list', { sources: FASTLY }, 'sources must be a list'],
    ['a source that is no object', { sources: ['fastly'] }, 'sources[0] must be an object'],
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
    [
      'an unknown source key',
      { sources: [{ ...FASTLY, tokn: 'x' }] },
      'sources[0].tokn is not a known key for kind fastly (allowed: id, kind, baseUrl, lateArrivalSeconds, rateLimit, token)',
    ],
    [
      'apiKey on fastly',
      { sources: [{ ...FASTLY, apiKey: 'k' }] },
      'sources[0].apiKey is not a known key for kind fastly',
    ],
    [
      'token on nirvana',
      { sources: [{ ...nv, token: 't' }] },
      'sources[0].token is not a known key for kind nirvana (allowed: id, kind, baseUrl, lateArrivalSeconds, rateLimit, apiKey)',
    ],
    [
      'accountId on fusionauth',
      { sources: [{ ...fa, accountId: 'a' }] },
      'sources[0].accountId is not a known key for kind fusionauth-audit-log (allowed: id, kind, baseUrl, lateArrivalSeconds, rateLimit, apiKey, tenantId)',
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
  ])('refuses %s', (_name, file, message) => {
    expect(messageOf(() => loadJson(file))).toContain(message);
  });

  it('reports an unknown key before the key it misspells', () => {
    const message = messageOf(() =>
      loadJson({ sources: [{ ...without(FASTLY, 'token'), tokn: 't' }] }),
    );
    expect(message).toContain('sources[0].tokn is not a known key');
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
