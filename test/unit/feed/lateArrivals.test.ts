import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import type { FeedPage } from '../../../src/feed/Feed';
import { createFeed } from '../../../src/feed/createFeed';
import { normalizeFilter } from '../../../src/feed/eventFilter';
import type { AuditEvent } from '../../../src/model/AuditEvent';
import type { Source } from '../../../src/model/Source';
import { createMemorySource, makeEvent } from '../../support/createMemorySource';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const LAG_MS = 300_000;

/**
 * A source whose API shows each event LAG_MS after it happened, as Cloudflare's audit logs v2 do:
 * what a request sees depends on the clock at the time of the request.
 */
function createLateSource(all: readonly AuditEvent[], clock: { now: number }): Source {
  const memory = createMemorySource({
    id: 'cf-v2',
    kind: 'cloudflare-v2',
    maxPageSize: 3,
    events: [],
  });
  return {
    ...memory,
    list: (query, continuation) => {
      memory.events = all.filter((event) => event.occurredAtMs + LAG_MS <= clock.now);
      return memory.list(query, continuation);
    },
  };
}

/** One event every 30 s over the 20 minutes before T0 + 20 min. */
const EVENTS = Array.from({ length: 40 }, (_, i) =>
  makeEvent({
    sourceId: 'cf-v2',
    kind: 'cloudflare-v2',
    nativeId: `e${String(i).padStart(2, '0')}`,
    occurredAtMs: T0 + i * 30_000,
  }),
);

async function traverse(holdBackMs: number) {
  const clock = { now: T0 + 20 * 60_000 };
  const feed = createFeed({
    sources: [createLateSource(EVENTS, clock)],
    cursorCodec: createCursorCodec('late-arrival-test-secret-0123456789'),
    now: () => clock.now,
    maxFirst: 100,
    holdBackMs,
    lateArrivalMs: new Map([['cf-v2', LAG_MS]]),
  });
  const pages: FeedPage[] = [];
  let after: string | null = null;
  do {
    const page: FeedPage = await feed.readPage({
      first: 4,
      after,
      filter: normalizeFilter({}),
      order: 'asc',
    });
    pages.push(page);
    after = page.endCursor;
    // Time passes between pages; the source shows events that happened LAG_MS ago.
    clock.now += 60_000;
  } while (pages[pages.length - 1]!.hasNextPage);
  return { pages, delivered: pages.flatMap((p) => p.edges.map((e) => e.event.nativeId)) };
}

describe('late arrivals', () => {
  it('reports each source as complete only up to now less its usual delay', async () => {
    const { pages } = await traverse(0);
    const first = pages[0]!;
    expect(first.asOfMs).toBe(T0 + 20 * 60_000);
    expect(first.sources[0]!.completeUntilMs).toBe(first.asOfMs - LAG_MS);
    // Later pages: the clock moved on, so the source is complete further, never past asOf.
    expect(pages[3]!.sources[0]!.completeUntilMs).toBe(first.asOfMs - LAG_MS + 3 * 60_000);
    expect(pages[pages.length - 1]!.sources[0]!.completeUntilMs).toBe(first.asOfMs);
  });

  it('without a hold-back, lets events that showed late into a traversal (which completeUntil warned of)', async () => {
    const { pages, delivered } = await traverse(0);
    const asOf = pages[0]!.asOfMs;
    const visibleAtStart = EVENTS.filter((e) => e.occurredAtMs + LAG_MS <= asOf).map(
      (e) => e.nativeId,
    );
    expect(delivered.length).toBeGreaterThan(visibleAtStart.length);
  });

  it('with a hold-back of the delay, keeps the snapshot: exactly the events up to asOf, all known at the start', async () => {
    const { pages, delivered } = await traverse(LAG_MS);
    const asOf = pages[0]!.asOfMs;
    expect(asOf).toBe(T0 + 20 * 60_000 - LAG_MS);
    expect(pages[0]!.sources[0]!.completeUntilMs).toBe(asOf);
    expect(delivered).toEqual(EVENTS.filter((e) => e.occurredAtMs <= asOf).map((e) => e.nativeId));
  });
});
