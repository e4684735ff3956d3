import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../../src/auth/hashApiKey';
import { SECRET_MASK, checkConfig } from '../../src/checkConfig';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

const FASTLY_TOKEN = 'fastly-secret-token-0001';
const CF_TOKEN = 'cloudflare-secret-token-0002';
const CURSOR_SECRET = 'cursor-secret-0123456789-abcdefghij';
const METRICS_TOKEN = 'metrics-secret-token-0003';
const JWT_SECRET = 'jwt-hmac-secret-0123456789-abcdefghijkl';
const OTLP_HEADERS = 'authorization=Bearer otlp-secret-0004';

const SECRETS = [FASTLY_TOKEN, CF_TOKEN, CURSOR_SECRET, METRICS_TOKEN, JWT_SECRET, OTLP_HEADERS];

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditgraph-check-config-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The real command, as `npm run check-config -- ...` runs it. */
function runCli(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      [join(ROOT, 'src', 'main.ts'), 'check-config', ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The same check in this process, its output collected. */
async function runInProcess(
  files: Readonly<Record<string, string>>,
  env: Record<string, string>,
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await checkConfig(
    {
      argv: ['--config', 'c.yaml'],
      env,
      readFile: (path) => {
        const text = files[path];
        if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        return text;
      },
    },
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
  );
  return { code, stdout, stderr };
}

const GOOD = `
sources:
  - id: fastly
    kind: fastly
    token: \${FASTLY_TOKEN}
    rateLimit: { burst: 40, perSecond: 20 }
  - id: cf
    kind: cloudflare-v2
    accountId: 023e105f4ecef8ad9ca31a8372d0c353
    token: ${CF_TOKEN}
cursorSecret: \${CURSOR_SECRET}
auth:
  apiKeys:
    - id: dashboard
      sha256: ${hashApiKey('agk_dashboard')}
      sources: ['*']
  jwt: { secret: ${JWT_SECRET}, issuer: https://idp.example.com, audience: auditgraph }
metrics: { port: 9464, token: ${METRICS_TOKEN} }
`;

const BAD = `
sources:
  - id: fastly
    kind: fastly
    tokn: ${FASTLY_TOKEN}
  - id: cf
    kind: cloudflare-v2
    token: ${CF_TOKEN}
    rateLimit: { burst: 0, perSecond: 1 }
server: { port: 70000, hots: 0.0.0.0 }
cursorSecret: ${CURSOR_SECRET}
metrics: { token: "${METRICS_TOKEN} with spaces" }
`;

describe('check-config, as a command', () => {
  it('prints the effective config with every secret masked, and exits 0', async () => {
    const path = writeConfig('good.yaml', GOOD);
    const run = await runCli(['--config', path], {
      FASTLY_TOKEN,
      CURSOR_SECRET,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: OTLP_HEADERS,
    });
    expect(run.stderr).toBe(
      'auditgraph check-config: the configuration is valid (live, 2 sources)\n',
    );
    expect(run.code).toBe(0);
    const config = JSON.parse(run.stdout);
    expect(config.sources).toEqual([
      {
        id: 'fastly',
        kind: 'fastly',
        token: SECRET_MASK,
        rateLimit: { burst: 40, perSecond: 20 },
        baseUrl: 'https://api.fastly.com',
      },
      {
        id: 'cf',
        kind: 'cloudflare-v2',
        accountId: '023e105f4ecef8ad9ca31a8372d0c353',
        token: SECRET_MASK,
        baseUrl: 'https://api.cloudflare.com/client/v4',
      },
    ]);
    expect(config.cursorSecret).toBe(SECRET_MASK);
    expect(config.auth.jwt.secret).toBe(SECRET_MASK);
    expect(config.metrics).toEqual({ enabled: true, port: 9464, token: SECRET_MASK });
    expect(config.tracing).toMatchObject({ enabled: true, endpoint: 'http://collector:4318' });
    for (const secret of SECRETS) expect(run.stdout + run.stderr).not.toContain(secret);
  }, 60_000);

  it('lists every problem of a bad file, without a secret, and exits 2', async () => {
    const path = writeConfig('bad.yaml', BAD);
    const run = await runCli(['--config', path], { LOG_LEVEL: 'loud' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('auditgraph check-config: the configuration is refused (9 problems):');
    expect(lines.slice(1)).toEqual([
      `- config file ${path}: server.hots is not a known key (allowed: host, port, drainSeconds)`,
      `- config file ${path}: server.port must be an integer from 0 to 65535`,
      `- config file ${path}: metrics.token must be letters, digits and -._~+/ (a bearer token), optionally ending in =`,
      `- config file ${path}: sources[0].tokn is not a known key for kind fastly (allowed: id, kind, baseUrl, lateArrivalSeconds, rateLimit, token)`,
      `- config file ${path}: sources[0].token is required for kind fastly`,
      `- config file ${path}: sources[1].rateLimit.burst must be an integer from 1 to 10000`,
      `- config file ${path}: sources[1].accountId is required for kind cloudflare-v2`,
      expect.stringMatching(/^- live mode needs client authentication/),
      '- LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent',
    ]);
    for (const secret of SECRETS) expect(run.stderr).not.toContain(secret);
  }, 60_000);

  it('refuses a file it cannot read, with exit code 2', async () => {
    const run = await runCli(['--config', join(dir, 'missing.yaml')], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `config file ${join(dir, 'missing.yaml')} cannot be read (ENOENT)`,
    );
  }, 60_000);
});

describe('check-config, the checks start-up makes after loadConfig', () => {
  it('refuses a JWT key that cannot verify the configured algorithms, as start-up does', async () => {
    const file = GOOD.replace(
      'audience: auditgraph }',
      'audience: auditgraph, algorithms: [RS256] }',
    );
    const run = await runInProcess({ 'c.yaml': file }, { FASTLY_TOKEN, CURSOR_SECRET });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/refused \(1 problem\):\n- .*RS256/);
    expect(run.stderr).not.toContain(JWT_SECRET);
  });

  it('checks the demo too', async () => {
    const run = await runInProcess({ 'c.yaml': 'server: { port: 4100 }' }, {});
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ mode: 'demo', port: 4100, sources: [] });
    expect(run.stderr).toBe('auditgraph check-config: the configuration is valid (demo)\n');
  });

  it('masks a secret pasted under a key that is not a credential’s', async () => {
    const file = GOOD.replace(
      'issuer: https://idp.example.com',
      `issuer: https://idp.example.com/${FASTLY_TOKEN}`,
    );
    const run = await runInProcess({ 'c.yaml': file }, { FASTLY_TOKEN, CURSOR_SECRET });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(FASTLY_TOKEN);
    expect(JSON.parse(run.stdout).auth.jwt.issuer).toBe(`https://idp.example.com/${SECRET_MASK}`);
  });
});
