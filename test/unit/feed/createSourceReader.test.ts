import type { SourceReader, SourceReaderOptions } from '../../../src/feed/createSourceReader';
import { createSourceReader } from '../../../src/feed/createSourceReader';
import type { FeedPosition } from '../../../src/feed/eventKey';
import { toEventKey } from '../../../src/feed/eventKey';
import type { SourceState } from '../../../src/feed/Feed';
import type { AuditEvent } from '../../../src/model/AuditEvent';
import type { ErrorCode } from '../../../src/model/errors';
import { AuditgraphError } from '../../../src/model/errors';
import type { ListPage, ListQuery, SortOrder, Source } from '../../../src/model/Source';
import { makeEvent } from '../../support/createMemorySource';

/** The end of the default window: far past every event of these tests. */
const WINDOW_END = 100_000;

const event = (nativeId: string, occurredAtMs: number): AuditEvent =>
  makeEvent({ sourceId: 'up', nativeId, occurredAtMs });

interface Call {
  readonly query: ListQuery;
  readonly continuation: string | null;
}

/**
 * One upstream, scripted per request: `answer` gets the query, the continuation and how many
 * requests came before, and returns the page or throws what the upstream's failure would be.
 * Every request is recorded.
 */
function scriptedSource(
  answer: (query: ListQuery, continuation: string | null, request: number) => ListPage,
  options: { readonly maxPageSize?: number; readonly windowSlackMs?: number } = {},
): Source & { readonly calls: Call[] } {
  const calls: Call[] = [];
  return {
    id: 'up',
    kind: 'fusionauth-audit-log',
    provider: 'FUSIONAUTH',
    maxPageSize: options.maxPageSize ?? 3,
    windowSlackMs: options.windowSlackMs ?? 0,
    planPushdown: () => ({}),
    calls,
    list(query, continuation, listOptions) {
      listOptions?.onUpstreamRequest?.();
      calls.push({ query, continuation });
      const request = calls.length - 1;
      return Promise.resolve().then(() => answer(query, continuation, request));
    },
    get: () => Promise.resolve(null),
  };
}

/**
 * An upstream that keeps to the time bounds and pages by offset, in time order; ties keep the
 * order of `dataset`, the same for every query.
 */
function pagedByOffset(dataset: readonly AuditEvent[]) {
  return (query: ListQuery, continuation: string | null): ListPage => {
    const offset = continuation === null ? 0 : Number(continuation);
    const inWindow = dataset
      .filter((e) => e.occurredAtMs >= query.sinceMs && e.occurredAtMs < query.beforeMs)
      .sort((a, b) =>
        query.order === 'asc' ? a.occurredAtMs - b.occurredAtMs : b.occurredAtMs - a.occurredAtMs,
      );
    const end = offset + query.pageSize;
    return {
      events: inWindow.slice(offset, end),
      next: end < inWindow.length ? String(end) : null,
      total: null,
    };
  };
}

/** An upstream that answers each request with the next of `pages`, whatever was asked. */
function pagesInTurn(...pages: readonly (readonly AuditEvent[])[]) {
  return (_query: ListQuery, _continuation: string | null, request: number): ListPage => ({
    events: pages[request] ?? [],
    next: request + 1 < pages.length ? String(request + 1) : null,
    total: null,
  });
}

function readerOver(source: Source, options: Partial<SourceReaderOptions> = {}): SourceReader {
  return createSourceReader(source, {
    order: 'desc',
    window: { sinceMs: 0, beforeMs: WINDOW_END },
    position: null,
    gapEnd: null,
    matches: () => true,
    pushedFilter: null,
    pageSize: 3,
    listOptions: {},
    ...options,
  });
}

/** Takes what the reader can release now, without reading on. */
function releasable(reader: SourceReader): string[] {
  const taken: string[] = [];
  for (let next = reader.peek(); next?.event; next = reader.peek()) {
    taken.push(next.event.nativeId);
    reader.take();
  }
  return taken;
}

