import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { AuditgraphContext } from './createContext';
import { createFormatError, toErrorExtensions } from './formatError';
import { resolvers } from './resolvers';
import { logLine } from '../logLine';

const SCHEMA_FILE = join('schema', 'auditgraph.graphql');

/** The SDL, found from this file upward, so it loads the same from src/ and from dist/. */
export function readSchemaSdl(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, SCHEMA_FILE);
    if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
    if (dirname(dir) === dir) throw new Error(`${SCHEMA_FILE} not found above ${__dirname}`);
  }
}

export interface ApolloServerOptions {
  /** Writes one JSON log line. */
  readonly log: (line: string) => void;
}

/**
 * auditgraph's GraphQL server: the federation subgraph schema, error formatting, and the plugin
 * that reports each failed source in `errors`. GraphiQL is served by the HTTP layer, so Apollo's
 * own landing page is off.
 */
export function createApolloServer(options: ApolloServerOptions): ApolloServer<AuditgraphContext> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(readSchemaSdl()),
    resolvers: resolvers as never,
  });
  return new ApolloServer<AuditgraphContext>({
    schema,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // Apollo's own messages go out as auditgraph's structured log lines, not bare console text.
    logger: {
      debug: () => undefined,
      info: (message: unknown) => options.log(logLine('info', String(message))),
      warn: (message: unknown) => options.log(logLine('warn', String(message))),
      error: (message: unknown) => options.log(logLine('error', String(message))),
    },
    // The HTTP layer owns the signals: it drains requests before Apollo stops.
    stopOnTerminationSignals: false,
    formatError: createFormatError((error) =>
      options.log(logLine('error', 'unexpected error', { error: describeError(error) })),
    ),
    plugins: [ApolloServerPluginLandingPageDisabled(), sourceErrorsPlugin()],
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
