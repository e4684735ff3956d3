import type { DemoSource } from '../../src/emulators/startDemoEmulators';
import type { AuditgraphConfig } from '../../src/config/types';

/** The demo's source ids, one per built-in kind, in its configuration order. */
export const DEMO_SOURCE_IDS = [
  'fastly',
  'cloudflare-v1',
  'cloudflare-v2',
  'fusionauth-event-log',
  'fusionauth-audit-log',
  'nirvana',
] as const;

/** The demo as `npm start` runs it, on a free loopback port. */
export const DEMO_CONFIG: AuditgraphConfig = {
  mode: 'demo',
  host: '127.0.0.1',
  port: 0,
  drainSeconds: 0,
  sources: [],
  pagination: { defaultFirst: 20, maxFirst: 100 },
  cursorSecret: null,
  demo: { seed: 1 },
  feed: { holdBackSeconds: 0, scanBudgetPages: 20, requestDeadlineMs: 10_000 },
};

export interface GraphqlResult {
  readonly status: number;
  readonly data?: Record<string, any> | null;
  readonly errors?: readonly any[];
}

/** A GraphQL request to `${url}/graphql`, as `bearer` when given. */
export async function postGraphql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  bearer?: string,
): Promise<GraphqlResult> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphqlResult, 'status'>;
  return { status: response.status, ...body };
}

/** A demo source with every kind's keys readable, for tests that reach past the gateway. */
export type AnyKindSource = DemoSource & {
  readonly token?: string;
  readonly apiKey?: string;
  readonly accountId?: string;
};

/** The demo's sources, with every kind's keys readable. */
export function sourcesOf(demo: {
  readonly sources: readonly DemoSource[];
}): readonly AnyKindSource[] {
  return demo.sources;
}
