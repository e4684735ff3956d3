import { loadConfig } from '../../../src/config/loadConfig';
import type { AuditgraphConfig } from '../../../src/config/types';
import { AuditgraphError } from '../../../src/model/errors';

// What the config tests share: loading a config from files and an environment given as values.

export type Env = Record<string, string | undefined>;

export interface LoadCase {
  /** Files by path, as text. */
  readonly files?: Readonly<Record<string, string>>;
  readonly argv?: readonly string[];
  readonly env?: Env;
  /**
   * Adds SECURED under `env` (default true), so tests of other settings may configure sources,
   * which live mode accepts only with client authentication and a cursor secret.
   */
  readonly secured?: boolean;
}

export const JWKS_URL = 'https://idp.example.com/.well-known/jwks.json';
export const ISSUER = 'https://idp.example.com';
export const AUDIENCE = 'auditgraph';

/** Client authentication by JWTs, all from the environment. */
export const JWT_ENV: Env = {
  AUDITGRAPH_JWT_JWKS_URL: JWKS_URL,
  AUDITGRAPH_JWT_ISSUER: ISSUER,
  AUDITGRAPH_JWT_AUDIENCE: AUDIENCE,
};

/** What live mode needs besides its sources. */
export const SECURED: Env = { AUDITGRAPH_CURSOR_SECRET: 'c'.repeat(32), ...JWT_ENV };

export function load({
  files = {},
  argv = [],
  env = {},
  secured = true,
}: LoadCase): AuditgraphConfig {
  return loadConfig({
    argv,
    env: secured ? { ...SECURED, ...env } : env,
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) {
        throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
      }
      return text;
    },
  });
}

/** Loads a JSON config given as a value, as `--config config.json`. */
export function loadJson(value: unknown, env: Env = {}, secured = true): AuditgraphConfig {
  return load({
    files: { 'config.json': JSON.stringify(value) },
    argv: ['--config', 'config.json'],
    env,
    secured,
  });
}

export function errorOf(run: () => unknown): AuditgraphError {
  try {
    run();
  } catch (error) {
    if (error instanceof AuditgraphError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

export function messageOf(run: () => unknown): string {
  const error = errorOf(run);
  expect(error.code).toBe('CONFIG_INVALID');
  return error.message;
}

export const FASTLY = { id: 'fastly', kind: 'fastly', token: 'fastly-token' };
export const CF_ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353';
export const TENANT = '6c9e9669-9670-4f85-9f16-8396c2206f7f';
