import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import { createFeed } from '../../../src/feed/createFeed';
import { normalizeFilter } from '../../../src/feed/eventFilter';
import { compareEventsInOrder } from '../../../src/feed/eventKey';
import type { AuditEvent } from '../../../src/model/AuditEvent';
import type { MemorySource } from '../../support/createMemorySource';
import { createMemorySource, makeEvent } from '../../support/createMemorySource';

const NOW = Date.parse('2026-11-01T00:00:00Z');

/** A deterministic generator, so the bursts are the same on every run. */
function createRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

/**
 * A second-precision source: `count` events going back from NOW in bursts of 1 to `maxBurst`
 * events at one second, a few seconds apart.
 */
function createBurstySource(
  id: string,
  count: number,
  maxBurst: number,
  random: () => number,
): MemorySource {
  const events: AuditEvent[] = [];
  let at = NOW;
  while (events.length < count) {
    at -= 1000 * (1 + Math.floor(random() * 30));
    const burst = 1 + Math.floor(random() * maxBurst);
    for (let i = 0; i < burst && events.length < count; i++) {
      events.push(
        makeEvent({ sourceId: id, nativeId: `${id}-${events.length}`, occurredAtMs: at }),
      );
    }
  }
  return createMemorySource({ id, events, maxPageSize: 100, coarseBounds: true });
}

async function traverse(
  sources: readonly MemorySource[],
  { first = 50, upstreamSizing }: { first?: number; upstreamSizing?: 'page' | 'share' } = {},
) {
  const feed = createFeed({
    sources,
    cursorCodec: createCursorCodec('page-room-test-secret-0123456789'),
    now: () => NOW + 1000,
    maxFirst: 1000,
  });
  const delivered: AuditEvent[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const page = await feed.readPage({
      first,
      after,
      filter: normalizeFilter({}),
      order: 'desc',
      ...(upstreamSizing === undefined ? {} : { upstreamSizing }),
    });
    pages += 1;
    delivered.push(...page.edges.map((edge) => edge.event));
    if (!page.hasNextPage || page.endCursor === null) break;
    after = page.endCursor;
  }
  return { delivered, pages };
}

describe('the room each source is asked for beyond the page', () => {
  it('spares a source that fills the pages in same-second bursts a second request', async () => {
    const random = createRandom(7);
    const dominant = createBurstySource('a', 5000, 20, random);
    const quiet = ['b', 'c', 'd', 'e', 'f'].map((id) => createBurstySource(id, 150, 3, random));
    const sources = [dominant, ...quiet];
    const { delivered, pages } = await traverse(sources);

    // Every event once, in the feed's order.
    const all = sources.flatMap((source) => [...source.events]);
    expect(delivered).toHaveLength(all.length);
    expect(new Set(delivered.map((event) => `${event.sourceId}/${event.nativeId}`)).size).toBe(
      all.length,
    );
    expect(delivered).toEqual([...delivered].sort(compareEventsInOrder('desc')));

    // Half a page of room costs it 1.03 requests a page; a sixth cost 1.43, a whole page 1.00.
    expect(dominant.requests.length / pages).toBeLessThanOrEqual(1.05);
    for (const source of quiet) expect(source.requests.length).toBeLessThanOrEqual(pages);
  });

  it('asks six evenly busy sources once a page each', async () => {
    const random = createRandom(11);
    const sources = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) =>
      createBurstySource(id, 1000, 20, random),
    );
    const { delivered, pages } = await traverse(sources);
    expect(delivered).toHaveLength(6000);
    const requests = sources.reduce((sum, source) => sum + source.requests.length, 0);
    expect(requests / pages).toBeLessThanOrEqual(6.05);
  });

  it("asks each source for its share of a large page with upstreamSizing 'share', and still gives every event once", async () => {
    const random = createRandom(13);
    const large = (id: string) =>
      createMemorySource({
        id,
        events: createBurstySource(id, 3000, 20, random).events,
        maxPageSize: 1000,
        coarseBounds: true,
      });
    const sources = ['a', 'b', 'c', 'd', 'e', 'f'].map(large);
    const whole = await traverse(sources, { first: 1000 });
    const byPage = sources.map((source) => source.requests.splice(0));
    const shared = await traverse(sources, { first: 1000, upstreamSizing: 'share' });
    const byShare = sources.map((source) => source.requests.splice(0));
    expect(shared.delivered).toEqual(whole.delivered);
    expect(shared.delivered).toHaveLength(18_000);
    // `page` asks each source for the whole page and room (1,000 here, the API's largest);
    // `share` for a sixth of it and room: 167 + 2 + 84.
    expect(new Set(byPage.flat().map((query) => query.pageSize))).toEqual(new Set([1000]));
    expect(new Set(byShare.flat().map((query) => query.pageSize))).toEqual(new Set([253]));
  });
});
