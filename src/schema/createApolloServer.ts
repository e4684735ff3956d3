import { ApolloServer } from '@apollo/server';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import { createAuditgraphSchema } from './createAuditgraphSchema';
import type { AuditgraphContext } from './createContext';
import { createQueryLimits, type QueryLimits } from './createQueryLimits';
import { createReadAuditPlugin } from './createReadAuditPlugin';
import { createFormatError, toErrorExtensions } from './formatError';
import type { Logger } from '../model/Logger';

export { QUERY_LIMIT_DEFAULTS, type QueryLimits } from './createQueryLimits';

export { readSchemaSdl } from './createAuditgraphSchema';

export interface ApolloServerOptions {
  /** Apollo's own messages, unexpected errors and the read audit lines. */
  readonly logger: Logger;
  /** Answer `__schema` and `__type`; default true. Production mode turns it off. */
  readonly introspection?: boolean;
  /** Depth, alias, token, cost and directive limits; each defaults to QUERY_LIMIT_DEFAULTS. */
  readonly limits?: Partial<QueryLimits>;
  /** Log one `audit` line per operation (who read what); default true. */
  readonly audit?: boolean;
  /**
   * Where automatic persisted queries are kept (the replicas' Redis); absent: Apollo's own
   * memory cache of this process.
   */
  readonly persistedQueries?: {
    get(key: string): Promise<string | undefined>;
    set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
    delete(key: string): Promise<boolean | void>;
  };
  /**
   * The schema, when the subscription transports share it (createAuditgraphSchema); default: one
   * built here.
   */
  readonly schema?: GraphQLSchema;
  /** More plugins (metrics and traces of each operation), run after auditgraph's own. */
  readonly plugins?: readonly ApolloServerPlugin<AuditgraphContext>[];
}

/**
 * auditgraph's GraphQL server: the federation subgraph schema, error formatting, the plugin that
 * reports each failed source in `errors`, the query limits and the audit of reads. GraphiQL is
 * served by the HTTP layer, so Apollo's own landing page is off.
 *
 * Every limit is enforced while parsing or validating, before a resolver runs, so an operation
 * over a limit costs no upstream request. Batching stays off and CSRF prevention on.
 */
export function createApolloServer(options: ApolloServerOptions): ApolloServer<AuditgraphContext> {
  const schema = options.schema ?? createAuditgraphSchema();
  const limits = createQueryLimits(options.limits);
  return new ApolloServer<AuditgraphContext>({
    schema,
    csrfPrevention: true,
    ...(options.persistedQueries ? { persistedQueries: { cache: options.persistedQueries } } : {}),
    allowBatchedHttpRequests: false,
    introspection: options.introspection ?? true,
    // No "Did you mean …?" naming fields a client did not ask for (matrix S7).
    hideSchemaDetailsFromClientErrors: true,
    includeStacktraceInErrorResponses: false,
    // Compact JSON: Apollo indents responses by default, which made serialising a page of 100
    // events one of the larger costs of a request and its body about a third larger.
    stringifyResult: (result) => JSON.stringify(result),
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    // Fragment explosions: Apollo counts the selections a document expands to (matrix S5).
    maxRecursiveSelections: true,
    // Apollo's own messages go out as auditgraph's structured log lines, not bare console text.
    logger: {
      debug: (message: unknown) => options.logger.debug({ from: 'apollo' }, String(message)),
      info: (message: unknown) => options.logger.info({ from: 'apollo' }, String(message)),
      warn: (message: unknown) => options.logger.warn({ from: 'apollo' }, String(message)),
      error: (message: unknown) => options.logger.error({ from: 'apollo' }, String(message)),
    },
    // The HTTP layer owns the signals: it drains requests before Apollo stops.
    stopOnTerminationSignals: false,
    formatError: createFormatError((error) =>
      options.logger.error({ error: describeError(error) }, 'unexpected error'),
    ),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Apollo computes a cache policy field by field on every request by default; nothing of
      // auditgraph's may be cached (the HTTP layer answers `Cache-Control: no-store`), so that
      // work is skipped. Inline tracing (ftv1) stays: a router reporting field statistics to
      // GraphOS asks for it, and it costs only on the requests that ask (docs/performance.md).
      ApolloServerPluginCacheControlDisabled(),
      ...(limits.plugins as ApolloServerPlugin<AuditgraphContext>[]),
      sourceErrorsPlugin(),
      // Last, so the errors it records include those the plugins above add.
      ...(options.audit === false ? [] : [createReadAuditPlugin(options.logger)]),
      ...(options.plugins ?? []),
    ],
  });
}

/**
 * Promise 7 of design.md §4: a source that failed on a page is named in `errors` with its code
 * and source id, beside the data the other sources gave.
 */
function sourceErrorsPlugin(): ApolloServerPlugin<AuditgraphContext> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: ({ response, contextValue }) => {
          if (response.body.kind !== 'single' || contextValue.sourceErrors.length === 0)
            return Promise.resolve();
          const reported = contextValue.sourceErrors.map(({ error, path }) => ({
            message: error.message,
            path,
            extensions: toErrorExtensions(error),
          }));
          const result = response.body.singleResult;
          result.errors = [...(result.errors ?? []), ...reported];
          return Promise.resolve();
        },
      }),
  };
}

function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  return { name: error.name, message: error.message, stack: error.stack };
}
