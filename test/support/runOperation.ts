import type { ApolloServer } from '@apollo/server';
import type { AuditgraphContext } from '../../src/schema/createContext';

export interface OperationResult {
  readonly data?: Record<string, any> | null;
  readonly errors?: readonly any[];
}

/**
 * Runs one operation in-process, with a fresh context, and returns it as a client would see it:
 * scalars serialized to JSON.
 */
export async function runOperation(
  apollo: ApolloServer<AuditgraphContext>,
  context: () => Promise<AuditgraphContext>,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<OperationResult> {
  const response = await apollo.executeOperation(
    { query, variables },
    { contextValue: await context() },
  );
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return JSON.parse(JSON.stringify(response.body.singleResult)) as OperationResult;
}
