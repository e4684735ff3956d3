import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import type { FeedPage } from '../../../src/feed/createFeed';
import { createFeed } from '../../../src/feed/createFeed';
import { normalizeFilter } from '../../../src/feed/eventFilter';
import type { SortOrder } from '../../../src/model/Source';
import type { MemorySource } from '../../support/createMemorySource';
import { createMemorySource, makeEvent } from '../../support/createMemorySource';

const NOW = 10_000_000;

async function traverse(source: MemorySource, first: number, order: SortOrder) {
  const feed = createFeed({
    sources: [source],
    cursorCodec: createCursorCodec('tie-group-test-secret-0123456789'),
    now: () => NOW,
    maxFirst: 100,
  });
  const requestsPerPage: number[] = [];
  const delivered: string[] = [];
  let after: string | null = null;
  for (;;) {
    const before = source.requests.length;
    const page: FeedPage = await feed.readPage({
      first,
      after,
      filter: normalizeFilter({}),
      order,
    });
    requestsPerPage.push(source.requests.length - before);
    delivered.push(...page.edges.map((edge) => edge.event.nativeId));
    if (!page.hasNextPage) return { delivered, requestsPerPage };
    after = page.endCursor;
  }
}

describe('tie groups larger than an upstream page', () => {
  it.each<SortOrder>(['asc', 'desc'])(
    'keeps the group members read before the group filled a page (%s)',
    async (order) => {
      // Page 1 of 3 holds one event and the group's first two; page 2 is all group.
      const events = [
        makeEvent({
          sourceId: 'cf',
          nativeId: 'before',
          occurredAtMs: order === 'asc' ? 1_000 : 9_000,
        }),
        ...Array.from({ length: 8 }, (_, i) =>
          makeEvent({ sourceId: 'cf', nativeId: `g${i}`, occurredAtMs: 5_000 }),
        ),
      ];
      const source = createMemorySource({ id: 'cf', maxPageSize: 10, events });
      const { delivered } = await traverse(source, 1, order);
      const group = Array.from({ length: 8 }, (_, i) => `g${i}`);
      expect(delivered).toEqual(
        order === 'asc' ? ['before', ...group] : ['before', ...group.reverse()],
      );
    },
  );

  it('reads a burst of 3,000 events in one second in the largest pages, not in 30 small ones', async () => {
    const events = Array.from({ length: 3_000 }, (_, i) =>
      makeEvent({
        sourceId: 'cf',
        nativeId: `e${String(i).padStart(4, '0')}`,
        occurredAtMs: 500_000,
      }),
    );
    const source = createMemorySource({ id: 'cf', maxPageSize: 1_000, events, paging: 'cursor' });
    const { delivered, requestsPerPage } = await traverse(source, 100, 'desc');
    expect(delivered).toEqual(events.map((e) => e.nativeId).reverse());
    // One page-sized request finds the group; three of the largest pages read it.
    expect(Math.max(...requestsPerPage)).toBeLessThanOrEqual(4);
  });
});
