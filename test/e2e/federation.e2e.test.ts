import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { Experimental_DidResolveQueryPlanCallback } from '@apollo/gateway';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, postGraphql } from '../support/demoConfig';
import type { DirectoryUser, UsersSubgraph } from '../support/usersSubgraph';
import { composeWithUsers, DEMO_DIRECTORY, startUsersSubgraph } from '../support/usersSubgraph';

// @apollo/gateway (2.14) sends host metrics to Apollo, and probes cloud metadata endpoints, from
// its constructor unless this is set; nothing in this test may leave loopback.
process.env['APOLLO_TELEMETRY_DISABLED'] = 'true';
delete process.env['APOLLO_KEY'];
delete process.env['APOLLO_GRAPH_REF'];

const USERS_WITH_AUDIT_EVENTS = `query UsersWithAuditEvents {
  users {
    email
    name
    auditEvents(first: 5) {
      edges { node { id action occurredAt actor { email } } }
      sources { source { id } state }
    }
  }
}`;

const FLAGGED_EVENTS = `query FlaggedEvents {
  users { email flaggedEvents { id action source { id } actor { email } } }
}`;

const ONE_USER = `query OneUser($email: String!) {
  user(email: $email) {
    email
    name
    auditEvents(first: 5) {
      edges { node { id source { id } } }
      sources { source { id } state message }
    }
  }
}`;

interface GatewayContext {
  readonly authorization?: string;
}

type ResolvedPlan = Parameters<Experimental_DidResolveQueryPlanCallback>[0];

interface GatewayResult {
  readonly status: number;
  readonly data?: Record<string, any> | null;
  readonly errors?: readonly any[];
  readonly extensions?: Record<string, any>;
}

const FLAGGING_USER = 'keiko.kowalski@example.com';

