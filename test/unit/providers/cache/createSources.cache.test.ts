import type { SourceConfig } from '../../../../src/providers/sourceKinds';
import { DEFAULT_CACHE_CONFIG } from '../../../../src/config/settings';
import type { FastlyEmulator } from '../../../../src/emulators/fastly/startFastlyEmulator';
import { startFastlyEmulator } from '../../../../src/emulators/fastly/startFastlyEmulator';
import type { ListQuery } from '../../../../src/model/Source';
import type { PageCache } from '../../../../src/providers/cache/createPageCache';
import { createPageCache } from '../../../../src/providers/cache/createPageCache';
import type { SourceDeps, SourceSet } from '../../../../src/providers/createSources';
import { createSources, toCachingSourceOptions } from '../../../../src/providers/createSources';
import type { FastlyKindConfig } from '../../../../src/providers/fastly/fastlyKind';
import type { FastlyRecordWire } from '../../../../src/providers/fastly/fastlyWire';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const MINUTE = 60_000;
const TOKEN = 'fastly-cache-test-token';

function record(id: string, atMs: number): FastlyRecordWire {
  return {
    id,
    type: 'event',
    attributes: {
      created_at: new Date(atMs).toISOString().replace('.000Z', 'Z'),
      event_type: 'version.activate',
      customer_id: 'CUSTOMER',
      service_id: 'SERVICE',
      user_id: 'USER',
    },
  };
}

/** Ten events a second apart from T0; the clock reads T0 + 10 minutes. */
const NOW = T0 + 10 * MINUTE;
const RECORDS = Array.from({ length: 10 }, (_, i) => record(`ev${i}`, T0 + i * 1000));
/** The records' minute: it ended nine minutes before NOW. */
const QUERY: ListQuery = { order: 'desc', sinceMs: T0, beforeMs: T0 + MINUTE, pageSize: 5 };

let emulator: FastlyEmulator;
const sets: SourceSet[] = [];

beforeAll(async () => {
  emulator = await startFastlyEmulator({ records: RECORDS, token: TOKEN });
});
afterEach(async () => {
  await Promise.all(sets.splice(0).map((set) => set.close()));
  emulator.resetRequests();
});
afterAll(async () => {
  await emulator.close();
});

function fastly(overrides: Partial<FastlyKindConfig> = {}): FastlyKindConfig {
  return { id: 'fastly', kind: 'fastly', baseUrl: emulator.url, token: TOKEN, ...overrides };
}

function cacheOf(freshnessSeconds: number): PageCache {
  const cache = createPageCache({ maxBytes: 1_000_000, freshnessSeconds });
  if (cache === null) throw new Error('a cache expected');
  return cache;
}

function sourcesOf(configs: readonly SourceConfig[], deps: Partial<SourceDeps> = {}) {
  const set = createSources(configs, { now: () => NOW, ...deps });
  sets.push(set);
  return set.sources;
}

/** Upstream list requests made while `read` runs. */
async function requestsDuring(read: () => Promise<unknown>): Promise<number> {
  const before = emulator.requests.length;
  await read();
  return emulator.requests.length - before;
}

