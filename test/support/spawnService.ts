import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { ENVIRONMENT_VARIABLES } from '../../src/config/environmentVariables';
import { isRecord } from '../../src/config/isRecord';

/** A long-running child (the gateway, the emulators) and what it has written. */
export interface Service {
  readonly child: ChildProcess;
  /** Everything written so far, stdout and stderr interleaved as received. */
  output(): string;
  /** stdout's complete lines so far. */
  lines(): readonly string[];
  /** Resolves with the first value `find` returns for the output; rejects if the child exits first or time runs out. */
  waitFor<T>(find: (service: Service) => T | undefined, timeoutMs?: number): Promise<T>;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Sends SIGKILL unless it has exited; for cleanup after a failure. */
  kill(): void;
}

/**
 * Spawns `args` with `process.execPath` and the given environment on top of the inherited one,
 * every variable auditgraph reads cleared first so that a developer's own credentials or config
 * cannot change what the test runs.
 */
export function spawnService(
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: Readonly<Record<string, string>> },
): Service {
  const inherited = { ...process.env };
  for (const variable of ENVIRONMENT_VARIABLES) delete inherited[variable.name];
  delete inherited.AUDITGRAPH_EMULATOR_PORT;
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...inherited, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
    notify();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    notify();
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      notify();
      resolve(code);
    }),
  );
  const service: Service = {
    child,
    output: () => output,
    lines: () => stdout.split('\n').slice(0, -1),
    exited,
    kill: () => {
      if (exitCode === undefined) child.kill('SIGKILL');
    },
    waitFor: <T>(find: (service: Service) => T | undefined, timeoutMs = 30_000) =>
      new Promise<T>((resolve, reject) => {
        const done = (): void => {
          listeners.delete(check);
          clearTimeout(timer);
        };
        const check = (): void => {
          const found = find(service);
          if (found !== undefined) {
            done();
            resolve(found);
          } else if (exitCode !== undefined) {
            done();
            reject(new Error(`the child exited (${String(exitCode)}) first:\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`nothing found after ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
  return service;
}

/** The lines of stdout that are JSON objects, parsed. */
export function jsonLines(service: Service): readonly Record<string, unknown>[] {
  return service.lines().flatMap((line): Record<string, unknown>[] => {
    if (!line.startsWith('{')) return [];
    try {
      const value: unknown = JSON.parse(line);
      return isRecord(value) ? [value] : [];
    } catch {
      return [];
    }
  });
}

/**
 * The gateway's URL from its output: a JSON line's `url` field, or the banner's
 * `http://host:port`. Undefined until it has written either.
 */
export function findServiceUrl(service: Service): string | undefined {
  for (const line of jsonLines(service)) {
    if (typeof line.url === 'string' && /^http:\/\/[^/]+:\d+/.test(line.url)) {
      return /^http:\/\/[^/]+:\d+/.exec(line.url)?.[0];
    }
  }
  return /http:\/\/127\.0\.0\.1:\d+/.exec(service.output())?.[0];
}

/** Resolves once `url` answers 200. */
export async function waitForOk(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (${last})`);
}

/** Resolves with the exit code, or rejects when the child is still running after `timeoutMs`. */
export function exitWithin(service: Service, timeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    service.exited.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`still running ${timeoutMs} ms after the signal`)),
        timeoutMs,
      );
    }),
  ]);
}

/**
 * A base port with `count` consecutive ports free on 127.0.0.1 now, for a program whose ports are
 * fixed by design (the emulators); each is listened on and released to check.
 */
export async function findFreePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const free = await Promise.all(
      Array.from({ length: count }, (_, index) => isFree(base + index)),
    );
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
