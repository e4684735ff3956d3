import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { hashApiKey } from '../../../src/auth/hashApiKey';
import { toConfigJsonSchema } from '../../../src/config/toConfigJsonSchema';
import { DEMO_CONFIG } from '../../support/demoConfig';
import { CF_ACCOUNT, FASTLY, errorOf, loadJson, type Env } from './configTestKit';

const ROOT = join(__dirname, '..', '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

const validate = new Ajv2020({ allErrors: true, strict: true }).compile(toConfigJsonSchema());

function schemaAccepts(file: unknown): boolean {
  return validate(file);
}

function loadConfigAccepts(file: unknown, env: Env = {}): boolean {
  try {
    loadJson(file, env);
    return true;
  } catch {
    // Only the refusal of the config counts; anything else is a failure of the test.
    expect(errorOf(() => loadJson(file, env)).code).toBe('CONFIG_INVALID');
    return false;
  }
}

describe('the generated config docs', () => {
  /** `npm run config:write -- --check`, as a child process: Prettier formats the files. */
  const check = () =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        join(ROOT, 'node_modules', '.bin', 'tsx'),
        [join(ROOT, 'scripts', 'writeConfigDocs.ts'), '--check'],
        { cwd: ROOT, timeout: 60_000 },
        (error, _stdout, stderr) => {
          resolve({ code: error === null ? 0 : Number(error.code ?? -1), stderr });
        },
      );
    });

  it('are what npm run config:write generates from the code', async () => {
    expect(await check()).toEqual({ code: 0, stderr: '' });
  }, 60_000);

  it('are found stale when one of them is edited by hand', async () => {
    const file = join(ROOT, 'docs', 'configuration.md');
    const original = read('docs/configuration.md');
    writeFileSync(file, `${original}\nAn edit by hand.\n`);
    try {
      expect(await check()).toEqual({
        code: 1,
        stderr: 'docs/configuration.md is not what the code generates: run npm run config:write\n',
      });
    } finally {
      writeFileSync(file, original);
    }
  }, 60_000);

  it('documents every kind’s default rate limit beside what its provider documents', () => {
    const markdown = read('docs/configuration.md').replace(/ {2,}/g, ' ');
    expect(markdown).toContain(
      "| `cloudflare-v2` | 50 | 3.5 | `CLOUDFLARE_RATE_LIMIT` | 1200 requests per 5 minutes per user, across all of the user's tokens; a call over it blocks the user's calls for 5 minutes |",
    );
    expect(markdown).toContain(
      '| `fusionauth-audit-log` | 40 | 20 | `FUSIONAUTH_RATE_LIMIT` | no limit documented; the default is our choice |',
    );
  });
});

describe('the JSON Schema of the config file', () => {
  it('accepts the README’s example config', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Configuration'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    const file: unknown = parse(yaml ?? '');
    expect(validate.errors ?? []).toEqual([]);
    expect(schemaAccepts(file)).toBe(true);
  });

  it('accepts the demo config the tests start, written as a file', () => {
    const file = {
      server: { host: DEMO_CONFIG.host, port: DEMO_CONFIG.port, drainSeconds: 0 },
      pagination: DEMO_CONFIG.pagination,
      demo: DEMO_CONFIG.demo,
      feed: DEMO_CONFIG.feed,
    };
    expect(schemaAccepts(file)).toBe(true);
    expect(loadConfigAccepts(file)).toBe(true);
  });

  const sha256 = hashApiKey('agk_dashboard');
  it.each<[string, unknown, boolean]>([
    [
      'a full live config',
      { sources: [FASTLY], auth: { apiKeys: [{ id: 'd', sha256, sources: ['*'] }] } },
      true,
    ],
    [
      'a source with a rate limit',
      { sources: [{ ...FASTLY, rateLimit: { burst: 40, perSecond: 2.5 } }] },
      true,
    ],
    [
      'values given as ${NAME}',
      { sources: [{ ...FASTLY, token: '${TOKEN}' }], server: { port: '${PORT}' } },
      true,
    ],
    [
      'every kind with its keys',
      {
        sources: [
          FASTLY,
          { id: 'cf1', kind: 'cloudflare-v1', token: 't', accountId: CF_ACCOUNT },
          {
            id: 'Cf-2',
            kind: 'cloudflare-v2',
            token: 't',
            accountId: CF_ACCOUNT,
            lateArrivalSeconds: 60,
          },
          {
            id: 'fa',
            kind: 'fusionauth-audit-log',
            baseUrl: 'https://auth.example.com',
            apiKey: 'k',
          },
          { id: 'nv', kind: 'nirvana', apiKey: 'k', baseUrl: 'http://127.0.0.1:9000' },
        ],
        log: { level: 'debug' },
        metrics: { enabled: true, port: 9464, token: 'metrics-token-0123456789' },
      },
      true,
    ],
    ['an unknown top-level key', { sources: [FASTLY], serverz: {} }, false],
    ['an unknown key of a source', { sources: [{ ...FASTLY, tokn: 'x' }] }, false],
    ['a credential of another kind', { sources: [{ ...FASTLY, apiKey: 'x' }] }, false],
    ['an unknown kind', { sources: [{ ...FASTLY, kind: 'fastly-v2' }] }, false],
    ['a source without its credential', { sources: [{ id: 'fastly', kind: 'fastly' }] }, false],
    [
      'FusionAuth without a base URL',
      { sources: [{ id: 'fa', kind: 'fusionauth-event-log', apiKey: 'k' }] },
      false,
    ],
    ['a port out of range', { sources: [FASTLY], server: { port: 70_000 } }, false],
    ['a burst of zero', { sources: [{ ...FASTLY, rateLimit: { burst: 0, perSecond: 1 } }] }, false],
    ['a rate limit without its rate', { sources: [{ ...FASTLY, rateLimit: { burst: 5 } }] }, false],
    ['a log level pino lacks', { sources: [FASTLY], log: { level: 'verbose' } }, false],
    ['a short metrics token', { sources: [FASTLY], metrics: { token: 'short' } }, false],
    ['a bad source id', { sources: [{ ...FASTLY, id: '-fastly' }] }, false],
  ])('agrees with loadConfig on %s', (_name, file, accepted) => {
    expect(schemaAccepts(file)).toBe(accepted);
    expect(loadConfigAccepts(file, { TOKEN: 'fastly-token', PORT: '4100' })).toBe(accepted);
  });
});
