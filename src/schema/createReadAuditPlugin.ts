import type {
  ApolloServerPlugin,
  GraphQLRequestContext,
  GraphQLRequestContextWillSendResponse,
} from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../model/Logger';
import type { AuditgraphContext } from './createContext';
import { toLoggedValue } from './toLoggedValue';

/** The audit record of one GraphQL operation, as logged (issue 5 part 6). */
export interface ReadAuditRecord {
  /** `Principal.id`: an API key's id, a JWT's subject, or `anonymous`. */
  readonly principal: string;
  readonly via: string;
  readonly operationName: string | null;
  /** `query`, `mutation`, `subscription`; null when the document did not get that far. */
  readonly operationType: string | null;
  /**
   * The `filter` argument of `auditEvents` or `auditEventCounts` (or of `User.auditEvents`, read through a router) as
   * the server received it (long strings and lists shortened); an array when one operation reads
   * a connection more than once; null when it reads one with no filter, or none at all.
   */
  readonly filter: unknown;
  /** The ids of the sources the operation read, in the order first seen. */
  readonly sources: readonly string[];
  /**
   * Events returned: connection edges, and `auditEvent`/`node`/`_entities` hits; for
   * `auditEventCounts`, the buckets returned.
   */
  readonly resultCount: number;
  /** `extensions.code` of every error in the response, in order. */
  readonly errorCodes: readonly string[];
  readonly durationMs: number;
}

/**
 * Writes one `audit` log line per GraphQL operation: who asked, what, with which filter, which
 * sources it read and how many events it got back. Rejected operations are logged too, with
 * their error codes: a burst of them is what an attack looks like.
 *
 * The record is built from what the resolvers that read events recorded (eventReads.ts): the
 * filters they were given, the sources they read and the events they returned; never from the
 * request, so headers, credentials, cursors and ids are not in it.
 */
export function createReadAuditPlugin(logger: Logger): ApolloServerPlugin<AuditgraphContext> {
  const startedAt = new WeakMap<object, bigint>();
  const emitted = new WeakSet<object>();

  const emit = (
    requestContext: GraphQLRequestContext<AuditgraphContext>,
    errorCodes: readonly string[],
  ): void => {
    const started = startedAt.get(requestContext);
    if (started === undefined || emitted.has(requestContext)) return;
    emitted.add(requestContext);
    const { principal, reads } = requestContext.contextValue;
    const filters = reads.filters.map((filter) => (filter === null ? null : toLoggedValue(filter)));
    const record: ReadAuditRecord = {
      principal: principal.id,
      via: principal.via,
      operationName: toLoggedName(requestContext.operationName ?? null),
      operationType: requestContext.operation?.operation ?? null,
      filter: filters.length === 0 ? null : filters.length === 1 ? filters[0] : filters,
      sources: [...reads.sources],
      resultCount: reads.resultCount,
      errorCodes,
      durationMs: Number((process.hrtime.bigint() - started) / 1_000n) / 1000,
    };
    logger.info({ ...record }, 'audit');
  };

  return {
    requestDidStart: (requestContext) => {
      startedAt.set(requestContext, process.hrtime.bigint());
      return Promise.resolve({
        // After the sourceErrors plugin has added the failed sources: it is installed first.
        willSendResponse: (responseContext) => {
          emit(responseContext, toErrorCodes(responseContext));
          return Promise.resolve();
        },
      });
    },
    // The pipeline threw: no response is sent through willSendResponse, but a line is still due.
    unexpectedErrorProcessingRequest: ({ requestContext }) => {
      emit(requestContext, ['INTERNAL_SERVER_ERROR']);
      return Promise.resolve();
    },
  };
}

function toErrorCodes(
  responseContext: GraphQLRequestContextWillSendResponse<AuditgraphContext>,
): string[] {
  const body = responseContext.response.body;
  const errors: readonly GraphQLFormattedError[] =
    (body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors) ?? [];
  return errors.map((error) => {
    const code = error.extensions?.['code'];
    return typeof code === 'string' ? code : 'UNKNOWN';
  });
}

function toLoggedName(name: string | null): string | null {
  return name === null ? null : (toLoggedValue(name) as string);
}
