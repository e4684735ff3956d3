import type {
  ApolloServerPlugin,
  GraphQLRequestContext,
  GraphQLRequestContextWillSendResponse,
} from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { logLine } from '../logLine';
import type { AuditgraphContext } from './createContext';

/** The audit record of one GraphQL operation, as logged (issue 5 part 6). */
export interface ReadAuditRecord {
  /** `Principal.id`: an API key's id, a JWT's subject, or `anonymous`. */
  readonly principal: string;
  readonly via: string;
  readonly operationName: string | null;
  /** `query`, `mutation`, `subscription`; null when the document did not get that far. */
  readonly operationType: string | null;
  /**
   * The `filter` argument of `auditEvents` as the server received it (long strings and lists
   * shortened); an array when one operation reads `auditEvents` more than once; null when it
   * reads it with no filter, or not at all.
   */
  readonly filter: unknown;
  /** The ids of the sources the operation read, in the order first seen. */
  readonly sources: readonly string[];
  /** Events returned: `auditEvents` edges, `auditEvent`/`node`/`_entities` hits. */
  readonly resultCount: number;
  /** `extensions.code` of every error in the response, in order. */
  readonly errorCodes: readonly string[];
  readonly durationMs: number;
}

/** Fields of Query that read events; their results are counted and their sources named. */
const EVENT_FIELDS = new Set(['auditEvents', 'auditEvent', 'node', '_entities']);

/**
 * Writes one `audit` log line per GraphQL operation: who asked, what, with which filter, which
 * sources it read and how many events it got back. Rejected operations are logged too, with
 * their error codes: a burst of them is what an attack looks like.
 *
 * The record is built from the arguments and results of the root fields as they resolve, never
 * from the request: headers, credentials, cursors and ids are not in it.
 */
export function createReadAuditPlugin(
  log: (line: string) => void,
): ApolloServerPlugin<AuditgraphContext> {
  const reads = new WeakMap<object, Reads>();

  const emit = (
    requestContext: GraphQLRequestContext<AuditgraphContext>,
    errorCodes: readonly string[],
  ): void => {
    const state = reads.get(requestContext);
    if (state === undefined || state.emitted) return;
    state.emitted = true;
    const principal = requestContext.contextValue.principal;
    const record: ReadAuditRecord = {
      principal: principal.id,
      via: principal.via,
      operationName: toLoggedName(requestContext.operationName ?? null),
      operationType: requestContext.operation?.operation ?? null,
      filter:
        state.filters.length === 0
          ? null
          : state.filters.length === 1
            ? state.filters[0]
            : state.filters,
      sources: [...state.sources],
      resultCount: state.resultCount,
      errorCodes,
      durationMs: Number((process.hrtime.bigint() - state.startedAt) / 1_000n) / 1000,
    };
    log(logLine('info', 'audit', { ...record }));
  };

  return {
    requestDidStart: (requestContext) => {
      const state: Reads = {
        startedAt: process.hrtime.bigint(),
        filters: [],
        sources: new Set(),
        resultCount: 0,
        emitted: false,
      };
      reads.set(requestContext, state);
      return Promise.resolve({
        executionDidStart: () =>
          Promise.resolve({
            willResolveField: ({ info, args }) => {
              // Root fields only: nested fields would cost a closure each and say nothing new.
              if (info.path.prev !== undefined || !EVENT_FIELDS.has(info.fieldName))
                return undefined;
              if (info.fieldName === 'auditEvents') {
                const filter = (args as { filter?: unknown }).filter;
                state.filters.push(filter === undefined ? null : toLoggedValue(filter));
              }
              return (_error, result: unknown) => recordResult(state, result);
            },
          }),
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

interface Reads {
  readonly startedAt: bigint;
  readonly filters: unknown[];
  readonly sources: Set<string>;
  resultCount: number;
  emitted: boolean;
}

/** A FeedPage, an AuditEvent or null, or `_entities`' list of them; anything else is ignored. */
function recordResult(state: Reads, result: unknown): void {
  if (Array.isArray(result)) {
    for (const item of result as unknown[]) recordResult(state, item);
    return;
  }
  if (typeof result !== 'object' || result === null) return;
  const page = result as { edges?: unknown; sources?: unknown };
  if (Array.isArray(page.edges) && Array.isArray(page.sources)) {
    state.resultCount += page.edges.length;
    for (const outcome of page.sources as unknown[]) {
      const id = (outcome as { source?: { id?: unknown } } | null)?.source?.id;
      if (typeof id === 'string') state.sources.add(id);
    }
    return;
  }
  const sourceId = (result as { sourceId?: unknown }).sourceId;
  if (typeof sourceId === 'string') {
    state.resultCount += 1;
    state.sources.add(sourceId);
  }
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

const MAX_LOGGED_STRING = 200;
const MAX_LOGGED_LIST = 20;

/**
 * A filter as it came, bounded: the log is not the place for a 100 KB string a client sent to
 * probe the limits, and the filter validation refuses such values anyway.
 */
function toLoggedValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length <= MAX_LOGGED_STRING
      ? value
      : `${value.slice(0, MAX_LOGGED_STRING)}…(${value.length} chars)`;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 3) return '…';
  if (Array.isArray(value)) {
    const shown = value.slice(0, MAX_LOGGED_LIST).map((item) => toLoggedValue(item, depth + 1));
    return value.length <= MAX_LOGGED_LIST ? shown : [...shown, `…(${value.length} values)`];
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, toLoggedValue(item, depth + 1)]),
  );
}

function toLoggedName(name: string | null): string | null {
  return name === null ? null : (toLoggedValue(name) as string);
}
