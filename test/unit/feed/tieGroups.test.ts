import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import type { FeedPage } from '../../../src/feed/Feed';
import { createFeed } from '../../../src/feed/createFeed';
import { normalizeFilter } from '../../../src/feed/eventFilter';
import type { SortOrder, Source } from '../../../src/model/Source';
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

describe('an upstream that pages on forever at one timestamp', () => {
  it('fails that source visibly at the hard page limit instead of hanging the page', async () => {
    let served = 0;
    const endless: Source = {
      id: 'broken',
      kind: 'nirvana',
      provider: 'NIRVANA',
      maxPageSize: 10,
      windowSlackMs: 0,
      planPushdown: () => ({}),
      list: (_query, continuation, options) => {
        served += 1;
        options?.onUpstreamRequest?.();
        const offset = continuation === null ? 0 : Number(continuation);
        const events = Array.from({ length: 10 }, (_, i) =>
          makeEvent({
            sourceId: 'broken',
            kind: 'nirvana',
            nativeId: `n${offset + i}`,
            occurredAtMs: 5_000,
          }),
        );
        return Promise.resolve({ events, next: String(offset + 10), total: null });
      },
      get: () => Promise.resolve(null),
    };
    const feed = createFeed({
      sources: [endless],
      cursorCodec: createCursorCodec('endless-test-secret-0123456789abc'),
      now: () => NOW,
      maxFirst: 100,
      maxUpstreamPagesPerSource: 3,
    });
    const filter = normalizeFilter({});
    // The first page stops at the scan budget with a cursor that continues the scan ...
    const first = await feed.readPage({ first: 5, after: null, filter, order: 'desc' });
    expect(first.edges).toHaveLength(0);
    expect(first.hasNextPage).toBe(true);
    // ... and the next, which cannot move past the timestamp, fails the source at 10 × 3 pages.
    served = 0;
    const second = await feed.readPage({ first: 5, after: first.endCursor, filter, order: 'desc' });
    expect(served).toBe(30);
    expect(second.sources[0]).toMatchObject({ state: 'FAILED', upstreamRequests: 30 });
    expect(second.sources[0]!.error?.code).toBe('SOURCE_BAD_RESPONSE');
    expect(second.hasNextPage).toBe(false);
  });
});
