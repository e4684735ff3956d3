import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ENVIRONMENT_VARIABLES } from '../../src/config/environmentVariables';
import { json, postGraphql, send } from '../unit/server/httpTestClient';

/** A client that would keep its connection open, so the server's Connection: close means something. */
const KEEP_ALIVE = { connection: 'keep-alive' };

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it has written so far, stdout and stderr. */
  output(): string;
  /** What it has written to stdout alone. */
  stdout(): string;
  /** Resolves once its output contains `text`. */
  waitForOutput(text: string): Promise<void>;
  readonly exited: Promise<number | null>;
}

/**
 * `npm start` as an operator runs it: its own process, configured by the environment only. Every
 * variable auditgraph reads is cleared first, so a developer's own credentials cannot turn the
 * demo into live mode.
 */
async function startMain(env: Readonly<Record<string, string>>): Promise<Running> {
  const inherited = { ...process.env };
  for (const variable of ENVIRONMENT_VARIABLES) delete inherited[variable.name];
  const child = spawn(process.execPath, ['--import', 'tsx', join('src', 'main.ts')], {
    cwd: join(__dirname, '..', '..'),
    env: { ...inherited, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const waiter of waiters.filter((entry) => output.includes(entry.text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onData(chunk);
  });
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const waitForOutput = (text: string): Promise<void> =>
    output.includes(text)
      ? Promise.resolve()
      : Promise.race([
          new Promise<void>((resolve) => waiters.push({ text, resolve })),
          exited.then((code) => {
            throw new Error(`auditgraph exited (${code}) before writing ${text}:\n${output}`);
          }),
        ]);
  // Not a terminal: the banner is one JSON line on stdout, like every other line.
  await waitForOutput('"msg":"auditgraph started"');
  const banner = stdout
    .split('\n')
    .map((line) => (line.includes('auditgraph started') ? (JSON.parse(line) as unknown) : null))
    .find((line) => line !== null) as { url?: unknown } | undefined;
  const url = banner?.url;
  if (typeof url !== 'string') throw new Error(`no URL in the banner:\n${output}`);
  return { child, url, output: () => output, stdout: () => stdout, waitForOutput, exited };
}

describe('auditgraph on SIGTERM, as its own process', () => {
  let running: Running | null = null;
  afterEach(() => {
    if (running?.child.exitCode === null) running.child.kill('SIGKILL');
    running = null;
  });

  it('answers /readyz 503 and refuses new GraphQL requests for drainSeconds, then exits 0', async () => {
    const app = await startMain({ AUDITGRAPH_DRAIN_SECONDS: '2' });
    running = app;
    expect((await send(app.url, { path: '/readyz' })).status).toBe(200);

    app.child.kill('SIGTERM');
    await app.waitForOutput('"msg":"draining"');

    const ready = await send(app.url, { path: '/readyz', headers: KEEP_ALIVE });
    expect(ready.status).toBe(503);
    expect(ready.headers.connection).toBe('close');
    expect(json(ready)).toEqual({ status: 'draining' });
    expect((await send(app.url, { path: '/healthz' })).status).toBe(200);
    const graphql = await postGraphql(app.url, { query: '{ auditSources { id } }' }, KEEP_ALIVE);
    expect(graphql.status).toBe(503);
    expect(graphql.headers.connection).toBe('close');
    expect(graphql.headers['retry-after']).toBe('1');
    expect(json(graphql)).toMatchObject({ errors: [{ extensions: { code: 'SHUTTING_DOWN' } }] });

    expect(await app.exited).toBe(0);
    expect(app.output()).toContain('"msg":"shut down"');
    // Every line on stdout is JSON, the banner's too.
    const lines = app.stdout().trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { msg: unknown }).msg)).toEqual(
      expect.arrayContaining(['auditgraph started', 'SIGTERM: shutting down', 'shut down']),
    );
    expect(JSON.parse(lines.find((line) => line.includes('auditgraph started'))!)).toMatchObject({
      level: 'info',
      msg: 'auditgraph started',
      url: app.url,
      mode: 'demo',
      graphiql: true,
      sources: expect.arrayContaining([
        {
          id: 'fastly',
          kind: 'fastly',
          baseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
          events: expect.any(Number),
        },
      ]),
    });
    await expect(send(app.url, { path: '/readyz' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
