import { generateApiKey } from '../../src/auth/generateApiKey';
import { hashApiKey } from '../../src/auth/hashApiKey';
import { loadConfig } from '../../src/config/loadConfig';
import { describeConfig } from '../../src/describeConfig';
import { createSourceKinds, SOURCE_KINDS } from '../../src/providers/sourceKinds';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { ACME_KIND } from '../support/acme/acmeKind';
import type { AcmeLog, AcmeUpstream } from '../support/acme/startAcmeUpstream';
import { startAcmeUpstream } from '../support/acme/startAcmeUpstream';

/**
 * Adding a kind is one folder and one line in a list of kinds: here the folder is
 * test/support/acme/ and the line is the list below. Nothing under src/ knows the kind, yet the
 * config file and the environment configure it, the banner describes it, and the whole service
 * reads it through GraphQL, with its pushdown, merged with nothing else to know.
 */
const KINDS = createSourceKinds([...SOURCE_KINDS, ACME_KIND]);

const UPSTREAM_KEY = 'acme-upstream-key';
const CLIENT_KEY = generateApiKey();
const NOW = Date.now();
const LOGS: AcmeLog[] = Array.from({ length: 30 }, (_, i) => ({
  id: `log-${String(i).padStart(2, '0')}`,
  // Bursts of three in one millisecond, so the merge orders ties by id.
  at: NOW - 60_000 + Math.floor(i / 3) * 1_000,
  action: i % 2 === 0 ? 'door.open' : 'door.close',
  who: `u${i % 4}`,
}));

const PAGE = `query Page($after: String, $filter: AuditEventFilter) {
  auditEvents(first: 7, after: $after, filter: $filter) {
    edges { node { nativeId provider source { id } action actor { id } } }
    pageInfo { hasNextPage endCursor }
    sources { source { id } state upstreamRequests }
  }
}`;

describe('a kind defined outside src/, registered in one line', () => {
  let upstream: AcmeUpstream;
  let app: Auditgraph;

  beforeAll(async () => {
    upstream = await startAcmeUpstream(LOGS, UPSTREAM_KEY);
  });
  afterAll(async () => {
    await app?.close();
    await upstream.close();
  });

  const file = () =>
    JSON.stringify({
      sources: [{ id: 'front-door', kind: 'acme', baseUrl: upstream.url, apiKey: UPSTREAM_KEY }],
      cursorSecret: 'a-cursor-secret-of-32-characters!!',
      auth: {
        apiKeys: [
          { id: 'ops', sha256: hashApiKey(CLIENT_KEY), sources: ['*'], permissions: ['pii'] },
        ],
      },
    });

  it('is read from a config file against its own keys, and refused with its name when wrong', () => {
    const config = loadConfig({
      argv: ['--config', 'c.json'],
      env: {},
      readFile: () => file(),
      kinds: KINDS,
    });
    expect(config.sources).toEqual([
      { id: 'front-door', kind: 'acme', baseUrl: upstream.url, apiKey: UPSTREAM_KEY },
    ]);
    expect(describeConfig(config, KINDS)).toContain(
      `source front-door: acme at ${upstream.url} (credentials: apiKey, rate limit: burst 100, then 100/s, the kind's default)`,
    );
    const wrong = JSON.stringify({ sources: [{ id: 'x', kind: 'acme', baseUrl: upstream.url }] });
    expect(() =>
      loadConfig({ argv: ['--config', 'c.json'], env: {}, readFile: () => wrong, kinds: KINDS }),
    ).toThrow('sources[0].apiKey is required for kind acme');
    // Without the line that registers it, the kind does not exist.
    expect(() =>
      loadConfig({ argv: ['--config', 'c.json'], env: {}, readFile: () => file() }),
    ).toThrow(/sources\[0\]\.kind must be one of fastly, .*, nirvana$/);
  });

  it('is added by its environment shortcut', () => {
    const config = loadConfig({
      argv: [],
      env: {
        ACME_API_KEY: UPSTREAM_KEY,
        ACME_BASE_URL: upstream.url,
        AUDITGRAPH_CURSOR_SECRET: 'a-cursor-secret-of-32-characters!!',
        AUDITGRAPH_JWT_JWKS_URL: 'http://127.0.0.1:1/jwks.json',
        AUDITGRAPH_JWT_ISSUER: 'https://issuer.example',
        AUDITGRAPH_JWT_AUDIENCE: 'auditgraph',
      },
      kinds: KINDS,
    });
    expect(config.sources).toEqual([
      { id: 'acme', kind: 'acme', baseUrl: upstream.url, apiKey: UPSTREAM_KEY },
    ]);
  });

  it('serves a whole traversal through GraphQL, in order, exactly once, with its pushdown', async () => {
    const config = loadConfig({
      argv: ['--config', 'c.json'],
      env: {},
      readFile: () => file(),
      kinds: KINDS,
    });
    app = await startAuditgraph({ ...config, port: 0 }, { log: () => undefined, kinds: KINDS });
    const post = async (variables: Record<string, unknown>) => {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
        body: JSON.stringify({ query: PAGE, variables }),
      });
      return (await response.json()) as { data: any; errors?: unknown[] };
    };
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const answer = await post({ after });
      expect(answer.errors).toBeUndefined();
      expect(answer.data.auditEvents.sources).toEqual([
        { source: { id: 'front-door' }, state: 'OK', upstreamRequests: expect.any(Number) },
      ]);
      for (const edge of answer.data.auditEvents.edges) {
        expect(edge.node).toMatchObject({ provider: 'NIRVANA', source: { id: 'front-door' } });
        seen.push(edge.node.nativeId);
      }
      if (!answer.data.auditEvents.pageInfo.hasNextPage) break;
      after = answer.data.auditEvents.pageInfo.endCursor;
    }
    const newestFirst = [...LOGS]
      .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
      .map((log) => log.id);
    expect(seen).toEqual(newestFirst);

    upstream.requests.length = 0;
    const opened = await post({ filter: { actions: ['door.open'] } });
    expect(opened.data.auditEvents.edges.every((e: any) => e.node.action === 'door.open')).toBe(
      true,
    );
    expect(upstream.requests.map((query) => query.get('action'))).toEqual(['door.open']);
  });
});
