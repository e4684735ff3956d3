import { CF_ACCOUNT, FASTLY, load, loadJson, messageOf, type Env } from './configTestKit';

describe('loadConfig reads JSON and YAML', () => {
  const json = JSON.stringify({ sources: [FASTLY], server: { port: 4100 } });
  const yaml =
    'sources:\n  - id: fastly\n    kind: fastly\n    token: fastly-token\nserver:\n  port: 4100\n';
  it.each<[string, string, string]>([
    ['.json', 'auditgraph.json', json],
    ['.yaml', 'auditgraph.yaml', yaml],
    ['.yml', 'auditgraph.YML', yaml],
    ['JSON without an extension', 'auditgraph', json],
    ['YAML without an extension', 'auditgraph.conf', yaml],
    ['JSON with a byte order mark', 'auditgraph.json', `\uFEFF${json}`],
  ])('%s', (_name, path, text) => {
    const config = load({ files: { [path]: text }, argv: ['--config', path] });
    expect(config.sources).toEqual([
      { id: 'fastly', kind: 'fastly', baseUrl: 'https://api.fastly.com', token: 'fastly-token' },
    ]);
    expect(config.port).toBe(4100);
  });

  it('loads the example of design.md §7', () => {
    const example = {
      sources: [
        {
          id: 'cf-prod',
          kind: 'cloudflare-v2',
          accountId: CF_ACCOUNT,
          token: '${CLOUDFLARE_API_TOKEN}',
          baseUrl: 'https://api.cloudflare.com/client/v4',
        },
        { id: 'fastly', kind: 'fastly', token: '${FASTLY_API_TOKEN}' },
        {
          id: 'fa-audit',
          kind: 'fusionauth-audit-log',
          baseUrl: 'https://auth.example.com',
          apiKey: '${FUSIONAUTH_API_KEY}',
        },
        { id: 'nirvana', kind: 'nirvana', apiKey: '${NIRVANA_API_KEY}' },
      ],
    };
    // The shortcuts' own variables, used by the file: they add no second source.
    const config = loadJson(example, {
      CLOUDFLARE_API_TOKEN: 'cf-token',
      FASTLY_API_TOKEN: 'fastly-token',
      FUSIONAUTH_API_KEY: 'fa-key',
      NIRVANA_API_KEY: 'nv-key',
    });
    expect(config.sources).toEqual([
      {
        id: 'cf-prod',
        kind: 'cloudflare-v2',
        baseUrl: 'https://api.cloudflare.com/client/v4',
        token: 'cf-token',
        accountId: CF_ACCOUNT,
      },
      { id: 'fastly', kind: 'fastly', baseUrl: 'https://api.fastly.com', token: 'fastly-token' },
      {
        id: 'fa-audit',
        kind: 'fusionauth-audit-log',
        baseUrl: 'https://auth.example.com',
        apiKey: 'fa-key',
      },
      { id: 'nirvana', kind: 'nirvana', baseUrl: 'https://api.nirvanalabs.io', apiKey: 'nv-key' },
    ]);
  });
});

describe('loadConfig substitutes ${NAME} from the environment', () => {
  it.each<[string, string, Env, string]>([
    ['a whole value', '${TOKEN}', { TOKEN: 'abc' }, 'abc'],
    ['inside a value', 'pre-${A}-${B}', { A: 'x', B: 'y' }, 'pre-x-y'],
    ['not "$$" followed by "{"', 'a$$b$c', {}, 'a$$b$c'],
    ['not "$${", which stands for "${"', 'a$${LITERAL}', {}, 'a${LITERAL}'],
  ])('in %s', (_name, token, env, expected) => {
    expect(
      (
        loadJson({ sources: [{ ...FASTLY, token }] }, env).sources[0] as
          { token?: string } | undefined
      )?.token,
    ).toBe(expected);
  });

  it('in numbers written as text', () => {
    const config = loadJson(
      { server: { port: '${APP_PORT}' }, pagination: { maxFirst: '${MAX}' } },
      { APP_PORT: '4321', MAX: '500' },
    );
    expect(config.port).toBe(4321);
    expect(config.pagination.maxFirst).toBe(500);
  });

  it('in YAML as in JSON', () => {
    const yaml = 'sources:\n  - id: fastly\n    kind: fastly\n    token: ${FASTLY_TOKEN}\n';
    const config = load({
      files: { 'c.yaml': yaml },
      argv: ['--config', 'c.yaml'],
      env: { FASTLY_TOKEN: 'from-env' },
    });
    expect((config.sources[0] as { token?: string } | undefined)?.token).toBe('from-env');
  });

  it.each<[string, string, Env, string]>([
    [
      'an unset variable',
      '${NOPE}',
      {},
      'sources[0].token refers to environment variable NOPE, which is not set',
    ],
    [
      'an empty variable',
      '${EMPTY}',
      { EMPTY: '' },
      'sources[0].token refers to environment variable EMPTY, which is empty',
    ],
    [
      'a reference that is no name',
      '${NOT-A-NAME}',
      {},
      'sources[0].token has a "${...}" that is not a variable name',
    ],
    [
      'a reference without its brace',
      'abc${TOKEN',
      { TOKEN: 'x' },
      'sources[0].token has a "${" without its closing "}"',
    ],
  ])('refuses %s, naming the key and the variable', (_name, token, env, message) => {
    expect(messageOf(() => loadJson({ sources: [{ ...FASTLY, token }] }, env))).toContain(
      `config file config.json: ${message}`,
    );
  });
});

describe('readConfigFile refuses what is no config file', () => {
  it.each<[string, string, string, string]>([
    [
      'an object',
      'config.json',
      JSON.stringify([FASTLY]),
      'config file config.json must hold an object',
    ],
    ['JSON', 'c.json', '{"sources": [\n  {"id": "x",}\n]}', 'config file c.json is not valid JSON'],
    [
      'YAML',
      'c.yaml',
      'sources:\n  - id: x\n   kind: fastly\n',
      'config file c.yaml is not valid YAML (line 3',
    ],
    [
      'YAML with duplicate keys',
      'c.yaml',
      'server:\n  port: 1\n  port: 2\n',
      'config file c.yaml is not valid YAML (line 3, column 3: DUPLICATE_KEY)',
    ],
    ['text that is neither', 'c.conf', 'sources: [\n', 'config file c.conf is not valid YAML'],
    ['an empty file', 'c.yaml', '', 'config file c.yaml must hold an object'],
  ])('refuses a file that is not %s', (_name, path, text, message) => {
    expect(messageOf(() => load({ files: { [path]: text }, argv: ['--config', path] }))).toContain(
      message,
    );
  });

  it('refuses a __proto__ key rather than letting it pass unseen', () => {
    const file = '{"__proto__": {"cursorSecret": "x"}, "sources": []}';
    const message = messageOf(() =>
      load({ files: { 'c.json': file }, argv: ['--config', 'c.json'] }),
    );
    expect(message).toContain('__proto__ is not a known key');
  });
});
