import { generateApiKey } from '../../src/auth/generateApiKey';
import { hashApiKey } from '../../src/auth/hashApiKey';
import type { AuditgraphConfig } from '../../src/config/types';
import type { Demo } from '../../src/emulators/startDemoEmulators';
import { startDemoEmulators } from '../../src/emulators/startDemoEmulators';
import { redactPersonalText } from '../../src/feed/redactPersonalText';
import type { AuditEvent } from '../../src/model/AuditEvent';
import { createEventRedaction } from '../../src/schema/redaction/createEventRedaction';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG } from '../support/demoConfig';

const ADMIN_KEY = generateApiKey();
const DASHBOARD_KEY = generateApiKey();
const NARROW_KEY = generateApiKey();
const SECRET = 'a-counts-e2e-cursor-secret-of-32-chars';
const DAY_MS = 86_400_000;
const KEYS = ['SOURCE', 'ACTION', 'CATEGORY', 'OUTCOME', 'ACTOR', 'DAY', 'HOUR'] as const;
type Key = (typeof KEYS)[number];

const PAGE = `query Page($first: Int, $after: String, $filter: AuditEventFilter) {
  auditEvents(first: $first, after: $after, filter: $filter) {
    edges { node { nativeId occurredAt action category outcome source { id } actor { id email name } } }
    pageInfo { hasNextPage endCursor }
    totalCount
    sources { source { id } state upstreamRequests }
  }
}`;

const COUNTS = `query Counts($filter: AuditEventFilter, $by: AuditEventCountKey!, $first: Int) {
  auditEventCounts(filter: $filter, by: $by, first: $first) {
    buckets { key count }
    exact
    scannedUntil
    sources { source { id } state message upstreamRequests }
  }
}`;

interface Answer {
  readonly data?: any;
  readonly errors?: any[];
}

interface Seen {
  readonly sourceId: string;
  readonly ts: number;
  readonly action: string;
  readonly category: string;
  readonly outcome: string;
  readonly actor: { id: string | null; email: string | null; name: string | null } | null;
}

/**
 * Counts over the live API (API keys, pii and not, a client limited to two sources) against the
 * six demo emulators, each compared with a brute-force count over a full auditEvents traversal.
 */
