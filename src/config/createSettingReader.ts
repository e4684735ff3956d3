import type { z } from 'zod';
import { firstIssue, type ConfigProblems, type KeyPath } from './configError';
import { isRecord } from './isRecord';
import { readEnv } from './readEnv';
import { SETTINGS, type SettingDefinition, type SettingName } from './settings';
import type { LoadConfigInput } from './types';

/** A setting's value and the name to blame it on (`PORT`, `server.port`). */
export interface Setting<T> {
  readonly value: T;
  readonly label: string;
}

type Definition<N extends SettingName> = (typeof SETTINGS)[N];
type ValueOf<N extends SettingName> = z.output<Definition<N>['schema']>;
type DefaultOf<N extends SettingName> =
  Definition<N> extends { readonly default: infer D } ? D : undefined;

export interface SettingReader {
  /** The environment variable when set, else the file's value, else undefined. */
  setting<N extends SettingName>(name: N): Setting<ValueOf<N>> | undefined;
  /** The setting's value, or its default when neither the environment nor the file sets it. */
  value<N extends SettingName>(name: N): ValueOf<N> | DefaultOf<N>;
  /** Whether the file holds this key, or this group of keys, and not as null. */
  inFile(key: string): boolean;
  /** Whether the setting was given but refused (its problem recorded): it is not missing. */
  refused(name: SettingName): boolean;
}

/**
 * Reads the settings of SETTINGS: each from its environment variable, checked against its schema
 * when read (so problems are recorded in the order loadConfig asks, and a refused variable reads
 * as unset), else from the file, which toFileSchema has already checked against the same schemas
 * (`isFileKeyReported` says which of its keys were refused and left out).
 */
export function createSettingReader(
  env: LoadConfigInput['env'],
  file: Readonly<Record<string, unknown>> | null,
  problems: ConfigProblems,
  isFileKeyReported: (path: KeyPath) => boolean = () => false,
): SettingReader {
  const refusedVariables = new Set<string>();
  const inFileAt = (key: string | null): unknown =>
    key === null
      ? undefined
      : key
          .split('.')
          .reduce<unknown>((node, part) => (isRecord(node) ? node[part] : undefined), file);

  const setting = <N extends SettingName>(name: N): Setting<ValueOf<N>> | undefined => {
    const definition: Definition<N> = SETTINGS[name];
    const schema = definition.schema as z.ZodType<ValueOf<N>>;
    const raw = definition.env === null ? undefined : readEnv(env, definition.env);
    if (raw !== undefined) {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        problems.report(`${definition.env} ${firstIssue(parsed.error).message}`);
        refusedVariables.add(String(definition.env));
        return undefined;
      }
      return { value: parsed.data, label: String(definition.env) };
    }
    const value = inFileAt(definition.key);
    if (value === undefined || value === null) return undefined;
    // The file was parsed with a schema built from these rows: this is the row's schema's output.
    return { value: value as ValueOf<N>, label: String(definition.key) };
  };

  return {
    setting,
    value: (name) => {
      const definition: SettingDefinition<unknown> = SETTINGS[name];
      return (setting(name)?.value ?? definition.default) as never;
    },
    inFile: (key) => {
      const value = inFileAt(key);
      return value !== undefined && value !== null;
    },
    refused: (name) => {
      const { env: variable, key } = SETTINGS[name];
      setting(name);
      return (
        (variable !== null && refusedVariables.has(variable)) ||
        (key !== null && isFileKeyReported(key.split('.')))
      );
    },
  };
}
