import { createCursorCodec } from '../../../../src/feed/createCursorCodec';
import type { FeedPage } from '../../../../src/feed/Feed';
import { createFeed } from '../../../../src/feed/createFeed';
import { normalizeFilter } from '../../../../src/feed/eventFilter';
import type { SortOrder } from '../../../../src/model/Source';
import { createCachingSource } from '../../../../src/providers/cache/createCachingSource';
import { createMemoryPageStore } from '../../../../src/providers/cache/createMemoryPageStore';
import type { MemorySource } from '../../../support/createMemorySource';
import { createMemorySource, makeEvent } from '../../../support/createMemorySource';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const MINUTE = 60_000;
const FRESHNESS_MS = 5 * MINUTE;

/**
 * 40 events a minute apart from `startMs`, with a burst of 8 in one second (more than an upstream
 * page) in the middle.
 */
function eventsFrom(sourceId: string, startMs: number) {
  return [
    ...Array.from({ length: 40 }, (_, i) =>
      makeEvent({ sourceId, nativeId: `${sourceId}-${i}`, occurredAtMs: startMs + i * MINUTE }),
    ),
    ...Array.from({ length: 8 }, (_, i) =>
      makeEvent({ sourceId, nativeId: `${sourceId}-burst-${i}`, occurredAtMs: startMs + 20_500 }),
    ),
  ];
}

/**
 * Two memory upstreams (one paged by offset, one by cursor), each behind the cache, under a
 * feed. `startMs` places their events: long closed, or within the freshness margin.
 */
function setUp(startMs: number) {
  const clock = { now: T0 };
  const store = createMemoryPageStore({ maxBytes: 10_000_000 });
  const upstreams: MemorySource[] = [
    createMemorySource({
      id: 'fastly',
      kind: 'fastly',
      events: eventsFrom('fastly', startMs),
      maxPageSize: 5,
      paging: 'offset',
      coarseBounds: true,
    }),
    createMemorySource({
      id: 'nirvana',
      kind: 'nirvana',
      events: eventsFrom('nirvana', startMs + 30_000),
      maxPageSize: 5,
      paging: 'cursor',
    }),
  ];
  const feed = createFeed({
    sources: upstreams.map((upstream) =>
      createCachingSource(upstream, {
        store,
        scope: `${upstream.id}|credential`,
        now: () => clock.now,
        freshnessMs: FRESHNESS_MS,
        lateArrivalMs: 0,
      }),
    ),
    cursorCodec: createCursorCodec('cached-feed-test-secret-0123456789abcdef'),
    now: () => clock.now,
    maxFirst: 100,
  });
  const requests = () => upstreams.reduce((sum, upstream) => sum + upstream.requests.length, 0);
  /** The page, and the upstream requests it cost. */
  const read = async (after: string | null, order: SortOrder = 'desc', first = 10) => {
    const before = requests();
    const page = await feed.readPage({ first, after, filter: normalizeFilter({}), order });
    return { page, cost: requests() - before };
  };
  return { clock, store, feed, read };
}

const ids = (page: FeedPage) => page.edges.map((edge) => edge.event.nativeId);

/** A whole traversal: each page's `after`, its events, and its upstream cost. */
async function traverse(read: (after: string | null) => Promise<{ page: FeedPage; cost: number }>) {
  const pages: { after: string | null; ids: string[]; cost: number }[] = [];
  let after: string | null = null;
  for (;;) {
    const { page, cost } = await read(after);
    pages.push({ after, ids: ids(page), cost });
    if (!page.hasNextPage) return pages;
    after = page.endCursor;
  }
}

describe('the feed over cached sources', () => {
  it('re-reads page 2 of a closed window with no upstream request, while page 1 costs requests each time', async () => {
    const { read } = setUp(T0 - 3 * 60 * MINUTE);
    const first = await read(null);
    const second = await read(first.page.endCursor);
    expect(first.cost).toBeGreaterThan(0);
    expect(second.cost).toBeGreaterThan(0);

    const firstAgain = await read(null);
    const secondAgain = await read(first.page.endCursor);
    expect(firstAgain.cost).toBeGreaterThan(0);
    expect(secondAgain.cost).toBe(0);
    expect(ids(firstAgain.page)).toEqual(ids(first.page));
    expect(ids(secondAgain.page)).toEqual(ids(second.page));
    expect(secondAgain.page.endCursor).toBe(second.page.endCursor);
  });

  it('makes a new traversal of a closed window read only its first page upstream', async () => {
    const { read } = setUp(T0 - 3 * 60 * MINUTE);
    const readPage = (after: string | null) => read(after, 'desc', 7);
    const cold = await traverse(readPage);
    const warm = await traverse(readPage);

    const delivered = cold.flatMap((page) => page.ids);
    expect(delivered).toHaveLength(96);
    expect(new Set(delivered).size).toBe(96);
    expect(warm.map((page) => page.ids)).toEqual(cold.map((page) => page.ids));
    expect(warm[0]?.cost).toBeGreaterThan(0);
    expect(warm.slice(1).map((page) => page.cost)).toEqual(cold.slice(1).map(() => 0));
  });

  it.each<SortOrder>(['desc', 'asc'])(
    'replays every later page of a closed traversal from the cache, unchanged (%s)',
    async (order) => {
      const { read, clock } = setUp(T0 - 3 * 60 * MINUTE);
      const cold = await traverse((after) => read(after, order, 7));
      expect(new Set(cold.flatMap((page) => page.ids)).size).toBe(96);
      // An ascending traversal's windows all end at its asOf (exclusive bound asOf + 1 ms), so
      // it was read while they were open and nothing was stored; they close once that end is
      // the freshness margin old.
      clock.now += FRESHNESS_MS + 1;

      for (const page of cold.slice(1)) {
        const again = await read(page.after, order, 7);
        const thrice = await read(page.after, order, 7);
        expect(ids(again.page)).toEqual(page.ids);
        if (order === 'desc') expect(again.cost).toBe(0);
        else expect(again.cost).toBeGreaterThan(0);
        expect({ ids: ids(thrice.page), cost: thrice.cost }).toEqual({ ids: page.ids, cost: 0 });
      }
    },
  );

  it('reads page 2 upstream every time while its window is within the freshness margin', async () => {
    // The newest events happened a minute ago: page 2 starts two minutes back.
    const { read } = setUp(T0 - 40 * MINUTE);
    const first = await read(null, 'desc', 4);
    const second = await read(first.page.endCursor, 'desc', 4);
    const secondAgain = await read(first.page.endCursor, 'desc', 4);
    expect(second.cost).toBeGreaterThan(0);
    expect(secondAgain.cost).toBe(second.cost);
    expect(ids(secondAgain.page)).toEqual(ids(second.page));
  });
});
