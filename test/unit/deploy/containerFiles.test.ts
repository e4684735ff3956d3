import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { hashApiKey } from '../../../src/auth/hashApiKey';
import { loadConfig } from '../../../src/config/loadConfig';
import { DEMO_EMULATOR_COUNT } from '../../../src/emulators/startDemoEmulators';
import { runEmulators } from '../../../src/runEmulators';
import { startAuditgraph, type Auditgraph } from '../../../src/startAuditgraph';
import { DEMO_CONFIG } from '../../support/demoConfig';
import { findFreePortRange } from '../../support/spawnService';

/**
 * No container engine runs in CI, so the files it would read are checked here against the code
 * they name: what the Dockerfile copies exists and is in the build context, what it runs is
 * what the build makes, its health check works against a running auditgraph, and the compose
 * file's config is one auditgraph accepts, for the emulators compose starts.
 */

const ROOT = join(__dirname, '..', '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const run = promisify(execFile);

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** The Dockerfile's instructions, continuation lines joined, comments left out, by stage. */
function readStages(): Instruction[][] {
  const logical = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Instruction[][] = [];
  for (const line of logical) {
    const match = /^(\S+)\s+(.*)$/.exec(line);
    if (match === null) throw new Error(`not an instruction: ${line}`);
    const instruction = { keyword: match[1]!.toUpperCase(), args: match[2]! };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)!.push(instruction);
  }
  return stages;
}

const stages = readStages();
const [buildStage, runtimeStage] = stages;
const args = (stage: Instruction[], keyword: string): string[] =>
  stage.filter((entry) => entry.keyword === keyword).map((entry) => entry.args);
/** The JSON (exec) form of CMD and HEALTHCHECK ... CMD. */
const execForm = (text: string): string[] => JSON.parse(text.slice(text.indexOf('['))) as string[];

/** Whether .dockerignore lets `path` into the build context (the last matching pattern wins). */
function inBuildContext(path: string): boolean {
  let included = true;
  for (const raw of read('.dockerignore').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/\/$/, '');
    const matches =
      pattern === '*' || pattern === '**' || path === pattern || path.startsWith(`${pattern}/`);
    if (matches) included = negated;
  }
  return included;
}

/** Where `npm run build` writes src/main.ts, by tsconfig.build.json. */
function builtEntry(): string {
  const { compilerOptions } = JSON.parse(read('tsconfig.build.json')) as {
    compilerOptions: { rootDir: string; outDir: string };
  };
  return posix.join(compilerOptions.outDir, posix.relative(compilerOptions.rootDir, 'src/main.js'));
}

