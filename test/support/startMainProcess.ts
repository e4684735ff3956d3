import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ENVIRONMENT_VARIABLES } from '../../src/config/environmentVariables';

export interface MainProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:PORT`, the origin of its `/graphql`. */
  readonly url: string;
  /** Everything it has written so far, stdout and stderr. */
  output(): string;
  /** Its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
}

/**
 * `src/main.ts` in a process of its own, as an operator runs it, on a free loopback port. Every
 * variable auditgraph reads and every OTEL_* one is cleared from the inherited environment
 * first, so a developer's own settings cannot change what a test sees; `env` sets the rest.
 *
 * Its URL is read from what it writes once it listens: a banner line naming
 * `http://127.0.0.1:PORT/graphql`, or a JSON log line with a `url` field.
 */
export async function startMainProcess(
  env: Readonly<Record<string, string>>,
): Promise<MainProcess> {
  const inherited = { ...process.env };
  for (const variable of ENVIRONMENT_VARIABLES) delete inherited[variable.name];
  for (const name of Object.keys(inherited)) if (name.startsWith('OTEL_')) delete inherited[name];
  const child = spawn(process.execPath, ['--import', 'tsx', join('src', 'main.ts')], {
    cwd: join(__dirname, '..', '..'),
    env: { ...inherited, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let onOutput = (): void => undefined;
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    onOutput();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    onOutput = () => {
      const found = findUrl(output);
      if (found !== null) resolve(found);
    };
    void exited.then((code) =>
      reject(new Error(`auditgraph exited (${code}) before it listened:\n${output}`)),
    );
  });
  onOutput = () => undefined;
  return { child, url, output: () => output, exited };
}

function findUrl(output: string): string | null {
  const banner = /(http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(output)?.[1];
  if (banner !== undefined) return banner;
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as { url?: unknown };
      const url =
        typeof parsed.url === 'string' ? /^http:\/\/127\.0\.0\.1:\d+/.exec(parsed.url) : null;
      if (url !== null) return url[0];
    } catch {
      // not a JSON line after all
    }
  }
  return null;
}
