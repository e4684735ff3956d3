import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { RedisState, RedisStatus } from '../../src/state/createRedisState';
import { createRedisState } from '../../src/state/createRedisState';

export interface RunningRedis {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGKILL: no shutdown save, like a crash); resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
}

/** A free loopback port, found by letting the kernel pick one and closing it again. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A real Redis server for a test: the machine's `redis-server` on a free loopback port, with no
 * persistence, ready when this resolves.
 */
export async function startRedis(): Promise<RunningRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;

  const launch = async (): Promise<void> => {
    const started = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        if (output.includes('Ready to accept connections')) {
          started.stdout?.off('data', onData);
          started.stdout?.resume();
          resolve();
        }
      };
      started.stdout?.on('data', onData);
      started.stderr?.resume();
      started.once('error', reject);
      started.once('exit', (code) =>
        reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`)),
      );
    });
  };

  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };

  await launch();
  return { url: `redis://127.0.0.1:${port}`, port, stop, restart: launch };
}

/**
 * One replica's connection to `redis`, ready when this resolves (its first ping answered); its
 * status moves go to `statuses`. A test closes it with the others it made.
 */
export async function connectRedisState(
  redis: RunningRedis,
  keyPrefix: string,
  statuses: RedisStatus[] = [],
): Promise<RedisState> {
  const state = createRedisState({
    url: redis.url,
    keyPrefix,
    callBudgetMs: 200,
    onStatus: (status) => statuses.push(status),
  });
  const end = Date.now() + 10_000;
  while (!(await state.call((client) => client.ping())).ok) {
    if (Date.now() > end) throw new Error('Redis did not answer');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return state;
}
