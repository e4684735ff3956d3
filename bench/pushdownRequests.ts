/**
 * Upstream requests per feed page for filters pushed down to each kind's API versus the same
 * filters applied by the feed alone (pushdown off), on the demo's six emulated sources.
 */
import { startDemoEmulators } from '../src/emulators/startDemoEmulators';
import { planPushdown } from '../src/providers/shared/pushdown';
import { BUILT_IN_KINDS } from '../src/providers/sourceKinds';
import { createCursorCodec } from '../src/feed/createCursorCodec';
import type { FeedPage } from '../src/feed/Feed';
import { createFeed } from '../src/feed/createFeed';
import type { EventFilterInput } from '../src/feed/eventFilter';
import { normalizeFilter } from '../src/feed/eventFilter';
import { EMULATOR_RATE_LIMITS } from '../src/providers/sourceKinds';
import { createSources } from '../src/providers/createSources';

const FIRST = 50;

interface Case {
  readonly source: string;
  readonly filter: EventFilterInput;
}

export async function measurePushdown(): Promise<string[][]> {
  const nowMs = Date.now();
  const demo = await startDemoEmulators({ seed: 1, nowMs });
  const sourceSet = createSources(demo.sources, {
    now: () => nowMs,
    rateLimits: EMULATOR_RATE_LIMITS,
  });
  const probe = createFeed({
    sources: sourceSet.sources,
    cursorCodec: createCursorCodec('bench-secret-0123456789abcdef0123'),
    now: () => nowMs,
    maxFirst: 100,
  });
  // Real values from the demo, so each filter matches something.
  const sample = await probe.readPage({
    first: 100,
    after: null,
    filter: normalizeFilter({}),
    order: 'desc',
  });
  const find = (source: string) =>
    sample.edges.map((e) => e.event).find((e) => e.sourceId === source);
  const email =
    sample.edges.map((e) => e.event.actor?.email).find((e) => e) ?? 'nobody@example.com';
  const cases: Case[] = [
    { source: 'fastly', filter: { actions: [find('fastly')?.action ?? 'user.login'] } },
    { source: 'cloudflare-v1', filter: { actorEmails: [email] } },
    { source: 'cloudflare-v2', filter: { actorEmails: [email] } },
    { source: 'cloudflare-v2', filter: { categories: ['DELETE'] } },
    { source: 'fusionauth-event-log', filter: { outcome: 'FAILURE' } },
    { source: 'fusionauth-audit-log', filter: { text: 'application' } },
    { source: 'nirvana', filter: { actions: [find('nirvana')?.action ?? 'vm.created'] } },
    { source: 'nirvana', filter: { outcome: 'FAILURE' } },
  ];
  const rows: string[][] = [
    ['source', 'filter', 'plan', 'events', 'requests/page pushed', 'requests/page feed only'],
  ];
  for (const { source, filter } of cases) {
    const normalized = normalizeFilter({ ...filter, sourceIds: [source] });
    const kind = demo.sources.find((s) => s.id === source)!.kind;
    const results: { events: number; perPage: number }[] = [];
    for (const pushdown of [true, false]) {
      const feed = createFeed({
        sources: sourceSet.sources,
        cursorCodec: createCursorCodec('bench-secret-0123456789abcdef0123'),
        now: () => nowMs,
        maxFirst: 100,
        pushdown,
      });
      let events = 0;
      let requests = 0;
      let pages = 0;
      let after: string | null = null;
      do {
        const page: FeedPage = await feed.readPage({
          first: FIRST,
          after,
          filter: normalized,
          order: 'desc',
        });
        pages += 1;
        events += page.edges.length;
        requests += page.sources.reduce((sum, s) => sum + s.upstreamRequests, 0);
        after = page.hasNextPage ? page.endCursor : null;
      } while (after !== null);
      results.push({ events, perPage: requests / pages });
    }
    const plan = Object.entries(planPushdown(BUILT_IN_KINDS.get(kind).capabilities, normalized))
      .map(([field, level]) => `${field} ${level}`)
      .join(', ');
    rows.push([
      source,
      JSON.stringify(filter),
      plan,
      String(results[0]!.events),
      results[0]!.perPage.toFixed(2),
      results[1]!.perPage.toFixed(2),
    ]);
  }
  await sourceSet.close();
  await demo.close();
  return rows;
}
