import { EventEmitter } from 'node:events';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { installShutdownHandlers } from '../../../src/server/installShutdownHandlers';
import { startHttpServer } from '../../../src/server/startHttpServer';
import { send } from './httpTestClient';
import { SILENT_LOGGER } from '../../../src/model/Logger';
import { lineLogger } from '../../support/lineLogger';

/** A stand-in for `process`: signals are emitted on it, never sent to the test run. */
function fakeProcess(): EventEmitter & Pick<NodeJS.Process, 'on' | 'off' | 'listenerCount'> {
  return new EventEmitter() as EventEmitter & Pick<NodeJS.Process, 'on' | 'off' | 'listenerCount'>;
}

function deferred(): { promise: Promise<void>; resolve(): void; reject(error: Error): void } {
  let resolve = (): void => undefined;
  let reject = (_error: Error): void => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('installShutdownHandlers', () => {
  it('closes once on the first signal, then exits 0', async () => {
    const closing = deferred();
    const close = jest.fn(() => closing.promise);
    const exit = jest.fn();
    const logs: string[] = [];
    const target = fakeProcess();
    installShutdownHandlers(
      close,
      lineLogger((line) => logs.push(line)),
      { exit, process: target },
    );

    target.emit('SIGTERM');
    expect(close).toHaveBeenCalledTimes(1);
    await flush();
    expect(exit).not.toHaveBeenCalled();

    closing.resolve();
    await flush();
    expect(exit).toHaveBeenCalledWith(0);
    expect(logs.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      'SIGTERM: shutting down',
      'shut down',
    ]);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('exits at once with %s on a second signal (%i)', async (signal, code) => {
    const close = jest.fn(() => new Promise<void>(() => undefined));
    const exit = jest.fn();
    const handlers = installShutdownHandlers(close, SILENT_LOGGER, {
      exit,
      process: fakeProcess(),
    });
    handlers.handle('SIGTERM');
    handlers.handle(signal);
    await flush();
    expect(close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(code);
  });

  it('exits 1 when closing fails, and logs why', async () => {
    const exit = jest.fn();
    const logs: string[] = [];
    const handlers = installShutdownHandlers(
      () => Promise.reject(new Error('apollo stop failed')),
      lineLogger((line) => logs.push(line)),
      { exit, process: fakeProcess() },
    );
    handlers.handle('SIGINT');
    await flush();
    expect(exit).toHaveBeenCalledWith(1);
    expect(logs.at(-1)).toContain('Error: apollo stop failed');
  });

  it('exits 1 when closing takes longer than forceExitAfterMs', async () => {
    const exit = jest.fn();
    const handlers = installShutdownHandlers(
      () => new Promise<void>(() => undefined),
      SILENT_LOGGER,
      {
        exit,
        process: fakeProcess(),
        forceExitAfterMs: 50,
      },
    );
    handlers.handle('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('listens to SIGTERM and SIGINT until uninstalled', () => {
    const target = fakeProcess();
    const handlers = installShutdownHandlers(() => Promise.resolve(), SILENT_LOGGER, {
      exit: jest.fn(),
      process: target,
    });
    expect(target.listenerCount('SIGTERM')).toBe(1);
    expect(target.listenerCount('SIGINT')).toBe(1);
    handlers.uninstall();
    expect(target.listenerCount('SIGTERM')).toBe(0);
    expect(target.listenerCount('SIGINT')).toBe(0);
  });

  it('warns when another handler, such as Apollo’s own, already listens', () => {
    const target = fakeProcess();
    target.on('SIGTERM', () => undefined);
    const logs: string[] = [];
    installShutdownHandlers(
      () => Promise.resolve(),
      lineLogger((line) => logs.push(line)),
      {
        exit: jest.fn(),
        process: target,
      },
    );
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('another SIGTERM handler is installed');
  });

  it('drains a real server on SIGTERM and exits 0', async () => {
    const apollo = new ApolloServer({
      typeDefs: 'type Query { hello: String }',
      resolvers: { Query: { hello: () => 'world' } },
      stopOnTerminationSignals: false,
      plugins: [ApolloServerPluginLandingPageDisabled()],
    });
    await apollo.start();
    const http = await startHttpServer({
      apollo,
      context: () => Promise.resolve({}),
      host: '127.0.0.1',
      port: 0,
      logger: SILENT_LOGGER,
    });
    const exited = deferred();
    const exit = jest.fn(() => exited.resolve());
    const handlers = installShutdownHandlers(() => http.close(), SILENT_LOGGER, {
      exit,
      process: fakeProcess(),
    });
    handlers.handle('SIGTERM');
    await exited.promise;
    expect(exit).toHaveBeenCalledWith(0);
    expect(http.server.listening).toBe(false);
    await expect(send(http.url, { path: '/healthz' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
