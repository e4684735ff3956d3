import { normalizeFilter } from '../../../../src/feed/eventFilter';
import type { AuditEvent } from '../../../../src/model/AuditEvent';
import { AuditgraphError } from '../../../../src/model/errors';
import type { ListPage, ListQuery, Source } from '../../../../src/model/Source';
import type { CachingSourceOptions } from '../../../../src/providers/cache/createCachingSource';
import {
  createCachingSource,
  toListKey,
} from '../../../../src/providers/cache/createCachingSource';
import { createMemoryPageStore } from '../../../../src/providers/cache/createMemoryPageStore';
import type { PageStore } from '../../../../src/providers/cache/PageStore';
import { makeEvent } from '../../../support/createMemorySource';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const MINUTE = 60_000;
const FRESHNESS_MS = 5 * MINUTE;

/** A fake upstream that answers every list with a new page object and records every call. */
function createCountingSource(id = 'fastly') {
  const calls: { query: ListQuery; continuation: string | null }[] = [];
  const getCalls: string[] = [];
  let failNext: AuditgraphError | null = null;
  const eventAt = (nativeId: string, occurredAtMs: number): AuditEvent =>
    makeEvent({ sourceId: id, nativeId, occurredAtMs });
  const source: Source = {
    id,
    kind: 'fastly',
    provider: 'FASTLY',
    maxPageSize: 100,
    windowSlackMs: 0,
    planPushdown: () => ({}),
    list(query, continuation) {
      calls.push({ query, continuation });
      if (failNext !== null) {
        const error = failNext;
        failNext = null;
        return Promise.reject(error);
      }
      const offset = continuation === null ? 0 : Number(continuation);
      const page: ListPage = {
        events: [eventAt(`e${offset}`, query.beforeMs - 1 - offset)],
        next: String(offset + 1),
        total: null,
      };
      return Promise.resolve(page);
    },
    get(nativeId, occurredAtMs) {
      getCalls.push(nativeId);
      if (nativeId === 'missing') return Promise.resolve(null);
      // Without a time, ids starting with "old" are ten minutes old, the others happen now.
      const time = occurredAtMs ?? (nativeId.startsWith('old') ? T0 - 10 * MINUTE : T0);
      return Promise.resolve(eventAt(nativeId, time));
    },
  };
  return {
    source,
    calls,
    getCalls,
    failOnce: (error: AuditgraphError) => {
      failNext = error;
    },
  };
}

function setUp(overrides: Partial<CachingSourceOptions> = {}) {
  const clock = { now: T0 };
  const upstream = createCountingSource();
  const store = overrides.store ?? createMemoryPageStore({ maxBytes: 1_000_000 });
  const cached = createCachingSource(upstream.source, {
    store,
    scope: 'fastly|credential-a',
    now: () => clock.now,
    freshnessMs: FRESHNESS_MS,
    lateArrivalMs: 0,
    ...overrides,
  });
  return { clock, upstream, store, cached };
}

/** A window of an hour ending `endsAgoMs` before T0. */
function windowEnding(endsAgoMs: number, extra: Partial<ListQuery> = {}): ListQuery {
  return {
    order: 'desc',
    sinceMs: T0 - endsAgoMs - 60 * MINUTE,
    beforeMs: T0 - endsAgoMs,
    pageSize: 10,
    ...extra,
  };
}

