import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { parse } from 'graphql';
import { resolvers } from './resolvers';

const SCHEMA_FILE = join('schema', 'auditgraph.graphql');

/** The SDL, found from this file upward, so it loads the same from src/ and from dist/. */
export function readSchemaSdl(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, SCHEMA_FILE);
    if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
    if (dirname(dir) === dir) throw new Error(`${SCHEMA_FILE} not found above ${__dirname}`);
  }
}

/**
 * auditgraph's executable schema: the federation subgraph of schema/ with its resolvers. One is
 * built per process and shared by Apollo Server (queries) and the subscription transports
 * (graphql-ws, graphql-sse), which Apollo Server does not serve.
 */
export function createAuditgraphSchema(): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: parse(readSchemaSdl()), resolvers: resolvers as never });
}
