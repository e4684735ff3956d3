import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import type { FeedPage } from '../../../src/feed/Feed';
import { createFeed } from '../../../src/feed/createFeed';
import { EMPTY_FILTER } from '../../../src/feed/eventFilter';
import type { AuditEvent } from '../../../src/model/AuditEvent';
import type { ListPage, ListQuery, Source } from '../../../src/model/Source';
import { makeEvent } from '../../support/createMemorySource';

const NOW = 100_000_000;
const event = (nativeId: string, occurredAtMs: number): AuditEvent =>
  makeEvent({ sourceId: 'up', nativeId, occurredAtMs });

/**
 * An upstream scripted per request: `answer` gets the query, the continuation and how many
 * requests came before, and says what the upstream sends.
 */
function scriptedSource(
  answer: (query: ListQuery, continuation: string | null, request: number) => ListPage,
  windowSlackMs = 0,
): Source & { readonly requests: ListQuery[] } {
  const requests: ListQuery[] = [];
  return {
    id: 'up',
    kind: 'fusionauth-audit-log',
    provider: 'FUSIONAUTH',
    maxPageSize: 3,
    windowSlackMs,
    planPushdown: () => ({}),
    requests,
    list(query, continuation, options) {
      options?.onUpstreamRequest?.();
      requests.push(query);
      return Promise.resolve(answer(query, continuation, requests.length - 1));
    },
    get: () => Promise.resolve(null),
  };
}

/** An upstream that keeps to the time bounds and pages a sorted list by offset. */
function byOffset(events: readonly AuditEvent[], query: ListQuery, continuation: string | null) {
  const offset = continuation === null ? 0 : Number(continuation);
  const inWindow = events
    .filter((e) => e.occurredAtMs >= query.sinceMs && e.occurredAtMs < query.beforeMs)
    .sort((a, b) => b.occurredAtMs - a.occurredAtMs);
  const slice = inWindow.slice(offset, offset + query.pageSize);
  const next = offset + query.pageSize < inWindow.length ? String(offset + query.pageSize) : null;
  return { events: slice, next, total: null };
}

function feedOver(source: Source) {
  return createFeed({
    sources: [source],
    cursorCodec: createCursorCodec('moved-events-test-secret-0123456789'),
    now: () => NOW,
    maxFirst: 100,
  });
}

async function traverse(source: Source, first: number) {
  const feed = feedOver(source);
  const pages: FeedPage[] = [];
  let after: string | null = null;
  for (let i = 0; i < 50; i += 1) {
    const page: FeedPage = await feed.readPage({
      first,
      after,
      filter: EMPTY_FILTER,
      order: 'desc',
    });
    pages.push(page);
    if (!page.hasNextPage) return pages;
    after = page.endCursor;
  }
  throw new Error('the traversal did not end');
}

describe('events an upstream moves between pages', () => {
  it('fails the source, visibly, when a later page brings an event from behind the traversal', async () => {
    const dataset = [event('e5', 5_000), event('e4', 4_000), event('e3', 3_000)];
    // On the second feed page the upstream shows an event it never showed on the first, at a
    // time the traversal has already passed: it ignores the bound it was asked for.
    const source = scriptedSource((query, continuation, request) =>
      request === 0
        ? byOffset(dataset, query, continuation)
        : { events: [event('late', 4_500), event('e3', 3_000)], next: null, total: null },
    );
    const [first, second] = await traverse(source, 2);
    expect(first!.edges.map((e) => e.event.nativeId)).toEqual(['e5', 'e4']);
    expect(second!.sources[0]).toMatchObject({ state: 'FAILED' });
    expect(second!.sources[0]!.error).toMatchObject({
      code: 'SOURCE_BAD_RESPONSE',
      message: expect.stringContaining('outside the time window it was asked for'),
    });
  });

  it('takes the few events a coarse API sends just outside the bounds, within its slack', async () => {
    const dataset = [event('e5', 5_000), event('e4', 4_000), event('e3', 3_000)];
    // Whole-second bounds: asked for before 4_001, it also sends what lies in that second.
    const source = scriptedSource((query, continuation) => {
      const widened = { ...query, beforeMs: Math.ceil(query.beforeMs / 1000) * 1000 + 1000 };
      return byOffset(dataset, widened, continuation);
    }, 2_000);
    const pages = await traverse(source, 2);
    expect(pages.flatMap((p) => p.edges.map((e) => e.event.nativeId))).toEqual(['e5', 'e4', 'e3']);
    expect(pages.every((p) => p.sources[0]!.state === 'OK')).toBe(true);
  });

  it('fails the source when it sends one event at two different times', async () => {
    const source = scriptedSource((_query, continuation) =>
      continuation === null
        ? {
            events: [event('a', 5_000), event('b', 4_000), event('c', 3_000)],
            next: '3',
            total: null,
          }
        : { events: [event('b', 2_000), event('d', 1_000)], next: null, total: null },
    );
    const [page] = await traverse(source, 10);
    expect(page!.sources[0]!.error).toMatchObject({
      code: 'SOURCE_BAD_RESPONSE',
      message: 'source up returned event "b" at two different times',
    });
  });

  it('delivers every event once when an offset chain orders its ties anew between two requests', async () => {
    // Four events in one millisecond, read three at a time. The first request orders them
    // a b c d; the second, of the same chain, d b c a: its page (offset 3) repeats `a`, and `d`
    // is never sent.
    const ties = ['a', 'b', 'c', 'd'].map((id) => event(id, 5_000));
    const older = event('old', 1_000);
    const source = scriptedSource((query, continuation, request) => {
      if (continuation === null) return byOffset([...ties, older], query, null);
      if (request === 1) return { events: [ties[0]!, older], next: null, total: null };
      return byOffset([...ties, older], query, continuation);
    });
    const pages = await traverse(source, 10);
    const delivered = pages.flatMap((p) => p.edges.map((e) => e.event.nativeId));
    expect([...delivered].sort()).toEqual(['a', 'b', 'c', 'd', 'old']);
    expect(delivered).toHaveLength(5);
    expect(pages.every((p) => p.sources[0]!.state === 'OK')).toBe(true);
    // The chain was read again from the tie group's time: two requests more, not a lost event.
    expect(source.requests.map((q) => q.beforeMs)).toEqual([NOW + 1, NOW + 1, 5_001, 5_001]);
  });

  it('fails the source when it keeps repeating events from one page on the next', async () => {
    const source = scriptedSource((_query, continuation) => ({
      events: [event('x', 5_000), event('y', 5_000), event('z', 5_000)],
      next: String(Number(continuation ?? 0) + 3),
      total: null,
    }));
    const [page] = await traverse(source, 10);
    expect(page!.sources[0]!.error).toMatchObject({
      code: 'SOURCE_BAD_RESPONSE',
      message: 'source up kept repeating events from one page on the next',
    });
  });
});
