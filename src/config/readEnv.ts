import type { LoadConfigInput } from './types';

/** An empty variable counts as unset: `FOO=` in an env file or a compose file means "not given". */
export function readEnv(env: LoadConfigInput['env'], name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}