describe('createSources with a page cache', () => {
  it('reads a closed window upstream once, then from the cache', async () => {
    const [source] = sourcesOf([fastly()], { pageCache: cacheOf(60) });
    const first = await requestsDuring(() => source!.list(QUERY, null));
    const page = await source!.list(QUERY, null);
    const second = await requestsDuring(() => source!.list(QUERY, null));
    expect([first, second]).toEqual([1, 0]);
    expect(page.events.map((event) => event.nativeId)).toEqual(['ev9', 'ev8', 'ev7', 'ev6', 'ev5']);
  });

  it('reads every window upstream without a page cache', async () => {
    const [source] = sourcesOf([fastly()]);
    expect(await requestsDuring(() => source!.list(QUERY, null))).toBe(1);
    expect(await requestsDuring(() => source!.list(QUERY, null))).toBe(1);
  });

  it('keeps windows within a source’s configured late-arrival delay uncached', async () => {
    const [late, prompt] = sourcesOf(
      [fastly({ id: 'late', lateArrivalSeconds: 900 }), fastly({ id: 'prompt' })],
      { pageCache: cacheOf(60) },
    );
    for (let i = 0; i < 2; i += 1) await late!.list(QUERY, null);
    for (let i = 0; i < 2; i += 1) await prompt!.list(QUERY, null);
    expect(emulator.requests).toHaveLength(3);
  });

  it('never hands one credential’s cached page to a source with another credential', async () => {
    // Two gateways sharing one store, as replicas sharing Redis would: same source id, the
    // second with a token the upstream refuses.
    const cache = cacheOf(60);
    const [allowed] = sourcesOf([fastly()], { pageCache: cache });
    const [refused] = sourcesOf([fastly({ token: 'someone-elses-token' })], { pageCache: cache });
    await allowed!.list(QUERY, null);
    await expect(refused!.list(QUERY, null)).rejects.toMatchObject({
      code: 'SOURCE_AUTH_FAILED',
    });
    expect(cache.store.stats().entries).toBe(1);
  });

  it('caches get by id for an event older than the margin', async () => {
    const [source] = sourcesOf([fastly()], { pageCache: cacheOf(60) });
    expect(await requestsDuring(() => source!.get('ev3', T0 + 3000))).toBe(1);
    expect(await requestsDuring(() => source!.get('ev3', T0 + 3000))).toBe(0);
    expect((await source!.get('ev3', T0 + 3000))?.nativeId).toBe('ev3');
  });
});

describe('toCachingSourceOptions', () => {
  const cache = cacheOf(60);
  const options = (config: SourceConfig) => toCachingSourceOptions(config, cache, () => NOW);

  it('takes the late-arrival delay of the kind when the config names none', () => {
    const cloudflare: SourceConfig = {
      id: 'cf',
      kind: 'cloudflare-v2',
      baseUrl: 'https://api.cloudflare.com/client/v4',
      token: 't',
      accountId: 'acc',
    };
    expect(options(cloudflare).lateArrivalMs).toBe(300_000);
    expect(options({ ...cloudflare, lateArrivalSeconds: 20 }).lateArrivalMs).toBe(20_000);
    expect(options(fastly({ baseUrl: 'https://api.fastly.com' })).lateArrivalMs).toBe(0);
    expect(options(cloudflare).freshnessMs).toBe(60_000);
  });

  it('scopes entries by source, API, account and credential, and holds no secret', () => {
    const base: SourceConfig = {
      id: 'cf',
      kind: 'cloudflare-v1',
      baseUrl: 'https://api.cloudflare.com/client/v4',
      token: 'a-very-secret-token',
      accountId: 'acc-1',
    };
    const scope = (config: SourceConfig) => toCachingSourceOptions(config, cache, () => NOW).scope;
    const variants: SourceConfig[] = [
      base,
      { ...base, id: 'cf-2' },
      { ...base, kind: 'cloudflare-v2' },
      { ...base, baseUrl: 'https://cf.example.com/client/v4' },
      { ...base, accountId: 'acc-2' },
      { ...base, token: 'another-secret-token' },
    ];
    expect(new Set(variants.map(scope)).size).toBe(variants.length);
    for (const config of variants) expect(scope(config)).not.toContain('secret');
  });
});

describe('createPageCache', () => {
  it('makes no cache when maxBytes is 0', () => {
    expect(createPageCache({ maxBytes: 0, freshnessSeconds: 300 })).toBeNull();
  });

  it('makes an in-memory cache of the configured size and freshness', () => {
    const cache = createPageCache(DEFAULT_CACHE_CONFIG);
    expect(cache?.freshnessMs).toBe(300_000);
    expect(cache?.store.stats()).toMatchObject({ maxBytes: 64 * 1024 * 1024, entries: 0 });
  });
});
