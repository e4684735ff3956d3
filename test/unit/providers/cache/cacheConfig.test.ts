import type { AuditgraphConfig, LoadConfigInput } from '../../../../src/config/types';
import { loadConfig } from '../../../../src/config/loadConfig';
import { describeConfig } from '../../../../src/describeConfig';
import { AuditgraphError } from '../../../../src/model/errors';

type Env = LoadConfigInput['env'];

/** Loads a JSON config given as a value, as `--config config.json`. */
function loadJson(value: unknown, env: Env = {}): AuditgraphConfig {
  return loadConfig({
    argv: ['--config', 'config.json'],
    env,
    readFile: () => JSON.stringify(value),
  });
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof AuditgraphError && error.code === 'CONFIG_INVALID') return error.message;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('the cache settings', () => {
  it('default to 64 MiB of pages of windows closed for five minutes', () => {
    expect(loadConfig({ argv: [], env: {} }).cache).toEqual({
      maxBytes: 67_108_864,
      freshnessSeconds: 300,
    });
  });

  it('are read from the file', () => {
    expect(loadJson({ cache: { maxBytes: 1_000_000, freshnessSeconds: 60 } }).cache).toEqual({
      maxBytes: 1_000_000,
      freshnessSeconds: 60,
    });
  });

  it('are overridden by the environment', () => {
    const env = { AUDITGRAPH_CACHE_MAX_BYTES: '2048', AUDITGRAPH_CACHE_FRESHNESS_SECONDS: '0' };
    expect(loadJson({ cache: { maxBytes: 1_000_000, freshnessSeconds: 60 } }, env).cache).toEqual({
      maxBytes: 2048,
      freshnessSeconds: 0,
    });
  });

  it('accept 0 bytes, which turns the cache off', () => {
    expect(loadConfig({ argv: [], env: { AUDITGRAPH_CACHE_MAX_BYTES: '0' } }).cache?.maxBytes).toBe(
      0,
    );
  });

  it.each<[string, unknown, Env, string]>([
    [
      'an unknown cache key',
      { cache: { size: 1 } },
      {},
      'config.json: cache.size is not a known key (allowed: maxBytes, freshnessSeconds)',
    ],
    [
      'negative bytes',
      { cache: { maxBytes: -1 } },
      {},
      'cache.maxBytes must be an integer from 0 to 17179869184',
    ],
    [
      'a freshness over a day',
      { cache: { freshnessSeconds: 86_401 } },
      {},
      'cache.freshnessSeconds must be an integer from 0 to 86400',
    ],
    [
      'bytes with a unit in the environment',
      {},
      { AUDITGRAPH_CACHE_MAX_BYTES: '64MiB' },
      'AUDITGRAPH_CACHE_MAX_BYTES must be an integer from 0 to 17179869184',
    ],
    [
      'a fractional freshness in the environment',
      {},
      { AUDITGRAPH_CACHE_FRESHNESS_SECONDS: '1.5' },
      'AUDITGRAPH_CACHE_FRESHNESS_SECONDS must be an integer from 0 to 86400',
    ],
  ])('refuse %s, naming the key', (_case, file, env, message) => {
    expect(messageOf(() => loadJson(file, env))).toContain(message);
  });

  it('are described in the start-up banner', () => {
    expect(describeConfig(loadConfig({ argv: [], env: {} }))).toContain(
      "cache: up to 67108864 bytes of upstream pages of windows closed for 300 s (or the source's late-arrival delay)",
    );
    const off = loadConfig({ argv: [], env: { AUDITGRAPH_CACHE_MAX_BYTES: '0' } });
    expect(describeConfig(off)).toContain('cache: off');
  });
});
