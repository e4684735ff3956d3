import type { ListPage } from '../../../../src/model/Source';
import {
  createMemoryPageStore,
  estimateEntryBytes,
} from '../../../../src/providers/cache/createMemoryPageStore';
import type { CachedEntry } from '../../../../src/providers/cache/PageStore';
import { makeEvent } from '../../../support/createMemorySource';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);

/** A page of `count` events whose JSON is the same length for every `tag` of one length. */
function pageEntry(tag: string, count = 3): Extract<CachedEntry, { type: 'page' }> {
  const page: ListPage = {
    events: Array.from({ length: count }, (_, i) =>
      makeEvent({ sourceId: 'fastly', nativeId: `${tag}-${i}`, occurredAtMs: T0 + i }),
    ),
    next: null,
    total: count,
  };
  return { type: 'page', page };
}

describe('createMemoryPageStore', () => {
  it('gives back what was stored, and counts hits and misses', async () => {
    const store = createMemoryPageStore({ maxBytes: 100_000 });
    const entry = pageEntry('a');
    await store.set('k1', entry);
    expect(await store.get('k1')).toEqual(entry);
    expect(await store.get('k2')).toBeUndefined();
    expect(store.stats()).toEqual({
      entries: 1,
      bytes: estimateEntryBytes('k1', entry),
      maxBytes: 100_000,
      hits: 1,
      misses: 1,
      evictions: 0,
    });
  });

  it('measures an entry as the UTF-8 bytes of its key and its JSON', () => {
    const entry = pageEntry('é');
    expect(estimateEntryBytes('clé', entry)).toBe(
      4 + new TextEncoder().encode(JSON.stringify(entry)).length,
    );
  });

  it('keeps its total within maxBytes, evicting the least recently used first', async () => {
    const size = estimateEntryBytes('k0', pageEntry('a'));
    // Room for three entries, not four.
    const store = createMemoryPageStore({ maxBytes: 3 * size + size / 2 });
    await store.set('k0', pageEntry('a'));
    await store.set('k1', pageEntry('b'));
    await store.set('k2', pageEntry('c'));
    // Reading k0 makes k1 the least recently used.
    expect(await store.get('k0')).toBeDefined();
    await store.set('k3', pageEntry('d'));

    expect(await store.get('k1')).toBeUndefined();
    for (const key of ['k0', 'k2', 'k3']) expect(await store.get(key)).toBeDefined();
    const stats = store.stats();
    expect(stats).toMatchObject({ entries: 3, bytes: 3 * size, evictions: 1 });
    expect(stats.bytes).toBeLessThanOrEqual(stats.maxBytes);
  });

  it('evicts as many entries as a large one needs, and never holds more than maxBytes', async () => {
    const small = estimateEntryBytes('s0', pageEntry('a', 1));
    const store = createMemoryPageStore({ maxBytes: 10 * small });
    for (let i = 0; i < 10; i += 1) await store.set(`s${i}`, pageEntry('a', 1));
    expect(store.stats()).toMatchObject({ entries: 10, bytes: 10 * small });

    const large = pageEntry('b', 5);
    await store.set('large', large);
    const stats = store.stats();
    expect(stats.bytes).toBeLessThanOrEqual(10 * small);
    expect(await store.get('large')).toEqual(large);
    // The oldest went first: the newest small ones are still there.
    expect(await store.get('s0')).toBeUndefined();
    expect(await store.get('s9')).toBeDefined();
    expect(stats.evictions).toBe(10 - (stats.entries - 1));
  });

  it('does not store an entry larger than the whole store, and drops the key’s older entry', async () => {
    const store = createMemoryPageStore({ maxBytes: estimateEntryBytes('k', pageEntry('a', 2)) });
    await store.set('k', pageEntry('a', 2));
    await store.set('k', pageEntry('a', 50));
    expect(await store.get('k')).toBeUndefined();
    expect(store.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('keeps a snapshot: changing what was stored, or what get returned, does not reach the store', async () => {
    const store = createMemoryPageStore({ maxBytes: 100_000 });
    const entry = pageEntry('a');
    await store.set('k', entry);
    (entry.page.events as unknown[]).length = 0;

    const stored = await store.get('k');
    if (stored?.type !== 'page') throw new Error('a page entry expected');
    expect(stored.page.events).toHaveLength(3);
    (stored.page.events as unknown[]).push(null);
    (stored.page.events[0] as { action: string }).action = 'changed';

    const again = await store.get('k');
    if (again?.type !== 'page') throw new Error('a page entry expected');
    expect(again.page.events).toHaveLength(3);
    expect(again.page.events[0]!.action).not.toBe('changed');
    expect(again).toEqual(pageEntry('a'));
  });

  it('forgets a deleted key', async () => {
    const store = createMemoryPageStore({ maxBytes: 100_000 });
    await store.set('k', pageEntry('a'));
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
    expect(store.stats()).toMatchObject({ entries: 0, bytes: 0, evictions: 0 });
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses maxBytes %p with a message naming the option',
    (maxBytes) => {
      expect(() => createMemoryPageStore({ maxBytes })).toThrow(
        /^createMemoryPageStore: maxBytes must be a positive integer/,
      );
    },
  );
});
