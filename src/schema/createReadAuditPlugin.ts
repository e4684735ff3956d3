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
    const record = toReadAuditRecord(requestContext.contextValue, {
      operationName: requestContext.operationName ?? null,
      operationType: requestContext.operation?.operation ?? null,
      resultCount: requestContext.contextValue.reads.resultCount,
      errorCodes,
      startedAt: started,
    });
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

/** What an audit record takes besides the context's principal and reads. */
export interface ReadAuditFacts {
  readonly operationName: string | null;
  readonly operationType: string | null;
  readonly resultCount: number;
  readonly errorCodes: readonly string[];
  /** `process.hrtime.bigint()` when the operation began. */
  readonly startedAt: bigint;
}

/**
 * The audit record of one read (a query, a subscription, an export): who asked, with which
 * filters (bounded by toLoggedValue), which sources were read, and how it ended. The one
 * builder, so that every way of reading events logs the same line.
 */
export function toReadAuditRecord(
  context: Pick<AuditgraphContext, 'principal' | 'reads'>,
  facts: ReadAuditFacts,
): ReadAuditRecord {
  const filters = context.reads.filters.map((filter) =>
    filter === null ? null : toLoggedValue(filter),
  );
  return {
    principal: context.principal.id,
    via: context.principal.via,
    operationName:
      facts.operationName === null ? null : (toLoggedValue(facts.operationName) as string),
    operationType: facts.operationType,
    filter: filters.length === 0 ? null : filters.length === 1 ? filters[0] : filters,
    sources: [...context.reads.sources],
    resultCount: facts.resultCount,
    errorCodes: facts.errorCodes,
    durationMs: Number((process.hrtime.bigint() - facts.startedAt) / 1_000n) / 1000,
  };
}
