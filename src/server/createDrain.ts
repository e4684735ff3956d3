import type { Server, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../model/Logger';
import { sendError } from './sendError';
import type { ServerSettings } from './toServerSettings';

export interface DrainOptions extends Pick<ServerSettings, 'drainDelayMs' | 'drainTimeoutMs'> {
  readonly server: Server;
  /**
   * Ends the long responses, the subscriptions and the exports, when the listener closes (after
   * drainDelayMs, so a load balancer has stopped sending new ones), so that their streams end
   * and their clients reconnect, or resume, elsewhere.
   */
  readonly closeStreams?: () => Promise<void>;
  /** Stops Apollo once no HTTP request is left. */
  readonly stopApollo: () => Promise<void>;
  readonly logger: Logger;
}

/** The server's close, and where it stands: serving until close() is first called, then draining. */
export interface Drain {
  /** True from the first close() on: `/readyz` answers 503, new GraphQL requests are refused. */
  draining(): boolean;
  /** Counts a response as in flight until it closes, so the drain can tell it to close too. */
  track(response: ServerResponse): void;
  /** Drains and stops (see HttpServerHandle.close); every call returns the one drain. */
  close(): Promise<void>;
}

type ServerState =
  { readonly phase: 'serving' } | { readonly phase: 'draining'; readonly done: Promise<void> };

/**
 * The drain: for drainDelayMs the listener stays open while `/readyz` and new GraphQL requests
 * answer 503, so a load balancer sees the instance leave before its connections are refused;
 * then the listener closes, requests in flight get drainTimeoutMs to finish before their sockets
 * are destroyed, and Apollo stops last.
 */
export function createDrain(options: DrainOptions): Drain {
  const { server, logger } = options;
  let state: ServerState = { phase: 'serving' };
  /** Responses not yet closed, so the drain can tell the ones already started to close too. */
  const open = new Set<ServerResponse>();

  const drain = async (): Promise<void> => {
    logger.info({ drainDelayMs: options.drainDelayMs, inFlight: open.size }, 'draining');
    // Responses begun before the drain close their connections too; those begun since already do.
    for (const response of open) {
      if (!response.headersSent) response.setHeader('connection', 'close');
    }
    if (options.drainDelayMs > 0) await delay(options.drainDelayMs);
    logger.info({ inFlight: open.size }, 'closing the listener');
    await options.closeStreams?.();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), options.drainTimeoutMs);
    });
    const finished = await Promise.race([closed.then(() => true as const), timedOut]);
    clearTimeout(timer);
    if (!finished) {
      logger.warn(
        { drainTimeoutMs: options.drainTimeoutMs },
        'drain timed out; closing the remaining connections',
      );
      server.closeAllConnections();
      await closed;
    }
    await options.stopApollo();
    logger.info({}, 'stopped');
  };

  return {
    draining: () => state.phase === 'draining',
    track: (response) => {
      open.add(response);
      response.once('close', () => open.delete(response));
    },
    close: () => {
      // Draining starts a microtask later, so no work of it runs before the state says so.
      if (state.phase === 'serving')
        state = { phase: 'draining', done: Promise.resolve().then(drain) };
      return state.done;
    },
  };
}

/**
 * The load balancer may still send a request or two before it sees `/readyz` fail. The request
 * is not run, so a client may send it again at once; through the load balancer it then reaches
 * another instance.
 */
export function refuseWhileDraining(response: ServerResponse): void {
  response.setHeader('retry-after', '1');
  sendError(response, 503, 'SHUTTING_DOWN', 'The server is shutting down; send the request again.');
}