describe('auditgraph behind a federation gateway, with a users subgraph, over HTTP', () => {
  let auditgraph: Auditgraph;
  let users: UsersSubgraph;
  let gatewayServer: ApolloServer<GatewayContext>;
  let gatewayUrl: string;
  let flaggedIds: string[];
  const plans = new Map<string, ResolvedPlan['queryPlan']>();

  async function postToGateway(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<GatewayResult> {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as object) };
  }

  beforeAll(async () => {
    auditgraph = await startAuditgraph(DEMO_CONFIG, { log: () => undefined });
    // The users subgraph knows audit events by id only: two of Keiko's, as auditgraph names them.
    const keikos = await postGraphql(
      auditgraph.url,
      `query($email: String!) { auditEvents(first: 2, filter: { actorEmails: [$email] }) { edges { node { id } } } }`,
      { email: FLAGGING_USER },
    );
    flaggedIds = keikos.data!.auditEvents.edges.map((edge: any) => edge.node.id);
    expect(flaggedIds).toHaveLength(2);
    const directory: DirectoryUser[] = DEMO_DIRECTORY.map((user) =>
      user.email === FLAGGING_USER ? { ...user, flaggedEventIds: flaggedIds } : user,
    );
    users = await startUsersSubgraph(directory);

    const composed = composeWithUsers({
      auditgraph: `${auditgraph.url}/graphql`,
      users: users.url,
    });
    if (composed.errors !== undefined) {
      throw new Error(composed.errors.map((error) => error.message).join('\n'));
    }

    const gateway = new ApolloGateway({
      supergraphSdl: composed.supergraphSdl,
      // The client's credential goes on to every subgraph: auditgraph decides what it may read.
      buildService: ({ name, url }) => {
        if (url === undefined) throw new Error(`the supergraph gives subgraph ${name} no url`);
        return new RemoteGraphQLDataSource<GatewayContext>({
          url,
          willSendRequest({ request, context }) {
            if (context.authorization !== undefined) {
              request.http?.headers.set('authorization', context.authorization);
            }
          },
        });
      },
      experimental_didResolveQueryPlan: ({ queryPlan, requestContext }) => {
        if (requestContext.operationName) plans.set(requestContext.operationName, queryPlan);
      },
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
    gatewayServer = new ApolloServer<GatewayContext>({
      gateway,
      // The gateway copies a failed subgraph's HTTP response, URL included, into
      // extensions.response; the client needs the code, not the internal address.
      formatError: (formatted) => {
        if (formatted.extensions?.['response'] === undefined) return formatted;
        const extensions = { ...formatted.extensions };
        delete extensions['response'];
        return { ...formatted, extensions };
      },
      plugins: [
        ApolloServerPluginLandingPageDisabled(),
        ApolloServerPluginUsageReportingDisabled(),
      ],
    });
    ({ url: gatewayUrl } = await startStandaloneServer(gatewayServer, {
      listen: { host: '127.0.0.1', port: 0 },
      context: ({ req }) =>
        Promise.resolve(
          req.headers.authorization === undefined
            ? {}
            : { authorization: req.headers.authorization },
        ),
    }));
  });

  afterAll(async () => {
    await gatewayServer?.stop();
    await users?.close();
    await auditgraph?.close();
  });

  it("gives each user of the users subgraph their own audit events, newest first, from auditgraph's _entities", async () => {
    const result = await postToGateway(
      USERS_WITH_AUDIT_EVENTS,
      {},
      { 'apollo-query-plan-experimental': '1' },
    );
    expect(result.errors).toBeUndefined();
    const answered = result.data!.users;
    expect(answered.map((user: any) => user.email)).toEqual(
      DEMO_DIRECTORY.map((user) => user.email),
    );
    for (const user of answered) {
      const nodes = user.auditEvents.edges.map((edge: any) => edge.node);
      expect(nodes).toHaveLength(5);
      for (const node of nodes) expect(node.actor.email).toBe(user.email);
      const times = nodes.map((node: any) => Date.parse(node.occurredAt));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect(new Set(user.auditEvents.sources.map((status: any) => status.state))).toEqual(
        new Set(['OK']),
      );
    }

    const prettyPlan: unknown = result.extensions?.['__queryPlanExperimental'];
    if (process.env['FAULT_REPORT'] === '1') {
      console.log(`Query plan of UsersWithAuditEvents:\n${String(prettyPlan)}`);
    }
    expect(prettyPlan).toEqual(expect.stringContaining('Fetch(service: "users")'));
    expect(prettyPlan).toEqual(expect.stringContaining('Fetch(service: "auditgraph")'));
  });

  it('plans that query as a fetch from users, then one batched _entities fetch from auditgraph with User representations', () => {
    const plan = plans.get('UsersWithAuditEvents');
    expect(plan?.node).toMatchObject({
      kind: 'Sequence',
      nodes: [
        { kind: 'Fetch', serviceName: 'users' },
        {
          kind: 'Flatten',
          path: ['users', '@'],
          node: {
            kind: 'Fetch',
            serviceName: 'auditgraph',
            requires: [
              {
                kind: 'InlineFragment',
                typeCondition: 'User',
                selections: [
                  { kind: 'Field', name: '__typename' },
                  { kind: 'Field', name: 'email' },
                ],
              },
            ],
            operation: expect.stringContaining('_entities(representations:$representations)'),
          },
        },
      ],
    });
  });

  it('fetches an AuditEvent the users subgraph references by id through _entities', async () => {
    const result = await postToGateway(FLAGGED_EVENTS);
    expect(result.errors).toBeUndefined();
    const keiko = result.data!.users.find((user: any) => user.email === FLAGGING_USER);
    expect(keiko.flaggedEvents.map((event: any) => event.id)).toEqual(flaggedIds);
    for (const event of keiko.flaggedEvents) {
      expect(event.actor.email).toBe(FLAGGING_USER);
      expect(typeof event.action).toBe('string');
      expect(typeof event.source.id).toBe('string');
    }
    expect(plans.get('FlaggedEvents')?.node).toMatchObject({
      kind: 'Sequence',
      nodes: [
        { kind: 'Fetch', serviceName: 'users' },
        {
          kind: 'Flatten',
          path: ['users', '@', 'flaggedEvents', '@'],
          node: {
            kind: 'Fetch',
            serviceName: 'auditgraph',
            requires: [expect.objectContaining({ typeCondition: 'AuditEvent' })],
            operation: expect.stringContaining('_entities(representations:$representations)'),
          },
        },
      ],
    });
  });

  it("passes the client's Authorization header on to auditgraph, whose refusal reaches the client without the subgraph's address", async () => {
    const result = await postToGateway(
      ONE_USER,
      { email: FLAGGING_USER },
      { authorization: 'Bearer not-a-key-auditgraph-knows' },
    );
    // User.auditEvents is non-null, so the refusal nulls the user, not the whole answer.
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ user: null });
    expect(result.errors).toEqual([
      {
        message: '401: Unauthorized',
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
    expect(JSON.stringify(result)).not.toContain('not-a-key-auditgraph-knows');
    expect(JSON.stringify(result)).not.toContain(auditgraph.url);
  });

  it('names a failing source in sources and in errors at the client, through the gateway, while the others answer', async () => {
    const nirvana = auditgraph.demo!.emulators.find((emulator) =>
      emulator.name.toLowerCase().includes('nirvana'),
    )!;
    nirvana.knobs.faults.push({
      fault: { type: 'status', status: 503, body: {} },
      pathPrefix: '/v1/audit_logs',
      times: 10,
    });
    let result: GatewayResult;
    try {
      result = await postToGateway(ONE_USER, { email: FLAGGING_USER });
    } finally {
      nirvana.knobs.faults.length = 0;
    }

    expect(result.status).toBe(200);
    const connection = result.data!.user.auditEvents;
    const states = Object.fromEntries(
      connection.sources.map((status: any) => [status.source.id, status.state]),
    );
    expect(states).toEqual({
      fastly: 'OK',
      'cloudflare-v1': 'OK',
      'cloudflare-v2': 'OK',
      'fusionauth-event-log': 'OK',
      'fusionauth-audit-log': 'OK',
      nirvana: 'FAILED',
    });
    expect(connection.edges.length).toBeGreaterThan(0);
    expect(connection.edges.some((edge: any) => edge.node.source.id === 'nirvana')).toBe(false);
    if (process.env['FAULT_REPORT'] === '1') {
      console.log(
        `Partial failure through the gateway:\n${JSON.stringify(result.errors, null, 2)}`,
      );
    }
    // The gateway rewrites the subgraph's `_entities` path to the client's and adds the
    // subgraph's name; auditgraph's code and sourceId arrive as they left.
    expect(result.errors).toEqual([
      {
        message: expect.any(String),
        path: ['user', 'auditEvents'],
        extensions: { code: 'SOURCE_UNAVAILABLE', sourceId: 'nirvana', serviceName: 'auditgraph' },
      },
    ]);
  });
});
