import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import type { FeedPage } from '../../../src/feed/Feed';
import { createFeed } from '../../../src/feed/createFeed';
import { normalizeFilter } from '../../../src/feed/eventFilter';
import { compareEventsInOrder } from '../../../src/feed/eventKey';
import type { AuditEvent } from '../../../src/model/AuditEvent';
import { AuditgraphError } from '../../../src/model/errors';
import type { Source } from '../../../src/model/Source';
import { createMemorySource, makeEvent } from '../../support/createMemorySource';

const NOW = 1_772_500_000_000;
const FILTER = normalizeFilter({});

/** A source whose calls fail while `down` is set, as an unreachable upstream does. */
function withOutage(source: Source): Source & { down: boolean; calls: number } {
  const wrapped = {
    ...source,
    down: false,
    calls: 0,
    list: (...args: Parameters<Source['list']>) => {
      wrapped.calls += 1;
      if (wrapped.down) {
        return Promise.reject(
          new AuditgraphError('SOURCE_UNAVAILABLE', `source ${source.id} could not be reached`, {
            sourceId: source.id,
          }),
        );
      }
      return source.list(...args);
    },
  };
  return wrapped;
}

/** `count` events of one source, one every `stepMs`, the newest `offsetMs` before NOW. */
function events(sourceId: string, count: number, stepMs: number, offsetMs = 0): AuditEvent[] {
  return Array.from({ length: count }, (_, i) =>
    makeEvent({
      sourceId,
      nativeId: `${sourceId}-${String(i).padStart(4, '0')}`,
      occurredAtMs: NOW - offsetMs - i * stepMs,
    }),
  );
}

function setup(options: { budget?: number; bPageSize?: number } = {}) {
  const a = withOutage(
    createMemorySource({ id: 'a', maxPageSize: 10, events: events('a', 60, 1_000) }),
  );
  const b = withOutage(
    createMemorySource({
      id: 'b',
      maxPageSize: options.bPageSize ?? 10,
      events: events('b', 40, 1_500, 500),
    }),
  );
  const feed = createFeed({
    sources: [a, b],
    cursorCodec: createCursorCodec('failed-sources-test-secret-0123'),
    now: () => NOW,
    maxFirst: 100,
    ...(options.budget === undefined ? {} : { maxUpstreamPagesPerSource: options.budget }),
  });
  const all = [...events('a', 60, 1_000), ...events('b', 40, 1_500, 500)].sort(
    compareEventsInOrder('desc'),
  );
  const read = (after: string | null, first = 10) =>
    feed.readPage({ first, after, filter: FILTER, order: 'desc' });
  return { a, b, feed, all, read };
}

const ids = (page: FeedPage) => page.edges.map((edge) => edge.event.nativeId);
const state = (page: FeedPage, id: string) =>
  page.sources.find((outcome) => outcome.source.id === id);

