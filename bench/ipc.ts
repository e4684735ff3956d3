/**
 * A tiny request/reply protocol over a forked child's IPC channel, for the bench's emulator and
 * gateway processes.
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { join } from 'node:path';

export interface Envelope {
  readonly id: number;
  readonly type: string;
  readonly body?: unknown;
  readonly error?: string;
}

export interface Peer {
  readonly child: ChildProcess;
  call<T>(type: string, body?: unknown): Promise<T>;
  /** Asks the child to close, then waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Forks `bench/<file>` under tsx, so the child runs the TypeScript sources directly; `nodeOptions`
 * are added to its Node flags (e.g. `--cpu-prof`) and `env` to its environment.
 */
export function forkPeer(
  file: string,
  nodeOptions: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Peer {
  const child = fork(join(__dirname, file), [], {
    execArgv: ['--import', 'tsx', ...nodeOptions],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (message: Envelope) => {
    const waiter = pending.get(message.id);
    if (waiter === undefined) return;
    pending.delete(message.id);
    if (message.error === undefined) waiter.resolve(message.body);
    else waiter.reject(new Error(message.error));
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${file} exited (${code})`));
    pending.clear();
  });
  const call = <T>(type: string, body?: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, type, body } satisfies Envelope);
    });
  return {
    child,
    call,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await call('close').catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The child's side: answers each request with its handler's result. */
export function serve(handlers: Record<string, (body: unknown) => unknown>) {
  process.on('message', (message: Envelope) => {
    const handler = handlers[message.type];
    Promise.resolve()
      .then(() => {
        if (handler === undefined) throw new Error(`unknown request ${message.type}`);
        return handler(message.body);
      })
      .then(
        (body: unknown) => process.send?.({ id: message.id, type: 'reply', body }),
        (error: unknown) => process.send?.({ id: message.id, type: 'reply', error: String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}