/** Reads the source through, as the merge does for a source read alone: what it delivers. */
async function drain(reader: SourceReader): Promise<string[]> {
  const delivered: string[] = [];
  for (let fetches = 0; fetches < 50; fetches += 1) {
    await reader.fetchMore();
    delivered.push(...releasable(reader));
    if (reader.peek() === null) return delivered;
  }
  throw new Error('the reader did not finish');
}

describe('a source reader', () => {
  it.each<{ order: SortOrder; page: AuditEvent[]; released: string[]; frontier: number }>([
    {
      order: 'desc',
      page: [event('a', 9_000), event('b', 7_000), event('c', 7_000)],
      released: ['a'],
      frontier: 7_000,
    },
    {
      order: 'asc',
      page: [event('a', 1_000), event('b', 2_000), event('c', 3_000)],
      released: ['a', 'b'],
      frontier: 3_000,
    },
  ])(
    'releases only what sorts strictly before its frontier while the source has more ($order)',
    async ({ order, page, released, frontier }) => {
      const source = scriptedSource(() => ({ events: page, next: 'more', total: null }));
      const reader = readerOver(source, { order });
      await reader.fetchMore();
      expect(releasable(reader)).toEqual(released);
      // The frontier's events wait: a later upstream page may hold more of that time.
      expect(reader.peek()).toMatchObject({
        event: null,
        bound: { ts: frontier, sourceId: 'up', nativeId: null },
      });
      expect(reader.hasBuffered()).toBe(true);
    },
  );

  it.each<{ order: SortOrder; page: AuditEvent[]; released: string[] }>([
    {
      order: 'desc',
      page: [event('b', 9_000), event('a', 7_000), event('c', 7_000)],
      released: ['b', 'c', 'a'],
    },
    {
      order: 'asc',
      page: [event('c', 1_000), event('a', 1_000), event('b', 3_000)],
      released: ['a', 'c', 'b'],
    },
  ])(
    'releases everything, ties in key order, once the source is exhausted ($order)',
    async ({ order, page, released }) => {
      const source = scriptedSource(() => ({ events: page, next: null, total: null }));
      const reader = readerOver(source, { order });
      await reader.fetchMore();
      expect(releasable(reader)).toEqual(released);
      expect(reader.peek()).toBeNull();
      expect(reader.hasBuffered()).toBe(false);
    },
  );

  it('asks nothing of the source for an empty window', async () => {
    const source = scriptedSource(() => {
      throw new Error('an empty window must not be read');
    });
    const reader = readerOver(source, { window: { sinceMs: 5_000, beforeMs: 5_000 } });
    await reader.fetchMore();
    expect(source.calls).toHaveLength(0);
    expect(reader.peek()).toBeNull();
    expect(reader.outcome()).toMatchObject({ state: 'OK', upstreamRequests: 0 });
  });

  describe('a tie group that fills an upstream page', () => {
    const ties = ['t0', 't1', 't2', 't3', 't4'].map((id) => event(id, 5_000));

    it.each<{
      order: SortOrder;
      other: AuditEvent;
      delivered: string[];
      window: { sinceMs: number; beforeMs: number };
    }>([
      {
        order: 'desc',
        other: event('older', 1_000),
        delivered: ['t4', 't3', 't2', 't1', 't0', 'older'],
        window: { sinceMs: 0, beforeMs: 5_001 },
      },
      {
        order: 'asc',
        other: event('later', 9_000),
        delivered: ['t0', 't1', 't2', 't3', 't4', 'later'],
        window: { sinceMs: 5_000, beforeMs: WINDOW_END },
      },
    ])(
      'is read again as a window of its own, in the largest pages ($order)',
      async ({ order, other, delivered, window }) => {
        const source = scriptedSource(pagedByOffset([...ties, other]), { maxPageSize: 10 });
        const reader = readerOver(source, { order, pageSize: 3 });
        expect(await drain(reader)).toEqual(delivered);
        expect(source.calls).toHaveLength(2);
        expect(source.calls[0]).toMatchObject({ continuation: null, query: { pageSize: 3 } });
        expect(source.calls[1]).toMatchObject({
          continuation: null,
          query: { ...window, pageSize: 10 },
        });
        expect(reader.outcome()).toMatchObject({ state: 'OK', upstreamRequests: 2 });
      },
    );

    it('goes on with the chain when its pages are the largest already', async () => {
      const source = scriptedSource(pagedByOffset([...ties, event('older', 1_000)]), {
        maxPageSize: 3,
      });
      const reader = readerOver(source, { pageSize: 3 });
      expect(await drain(reader)).toEqual(['t4', 't3', 't2', 't1', 't0', 'older']);
      expect(source.calls.map((call) => call.continuation)).toEqual([null, '3']);
      expect(source.calls[1]!.query).toEqual(source.calls[0]!.query);
    });
  });

  describe('a source that failed earlier in the traversal', () => {
    // It stood at `s` when it failed; the traversal has since moved on to `g`.
    const stoodAt: FeedPosition = { ts: 9_000, sourceId: 'up', nativeId: 's' };
    const gapEnd: FeedPosition = { ts: 6_000, sourceId: 'up', nativeId: 'g' };
    const dataset = [
      event('s', 9_000),
      event('m1', 8_000),
      event('m2', 7_000),
      event('g', 6_000),
      event('n', 5_000),
    ];
    const lagging = (source: Source, pageSize: number) =>
      readerOver(source, {
        window: { sinceMs: 0, beforeMs: stoodAt.ts + 1 },
        position: stoodAt,
        gapEnd,
        pageSize,
      });

    it('counts what it missed up to the traversal, then delivers what follows', async () => {
      const source = scriptedSource(pagedByOffset(dataset), { maxPageSize: 10 });
      const reader = lagging(source, 10);
      await reader.fetchMore();
      expect(reader.inGap()).toBe(false);
      expect(reader.missedCount()).toBe(3);
      expect(reader.outcome().missed).toEqual({ count: 3, oldestMs: 6_000, newestMs: 8_000 });
      expect(releasable(reader)).toEqual(['n']);
      // Caught up: the next page reads it from the traversal's position, like any other.
      expect(reader.stoodAt()).toBeUndefined();
    });

    it('delivers nothing, and reports where it stood, while it is still counting', async () => {
      const source = scriptedSource(pagedByOffset(dataset), { maxPageSize: 2 });
      const reader = lagging(source, 2);
      await reader.fetchMore();
      expect(reader.stoodAt()).toEqual(stoodAt);
      await reader.fetchMore();
      expect(reader.inGap()).toBe(true);
      expect(reader.missedCount()).toBe(2);
      expect(reader.peek()).toMatchObject({ event: null });
      expect(reader.stoodAt()).toEqual(toEventKey(event('m2', 7_000)));
    });
  });

  describe('a source that fails on this page', () => {
    const standing: FeedPosition = { ts: 9_500, sourceId: 'up', nativeId: 'p' };

    it.each<{ failure: Error; state: SourceState; code: ErrorCode }>([
      { failure: upstream('SOURCE_TIMEOUT'), state: 'TIMED_OUT', code: 'SOURCE_TIMEOUT' },
      {
        failure: upstream('SOURCE_RATE_LIMITED'),
        state: 'RATE_LIMITED',
        code: 'SOURCE_RATE_LIMITED',
      },
      {
        failure: upstream('SOURCE_AUTH_FAILED'),
        state: 'UNAUTHORIZED',
        code: 'SOURCE_AUTH_FAILED',
      },
      { failure: upstream('CIRCUIT_OPEN'), state: 'CIRCUIT_OPEN', code: 'CIRCUIT_OPEN' },
      { failure: upstream('SOURCE_UNAVAILABLE'), state: 'FAILED', code: 'SOURCE_UNAVAILABLE' },
      { failure: new TypeError('boom'), state: 'FAILED', code: 'SOURCE_BAD_RESPONSE' },
    ])(
      'reports $state, with $code, and stands where it stood',
      async ({ failure, state, code }) => {
        const source = scriptedSource(() => {
          throw failure;
        });
        const reader = readerOver(source, {
          window: { sinceMs: 0, beforeMs: standing.ts + 1 },
          position: standing,
        });
        await expect(reader.fetchMore()).resolves.toBeUndefined();
        expect(reader.outcome()).toMatchObject({ state, error: { code }, upstreamRequests: 1 });
        expect(reader.peek()).toBeNull();
        expect(reader.hasBuffered()).toBe(false);
        expect(reader.stoodAt()).toEqual(standing);
      },
    );

    it('names the source, and keeps the cause, for a failure that is not auditgraph’s', async () => {
      const failure = new TypeError('boom');
      const reader = readerOver(
        scriptedSource(() => {
          throw failure;
        }),
      );
      await reader.fetchMore();
      expect(reader.outcome().error).toMatchObject({
        message: 'source up failed unexpectedly',
        details: { sourceId: 'up', cause: failure },
      });
    });

    it('stands after the last event it delivered, or nowhere on a first page', async () => {
      const source = scriptedSource((query, continuation, request) => {
        if (request > 0) throw upstream('SOURCE_UNAVAILABLE');
        return pagedByOffset([event('a', 9_000), event('b', 8_000), event('c', 7_000)])(
          query,
          continuation,
        );
      });
      const reader = readerOver(source, { pageSize: 2 });
      await reader.fetchMore();
      expect(reader.stoodAt()).toBeUndefined();
      expect(releasable(reader)).toEqual(['a']);
      await reader.fetchMore();
      expect(reader.outcome().state).toBe('FAILED');
      expect(reader.stoodAt()).toEqual(toEventKey(event('a', 9_000)));

      const failedAtOnce = readerOver(
        scriptedSource(() => {
          throw upstream('SOURCE_UNAVAILABLE');
        }),
      );
      await failedAtOnce.fetchMore();
      expect(failedAtOnce.stoodAt()).toBeNull();
    });

    it('is failed by the merge with the error it is given', async () => {
      const source = scriptedSource(() => ({
        events: [event('a', 9_000)],
        next: 'more',
        total: null,
      }));
      const reader = readerOver(source);
      await reader.fetchMore();
      reader.fail(upstream('SOURCE_BAD_RESPONSE'));
      expect(reader.outcome()).toMatchObject({
        state: 'FAILED',
        error: { code: 'SOURCE_BAD_RESPONSE' },
      });
      expect(reader.peek()).toBeNull();
      expect(reader.stoodAt()).toBeNull();
    });
  });

  describe('an upstream that breaks its promises', () => {
    // The window asked for is [5 000, 10 000); `in` lies within it.
    const inside = event('in', 9_000);

    it.each<{ case: string; slackMs: number; page: AuditEvent[] }>([
      {
        case: 'at the window end, with no slack',
        slackMs: 0,
        page: [event('out', 10_000), inside],
      },
      {
        case: 'just before the window, with no slack',
        slackMs: 0,
        page: [inside, event('out', 4_999)],
      },
      {
        case: 'as far after the window as its slack',
        slackMs: 2_000,
        page: [event('out', 12_000), inside],
      },
      {
        case: 'past its slack before the window',
        slackMs: 2_000,
        page: [inside, event('out', 2_999)],
      },
    ])('fails it for an event outside the window $case', async ({ slackMs, page }) => {
      const source = scriptedSource(() => ({ events: page, next: null, total: null }), {
        windowSlackMs: slackMs,
      });
      const reader = readerOver(source, { window: { sinceMs: 5_000, beforeMs: 10_000 } });
      expect(await drain(reader)).toEqual([]);
      expect(reader.outcome()).toMatchObject({
        state: 'FAILED',
        error: {
          code: 'SOURCE_BAD_RESPONSE',
          message: expect.stringContaining('outside the time window it was asked for'),
        },
      });
    });

    it.each<{ case: string; page: AuditEvent[] }>([
      { case: 'after the window', page: [event('out', 11_999), inside] },
      { case: 'before the window', page: [inside, event('out', 3_000)] },
    ])(
      'drops without a word an event within its slack $case, as a coarse API sends',
      async ({ page }) => {
        const source = scriptedSource(() => ({ events: page, next: null, total: null }), {
          windowSlackMs: 2_000,
        });
        const reader = readerOver(source, { window: { sinceMs: 5_000, beforeMs: 10_000 } });
        expect(await drain(reader)).toEqual(['in']);
        expect(reader.outcome().state).toBe('OK');
      },
    );

    it('fails it when it returns one event at two different times', async () => {
      const source = scriptedSource(
        pagesInTurn(
          [event('a', 9_000), event('b', 8_000), event('c', 7_000)],
          [event('b', 6_000), event('d', 5_000)],
        ),
      );
      const reader = readerOver(source);
      await drain(reader);
      expect(reader.outcome().error).toMatchObject({
        code: 'SOURCE_BAD_RESPONSE',
        message: 'source up returned event "b" at two different times',
      });
    });

    it('skips an event a later page repeats from before its frontier, without reading again', async () => {
      const source = scriptedSource(
        pagesInTurn(
          [event('a', 9_000), event('b', 8_000), event('c', 7_000)],
          [event('b', 8_000), event('d', 6_000)],
        ),
      );
      const reader = readerOver(source);
      expect(await drain(reader)).toEqual(['a', 'b', 'c', 'd']);
      expect(source.calls).toHaveLength(2);
      expect(reader.outcome().state).toBe('OK');
    });

    it('reads a chain again from its frontier when a later page repeats the frontier', async () => {
      // Four ties read three at a time: the chain's second page orders them anew, repeats `a`
      // and never sends `d`.
      const ties = ['a', 'b', 'c', 'd'].map((id) => event(id, 5_000));
      const dataset = [...ties, event('old', 1_000)];
      const source = scriptedSource((query, continuation, request) =>
        request === 1
          ? { events: [ties[0]!, event('old', 1_000)], next: null, total: null }
          : pagedByOffset(dataset)(query, continuation),
      );
      const reader = readerOver(source);
      expect(await drain(reader)).toEqual(['d', 'c', 'b', 'a', 'old']);
      expect(source.calls.map((call) => [call.query.beforeMs, call.continuation])).toEqual([
        [WINDOW_END, null],
        [WINDOW_END, '3'],
        [5_001, null],
        [5_001, '3'],
      ]);
      expect(reader.outcome().state).toBe('OK');
    });

    it('fails it when it keeps repeating events from one page on the next', async () => {
      const source = scriptedSource((_query, continuation) => ({
        events: [event('x', 5_000), event('y', 5_000), event('z', 5_000)],
        next: String(Number(continuation ?? 0) + 3),
        total: null,
      }));
      const reader = readerOver(source);
      await drain(reader);
      expect(reader.outcome().error).toMatchObject({
        code: 'SOURCE_BAD_RESPONSE',
        message: 'source up kept repeating events from one page on the next',
      });
      // Three readings again are allowed; the fourth repetition fails it.
      expect(source.calls.filter((call) => call.continuation === null)).toHaveLength(4);
    });
  });

  it('counts the pages it read and the requests they cost, retries included', async () => {
    const dataset = [event('a', 9_000), event('b', 8_000), event('c', 7_000), event('d', 6_000)];
    const answer = pagedByOffset(dataset);
    const source: Source = {
      ...scriptedSource(answer),
      list(query, continuation, listOptions) {
        // One retry behind every page.
        listOptions?.onUpstreamRequest?.();
        listOptions?.onUpstreamRequest?.();
        return Promise.resolve(answer(query, continuation));
      },
    };
    const reader = readerOver(source, { pageSize: 2 });
    expect(await drain(reader)).toEqual(['a', 'b', 'c', 'd']);
    expect(reader.pagesRead).toBe(2);
    expect(reader.outcome().upstreamRequests).toBe(4);
  });
});

function upstream(code: ErrorCode): AuditgraphError {
  return new AuditgraphError(code, `source up failed with ${code}`, { sourceId: 'up' });
}