describe('the next cursor of a source that failed', () => {
  it('resumes the source where it stood and reports what the traversal passed meanwhile as missed', async () => {
    const { b, all, read } = setup();
    const page1 = await read(null);
    expect(state(page1, 'b')).toMatchObject({ state: 'OK', missed: null });

    b.down = true;
    const page2 = await read(page1.endCursor);
    expect(state(page2, 'b')).toMatchObject({ state: 'FAILED' });
    expect(state(page2, 'b')!.error!.code).toBe('SOURCE_UNAVAILABLE');
    expect(ids(page2).every((id) => id.startsWith('a-'))).toBe(true);

    b.down = false;
    const page3 = await read(page2.endCursor);
    // b's events between where it stood (page 1's end) and page 2's end could not be placed.
    const page1End = page1.edges[page1.edges.length - 1]!.event;
    const page2End = page2.edges[page2.edges.length - 1]!.event;
    const passed = all.filter(
      (e) =>
        e.sourceId === 'b' &&
        compareEventsInOrder('desc')(e, page1End) > 0 &&
        compareEventsInOrder('desc')(e, page2End) < 0,
    );
    expect(passed.length).toBeGreaterThan(0);
    expect(state(page3, 'b')).toMatchObject({
      state: 'OK',
      missed: {
        count: passed.length,
        newestMs: passed[0]!.occurredAtMs,
        oldestMs: passed[passed.length - 1]!.occurredAtMs,
      },
    });
    // From page 3 on, b is back in order: page 3 is exactly what follows page 2 in the model.
    const after2 = all.filter((e) => compareEventsInOrder('desc')(e, page2End) > 0);
    expect(ids(page3)).toEqual(after2.slice(0, 10).map((e) => e.nativeId));
  });

  it('keeps the source behind across several failed pages and counts every passed event once', async () => {
    const { b, all, read } = setup();
    const delivered: AuditEvent[] = [];
    let missed = 0;
    let after: string | null = null;
    for (let i = 0; i < 40; i += 1) {
      b.down = i >= 1 && i <= 3;
      const page: FeedPage = await read(after);
      delivered.push(...page.edges.map((edge) => edge.event));
      missed += state(page, 'b')!.missed?.count ?? 0;
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect([...delivered].sort(compareEventsInOrder('desc'))).toEqual(delivered);
    expect(new Set(delivered.map((e) => e.nativeId)).size).toBe(delivered.length);
    const deliveredB = delivered.filter((e) => e.sourceId === 'b').length;
    expect(deliveredB + missed).toBe(all.filter((e) => e.sourceId === 'b').length);
    expect(missed).toBeGreaterThan(0);
    expect(delivered.filter((e) => e.sourceId === 'a')).toHaveLength(60);
  });

  it('gives a source that failed on the last page its remaining events when the end cursor is read again', async () => {
    const { b, all, read } = setup();
    let after: string | null = null;
    let last: FeedPage | null = null;
    const delivered: AuditEvent[] = [];
    b.down = true;
    for (let i = 0; i < 20; i += 1) {
      last = await read(after, 25);
      delivered.push(...last.edges.map((edge) => edge.event));
      if (!last.hasNextPage) break;
      after = last.endCursor;
    }
    // hasNextPage speaks for the sources that answered; the failed one is named on every page.
    expect(last!.hasNextPage).toBe(false);
    expect(state(last!, 'b')!.state).toBe('FAILED');
    expect(delivered).toHaveLength(60);

    b.down = false;
    const again = await read(last!.endCursor, 100);
    // Every b event lies before a's last one except those older than all of a's.
    const aLast = delivered[delivered.length - 1]!;
    const older = all.filter(
      (e) => e.sourceId === 'b' && compareEventsInOrder('desc')(e, aLast) > 0,
    );
    expect(ids(again)).toEqual(older.map((e) => e.nativeId));
    expect(state(again, 'b')!.missed!.count).toBe(40 - older.length);
    expect(again.hasNextPage).toBe(false);
  });

  it('reads a source that failed on the first page from the start of the traversal', async () => {
    const { b, all, read } = setup();
    b.down = true;
    const page1 = await read(null);
    expect(ids(page1).every((id) => id.startsWith('a-'))).toBe(true);
    b.down = false;
    const page2 = await read(page1.endCursor);
    const page1End = page1.edges[page1.edges.length - 1]!.event;
    const passed = all.filter(
      (e) => e.sourceId === 'b' && compareEventsInOrder('desc')(e, page1End) < 0,
    );
    expect(state(page2, 'b')!.missed?.count).toBe(passed.length);
  });

  it('spends no more than the scan budget on counting a long gap: the page stays put and the next one goes on', async () => {
    const { b, all, read } = setup({ budget: 2, bPageSize: 2 });
    const page1 = await read(null, 1);
    b.down = true;
    const page2 = await read(page1.endCursor, 45);
    expect(state(page2, 'b')!.state).toBe('FAILED');
    b.down = false;
    const callsBefore = b.calls;
    const page3 = await read(page2.endCursor, 45);
    // b must read about 30 events in pages of 2 to get past the gap; with a budget of 2 pages it
    // counts 2 pages' worth and the page comes back empty, at the same place, with more to come.
    expect(b.calls - callsBefore).toBe(2);
    expect(page3.edges).toHaveLength(0);
    expect(page3.hasNextPage).toBe(true);
    expect(state(page3, 'b')!.missed!.count).toBeGreaterThan(0);
    let missed = state(page3, 'b')!.missed!.count;
    let after = page3.endCursor;
    const delivered = [...page1.edges, ...page2.edges].map((edge) => edge.event);
    for (let i = 0; i < 100; i += 1) {
      const page: FeedPage = await read(after, 45);
      delivered.push(...page.edges.map((edge) => edge.event));
      missed += state(page, 'b')!.missed?.count ?? 0;
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect([...delivered].sort(compareEventsInOrder('desc'))).toEqual(delivered);
    expect(delivered.filter((e) => e.sourceId === 'b').length + missed).toBe(40);
    expect(delivered.filter((e) => e.sourceId === 'a')).toHaveLength(60);
    expect(all).toHaveLength(100);
  });

  it('lags a source only in the cursors of edges past where it stood when it failed mid-page', async () => {
    const { b, all, read } = setup({ bPageSize: 2 });
    // b answers its first upstream page of the page, then fails.
    const list = b.list;
    let calls = 0;
    b.list = (...args) => {
      calls += 1;
      if (calls >= 2) b.down = true;
      return list(...args);
    };
    const page = await read(null, 10);
    expect(state(page, 'b')!.state).toBe('FAILED');
    const lastB = page.edges.filter((edge) => edge.event.sourceId === 'b').pop()!;
    const lastBIndex = page.edges.indexOf(lastB);
    expect(lastBIndex).toBeGreaterThanOrEqual(0);
    expect(lastBIndex).toBeLessThan(page.edges.length - 1);
    b.down = false;
    b.list = list;
    // Resuming before b's last delivered event: b is up to date there, read as usual.
    expect(lastBIndex).toBeGreaterThan(0);
    const earlier = page.edges[lastBIndex - 1]!;
    const replay = await read(earlier.cursor, 5);
    expect(state(replay, 'b')).toMatchObject({ state: 'OK', missed: null });
    const afterEarlier = all.filter((e) => compareEventsInOrder('desc')(e, earlier.event) > 0);
    expect(ids(replay)).toEqual(afterEarlier.slice(0, 5).map((e) => e.nativeId));
    expect(ids(replay)).toContain(lastB.event.nativeId);
    const afterB = all.filter((e) => compareEventsInOrder('desc')(e, lastB.event) > 0);
    // Resuming at the end: b's events between its last delivered one and the end were passed.
    const atEnd = await read(page.endCursor, 5);
    const end = page.edges[page.edges.length - 1]!.event;
    const passed = afterB.filter(
      (e) => e.sourceId === 'b' && compareEventsInOrder('desc')(e, end) < 0,
    );
    expect(passed.length).toBeGreaterThan(0);
    expect(state(atEnd, 'b')!.missed?.count).toBe(passed.length);
  });
});
