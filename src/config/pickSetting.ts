import type { z } from 'zod';
import { configError, firstIssue } from './configError';
import { readEnv } from './readEnv';
import type { LoadConfigInput } from './types';

/** A setting's value and the name to blame it on (`PORT`, `server.port`). */
export interface Setting<T> {
  readonly value: T;
  readonly label: string;
}

/** The environment variable when set, else the file's value (already validated), else undefined. */
export function pickSetting<T>(
  env: LoadConfigInput['env'],
  name: string,
  schema: z.ZodType<T>,
  fromFile: Setting<T> | undefined,
): Setting<T> | undefined {
  const raw = readEnv(env, name);
  if (raw === undefined) return fromFile;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw configError(`${name} ${firstIssue(parsed.error).message}`);
  return { value: parsed.data, label: name };
}

/** A file value as a setting to blame on its key, or undefined when the file does not set it. */
export function fileSetting<T>(value: T | undefined, label: string): Setting<T> | undefined {
  return value === undefined ? undefined : { value, label };
}
