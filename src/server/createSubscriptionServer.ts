import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { GraphQLError } from 'graphql';
import { handleProtocols } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { createHandler } from 'graphql-sse/lib/use/http';
import { WebSocketServer } from 'ws';
import type { Logger } from '../model/Logger';
import { observeStream } from '../model/observeStream';
import type { SubscriptionExecution } from '../schema/createSubscriptionExecution';
import { sendJson } from './sendError';

/** Where graphql-sse serves subscriptions, for clients without WebSockets. */
export const GRAPHQL_STREAM_PATH = '/graphql/stream';

/** graphql-ws's close codes (its CloseCode): no credential, and a refused one. */
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_FORBIDDEN = 4403;
/** WebSocket's own: the server cannot take it now (a JWT issuer that does not answer). */
const CLOSE_TRY_AGAIN_LATER = 1013;

export interface SubscriptionServerOptions {
  readonly execution: SubscriptionExecution;
  /**
   * The GraphQL context of a subscription from the credential it was sent with; rejects, as for
   * `POST /graphql`, with a GraphQLError whose `extensions.code` is UNAUTHENTICATED.
   */
  readonly context: (request: { readonly headers: IncomingHttpHeaders }) => Promise<unknown>;
  /** Ends every subscription's stream (the live tail's close); called first when closing. */
  readonly completeAll: () => Promise<void>;
  /** The largest message a client may send over the WebSocket. */
  readonly maxPayloadBytes: number;
  readonly logger: Logger;
}

export interface SubscriptionServer {
  /** Takes the server's upgrades to `path` (graphql-ws); others are refused. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, path: string): void;
  /** `GRAPHQL_STREAM_PATH` (graphql-sse, distinct connections), after authenticating. */
  serveStream(request: IncomingMessage, response: ServerResponse): Promise<void>;
  /**
   * Completes every subscription (each client gets its `complete`), then closes the WebSockets
   * with 1001 Going Away; the event streams end with their subscription.
   */
  close(): Promise<void>;
}

type Headers = { authorization?: string };

/**
 * The live tail's two transports on auditgraph's own HTTP server: graphql-ws (subprotocol
 * `graphql-transport-ws`) on the upgrade of `/graphql`, authenticated by `connection_init`'s
 * `authorization`, and graphql-sse on `/graphql/stream`, authenticated by the `Authorization`
 * header. Both run through one SubscriptionExecution: the same parse and validation limits,
 * error formatting and audit line.
 */
export function createSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { execution, logger } = options;
  let active = 0;
  let idle: (() => void) | null = null;
  let closing = false;

  // Counts the streams graphql-ws and graphql-sse are draining, so close() can wait until each
  // has sent its `complete` before closing the sockets under them.
  const subscribe = async (
    args: ExecutionArgs,
  ): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> => {
    const result = await execution.subscribe(args);
    if (!(Symbol.asyncIterator in result)) return result;
    active += 1;
    return observeStream(result, {
      onEnd: () => {
        active -= 1;
        if (active === 0) idle?.();
      },
    });
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    handleProtocols: (protocols) => handleProtocols(protocols),
  });
  const ws = useServer<Record<string, unknown>, { headers: Headers }>(
    {
      onConnect: async (ctx) => {
        const authorization = readAuthorization(ctx.connectionParams);
        const headers: Headers = authorization === undefined ? {} : { authorization };
        try {
          await options.context({ headers });
        } catch (error) {
          const code = error instanceof GraphQLError ? error.extensions['code'] : undefined;
          if (code === 'UNAUTHENTICATED') {
            ctx.extra.socket.close(
              authorization === undefined ? CLOSE_UNAUTHORIZED : CLOSE_FORBIDDEN,
              authorization === undefined ? 'Unauthorized' : 'Forbidden',
            );
          } else {
            ctx.extra.socket.close(CLOSE_TRY_AGAIN_LATER, 'Try again later');
          }
          return false;
        }
        // Kept for the connection's subscriptions, each of which gets a context of its own.
        ctx.extra.headers = headers;
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        if (closing) return [shuttingDown()];
        const prepared = execution.prepare(payload);
        if (!prepared.ok) return prepared.errors;
        return {
          ...prepared.args,
          contextValue: await options.context({ headers: ctx.extra.headers ?? {} }),
        };
      },
      subscribe,
      onNext: (_ctx, _id, _payload, _args, result) => execution.formatResult(result),
      onError: (_ctx, _id, _payload, errors) => execution.formatErrors(errors),
    },
    wss,
  );

  /** The context of each SSE request, made when it was authenticated. */
  const streamContexts = new WeakMap<IncomingMessage, unknown>();
  const sse = createHandler({
    // Distinct connections only: one request, one operation, its credential in its own header.
    authenticate: () => null,
    onSubscribe: (request, params) => {
      if (closing) return { errors: [shuttingDown()] };
      const prepared = execution.prepare(params);
      if (!prepared.ok) return { errors: prepared.errors };
      return {
        ...prepared.args,
        contextValue: streamContexts.get(request.raw),
      };
    },
    context: (request) => streamContexts.get(request.raw) as undefined,
    subscribe,
    onNext: (_ctx, _request, result) =>
      execution.formatResult(result as ExecutionResult) as ExecutionResult,
  });

  return {
    handleUpgrade: (request, socket, head, path) => {
      if (path !== '/graphql' || closing) {
        socket.end(
          `HTTP/1.1 ${closing ? '503 Service Unavailable' : '404 Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
        );
        return;
      }
      wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request));
    },
    serveStream: async (request, response) => {
      const authorization = request.headers.authorization;
      try {
        streamContexts.set(
          request,
          await options.context({ headers: authorization === undefined ? {} : { authorization } }),
        );
      } catch (error) {
        const code = error instanceof GraphQLError ? error.extensions['code'] : undefined;
        const unauthenticated = code === 'UNAUTHENTICATED';
        if (unauthenticated) response.setHeader('www-authenticate', 'Bearer realm="auditgraph"');
        sendJson(response, unauthenticated ? 401 : 503, {
          errors: [
            {
              message: unauthenticated
                ? 'Send a valid credential: Authorization: Bearer <token>.'
                : 'Authentication is not available right now; try again.',
              extensions: { code: unauthenticated ? 'UNAUTHENTICATED' : 'SHUTTING_DOWN' },
            },
          ],
        });
        return;
      }
      // graphql-sse takes a stream only for an Accept of exactly `text/event-stream`; clients
      // (EventSource among them) often send it with others or parameters.
      if (request.headers.accept?.includes('text/event-stream') === true) {
        request.headers.accept = 'text/event-stream';
      }
      await sse(request, response);
    },
    close: async () => {
      closing = true;
      await options.completeAll();
      if (active > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve;
          // A stream whose client never reads on is not waited for past a second.
          setTimeout(resolve, 1_000).unref();
        });
      }
      // graphql-ws sends `complete` right after its loop ends: one turn later it is written.
      await new Promise((resolve) => setImmediate(resolve));
      await ws.dispose();
      logger.info({}, 'subscriptions closed');
    },
  };
}

/** `connection_init`'s payload: `{ "authorization": "Bearer …" }` (any case of the key). */
function readAuthorization(
  params: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  if (params === undefined) return undefined;
  for (const [key, value] of Object.entries(params)) {
    if (key.toLowerCase() === 'authorization' && typeof value === 'string' && value !== '')
      return value;
  }
  return undefined;
}

function shuttingDown(): GraphQLError {
  return new GraphQLError('The server is shutting down; subscribe again.', {
    extensions: { code: 'SHUTTING_DOWN' },
  });
}
