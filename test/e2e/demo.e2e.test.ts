import { SOURCE_KIND_NAMES } from '../../src/providers/sourceKinds';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, postGraphql } from '../support/demoConfig';

const EVENT_FIELDS = `
  id nativeId occurredAt action category outcome description provider
  source { id kind provider }
  actor { id type name email ip token { id name } }
  resource { id type name product }
  request { ip method path statusCode userAgent rayId }
  changes { before after }
  metadata raw`;

const PAGE = `query Page($first: Int, $after: String, $filter: AuditEventFilter, $orderBy: AuditEventOrder) {
  auditEvents(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { cursor node { ${EVENT_FIELDS} } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    asOf
    sources { source { id } state message upstreamRequests }
  }
}`;

interface Traversal {
  readonly events: any[];
  readonly pages: any[];
}

async function traverse(app: Auditgraph, variables: Record<string, unknown>): Promise<Traversal> {
  const events: any[] = [];
  const pages: any[] = [];
  let after: string | null = null;
  for (;;) {
    const result = await postGraphql(app.url, PAGE, { ...variables, after });
    expect(result.errors).toBeUndefined();
    const page = result.data!.auditEvents;
    pages.push(page);
    events.push(...page.edges.map((edge: any) => edge.node));
    if (!page.pageInfo.hasNextPage) return { events, pages };
    after = page.pageInfo.endCursor;
  }
}

/** The total order of design.md §4, ascending. */
function compareKey(a: any, b: any): number {
  const ta = Date.parse(a.occurredAt);
  const tb = Date.parse(b.occurredAt);
  if (ta !== tb) return ta - tb;
  if (a.source.id !== b.source.id) return a.source.id < b.source.id ? -1 : 1;
  if (a.nativeId === b.nativeId) return 0;
  return a.nativeId < b.nativeId ? -1 : 1;
}

describe('the demo, end to end over HTTP against the six emulated sources', () => {
  let app: Auditgraph;
  const upstreamRequests = new Map<string, number>();
  const totalUpstream = () => [...upstreamRequests.values()].reduce((a, b) => a + b, 0);
  let newestFirst: Traversal;

  beforeAll(async () => {
    app = await startAuditgraph(DEMO_CONFIG, {
      log: () => undefined,
      onUpstreamRequest: (sourceId) =>
        upstreamRequests.set(sourceId, (upstreamRequests.get(sourceId) ?? 0) + 1),
    });
    newestFirst = await traverse(app, { first: 100 });
  });
  afterAll(() => app.close());

  it('delivers every event of the demo exactly once, newest first, in pages of 100', () => {
    const total = Object.values(app.demo!.counts).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(5_000);
    expect(newestFirst.events).toHaveLength(total);
    expect(new Set(newestFirst.events.map((e) => e.id)).size).toBe(total);
    for (let i = 1; i < newestFirst.events.length; i += 1) {
      expect(compareKey(newestFirst.events[i - 1], newestFirst.events[i])).toBeGreaterThan(0);
    }
    newestFirst.pages.slice(0, -1).forEach((page) => expect(page.edges).toHaveLength(100));
    expect(
      newestFirst.pages.every((page) => page.sources.every((s: any) => s.state === 'OK')),
    ).toBe(true);
  });

  it('holds events from all six source kinds, each with its demo count', () => {
    const bySource = new Map<string, number>();
    for (const event of newestFirst.events)
      bySource.set(event.source.id, (bySource.get(event.source.id) ?? 0) + 1);
    expect(new Set(newestFirst.events.map((e) => e.source.kind)).size).toBe(
      SOURCE_KIND_NAMES.length,
    );
    expect(Object.fromEntries(bySource)).toEqual(app.demo!.counts);
  });

  it('delivers the same events oldest first, in exactly the reverse order', async () => {
    const oldestFirst = await traverse(app, { first: 100, orderBy: 'OCCURRED_AT_ASC' });
    expect(oldestFirst.events.map((e) => e.id)).toEqual(
      [...newestFirst.events].reverse().map((e) => e.id),
    );
  });

  it('filters by a person and a time window to exactly the matching events of the full feed', async () => {
    const person = newestFirst.events.find((e) => e.actor?.email)!.actor.email as string;
    const since = newestFirst.events[Math.floor(newestFirst.events.length * 0.8)]
      .occurredAt as string;
    const before = newestFirst.events[Math.floor(newestFirst.events.length * 0.2)]
      .occurredAt as string;
    const filtered = await traverse(app, {
      first: 37,
      filter: { actorEmails: [person.toUpperCase()], since, before },
    });
    const expected = newestFirst.events.filter(
      (e) =>
        e.actor?.email?.toLowerCase() === person.toLowerCase() &&
        Date.parse(e.occurredAt) >= Date.parse(since) &&
        Date.parse(e.occurredAt) < Date.parse(before),
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(filtered.events.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    // Cloudflare and FusionAuth name actors by email; Fastly and Nirvana by id and name.
    expect(new Set(filtered.events.map((e) => e.provider))).toEqual(
      new Set(['CLOUDFLARE', 'FUSIONAUTH']),
    );
  });

  it('finds one event of each kind again by node(id), field for field', async () => {
    for (const kind of [
      'FASTLY',
      'CLOUDFLARE_V1',
      'CLOUDFLARE_V2',
      'FUSIONAUTH_EVENT_LOG',
      'FUSIONAUTH_AUDIT_LOG',
      'NIRVANA',
    ]) {
      const event = newestFirst.events.find((e) => e.source.kind === kind);
      const result = await postGraphql(
        app.url,
        `query($id: ID!) { node(id: $id) { ... on AuditEvent { ${EVENT_FIELDS} } } }`,
        { id: event.id },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.node).toEqual(event);
    }
  });

  it('refuses a tampered cursor with BAD_USER_INPUT and makes no upstream request', async () => {
    const cursor: string = newestFirst.pages[0].pageInfo.endCursor;
    const tampered = `${cursor.slice(0, 12)}${cursor[12] === 'A' ? 'B' : 'A'}${cursor.slice(13)}`;
    const before = totalUpstream();
    const result = await postGraphql(app.url, PAGE, { first: 100, after: tampered });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.data?.auditEvents ?? null).toBeNull();
    expect(totalUpstream()).toBe(before);
  });

  it('refuses first above the maximum with BAD_USER_INPUT and makes no upstream request', async () => {
    const before = totalUpstream();
    const result = await postGraphql(app.url, PAGE, { first: 101 });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(totalUpstream()).toBe(before);
  });

  it('lists the six configured sources', async () => {
    const result = await postGraphql(app.url, `{ auditSources { id kind provider } }`);
    expect(result.data!.auditSources.map((s: any) => s.kind).sort()).toEqual([
      'CLOUDFLARE_V1',
      'CLOUDFLARE_V2',
      'FASTLY',
      'FUSIONAUTH_AUDIT_LOG',
      'FUSIONAUTH_EVENT_LOG',
      'NIRVANA',
    ]);
  });

  it('answers in compact JSON that no cache may keep', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ auditEvents(first: 3) { edges { node { id action } } } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    expect(text).toBe(JSON.stringify(JSON.parse(text)));
    expect(text).toContain('"edges":[{');
  });

  it('serves GraphiQL to a browser from auditgraph itself', async () => {
    const response = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('<div id="root">');
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
    expect(html).not.toMatch(/<link[^>]+href="https?:/);
  });
});
