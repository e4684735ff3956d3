import { describeConfig } from '../../../src/describeConfig';
import { load, loadJson, messageOf } from './configTestKit';

const URL_WITH_PASSWORD = 'rediss://auditgraph:s3cret-redis-password@redis.internal:6380/0';

describe('loadConfig: redis and replicas', () => {
  it('keeps its own state, as one replica, unless told otherwise', () => {
    const config = load({ secured: false });
    expect(config.redis).toBeNull();
    expect(config.replicas).toBe(1);
  });

  it('reads redis.url and keyPrefix from the file, the environment over it', () => {
    const fromFile = loadJson({
      redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'ag-prod:', replicas: 3 },
    });
    expect(fromFile.redis).toEqual({ url: 'redis://127.0.0.1:6379', keyPrefix: 'ag-prod:' });
    expect(fromFile.replicas).toBe(3);
    const fromEnv = loadJson(
      { redis: { url: 'redis://127.0.0.1:6379' } },
      { AUDITGRAPH_REDIS_URL: URL_WITH_PASSWORD, AUDITGRAPH_REPLICAS: '4' },
    );
    expect(fromEnv.redis).toEqual({ url: URL_WITH_PASSWORD, keyPrefix: 'auditgraph:' });
    expect(fromEnv.replicas).toBe(4);
  });

  it.each([
    ['http://redis:6379', 'AUDITGRAPH_REDIS_URL must be a redis:// or rediss:// URL'],
    ['not a url', 'AUDITGRAPH_REDIS_URL must be a redis:// or rediss:// URL'],
  ])('refuses the URL %s', (url, message) => {
    expect(messageOf(() => load({ env: { AUDITGRAPH_REDIS_URL: url } }))).toContain(message);
  });

  it('refuses a key prefix with spaces, and a replica count of 0, both at once', () => {
    const message = messageOf(() =>
      load({ env: { AUDITGRAPH_REDIS_KEY_PREFIX: 'has space', AUDITGRAPH_REPLICAS: '0' } }),
    );
    expect(message).toContain('AUDITGRAPH_REDIS_KEY_PREFIX must be 1 to 64 letters');
    expect(message).toContain('AUDITGRAPH_REPLICAS must be an integer from 1 to 1000');
  });

  it('never shows the URL, which may hold a password, in a message or the banner', () => {
    const message = messageOf(() =>
      load({ env: { AUDITGRAPH_REDIS_URL: URL_WITH_PASSWORD, AUDITGRAPH_REPLICAS: 'x' } }),
    );
    expect(message).not.toContain('s3cret-redis-password');
    const config = load({ secured: false, env: { AUDITGRAPH_REDIS_URL: URL_WITH_PASSWORD } });
    const banner = describeConfig(config).join('\n');
    expect(banner).not.toContain('s3cret-redis-password');
    expect(banner).toContain('redis.internal:6380');
  });
});
