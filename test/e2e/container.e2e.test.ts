import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { VIEWER_CONTENT_SECURITY_POLICY } from '../../src/server/createViewerRoute';
import { waitForOk } from '../support/spawnService';

const exec = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/**
 * The image itself, where a container engine is available: opt in with
 * AUDITGRAPH_CONTAINER_ENGINE=docker (or podman), and give the build extra flags, if the machine
 * needs them, in AUDITGRAPH_CONTAINER_BUILD_FLAGS (e.g. `--network=host`). CI has no engine; the
 * files the engine reads are checked there by test/unit/deploy/containerFiles.test.ts.
 */
const engine = process.env.AUDITGRAPH_CONTAINER_ENGINE;
const buildFlags = (process.env.AUDITGRAPH_CONTAINER_BUILD_FLAGS ?? '')
  .split(/\s+/)
  .filter(Boolean);
const describeWithEngine = engine === undefined || engine === '' ? describe.skip : describe;

const IMAGE = 'auditgraph:e2e';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describeWithEngine('the container image', () => {
  const name = `auditgraph-e2e-${process.pid}`;
  const run = (...args: string[]) => exec(engine!, args, { cwd: ROOT, maxBuffer: 64 << 20 });

  beforeAll(async () => {
    await run('build', ...buildFlags, '-t', IMAGE, '.');
  }, 900_000);

  afterAll(async () => {
    await run('rm', '-f', name).catch(() => undefined);
  });

  it('serves the demo as a user other than root, without devDependencies, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    await run(
      'run',
      '-d',
      '--name',
      name,
      '-p',
      `127.0.0.1:${port}:4000`,
      '-e',
      'AUDITGRAPH_ALLOW_UNAUTHENTICATED=true',
      IMAGE,
    );
    const url = `http://127.0.0.1:${port}`;
    await waitForOk(`${url}/readyz`, 60_000);

    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ auditEvents(first: 5) { edges { node { id } } sources { state } } }',
      }),
    });
    const body = await response.json();
    expect(body.data.auditEvents.edges).toHaveLength(5);
    expect(body.data.auditEvents.sources.map((status: any) => status.state)).toEqual(
      Array(6).fill('OK'),
    );

    // The viewer's bundle, built in the image's build stage.
    const viewer = await fetch(`${url}/viewer`);
    expect(viewer.status).toBe(200);
    expect(viewer.headers.get('content-security-policy')).toBe(VIEWER_CONTENT_SECURITY_POLICY);

    expect((await run('exec', name, 'id', '-u')).stdout.trim()).not.toBe('0');
    await expect(run('exec', name, 'test', '-e', 'node_modules/tsx')).rejects.toThrow();
    await expect(run('exec', name, 'test', '-e', 'node_modules/graphql')).resolves.toBeDefined();

    await run('stop', '-t', '20', name);
    const { stdout } = await run('inspect', name, '--format', '{{.State.ExitCode}}');
    expect(stdout.trim()).toBe('0');
  }, 180_000);
});
