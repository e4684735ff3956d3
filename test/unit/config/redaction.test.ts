import { inspect } from 'node:util';
import { hashApiKey } from '../../../src/auth/hashApiKey';
import { describeConfig } from '../../../src/describeConfig';
import type { AuditgraphError } from '../../../src/model/errors';
import {
  CF_ACCOUNT,
  FASTLY,
  TENANT,
  load,
  errorOf,
  type Env,
  type LoadCase,
} from './configTestKit';

describe('secrets never leave loadConfig or describeConfig', () => {
  const SECRETS = {
    fastly: 'SECRET-fastly-token-5d1e9a',
    cloudflare: 'SECRET-cloudflare-token-8b2c7f',
    fusionauth: 'SECRET-fusionauth-key-3a9d4e',
    nirvana: 'SECRET-nirvana-key-6f0b1c',
    cursor: 'SECRET-cursor-secret-2e7a90c4d1b3f5a6',
    jwt: 'SECRET-jwt-hmac-secret-9f8e7d6c5b4a3210',
  };
  const ALL = Object.values(SECRETS);
  const env: Env = {
    FASTLY_API_TOKEN: SECRETS.fastly,
    CLOUDFLARE_API_TOKEN: SECRETS.cloudflare,
    CLOUDFLARE_ACCOUNT_ID: CF_ACCOUNT,
    FUSIONAUTH_URL: 'https://auth.example.com',
    FUSIONAUTH_API_KEY: SECRETS.fusionauth,
    NIRVANA_API_KEY: SECRETS.nirvana,
    AUDITGRAPH_CURSOR_SECRET: SECRETS.cursor,
  };

  /** Everything an error can carry into a log: message, stack, cause, enumerable fields. */
  function everythingIn(error: AuditgraphError): string {
    return [
      error.message,
      error.stack ?? '',
      inspect(error, { depth: 10 }),
      JSON.stringify(error),
    ].join('\n');
  }

  it.each<[string, LoadCase]>([
    [
      'a secret in the wrong key',
      {
        files: {
          'c.json': JSON.stringify({
            sources: [{ id: 'f', kind: 'fastly', tokn: SECRETS.fastly }],
          }),
        },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a secret with a space',
      {
        files: {
          'c.json': JSON.stringify({
            sources: [{ id: 'f', kind: 'fastly', token: `${SECRETS.fastly} x` }],
          }),
        },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a secret as a number-like YAML value',
      {
        files: { 'c.yaml': 'sources:\n  - id: f\n    kind: fastly\n    token: 1234567890123\n' },
        argv: ['--config', 'c.yaml'],
      },
    ],
    [
      'a secret left unquoted in JSON',
      {
        files: { 'c.json': `{"token": ${SECRETS.fastly}}` },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a JSON error right after a secret',
      {
        files: { 'c.json': `{"sources": [{"token": "${SECRETS.fastly}" x}]}` },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a YAML error on the line of a secret',
      {
        files: { 'c.yaml': `sources:\n  - token: ${SECRETS.fastly}: [\n` },
        argv: ['--config', 'c.yaml'],
      },
    ],
    [
      'a JSON error in a file without extension',
      { files: { c: `{"cursorSecret": "${SECRETS.cursor}",,}` }, argv: ['--config', 'c'] },
    ],
    [
      'a secret in a base URL',
      {
        files: {
          'c.json': JSON.stringify({
            sources: [
              {
                id: 'f',
                kind: 'fastly',
                token: 't',
                baseUrl: `https://u:${SECRETS.fastly}@api.fastly.com`,
              },
            ],
          }),
        },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a secret in a base URL query',
      {
        files: {
          'c.json': JSON.stringify({
            sources: [
              {
                id: 'f',
                kind: 'fastly',
                token: 't',
                baseUrl: `https://api.fastly.com/?key=${SECRETS.fastly}`,
              },
            ],
          }),
        },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a secret as a substituted base URL',
      {
        files: {
          'c.json': JSON.stringify({
            sources: [{ id: 'f', kind: 'nirvana', apiKey: 'k', baseUrl: '${NIRVANA_API_KEY}' }],
          }),
        },
        argv: ['--config', 'c.json'],
        env: { NIRVANA_API_KEY: SECRETS.nirvana },
      },
    ],
    [
      'a secret as an id',
      {
        files: {
          'c.json': JSON.stringify({
            sources: [
              { id: SECRETS.fastly, kind: 'fastly', token: 't' },
              { id: SECRETS.fastly, kind: 'fastly', token: 't' },
            ],
          }),
        },
        argv: ['--config', 'c.json'],
        // The same string is a credential too: only then is it a secret to hide.
        env: { FASTLY_API_TOKEN: SECRETS.fastly },
      },
    ],
    [
      'a cursorSecret that is too short',
      {
        files: { 'c.json': JSON.stringify({ cursorSecret: SECRETS.fastly }) },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a secret with a line break from the environment',
      { env: { FASTLY_API_TOKEN: `${SECRETS.fastly}\n` } },
    ],
    [
      'a secret as the Cloudflare version',
      { env: { ...env, CLOUDFLARE_AUDIT_LOG_VERSION: SECRETS.cloudflare } },
    ],
    ['a secret as a port', { env: { PORT: SECRETS.nirvana } }],
    [
      'a secret as the FusionAuth URL',
      { env: { FUSIONAUTH_URL: SECRETS.fusionauth, FUSIONAUTH_API_KEY: 'k' } },
    ],
    [
      'a secret as a tenant',
      {
        env: {
          FUSIONAUTH_URL: 'http://a',
          FUSIONAUTH_API_KEY: 'k',
          FUSIONAUTH_TENANT_ID: SECRETS.fusionauth,
        },
      },
    ],
    [
      'a short cursor secret from the environment',
      { env: { AUDITGRAPH_CURSOR_SECRET: SECRETS.fastly } },
    ],
    [
      'a JWT secret that is too short',
      {
        files: { 'c.json': JSON.stringify({ auth: { jwt: { secret: SECRETS.fastly } } }) },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a JWT secret beside an unknown key',
      {
        files: {
          'c.json': JSON.stringify({
            auth: { jwt: { secret: SECRETS.jwt, issuer: 'i', audience: 'a', key: SECRETS.jwt } },
          }),
        },
        argv: ['--config', 'c.json'],
      },
    ],
    [
      'a JWT secret as the issuer',
      {
        files: { 'c.json': JSON.stringify({ auth: { jwt: { secret: SECRETS.jwt } } }) },
        argv: ['--config', 'c.json'],
        env: { AUDITGRAPH_JWT_ISSUER: SECRETS.jwt },
      },
    ],
    [
      'a JWT secret in a key set URL',
      {
        env: { ...env, AUDITGRAPH_JWT_JWKS_URL: `http://idp.example.com/jwks?k=${SECRETS.fastly}` },
      },
    ],
    [
      'an id clash with every secret set',
      {
        env,
        files: {
          'c.json': JSON.stringify({
            sources: [{ id: 'nirvana', kind: 'nirvana', apiKey: SECRETS.nirvana }],
          }),
        },
        argv: ['--config', 'c.json'],
      },
    ],
  ])('no secret in the error for %s', (_name, input) => {
    const error = errorOf(() => load(input));
    expect(error.code).toBe('CONFIG_INVALID');
    const text = everythingIn(error);
    for (const secret of [...ALL, '1234567890123']) expect(text).not.toContain(secret);
    // Parsers quote a few characters around an error: not even a piece of a secret may show.
    expect(text).not.toMatch(/SECRET-|12345678/);
  });

  it('no secret in describeConfig', () => {
    const config = load({
      env,
      files: {
        'c.json': JSON.stringify({
          sources: [
            {
              id: 'fa-event',
              kind: 'fusionauth-event-log',
              baseUrl: 'http://localhost:9011',
              apiKey: SECRETS.fusionauth,
              tenantId: TENANT,
            },
          ],
        }),
      },
      argv: ['--config', 'c.json'],
    });
    expect(config.sources).toHaveLength(6);
    const banner = describeConfig(config).join('\n');
    for (const secret of ALL) expect(banner).not.toContain(secret);
  });

  it('no JWT secret and no API key hash in describeConfig', () => {
    const sha256 = hashApiKey(SECRETS.nirvana);
    const config = load({
      env: { AUDITGRAPH_CURSOR_SECRET: SECRETS.cursor },
      secured: false,
      files: {
        'c.json': JSON.stringify({
          sources: [FASTLY],
          auth: {
            apiKeys: [{ id: 'dashboard', sha256, sources: ['*'] }],
            jwt: { secret: SECRETS.jwt, issuer: 'https://auth.example.com', audience: 'ag' },
          },
        }),
      },
      argv: ['--config', 'c.json'],
    });
    expect(config.auth?.jwt?.secret).toBe(SECRETS.jwt);
    const banner = describeConfig(config).join('\n');
    expect(banner).toContain('1 API key (ids: dashboard)');
    for (const secret of [...ALL, sha256]) expect(banner).not.toContain(secret);
  });
});
