import { ENVIRONMENT_VARIABLES } from '../../../src/config/environmentVariables';
import { describeConfig } from '../../../src/describeConfig';
import { SOURCE_KINDS } from '../../../src/providers/sourceKinds';
import { CF_ACCOUNT, FASTLY, TENANT, load, loadJson, messageOf, type Env } from './configTestKit';

describe('a source’s rateLimit in the config file', () => {
  it('is read as it is written', () => {
    const [source] = loadJson({
      sources: [{ ...FASTLY, rateLimit: { burst: 40, perSecond: 12.5 } }],
    }).sources;
    expect(source?.rateLimit).toEqual({ burst: 40, perSecond: 12.5 });
  });

  it('may come from the environment as text', () => {
    const [source] = loadJson(
      { sources: [{ ...FASTLY, rateLimit: { burst: '${BURST}', perSecond: '${RATE}' } }] },
      { BURST: '80', RATE: '2.5' },
    ).sources;
    expect(source?.rateLimit).toEqual({ burst: 80, perSecond: 2.5 });
  });

  it('is left out when not set, so the kind’s default applies', () => {
    expect(loadJson({ sources: [FASTLY] }).sources[0]).not.toHaveProperty('rateLimit');
  });

  it.each([
    [{ burst: 0, perSecond: 1 }, 'rateLimit.burst must be an integer from 1 to 10000'],
    [{ burst: 2.5, perSecond: 1 }, 'rateLimit.burst must be an integer from 1 to 10000'],
    [{ burst: 10_001, perSecond: 1 }, 'rateLimit.burst must be an integer from 1 to 10000'],
    [{ burst: 5, perSecond: 0 }, 'rateLimit.perSecond must be a number above 0 and at most 10000'],
    [{ burst: 5, perSecond: -1 }, 'rateLimit.perSecond must be a number above 0 and at most 10000'],
    [
      { burst: 5, perSecond: 20_000 },
      'rateLimit.perSecond must be a number above 0 and at most 10000',
    ],
    [{ burst: 5, perSecond: '5/s' }, 'rateLimit.perSecond must be a number above 0 and at most'],
    [{ burst: 5 }, 'rateLimit.perSecond must be a number above 0 and at most 10000'],
    [
      { burst: 5, perSecond: 1, perMinute: 60 },
      'rateLimit.perMinute is not a known key for a rate limit (allowed: burst, perSecond)',
    ],
    ['40/20', 'rateLimit must be an object'],
  ])('refuses %j, naming the key', (rateLimit, message) => {
    expect(messageOf(() => loadJson({ sources: [{ ...FASTLY, rateLimit }] }))).toContain(
      `config file config.json: sources[0].${message}`,
    );
  });
});

describe('the rate limit of an environment shortcut', () => {
  it.each<[string, Env, number]>([
    ['FASTLY_RATE_LIMIT', { FASTLY_API_TOKEN: 'fastly-token' }, 1],
    ['NIRVANA_RATE_LIMIT', { NIRVANA_API_KEY: 'nirvana-key' }, 1],
    [
      'CLOUDFLARE_RATE_LIMIT',
      { CLOUDFLARE_API_TOKEN: 'cf-token', CLOUDFLARE_ACCOUNT_ID: CF_ACCOUNT },
      1,
    ],
    [
      'FUSIONAUTH_RATE_LIMIT',
      {
        FUSIONAUTH_URL: 'https://auth.example.com',
        FUSIONAUTH_API_KEY: 'fa-key',
        FUSIONAUTH_TENANT_ID: TENANT,
      },
      2,
    ],
  ])('%s sets it on every source the shortcut adds', (variable, env, count) => {
    const { sources } = load({ env: { ...env, [variable]: 'perSecond=20, burst=40' } });
    expect(sources).toHaveLength(count);
    for (const source of sources) expect(source.rateLimit).toEqual({ burst: 40, perSecond: 20 });
  });

  it.each<[string, string]>([
    [
      '40,20',
      'FASTLY_RATE_LIMIT must be burst=<requests>,perSecond=<requests> (e.g. burst=40,perSecond=20)',
    ],
    [
      'burst=40',
      'FASTLY_RATE_LIMIT must be burst=<requests>,perSecond=<requests> (e.g. burst=40,perSecond=20)',
    ],
    [
      'burst=40,burst=50,perSecond=1',
      'FASTLY_RATE_LIMIT must be burst=<requests>,perSecond=<requests> (e.g. burst=40,perSecond=20)',
    ],
    ['burst=0,perSecond=20', 'FASTLY_RATE_LIMIT burst must be an integer from 1 to 10000'],
    [
      'burst=40,perSecond=fast',
      'FASTLY_RATE_LIMIT perSecond must be a number above 0 and at most 10000',
    ],
  ])('refuses %j, naming the variable', (value, message) => {
    expect(
      messageOf(() =>
        load({ env: { FASTLY_API_TOKEN: 'fastly-token', FASTLY_RATE_LIMIT: value } }),
      ),
    ).toBe(message);
  });

  it('is refused without the variables that add the source', () => {
    expect(messageOf(() => load({ env: { FASTLY_RATE_LIMIT: 'burst=1,perSecond=1' } }))).toBe(
      'FASTLY_API_TOKEN is required when FASTLY_RATE_LIMIT is set',
    );
  });

  it('is refused when the config file uses the shortcut’s variables itself', () => {
    const file = { sources: [{ ...FASTLY, token: '${FASTLY_API_TOKEN}' }] };
    const env = { FASTLY_API_TOKEN: 'fastly-token', FASTLY_RATE_LIMIT: 'burst=1,perSecond=1' };
    expect(messageOf(() => loadJson(file, env))).toBe(
      'FASTLY_RATE_LIMIT is set, but the config file uses FASTLY_API_TOKEN in a source of its own: set rateLimit on that source instead',
    );
  });

  it.each(SOURCE_KINDS.filter((kind) => kind.envShortcut !== null))(
    'is listed with the default of kind $kind',
    (kind) => {
      const row = ENVIRONMENT_VARIABLES.find(
        (variable) => variable.name === kind.envShortcut?.rateLimitVariable,
      );
      expect(row?.default).toBe(
        `burst=${kind.rateLimit.capacity},perSecond=${kind.rateLimit.refillPerSecond}`,
      );
    },
  );
});

describe('the banner', () => {
  it('shows a source’s configured limit, else its kind’s default', () => {
    const lines = describeConfig(
      loadJson({
        sources: [
          { ...FASTLY, rateLimit: { burst: 40, perSecond: 20 } },
          { id: 'cf', kind: 'cloudflare-v2', token: 'cf-token', accountId: CF_ACCOUNT },
        ],
      }),
    );
    expect(lines).toContain(
      'source fastly: fastly at https://api.fastly.com (credentials: token, rate limit: burst 40, then 20/s)',
    );
    expect(lines).toContain(
      `source cf: cloudflare-v2 at https://api.cloudflare.com/client/v4 (account ${CF_ACCOUNT}, credentials: token, rate limit: burst 50, then 3.5/s, the kind's default)`,
    );
  });
});
