import { FASTLY, errorOf, load, loadJson } from './configTestKit';

/** The problems of a refused config, one by one. */
function problemsOf(run: () => unknown): readonly string[] {
  const error = errorOf(run);
  expect(error.code).toBe('CONFIG_INVALID');
  return error.details.problems ?? [];
}

describe('loadConfig lists every problem, not just the first', () => {
  it('names each mistake of a file and of the environment: the file’s settings, its sources, then the variables', () => {
    const file = {
      sources: [
        { ...FASTLY, tokn: 'x', token: undefined },
        { id: 'nv', kind: 'nirvana', apiKey: '${NIRVANA_KEY}' },
        { id: 'cf', kind: 'cloudflare-v3', token: 't' },
        { ...FASTLY, id: 'fastly-2', rateLimit: { burst: 0, perSecond: 1 } },
      ],
      server: { port: 70000, hots: '0.0.0.0' },
      pagination: { defaultFirst: 0 },
    };
    const problems = problemsOf(() => loadJson(file, { LOG_LEVEL: 'loud' }));
    expect(problems).toEqual([
      'config file config.json: sources[1].apiKey refers to environment variable NIRVANA_KEY, which is not set',
      'config file config.json: server.hots is not a known key (allowed: host, port, drainSeconds)',
      'config file config.json: server.port must be an integer from 0 to 65535',
      'config file config.json: pagination.defaultFirst must be an integer from 1 to 1000',
      'config file config.json: sources[0].tokn is not a known key for kind fastly (allowed: id, kind, baseUrl, lateArrivalSeconds, rateLimit, token)',
      'config file config.json: sources[0].token is required for kind fastly',
      'config file config.json: sources[2].kind must be one of fastly, cloudflare-v1, cloudflare-v2, fusionauth-event-log, fusionauth-audit-log, nirvana',
      'config file config.json: sources[3].rateLimit.burst must be an integer from 1 to 10000',
      'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent',
    ]);
  });

  it('says how many there are, and lists them, in its message', () => {
    const error = errorOf(() => load({ env: { PORT: 'x', HOST: 'a b' }, secured: false }));
    expect(error.message).toBe(
      [
        '2 problems with the configuration:',
        '- HOST must be a host name or an IP address',
        '- PORT must be an integer from 0 to 65535',
      ].join('\n'),
    );
  });

  it('keeps the message of a single problem as it is', () => {
    const error = errorOf(() => load({ env: { PORT: 'x' } }));
    expect(error.message).toBe('PORT must be an integer from 0 to 65535');
    expect(error.details.problems).toEqual([error.message]);
  });

  it('names every check of live mode that fails', () => {
    const problems = problemsOf(() =>
      loadJson({ sources: [FASTLY], auth: { allowUnauthenticated: true } }, {}, false),
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^auth\.allowUnauthenticated is refused in live mode/);
    expect(problems[1]).toMatch(/^live mode needs client authentication/);
    expect(problems[2]).toMatch(/^live mode needs a cursor secret/);
  });

  it('does not call a refused value missing as well', () => {
    const problems = problemsOf(() =>
      loadJson(
        { sources: [FASTLY] },
        {
          AUDITGRAPH_CURSOR_SECRET: 'short',
          AUDITGRAPH_JWT_JWKS_URL: 'http://idp.example.com/jwks',
          AUDITGRAPH_JWT_ISSUER: 'https://idp.example.com',
        },
        false,
      ),
    );
    expect(problems).toEqual([
      'AUDITGRAPH_CURSOR_SECRET must be at least 32 characters (it signs cursors)',
      'AUDITGRAPH_JWT_JWKS_URL must be an https URL (plain http only on a loopback host)',
    ]);
  });

  it('names both claims a JWT key lacks', () => {
    const problems = problemsOf(() =>
      loadJson({ sources: [FASTLY], auth: { jwt: { secret: 's'.repeat(40) } } }, {}, false),
    );
    expect(
      problems.filter((problem) => problem.includes('is required with auth.jwt.secret')),
    ).toEqual([
      'auth.jwt.issuer (or AUDITGRAPH_JWT_ISSUER) is required with auth.jwt.secret: tokens of any other issuer are refused',
      'auth.jwt.audience (or AUDITGRAPH_JWT_AUDIENCE) is required with auth.jwt.secret: tokens of any other audience are refused',
    ]);
  });

  it('names each clash of source ids and each bad API key', () => {
    const sha = 'a'.repeat(64);
    const problems = problemsOf(() =>
      loadJson({
        sources: [FASTLY, { ...FASTLY }, { ...FASTLY, id: 'FASTLY' }],
        auth: {
          apiKeys: [
            { id: 'k', sha256: sha, sources: ['*'] },
            { id: 'k', sha256: 'b'.repeat(64), sources: ['*'] },
            { id: 'j', sha256: sha, sources: ['*'] },
          ],
        },
      }),
    );
    expect(problems).toEqual([
      'source id "fastly" from sources[1] is already used by sources[0] (config file config.json); source ids must be unique',
      'source id "FASTLY" from sources[2] is already used by sources[0] (config file config.json); source ids must be unique',
      'auth.apiKeys[1].id "k" is already used by auth.apiKeys[0]; API key ids must be unique',
      'auth.apiKeys[2].sha256 is the same as auth.apiKeys[0].sha256: give each client its own key',
    ]);
  });

  it('never repeats a secret in any of them', () => {
    const token = 'a-fastly-token-that-is-secret';
    const error = errorOf(() =>
      loadJson(
        {
          sources: [{ ...FASTLY, token, baseUrl: `https://x.example.com/?t=${token}` }],
          server: { port: token },
        },
        { AUDITGRAPH_METRICS_TOKEN: 'has spaces but is long' },
      ),
    );
    expect(error.details.problems?.length).toBeGreaterThan(1);
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain('has spaces but is long');
    for (const problem of error.details.problems ?? []) expect(problem).not.toContain(token);
  });
});
