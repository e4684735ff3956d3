import type { CacheConfig } from '../../config/types';
import { createMemoryPageStore } from './createMemoryPageStore';
import type { PageStore } from './PageStore';

/** What createSources needs to put every source behind one cache. */
export interface PageCache {
  readonly store: PageStore;
  /** How long after its end a time window is still read upstream, in ms. */
  readonly freshnessMs: number;
  /** Told of a store that failed (a shared store that is down); the read then goes upstream. */
  readonly onStoreError?: (error: unknown) => void;
}

export interface PageCacheHooks {
  readonly onStoreError?: (error: unknown) => void;
}

/** The configured cache in this process's memory, or null when `maxBytes` is 0 (no cache). */
export function createPageCache(config: CacheConfig, hooks: PageCacheHooks = {}): PageCache | null {
  if (config.maxBytes === 0) return null;
  return {
    store: createMemoryPageStore({ maxBytes: config.maxBytes }),
    freshnessMs: config.freshnessSeconds * 1000,
    ...(hooks.onStoreError ? { onStoreError: hooks.onStoreError } : {}),
  };
}
