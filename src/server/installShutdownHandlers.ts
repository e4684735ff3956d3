import { constants } from 'node:os';
import type { Logger } from '../model/Logger';

export interface ShutdownOptions {
  /** Default: SIGTERM (Kubernetes, Docker, systemd) and SIGINT (Ctrl-C). */
  readonly signals?: readonly NodeJS.Signals[];
  /** Default: process.exit; injected so tests run the handler without ending the test run. */
  readonly exit?: (code: number) => void;
  /**
   * A close that has not finished by then is abandoned and the process exits 1, so a stuck
   * plugin cannot keep a terminating pod alive until its SIGKILL; default 30 s. Give more when
   * close() drains for longer (main passes the app's closeBudgetMs).
   */
  readonly forceExitAfterMs?: number;
  /** Default: the real process; injected in tests. */
  readonly process?: Pick<NodeJS.Process, 'on' | 'off' | 'listenerCount'>;
}

export interface ShutdownHandlers {
  /** What a signal triggers, callable directly (tests). */
  handle(signal: NodeJS.Signals): void;
  /** Removes the signal listeners. */
  uninstall(): void;
}

/**
 * The first SIGTERM or SIGINT closes the service gracefully (readiness turns 503 for the drain,
 * then in-flight requests finish) and exits 0, or 1 when closing fails. A second signal means "now": the process
 * exits at once with the shell's code for death by that signal (128 + its number).
 */
export function installShutdownHandlers(
  close: () => Promise<void>,
  logger: Logger,
  options: ShutdownOptions = {},
): ShutdownHandlers {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const target = options.process ?? process;
  const forceExitAfterMs = options.forceExitAfterMs ?? 30_000;
  let closing = false;

  for (const signal of signals) {
    // Apollo Server installs its own handlers unless built with stopOnTerminationSignals: false;
    // those stop GraphQL before HTTP has drained and then re-raise the signal.
    if (target.listenerCount(signal) > 0) {
      logger.warn(
        { signal },
        `another ${signal} handler is installed; graceful shutdown may be cut short`,
      );
    }
  }

  const handle = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn({ signal }, `${signal} again: exiting now`);
      exit(128 + (constants.signals[signal] ?? 0));
      return;
    }
    closing = true;
    logger.info({ signal }, `${signal}: shutting down`);
    const timer = setTimeout(() => {
      logger.error({ forceExitAfterMs }, 'shutdown timed out: exiting');
      exit(1);
    }, forceExitAfterMs);
    timer.unref();
    close().then(
      () => {
        clearTimeout(timer);
        logger.info({}, 'shut down');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(timer);
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown';
        logger.error({ error: reason }, 'shutdown failed');
        exit(1);
      },
    );
  };

  const listeners = signals.map((signal) => {
    const listener = (): void => handle(signal);
    target.on(signal, listener);
    return { signal, listener };
  });

  return {
    handle,
    uninstall: () => {
      for (const { signal, listener } of listeners) target.off(signal, listener);
    },
  };
}
