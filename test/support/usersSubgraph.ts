import { composeServices, type CompositionResult } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { readSchemaSdl } from '../../src/schema/createApolloServer';

/**
 * A company directory, the kind of subgraph that owns `User` in a supergraph auditgraph joins.
 * auditgraph adds `User.auditEvents` to it, keyed by email; this subgraph points at audit events
 * by id only (`flaggedEvents`), so the router has to fetch them from auditgraph's `_entities`.
 */
export const USERS_SUBGRAPH_SDL = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

type Query {
  "Everyone in the directory."
  users: [User!]!
  "One person, by email; null when not in the directory."
  user(email: String!): User
}

type User @key(fields: "email") {
  email: String!
  name: String!
  team: String
  """
  Audit events this person flagged for review, by id. An entry is null where auditgraph no longer
  has the event, or the client may not read its source.
  """
  flaggedEvents: [AuditEvent]!
}

# Owned by auditgraph: this subgraph holds ids only (no description, so auditgraph's is the one).
type AuditEvent @key(fields: "id", resolvable: false) {
  id: ID!
}
`;

export interface DirectoryUser {
  readonly email: string;
  readonly name: string;
  readonly team: string | null;
  /** AuditEvent ids, as auditgraph gives them. */
  readonly flaggedEventIds: readonly string[];
}

/** People of the demo company (seed 1): the same emails act in every emulated provider. */
export const DEMO_DIRECTORY: readonly DirectoryUser[] = [
  {
    email: 'keiko.kowalski@example.com',
    name: 'Keiko Kowalski',
    team: 'Platform',
    flaggedEventIds: [],
  },
  { email: 'alice.silva@example.com', name: 'Alice Silva', team: 'Security', flaggedEventIds: [] },
  { email: 'goran.tanaka@example.com', name: 'Goran Tanaka', team: null, flaggedEventIds: [] },
];

export interface UsersSubgraph {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:PORT/ */
  readonly url: string;
  close(): Promise<void>;
}

export function createUsersSubgraphSchema(directory: readonly DirectoryUser[] = DEMO_DIRECTORY) {
  const byEmail = new Map(directory.map((user) => [user.email, user]));
  return buildSubgraphSchema({
    typeDefs: parse(USERS_SUBGRAPH_SDL),
    resolvers: {
      Query: {
        users: () => directory,
        user: (_parent: unknown, args: { email: string }) => byEmail.get(args.email) ?? null,
      },
      User: {
        __resolveReference: (reference: { email?: unknown }) =>
          byEmail.get(String(reference.email)) ?? null,
        flaggedEvents: (user: DirectoryUser) => user.flaggedEventIds.map((id) => ({ id })),
      },
    },
  });
}

/** Serves the directory over HTTP on 127.0.0.1, on a free port. */
export async function startUsersSubgraph(
  directory: readonly DirectoryUser[] = DEMO_DIRECTORY,
): Promise<UsersSubgraph> {
  const server = new ApolloServer({
    schema: createUsersSubgraphSchema(directory),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
    ],
  });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  return { url, close: () => server.stop() };
}

export interface SubgraphUrls {
  readonly auditgraph: string;
  readonly users: string;
}

/** Placeholders for a supergraph printed for reading, not served. */
export const EXAMPLE_SUBGRAPH_URLS: SubgraphUrls = {
  auditgraph: 'http://auditgraph:4000/graphql',
  users: 'http://users:4001/graphql',
};

/** auditgraph and this directory composed into one supergraph, as rover or GraphOS would. */
export function composeWithUsers(urls: SubgraphUrls = EXAMPLE_SUBGRAPH_URLS): CompositionResult {
  return composeServices([
    { name: 'auditgraph', typeDefs: parse(readSchemaSdl()), url: urls.auditgraph },
    { name: 'users', typeDefs: parse(USERS_SUBGRAPH_SDL), url: urls.users },
  ]);
}
