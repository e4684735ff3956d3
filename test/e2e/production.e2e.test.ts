import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildViewer } from '../../scripts/buildViewer';
import { VIEWER_CONTENT_SECURITY_POLICY } from '../../src/server/createViewerRoute';
import {
  exitWithin,
  findServiceUrl,
  spawnService,
  waitForOk,
  type Service,
} from '../support/spawnService';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** What a deployment copies besides the build: what the Dockerfile's runtime stage copies too. */
const SHIPPED = ['schema', 'package.json', 'package-lock.json'];

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * The production runtime as an operator installs it: `npm run build`'s output (the compiled
 * sources and the viewer's bundle) and the files that ship beside it, in a directory of their
 * own, with the dependencies only (`npm ci --omit=dev`), run by plain `node dist/main.js`. This
 * needs the npm registry (or a warm npm cache).
 */
describe('node dist/main.js after npm ci --omit=dev, in a copy of its own', () => {
  let dir: string | null = null;
  let service: Service | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'auditgraph-production-'));
    // The build script's compiler settings, into the copy.
    await run(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        join(ROOT, 'tsconfig.build.json'),
        '--outDir',
        join(dir, 'dist'),
      ],
      { cwd: ROOT },
    );
    // And the viewer's bundle, as the build script's second step writes it.
    await buildViewer(join(dir, 'dist', 'viewer'));
    for (const entry of SHIPPED) {
      await cp(join(ROOT, entry), join(dir, entry), { recursive: true });
    }
    // --prefer-offline: packages already in the npm cache are not checked with the registry.
    await run(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
      // Not the npm settings of the `npm test` that may be running this.
      {
        cwd: dir,
        env: Object.fromEntries(
          Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)),
        ),
      },
    );
  }, 300_000);

  afterAll(async () => {
    service?.kill();
    await service?.exited;
    if (dir !== null) await rm(dir, { recursive: true, force: true });
  });

  it('holds the build and the runtime dependencies, and no devDependency', async () => {
    const copy = dir!;
    expect(await exists(join(copy, 'dist', 'main.js'))).toBe(true);
    expect(await exists(join(copy, 'dist', 'runEmulators.js'))).toBe(true);
    expect(await exists(join(copy, 'dist', 'viewer', 'index.html'))).toBe(true);
    expect(await exists(join(copy, 'node_modules', 'graphql', 'package.json'))).toBe(true);
    expect(await exists(join(copy, 'node_modules', '@apollo', 'server', 'package.json'))).toBe(
      true,
    );
    for (const devDependency of ['tsx', 'jest', 'ts-jest', 'typescript', 'eslint']) {
      expect([devDependency, await exists(join(copy, 'node_modules', devDependency))]).toEqual([
        devDependency,
        false,
      ]);
    }
  });

  it('serves the demo over HTTP and exits 0 on SIGTERM', async () => {
    const copy = dir!;
    // From another directory: nothing may depend on the working directory.
    service = spawnService([join(copy, 'dist', 'main.js')], {
      cwd: tmpdir(),
      env: { HOST: '127.0.0.1', PORT: '0', NODE_ENV: 'production' },
    });
    const url = await service.waitFor(findServiceUrl, 60_000);
    await waitForOk(`${url}/readyz`);

    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        query:
          '{ auditEvents(first: 5) { edges { node { id occurredAt source { id } } } sources { source { id } state } } }',
      }),
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    const { edges, sources } = body.data.auditEvents;
    expect(edges).toHaveLength(5);
    expect(sources).toHaveLength(6);
    expect(sources.map((status: any) => status.state)).toEqual(Array(6).fill('OK'));
    const times = edges.map((edge: any) => Date.parse(edge.node.occurredAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // The viewer, found beside the build (dist/viewer), with its assets.
    const viewer = await fetch(`${url}/viewer`);
    expect(viewer.status).toBe(200);
    expect(viewer.headers.get('content-security-policy')).toBe(VIEWER_CONTENT_SECURITY_POLICY);
    expect(viewer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const script = /src="(\/viewer\/assets\/[^"]+\.js)"/.exec(await viewer.text())?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${url}${script!}`);
    expect([asset.status, asset.headers.get('content-type')]).toEqual([
      200,
      'text/javascript; charset=utf-8',
    ]);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    // The export CLI from the build, against the running service.
    const out = join(copy, 'last-day.csv');
    const exported = await run(
      process.execPath,
      [
        join(copy, 'dist', 'main.js'),
        'export',
        '--url',
        url,
        '--format',
        'csv',
        '--since',
        '1d',
        '--out',
        out,
      ],
      { cwd: tmpdir() },
    );
    expect(exported.stderr).toMatch(/last-day\.csv is complete \(\d+ events\)/);
    const csv = await readFile(out, 'utf8');
    expect(csv.startsWith('id,nativeId,occurredAt,')).toBe(true);
    expect(csv.split('\r\n').length).toBeGreaterThan(2);

    service.child.kill('SIGTERM');
    expect(await exitWithin(service, 15_000)).toBe(0);
  }, 120_000);
});