describe('auditEventCounts and totalCount, end to end against the six emulated sources', () => {
  let demo: Demo;
  let app: Auditgraph;
  let tight: Auditgraph;
  let upstream = 0;
  const lines: string[] = [];
  const perSource = new Map<string, number>();
  let nowMs: number;
  let filter: { since: string };
  let all: Seen[];
  const view = createEventRedaction(SECRET);

  async function post(
    target: Auditgraph,
    key: string,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<Answer> {
    const response = await fetch(`${target.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Answer;
  }

  async function measure<T>(run: () => Promise<T>): Promise<[T, number]> {
    const before = upstream;
    const result = await run();
    return [result, upstream - before];
  }

  async function traverse(key: string, pageFilter: Record<string, unknown>) {
    const events: Seen[] = [];
    const totals: (number | null)[] = [];
    let after: string | null = null;
    for (;;) {
      const answer = await post(app, key, PAGE, { first: 100, after, filter: pageFilter });
      expect(answer.errors).toBeUndefined();
      const page = answer.data.auditEvents;
      totals.push(page.totalCount);
      for (const { node } of page.edges) {
        events.push({
          sourceId: node.source.id,
          ts: Date.parse(node.occurredAt),
          action: node.action,
          category: node.category,
          outcome: node.outcome,
          actor: node.actor,
        });
      }
      if (!page.pageInfo.hasNextPage) return { events, totals };
      after = page.pageInfo.endCursor;
    }
  }

  /** The key of an event as the ACTOR rule states it, for a client with or without pii. */
  function actorKey(event: Seen, pii: boolean): string {
    if (event.actor === null) return '';
    if (pii) return event.actor.email?.toLowerCase() ?? event.actor.id ?? event.actor.name ?? '';
    return view.actorKey({ sourceId: event.sourceId, actor: event.actor } as unknown as AuditEvent);
  }

  function keyOf(by: Key, event: Seen, pii: boolean): string {
    const iso = new Date(event.ts).toISOString();
    switch (by) {
      case 'SOURCE':
        return event.sourceId;
      case 'ACTION':
        return pii ? event.action : redactPersonalText(event.action);
      case 'CATEGORY':
        return event.category;
      case 'OUTCOME':
        return event.outcome;
      case 'ACTOR':
        return actorKey(event, pii);
      case 'DAY':
        return iso.slice(0, 10);
      case 'HOUR':
        return `${iso.slice(0, 13)}:00:00.000Z`;
    }
  }

  /** The buckets a brute-force count gives, in the order the API promises. */
  function bruteForce(by: Key, events: readonly Seen[], pii = true) {
    const counts = new Map<string, number>();
    for (const event of events) {
      const key = keyOf(by, event, pii);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const buckets = [...counts].map(([key, count]) => ({ key, count }));
    const byKey = (a: { key: string }, b: { key: string }) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    return by === 'DAY' || by === 'HOUR'
      ? buckets.sort((a, b) => byKey(b, a))
      : buckets.sort((a, b) => b.count - a.count || byKey(a, b));
  }

  beforeAll(async () => {
    nowMs = Date.now();
    demo = await startDemoEmulators({ seed: 7, nowMs });
    const config: AuditgraphConfig = {
      ...DEMO_CONFIG,
      mode: 'live',
      sources: demo.sources,
      cursorSecret: SECRET,
      auth: {
        apiKeys: [
          { id: 'admin', sha256: hashApiKey(ADMIN_KEY), sources: ['*'], permissions: ['pii'] },
          { id: 'dashboard', sha256: hashApiKey(DASHBOARD_KEY), sources: ['*'], permissions: [] },
          {
            id: 'narrow',
            sha256: hashApiKey(NARROW_KEY),
            sources: ['fastly', 'nirvana'],
            permissions: ['pii'],
          },
        ],
        jwt: null,
        allowUnauthenticated: false,
      },
      // No page cache: every count below is of upstream requests actually sent.
      cache: { maxBytes: 0, freshnessSeconds: 300 },
    };
    const countUpstream = (sourceId: string) => {
      upstream += 1;
      perSource.set(sourceId, (perSource.get(sourceId) ?? 0) + 1);
    };
    app = await startAuditgraph(config, {
      log: (line) => lines.push(line),
      onUpstreamRequest: countUpstream,
    });
    tight = await startAuditgraph(
      { ...config, counts: { scanBudgetPages: 1 } },
      { log: () => undefined, onUpstreamRequest: countUpstream },
    );
    // The demo's month, from a whole second: a 30-day window.
    filter = { since: new Date(Math.floor((nowMs - 30 * DAY_MS) / 1000) * 1000).toISOString() };
    all = (await traverse(ADMIN_KEY, filter)).events;
  });
  afterAll(async () => {
    await app.close();
    await tight.close();
    await demo.close();
  });

  it('counts every key exactly as a brute-force count of the traversal, over a 30-day window', async () => {
    expect(all.length).toBeGreaterThan(5_000);
    const requests: Record<string, number> = {};
    const bySource: Record<string, Record<string, number>> = {};
    for (const by of KEYS) {
      const before = new Map(perSource);
      const [answer, sent] = await measure(() =>
        post(app, ADMIN_KEY, COUNTS, { filter, by, first: 1000 }),
      );
      bySource[by] = Object.fromEntries(
        [...perSource].map(([id, n]) => [id, n - (before.get(id) ?? 0)]),
      );
      expect(answer.errors).toBeUndefined();
      const counts = answer.data.auditEventCounts;
      expect(counts.exact).toBe(true);
      expect(counts.scannedUntil).toBeNull();
      expect(counts.buckets).toEqual(bruteForce(by, all));
      expect(counts.sources.every((s: any) => s.state === 'OK')).toBe(true);
      // What the sources report is what was sent.
      expect(counts.sources.reduce((sum: number, s: any) => sum + s.upstreamRequests, 0)).toBe(
        sent,
      );
      requests[by] = sent;
    }
    // The numbers of the closing note.
    console.log(
      `upstream requests of a 30-day counts query over ${all.length} events, per key: ${JSON.stringify(requests)}; per key and source: ${JSON.stringify(bySource)}`,
    );
    // SOURCE reads totals where it can: one small request for Fastly and Nirvana, two for each
    // FusionAuth log (its widened lower bound is seen oldest first); Cloudflare is read.
    expect(requests['SOURCE']).toBeLessThan(requests['ACTION']!);
    expect(bySource['SOURCE']).toMatchObject({
      fastly: 1,
      'fusionauth-event-log': 2,
      'fusionauth-audit-log': 2,
      nirvana: 1,
    });
  });

  it('returns the first buckets only, in the same order, and writes the audit line of the read', async () => {
    lines.length = 0;
    const query = COUNTS.replace('query Counts', 'query TopActions');
    const answer = await post(app, DASHBOARD_KEY, query, { filter, by: 'ACTION', first: 3 });
    expect(answer.data.auditEventCounts.buckets).toEqual(
      bruteForce('ACTION', all, false).slice(0, 3),
    );
    const audits = lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'audit');
    expect(audits).toEqual([
      expect.objectContaining({
        principal: 'dashboard',
        via: 'api-key',
        operationName: 'TopActions',
        operationType: 'query',
        filter,
        sources: demo.sources.map((source) => source.id),
        resultCount: 3,
        errorCodes: [],
      }),
    ]);
  });

  it('gives exact:false and scannedUntil when the scan budget runs out, counting [scannedUntil, before)', async () => {
    for (const by of ['ACTION', 'SOURCE', 'DAY'] as const) {
      const answer = await post(tight, ADMIN_KEY, COUNTS, { filter, by, first: 1000 });
      expect(answer.errors).toBeUndefined();
      const counts = answer.data.auditEventCounts;
      expect(counts.exact).toBe(false);
      expect(counts.scannedUntil).not.toBeNull();
      const until = Date.parse(counts.scannedUntil);
      expect(until).toBeGreaterThan(Date.parse(filter.since));
      const covered = all.filter((event) => event.ts >= until);
      expect(covered.length).toBeGreaterThan(0);
      expect(covered.length).toBeLessThan(all.length);
      expect(counts.buckets).toEqual(bruteForce(by, covered));
    }
  });

  it('counts only the sources a client may read', async () => {
    const answer = await post(app, NARROW_KEY, COUNTS, { filter, by: 'SOURCE' });
    const counts = answer.data.auditEventCounts;
    expect(counts.sources.map((s: any) => s.source.id)).toEqual(['fastly', 'nirvana']);
    const mine = all.filter((event) => event.sourceId === 'fastly' || event.sourceId === 'nirvana');
    expect(counts.buckets).toEqual(bruteForce('SOURCE', mine));
    const actors = await post(app, NARROW_KEY, COUNTS, { filter, by: 'ACTOR', first: 1000 });
    expect(actors.data.auditEventCounts.buckets).toEqual(bruteForce('ACTOR', mine));
    const [refused, sent] = await measure(() =>
      post(app, NARROW_KEY, COUNTS, { filter: { sources: ['cloudflare-v1'] }, by: 'SOURCE' }),
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(sent).toBe(0);
  });

  it('redacts the ACTOR and ACTION keys for a client without pii, as auditEvents shows them', async () => {
    const answer = await post(app, DASHBOARD_KEY, COUNTS, { filter, by: 'ACTOR', first: 1000 });
    expect(answer.errors).toBeUndefined();
    const buckets: { key: string; count: number }[] = answer.data.auditEventCounts.buckets;
    expect(buckets).toEqual(bruteForce('ACTOR', all, false));
    expect(buckets.some((bucket) => bucket.key.startsWith('[redacted:'))).toBe(true);
    expect(buckets.filter((bucket) => bucket.key.includes('@'))).toEqual([]);
    const emails = new Set(all.flatMap((event) => event.actor?.email ?? []));
    expect(emails.size).toBeGreaterThan(0);
    expect(JSON.stringify(answer)).not.toMatch(/@example\.com/);
    // Actors known by id (Nirvana's) have the key auditEvents shows this client as Actor.id.
    const nirvana = { ...filter, sources: ['nirvana'] };
    const seen = await traverse(DASHBOARD_KEY, nirvana);
    const ids = new Set(seen.events.map((event) => event.actor?.id ?? ''));
    const byId = await post(app, DASHBOARD_KEY, COUNTS, {
      filter: nirvana,
      by: 'ACTOR',
      first: 1000,
    });
    const keys = byId.data.auditEventCounts.buckets.map((bucket: { key: string }) => bucket.key);
    expect(new Set(keys)).toEqual(ids);
    const actions = await post(app, DASHBOARD_KEY, COUNTS, { filter, by: 'ACTION', first: 1000 });
    expect(actions.data.auditEventCounts.buckets).toEqual(bruteForce('ACTION', all, false));
  });

  it('names a failed source in sources and errors, and still counts the others', async () => {
    const nirvana = demo.sources.find((source) => source.id === 'nirvana')!;
    const emulator = demo.emulators.find((each) => nirvana.baseUrl.startsWith(each.url))!;
    emulator.knobs.faults.push({ fault: { type: 'status', status: 401 }, times: 1 });
    try {
      const answer = await post(app, ADMIN_KEY, COUNTS, { filter, by: 'CATEGORY' });
      const counts = answer.data.auditEventCounts;
      expect(counts.exact).toBe(false);
      expect(counts.scannedUntil).toBeNull();
      expect(counts.sources.find((s: any) => s.source.id === 'nirvana').state).toBe('UNAUTHORIZED');
      expect(answer.errors).toEqual([
        expect.objectContaining({
          path: ['auditEventCounts'],
          extensions: expect.objectContaining({ sourceId: 'nirvana' }),
        }),
      ]);
      const others = all.filter((event) => event.sourceId !== 'nirvana');
      expect(counts.buckets).toEqual(bruteForce('CATEGORY', others));
    } finally {
      emulator.knobs.faults.length = 0;
    }
  });

  it.each([0, -1, 1001])(
    'refuses first: %d with BAD_USER_INPUT and no upstream request',
    async (first) => {
      const [answer, sent] = await measure(() =>
        post(app, ADMIN_KEY, COUNTS, { filter, by: 'SOURCE', first }),
      );
      expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(answer.data).toBeNull();
      expect(sent).toBe(0);
    },
  );

  it('gives a totalCount equal to the traversal where every source reports totals, at no cost on page one', async () => {
    const totalFilter = { providers: ['FASTLY', 'FUSIONAUTH', 'NIRVANA'] };
    const { events, totals } = await traverse(ADMIN_KEY, totalFilter);
    expect(events.length).toBeGreaterThan(1_000);
    expect(totals.every((total) => total === events.length)).toBe(true);
    // The first page's own upstream answers carry the totals: no request more.
    const without = PAGE.replace('totalCount', '');
    const [, plain] = await measure(() =>
      post(app, ADMIN_KEY, without, { first: 20, filter: totalFilter }),
    );
    const [withTotal, counted] = await measure(() =>
      post(app, ADMIN_KEY, PAGE, { first: 20, filter: totalFilter }),
    );
    expect(withTotal.data.auditEvents.totalCount).toBe(events.length);
    expect(counted).toBe(plain);
    // A pushed filter (Nirvana takes one action exactly) keeps it exact.
    const action = all.find((event) => event.sourceId === 'nirvana')!.action;
    const pushed = { sources: ['nirvana'], actions: [action] };
    const one = await traverse(ADMIN_KEY, pushed);
    expect(one.totals.every((total) => total === one.events.length)).toBe(true);
  });

  it("takes the events in a total's widened bounds off it, at bounds between whole seconds and on an event", async () => {
    const totalKinds = ['fastly', 'fusionauth-event-log', 'fusionauth-audit-log', 'nirvana'];
    const mine = all.filter((event) => totalKinds.includes(event.sourceId));
    // Bounds that cut a second in two, and bounds on an event's own millisecond, either side.
    const older = mine[Math.floor(mine.length * 0.7)]!.ts;
    const newer = mine[Math.floor(mine.length * 0.3)]!.ts;
    for (const [since, before] of [
      [older + 500, newer + 500],
      [older + 1, newer],
      [older, newer + 1],
    ] as const) {
      const window = {
        sources: totalKinds,
        since: new Date(since).toISOString(),
        before: new Date(before).toISOString(),
      };
      const inside = mine.filter((event) => event.ts >= since && event.ts < before);
      const answer = await post(app, ADMIN_KEY, COUNTS, { filter: window, by: 'SOURCE' });
      expect(answer.errors).toBeUndefined();
      expect(answer.data.auditEventCounts.exact).toBe(true);
      expect(answer.data.auditEventCounts.buckets).toEqual(bruteForce('SOURCE', inside));
      // Counted from totals (at most a request newest first and one oldest first), not read.
      for (const source of answer.data.auditEventCounts.sources) {
        expect(source.upstreamRequests).toBeLessThanOrEqual(2);
      }
      const page = await post(app, ADMIN_KEY, PAGE, { first: 10, filter: window });
      expect(page.data.auditEvents.totalCount).toBe(inside.length);
    }
  });

  it('gives a null totalCount when a source cannot give one', async () => {
    // Cloudflare reports no exact total; a text filter is applied by auditgraph itself.
    for (const nullFilter of [{}, { providers: ['FASTLY'], text: 'a' }]) {
      const answer = await post(app, ADMIN_KEY, PAGE, { first: 5, filter: nullFilter });
      expect(answer.errors).toBeUndefined();
      expect(answer.data.auditEvents.totalCount).toBeNull();
    }
  });
});
