import { hashApiKey } from '../../src/auth/hashApiKey';
import { describeConfig } from '../../src/describeConfig';
import { CF_ACCOUNT, FASTLY, AUDIENCE, ISSUER, load, loadJson } from './config/configTestKit';

describe('describeConfig', () => {
  it('names the mode, each source and the address', () => {
    const config = loadJson(
      { sources: [{ id: 'cf', kind: 'cloudflare-v2', token: 'tok', accountId: CF_ACCOUNT }] },
      { PORT: '4010', HOST: '::' },
    );
    expect(describeConfig(config)).toEqual([
      'mode: live, 1 source',
      `source cf: cloudflare-v2 at https://api.cloudflare.com/client/v4 (account ${CF_ACCOUNT}, credentials: token, rate limit: burst 50, then 3.5/s, the kind's default)`,
      'listen: [::]:4010',
      'shutdown: /readyz answers 503 for 10 s before the listener closes, then in-flight requests finish',
      'pagination: first defaults to 20, at most 100',
      'feed: hold-back 0 s, scan budget 20 upstream pages per source per page, request deadline 10000 ms',
      "cache: up to 67108864 bytes of upstream pages of windows closed for 300 s (or the source's late-arrival delay)",
      'cursor secret: configured',
      `auth: JWT from idp.example.com for issuer ${ISSUER}, audience ${AUDIENCE} (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)`,
      'security: production, introspection off, GraphiQL off, cursors expire after 86400 s, request bodies up to 1048576 bytes',
      'query limits: depth 10, aliases 15, tokens 2000, cost 5000, directives 50',
      'audit log of reads: on',
      'log level: info',
      'shared state: none (this process keeps its own)',
      'metrics: /metrics on the main port, open (no token)',
      'traces: off',
    ]);
  });

  it('names the demo and its seed', () => {
    const lines = describeConfig(
      load({ env: { AUDITGRAPH_CURSOR_SECRET: 'c'.repeat(32) }, secured: false }),
    );
    expect(lines[0]).toBe('mode: demo (seed 1): every source kind emulated on loopback');
    expect(lines).toContain('listen: 127.0.0.1:4000');
    expect(lines).toContain(
      'shutdown: the listener closes at once, then in-flight requests finish',
    );
    expect(lines).toContain('cursor secret: configured');
    expect(lines).toContain('auth: requests without credentials allowed (demo on loopback)');
    expect(lines).toContain(
      'security: demo, introspection on, GraphiQL on, cursors expire after 86400 s, request bodies up to 1048576 bytes',
    );
  });

  it('names API keys by id, never by hash', () => {
    const keys = [
      { id: 'dashboard', sha256: hashApiKey('agk_dashboard'), sources: ['*'] },
      { id: 'siem', sha256: hashApiKey('agk_siem'), sources: ['fastly'], permissions: ['pii'] },
    ];
    const config = loadJson(
      { sources: [FASTLY], auth: { apiKeys: keys } },
      { AUDITGRAPH_CURSOR_SECRET: 'c'.repeat(32) },
      false,
    );
    const lines = describeConfig(config);
    expect(lines).toContain('auth: 2 API keys (ids: dashboard, siem)');
    for (const key of keys) expect(lines.join('\n')).not.toContain(key.sha256);
  });

  it('names how JWTs are checked, and that the demo lets anyone in when allowed', () => {
    const config = loadJson(
      {
        server: { host: '0.0.0.0' },
        auth: {
          jwt: { secret: 's'.repeat(40), issuer: 'fusionauth.example.com', audience: 'ag' },
          allowUnauthenticated: true,
        },
      },
      {},
      false,
    );
    expect(describeConfig(config)).toContain(
      'auth: JWT signed with the configured secret for issuer fusionauth.example.com, audience ag (HS256); requests without credentials allowed (allowUnauthenticated)',
    );
  });
});
