import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  context,
  createContextKey,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  trace,
} from '@opentelemetry/api';
import type { Span, Tracer } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { AuditgraphContext } from '../../schema/createContext';
import { GRAPHQL_PATH } from '../../server/createGraphqlRoute';
import type { ObservedRequest } from '../../server/startHttpServer';
import { TRACE_ATTRIBUTES as A } from './traceAttributes';
import { toHttpMethod } from './toHttpMethod';
import { markFailed } from './withSpan';

/** The request span of the GraphQL request under way, for the Apollo plugin to add to. */
const REQUEST_SPAN = createContextKey('auditgraph request span');

/** Node publishes each request with its response here, just before the server's 'request'. */
const REQUEST_START_CHANNEL = 'http.server.request.start';

/** An operation name is a GraphQL name; one longer than this is not a name a client chose to read. */
const MAX_OPERATION_NAME_LENGTH = 100;

/** Error codes are words of capitals (BAD_USER_INPUT, SOURCE_UNAVAILABLE). */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

export interface RequestTracing {
  /** The request observer: a SERVER span around each request to `/graphql`. */
  request(request: ObservedRequest, handle: () => Promise<void>): Promise<void>;
  /** Adds the operation's type, name and error codes to its request's span. */
  readonly apolloPlugin: ApolloServerPlugin<AuditgraphContext>;
  /** Stops listening to the server's requests. */
  close(): void;
}

/**
 * A SERVER span per request to `/graphql`, continuing the caller's trace (a router's W3C
 * `traceparent`), and active while the request is handled, so the feed's and the sources'
 * spans are its children and every log line written for it can carry its trace id. One HTTP
 * request is one operation (batching is off), so the operation is described on this span rather
 * than on one of its own: `graphql.operation.type`, `graphql.operation.name` and the codes of
 * the errors answered. The document and the variables are never recorded; the operation name
 * is, since it is a GraphQL name from the client's code (as a router records it), not the
 * client's data.
 *
 * The request observer is not handed the response, so its status is taken from Node's own
 * `http.server.request.start` diagnostics channel, which publishes every request with its
 * response: the span ends when the response closes, with the status that was sent.
 */
export function createRequestTracing(tracer: Tracer): RequestTracing {
  // Keyed by the request's headers object, the one the observer is handed.
  const responses = new WeakMap<object, ServerResponse>();
  const onRequestStart = (message: unknown): void => {
    if (typeof message !== 'object' || message === null) return;
    const { request, response } = message as { request?: unknown; response?: unknown };
    if (request instanceof IncomingMessage && response instanceof ServerResponse) {
      responses.set(request.headers, response as ServerResponse);
    }
  };
  subscribe(REQUEST_START_CHANNEL, onRequestStart);

  const request = (observed: ObservedRequest, handle: () => Promise<void>): Promise<void> => {
    if (observed.path !== GRAPHQL_PATH) return handle();
    const parent = propagation.extract(ROOT_CONTEXT, observed.headers);
    const method = toHttpMethod(observed.method);
    const span = tracer.startSpan(
      `${method} ${GRAPHQL_PATH}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_HTTP_ROUTE]: GRAPHQL_PATH,
          [ATTR_URL_PATH]: GRAPHQL_PATH,
          [ATTR_URL_SCHEME]: 'http',
          [A.requestId]: observed.requestId,
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span).setValue(REQUEST_SPAN, span);
    const response = responses.get(observed.headers);
    const handled = context.with(active, handle);
    if (response === undefined) {
      void handled.then(
        () => span.end(),
        () => span.end(),
      );
    } else {
      response.once('close', () => endWithResponse(span, response));
    }
    return handled;
  };

  const apolloPlugin: ApolloServerPlugin<AuditgraphContext> = {
    requestDidStart: () => {
      const span = context.active().getValue(REQUEST_SPAN) as Span | undefined;
      if (span === undefined) return Promise.resolve();
      return Promise.resolve({
        didResolveOperation: ({ operation }) => {
          if (operation === undefined) return Promise.resolve();
          span.setAttribute(A.graphqlOperationType, operation.operation);
          const name = operation.name?.value;
          if (name !== undefined && name.length <= MAX_OPERATION_NAME_LENGTH) {
            span.setAttribute(A.graphqlOperationName, name);
          }
          return Promise.resolve();
        },
        willSendResponse: ({ response }) => {
          const errors =
            response.body.kind === 'single'
              ? response.body.singleResult.errors
              : response.body.initialResult.errors;
          const codes = new Set<string>();
          for (const error of errors ?? []) {
            const code = error.extensions?.code;
            if (typeof code === 'string' && ERROR_CODE.test(code)) codes.add(code);
          }
          if (codes.size > 0) span.setAttribute(A.errorCodes, [...codes].sort());
          return Promise.resolve();
        },
      });
    },
  };

  return {
    request,
    apolloPlugin,
    close: () => {
      unsubscribe(REQUEST_START_CHANNEL, onRequestStart);
    },
  };
}

/** A response that sent its head has a status; 5xx is the server's failure, 4xx the client's. */
function endWithResponse(span: Span, response: ServerResponse): void {
  if (response.headersSent) {
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
    if (response.statusCode >= 500) markFailed(span, String(response.statusCode));
  }
  span.end();
}