describe('createCachingSource', () => {
  it('serves a page of a closed window from the store on the second read, with no upstream call', async () => {
    const { upstream, store, cached } = setUp();
    const query = windowEnding(10 * MINUTE);
    const first = await cached.list(query, null);
    const second = await cached.list({ ...query }, null);

    expect(upstream.calls).toHaveLength(1);
    expect(second).toEqual(first);
    expect(store.stats()).toMatchObject({ entries: 1, hits: 1, misses: 1 });
  });

  it('hands out cached pages that no caller can change', async () => {
    const { cached } = setUp();
    const query = windowEnding(10 * MINUTE);
    const fresh = await cached.list(query, null);
    // What the first caller got is its own: changing it does not reach the store.
    (fresh.events as AuditEvent[]).length = 0;

    const page = await cached.list(query, null);
    expect(page.events).toHaveLength(1);
    // Nor does changing a cached copy: each reader gets its own.
    const nativeId = page.events[0]!.nativeId;
    (page.events[0] as { nativeId: string }).nativeId = 'changed';
    (page.events as AuditEvent[]).pop();
    const again = await cached.list(query, null);
    expect(again.events.map((event) => event.nativeId)).toEqual([nativeId]);
  });

  it('never caches the head: a window that ends within the freshness margin is read every time', async () => {
    const { upstream, store, cached } = setUp();
    for (const query of [
      windowEnding(-1), // ends after now, as the first page of a traversal does
      windowEnding(0),
      windowEnding(FRESHNESS_MS - 1),
    ]) {
      await cached.list(query, null);
      await cached.list(query, null);
    }
    expect(upstream.calls).toHaveLength(6);
    expect(store.stats()).toMatchObject({ entries: 0, hits: 0, misses: 0 });
  });

  it('caches a window from the instant it ended the freshness margin ago', async () => {
    const { upstream, cached } = setUp();
    const query = windowEnding(FRESHNESS_MS);
    await cached.list(query, null);
    await cached.list(query, null);
    expect(upstream.calls).toHaveLength(1);
  });

  it('starts caching a window once time has closed it, and not before', async () => {
    const { clock, upstream, cached } = setUp();
    const query = windowEnding(MINUTE);
    await cached.list(query, null);
    clock.now += FRESHNESS_MS - MINUTE - 1;
    await cached.list(query, null);
    expect(upstream.calls).toHaveLength(2);

    clock.now += 1;
    await cached.list(query, null);
    await cached.list(query, null);
    expect(upstream.calls).toHaveLength(3);
  });

  it('keeps windows within the source’s late-arrival delay uncached, even past the freshness margin', async () => {
    const { upstream, cached } = setUp({ lateArrivalMs: 30 * MINUTE });
    const recent = windowEnding(20 * MINUTE);
    await cached.list(recent, null);
    await cached.list(recent, null);
    expect(upstream.calls).toHaveLength(2);

    const settled = windowEnding(30 * MINUTE);
    await cached.list(settled, null);
    await cached.list(settled, null);
    expect(upstream.calls).toHaveLength(3);
  });

  it('stores each page of a chain under its continuation', async () => {
    const { upstream, cached } = setUp();
    const query = windowEnding(10 * MINUTE);
    const page1 = await cached.list(query, null);
    const page2 = await cached.list(query, page1.next);
    expect(page2.events[0]?.nativeId).toBe('e1');

    expect(await cached.list(query, null)).toEqual(page1);
    expect(await cached.list(query, page1.next)).toEqual(page2);
    expect(upstream.calls.map((call) => call.continuation)).toEqual([null, '1']);
  });

  it.each<[string, Partial<ListQuery>]>([
    ['order', { order: 'asc' }],
    ['sinceMs', { sinceMs: T0 - 80 * MINUTE }],
    ['beforeMs', { beforeMs: T0 - 11 * MINUTE }],
    ['pageSize', { pageSize: 11 }],
    ['filter', { filter: normalizeFilter({ actions: ['service.update'] }) }],
  ])('reads upstream again for a query with another %s', async (_field, change) => {
    const { upstream, cached } = setUp();
    const query = windowEnding(10 * MINUTE);
    await cached.list(query, null);
    await cached.list({ ...query, ...change }, null);
    expect(upstream.calls).toHaveLength(2);
  });

  it('keys a filter by its value, not by the order its keys were written in', () => {
    const filter = normalizeFilter({ actions: ['a'], outcome: 'SUCCESS' });
    const reordered = Object.fromEntries(Object.entries(filter).reverse()) as typeof filter;
    const query = windowEnding(10 * MINUTE);
    expect(toListKey('s', { ...query, filter: reordered }, null)).toBe(
      toListKey('s', { ...query, filter }, null),
    );
    expect(toListKey('s', { ...query, filter }, null)).not.toBe(toListKey('s', query, null));
  });

  it('puts no part of the scope, query or continuation in clear into a key', () => {
    const key = toListKey('secret-looking-scope', windowEnding(0), 'upstream-cursor-xyz');
    expect(key).toMatch(/^auditgraph-cache-v1:list:[A-Za-z0-9_-]{43}$/);
  });

  it('never shares entries between two sources or two credentials on one store', async () => {
    const store = createMemoryPageStore({ maxBytes: 1_000_000 });
    const query = windowEnding(10 * MINUTE);
    const upstreams = [
      'fastly-a|credential-a',
      'fastly-a|credential-b',
      'fastly-b|credential-a',
    ].map((scope) => {
      const upstream = createCountingSource();
      const cached = createCachingSource(upstream.source, {
        store,
        scope,
        now: () => T0,
        freshnessMs: FRESHNESS_MS,
        lateArrivalMs: 0,
      });
      return { upstream, cached };
    });
    for (const { cached } of upstreams) await cached.list(query, null);
    for (const { cached } of upstreams) await cached.list(query, null);
    expect(upstreams.map(({ upstream }) => upstream.calls.length)).toEqual([1, 1, 1]);
    expect(store.stats().entries).toBe(3);
  });

  it('never caches an error: the next read goes upstream again', async () => {
    const { upstream, store, cached } = setUp();
    const query = windowEnding(10 * MINUTE);
    upstream.failOnce(
      new AuditgraphError('SOURCE_UNAVAILABLE', 'upstream down', { sourceId: 'fastly' }),
    );
    await expect(cached.list(query, null)).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
    expect(store.stats().entries).toBe(0);

    await cached.list(query, null);
    await cached.list(query, null);
    expect(upstream.calls).toHaveLength(2);
  });

  it('reads upstream when the store fails, and says so', async () => {
    const broken: PageStore = {
      get: () => Promise.reject(new Error('store down')),
      set: () => Promise.reject(new Error('store down')),
      delete: () => Promise.resolve(),
      stats: () => ({ entries: 0, bytes: 0, maxBytes: 0, hits: 0, misses: 0, evictions: 0 }),
    };
    const failures: unknown[] = [];
    const { upstream, cached } = setUp({
      store: broken,
      onStoreError: (error) => failures.push(error),
    });
    const page = await cached.list(windowEnding(10 * MINUTE), null);
    expect(page.events).toHaveLength(1);
    expect(upstream.calls).toHaveLength(1);
    expect(failures).toHaveLength(2);
  });

  it('keeps the source’s description', () => {
    const { upstream, cached } = setUp();
    expect(cached).toMatchObject({
      id: upstream.source.id,
      kind: upstream.source.kind,
      provider: upstream.source.provider,
      maxPageSize: upstream.source.maxPageSize,
      windowSlackMs: 0,
    });
  });

  describe('get', () => {
    it('serves an event older than the margin from the store the second time', async () => {
      const { upstream, cached } = setUp();
      const first = await cached.get('old', T0 - 10 * MINUTE);
      const second = await cached.get('old', T0 - 10 * MINUTE);
      expect(second).toEqual(first);
      expect(second).not.toBe(first);
      expect(upstream.getCalls).toEqual(['old']);
    });

    it('reads a recent event upstream every time', async () => {
      const { upstream, cached } = setUp();
      await cached.get('recent', T0 - FRESHNESS_MS + 1);
      await cached.get('recent', T0 - FRESHNESS_MS + 1);
      expect(upstream.getCalls).toEqual(['recent', 'recent']);
    });

    it('does not remember an id the upstream does not know', async () => {
      const { upstream, cached } = setUp();
      expect(await cached.get('missing', T0 - 10 * MINUTE)).toBeNull();
      expect(await cached.get('missing', T0 - 10 * MINUTE)).toBeNull();
      expect(upstream.getCalls).toEqual(['missing', 'missing']);
    });

    it('judges an event read without a time by the time the upstream gives it', async () => {
      const { upstream, cached } = setUp();
      for (const id of ['old-one', 'old-one', 'new-one', 'new-one']) await cached.get(id, null);
      expect(upstream.getCalls).toEqual(['old-one', 'new-one', 'new-one']);
    });
  });
});
