import { createAuthenticator } from './auth/createAuthenticator';
import { SECRET_ENV_NAMES } from './config/environmentVariables';
import { loadConfig } from './config/loadConfig';
import { readEnv } from './config/readEnv';
import { DEFAULT_AUTH_CONFIG } from './config/settings';
import type { AuditgraphConfig, LoadConfigInput } from './config/types';
import { isAuditgraphError } from './model/errors';
import { createSources } from './providers/createSources';
import type { SourceKinds } from './providers/sourceKinds';
import { BUILT_IN_KINDS } from './providers/sourceKinds';

/** What stands in for a secret in check-config's output: that it is set, never what it is. */
export const SECRET_MASK = '[secret]';

/** The exit code of a refused config, the same as a start-up refused for its config. */
export const CONFIG_REFUSED_EXIT_CODE = 2;

export interface CheckConfigOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * `auditgraph check-config [--config FILE]`: reads the config file and the environment exactly
 * as start-up does (loadConfig), then builds what start-up builds before it listens and that
 * needs no network (the authenticator, with its check of each JWT key against its algorithms,
 * and the sources' clients and rate limiters), and closes it again. A config that passes is
 * printed as JSON on stdout, every secret masked; one that does not is refused on stderr with
 * every problem, and the exit code is CONFIG_REFUSED_EXIT_CODE.
 */
export async function checkConfig(
  input: LoadConfigInput,
  output: CheckConfigOutput,
): Promise<number> {
  const kinds = input.kinds ?? BUILT_IN_KINDS;
  let config: AuditgraphConfig;
  try {
    config = loadConfig(input);
    await checkStartUp(config, kinds);
  } catch (error) {
    if (!isAuditgraphError(error) || error.code !== 'CONFIG_INVALID') throw error;
    const problems = error.details.problems ?? [error.message];
    output.stderr(
      `auditgraph check-config: the configuration is refused (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((problem) => `- ${problem}\n`).join('')}`,
    );
    return CONFIG_REFUSED_EXIT_CODE;
  }
  const text = JSON.stringify(toMaskedConfig(config, kinds), null, 2);
  output.stdout(`${redactSecrets(text, config, input.env, kinds)}\n`);
  const sources = config.sources.length;
  output.stderr(
    `auditgraph check-config: the configuration is valid (${config.mode === 'demo' ? 'demo' : `live, ${sources} source${sources === 1 ? '' : 's'}`})\n`,
  );
  return 0;
}

/** check-config as a command: on the process's streams, its result as the exit code. */
export async function runCheckConfig(
  argv: readonly string[],
  env: LoadConfigInput['env'],
): Promise<void> {
  process.exitCode = await checkConfig(
    { argv, env },
    {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    },
  );
}

/** The checks startAuditgraph makes of a loaded config before it listens, without the network. */
async function checkStartUp(config: AuditgraphConfig, kinds: SourceKinds): Promise<void> {
  const sourceIds =
    config.mode === 'demo'
      ? BUILT_IN_KINDS.all.map((definition) => definition.kind)
      : config.sources.map((source) => source.id);
  createAuthenticator(config.auth ?? DEFAULT_AUTH_CONFIG, {
    mode: config.mode,
    host: config.host,
    sourceIds,
  });
  const sources = createSources(config.sources, { now: Date.now, kinds });
  await sources.close();
}

/** The config with each secret replaced by SECRET_MASK, wherever the config holds one. */
export function toMaskedConfig(config: AuditgraphConfig, kinds: SourceKinds): unknown {
  const mask = <T>(value: T | null | undefined) =>
    value === null || value === undefined ? value : SECRET_MASK;
  const sources = config.sources.map((source) => {
    const secretKeys = kinds.get(source.kind).secretKeys;
    return Object.fromEntries(
      Object.entries(source).map(([key, value]) => [
        key,
        secretKeys.includes(key) ? SECRET_MASK : (value as unknown),
      ]),
    );
  });
  const jwt = config.auth?.jwt;
  return {
    ...config,
    sources,
    cursorSecret: mask(config.cursorSecret),
    ...(config.auth === undefined
      ? {}
      : {
          auth: {
            ...config.auth,
            jwt:
              jwt === null || jwt === undefined
                ? null
                : { ...jwt, ...(jwt.secret === undefined ? {} : { secret: SECRET_MASK }) },
          },
        }),
    ...(config.metrics === undefined
      ? {}
      : { metrics: { ...config.metrics, token: mask(config.metrics.token) } }),
  };
}

/**
 * The last guard: any secret the config or the environment holds is blanked from the text,
 * wherever it sits (a secret pasted into a key that is not a credential's).
 */
function redactSecrets(
  text: string,
  config: AuditgraphConfig,
  env: LoadConfigInput['env'],
  kinds: SourceKinds,
): string {
  const secrets = new Set<string>();
  for (const name of SECRET_ENV_NAMES) {
    const value = readEnv(env, name);
    if (value !== undefined) secrets.add(value);
  }
  for (const source of config.sources) {
    for (const key of kinds.get(source.kind).secretKeys) {
      const value = (source as unknown as Readonly<Record<string, unknown>>)[key];
      if (typeof value === 'string') secrets.add(value);
    }
  }
  for (const value of [config.cursorSecret, config.auth?.jwt?.secret, config.metrics?.token]) {
    if (typeof value === 'string') secrets.add(value);
  }
  let result = text;
  for (const secret of secrets) {
    // JSON escapes some characters: blank the secret as the text holds it, too.
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
      if (form.length >= 4) result = result.split(form).join(SECRET_MASK);
    }
  }
  return result;
}