describe('the Dockerfile', () => {
  it('builds on node:20-slim in one stage and runs on it in another', () => {
    expect(stages).toHaveLength(2);
    expect(args(buildStage!, 'FROM')).toEqual(['node:20-slim AS build']);
    expect(args(runtimeStage!, 'FROM')).toEqual(['node:20-slim AS runtime']);
    expect(args(buildStage!, 'RUN')).toEqual(['npm ci --no-audit --no-fund', 'npm run build']);
    expect(args(runtimeStage!, 'RUN').join(' ')).toMatch(/^npm ci --omit=dev /);
  });

  it('copies only files that exist and that .dockerignore lets into the context', () => {
    const sources = stages
      .flat()
      .filter((entry) => entry.keyword === 'COPY' && !entry.args.startsWith('--from'))
      .flatMap((entry) => entry.args.split(/\s+/).slice(0, -1));
    expect(sources).toEqual(
      expect.arrayContaining([
        'package.json',
        'package-lock.json',
        'src',
        'schema',
        'viewer',
        'scripts/buildViewer.ts',
      ]),
    );
    for (const source of sources) {
      expect([source, existsSync(join(ROOT, source)), inBuildContext(source)]).toEqual([
        source,
        true,
        true,
      ]);
    }
    // And the rest stays out: dependencies, builds, tests, local files.
    for (const excluded of ['node_modules', 'dist', 'test', '.git', 'auditgraph.yaml']) {
      expect([excluded, inBuildContext(excluded)]).toEqual([excluded, false]);
    }
  });

  it("copies the viewer's sources and build script before npm run build bundles them", () => {
    const buildRun = buildStage!.findIndex(
      (entry) => entry.keyword === 'RUN' && entry.args === 'npm run build',
    );
    expect(buildRun).toBeGreaterThan(0);
    const copied = buildStage!
      .slice(0, buildRun)
      .filter((entry) => entry.keyword === 'COPY')
      .map((entry) => entry.args);
    expect(copied).toEqual(
      expect.arrayContaining([
        'viewer ./viewer',
        'scripts/buildViewer.ts ./scripts/buildViewer.ts',
      ]),
    );
    // The build script runs it, itself or through the scripts it runs.
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const build = scripts.build!.replace(
      /npm run (\S+)/g,
      (_, name: string) => scripts[name] ?? '',
    );
    expect(build).toContain('scripts/buildViewer.ts');
  });

  it('runs what npm run build makes, with the schema beside it, as a user other than root', () => {
    const entry = builtEntry();
    expect(execForm(args(runtimeStage!, 'CMD')[0]!)).toEqual(['node', entry]);
    const workdir = args(buildStage!, 'WORKDIR')[0]!;
    expect(args(runtimeStage!, 'COPY')).toEqual(
      expect.arrayContaining([
        `--from=build ${posix.join(workdir, posix.dirname(entry))} ./${posix.dirname(entry)}`,
        'schema ./schema',
      ]),
    );
    const user = args(runtimeStage!, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    const env = args(runtimeStage!, 'ENV').join(' ');
    expect(env).toContain('NODE_ENV=production');
    expect(env).toContain('HOST=0.0.0.0');
    expect(args(runtimeStage!, 'EXPOSE')).toEqual(['4000']);
  });

  describe('its HEALTHCHECK', () => {
    let app: Auditgraph | null = null;
    afterAll(async () => {
      await app?.close();
    });

    const probe = async (port: number): Promise<number> => {
      const healthcheck = args(runtimeStage!, 'HEALTHCHECK')[0]!;
      const [command, ...rest] = execForm(healthcheck);
      expect(command).toBe('node');
      return run(process.execPath, rest, { env: { ...process.env, PORT: String(port) } }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    };

    it('passes against a ready auditgraph and fails where none listens', async () => {
      app = await startAuditgraph(DEMO_CONFIG, { log: () => undefined });
      const port = Number(new URL(app.url).port);
      expect(await probe(port)).toBe(0);
      await app.close();
      app = null;
      expect(await probe(port)).toBe(1);
    });
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true });
  const { emulators, redis, auditgraph } = compose.services;

  it('runs the emulators, Redis and auditgraph, the gateway once the emulators are healthy', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['auditgraph', 'emulators', 'redis']);
    expect(emulators.command).toEqual(['node', builtEntry(), 'emulators']);
    expect(emulators.image).toBe(auditgraph.image);
    expect(emulators.healthcheck.test[0]).toBe('CMD');
    expect(redis.image).toBe('redis:7-alpine');
    expect(auditgraph.depends_on).toEqual({
      emulators: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    // The same provider credentials on both sides.
    for (const name of ['FASTLY_API_TOKEN', 'CLOUDFLARE_API_TOKEN', 'FUSIONAUTH_API_KEY']) {
      expect(auditgraph.environment[name]).toBe(emulators.environment[name]);
    }
    // The dev-only client key is the one whose hash the gateway holds.
    expect(hashApiKey(compose['x-dev-only-client-key'])).toBe(
      auditgraph.environment.AUDITGRAPH_CLIENT_KEY_SHA256,
    );
  });

  it("mounts a config that auditgraph's loadConfig accepts in live mode with compose's environment", () => {
    const [mount] = auditgraph.volumes as string[];
    const [hostPath, containerPath] = mount!.split(':');
    expect(containerPath).toBe(auditgraph.environment.AUDITGRAPH_CONFIG);
    const config = loadConfig({
      argv: [],
      env: { ...auditgraph.environment, AUDITGRAPH_CONFIG: join(ROOT, hostPath!) },
    });
    expect(config.mode).toBe('live');
    expect(config.cursorSecret).not.toBeNull();
    expect(config.auth?.apiKeys).toHaveLength(1);
    // The replicas' shared state is compose's Redis service.
    expect(config.redis).toEqual({ url: 'redis://redis:6379', keyPrefix: 'auditgraph:' });
    const base = Number(emulators.environment.AUDITGRAPH_EMULATOR_PORT);
    expect(config.sources).toHaveLength(6);
    for (const source of config.sources) {
      const url = new URL(source.baseUrl);
      expect(url.hostname).toBe('emulators');
      expect(Number(url.port)).toBeGreaterThanOrEqual(base);
      expect(Number(url.port)).toBeLessThan(base + DEMO_EMULATOR_COUNT);
    }
  });

  it('mounts exactly what `emulators --write-config` writes for its emulators', async () => {
    const base = await findFreePortRange(DEMO_EMULATOR_COUNT);
    let written = '';
    const running = await runEmulators(
      ['--write-config', 'compose-config.yaml', '--public-host', 'emulators'],
      { ...emulators.environment, HOST: '127.0.0.1', AUDITGRAPH_EMULATOR_PORT: String(base) },
      {
        writeLine: () => undefined,
        writeFile: (_path, text) => {
          written = text;
        },
        handleSignals: false,
      },
    );
    await running.close();
    // As compose's ports would have written it.
    const composeBase = Number(emulators.environment.AUDITGRAPH_EMULATOR_PORT);
    const atComposePorts = written.replace(
      /http:\/\/emulators:(\d+)/g,
      (_, port: string) => `http://emulators:${composeBase + Number(port) - base}`,
    );
    const [hostPath] = (auditgraph.volumes as string[])[0]!.split(':');
    expect(atComposePorts).toBe(read(hostPath!));
  });
});
