import { SOURCE_ENVIRONMENT_VARIABLES } from './readSources';
import { SETTINGS, type SettingDefinition } from './settings';
import type { EnvironmentVariable } from './types';

/** A setting's row of the README's table, when a variable sets it. */
function toEnvironmentVariable(setting: SettingDefinition<unknown>): EnvironmentVariable[] {
  if (setting.env === null) return [];
  const overrides = setting.key === null ? '' : ` (overrides \`${setting.key}\`)`;
  const note = setting.note === undefined ? '' : `; ${setting.note}`;
  return [
    {
      name: setting.env,
      description: `${setting.description ?? ''}${overrides}${note}`,
      default: toCell(setting.default),
      ...(setting.secret === true ? { secret: true } : {}),
    },
  ];
}

/** A default as the README shows it; none when it depends on the mode. */
function toCell(value: unknown): string | null {
  const shown =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  return shown ? String(value) : null;
}

/**
 * Every environment variable auditgraph reads, for the README's config table and its check: the
 * settings', then the source shortcuts'.
 */
export const ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = [
  ...Object.values<SettingDefinition<unknown>>(SETTINGS).flatMap(toEnvironmentVariable),
  ...SOURCE_ENVIRONMENT_VARIABLES,
];

/** The variables that hold credentials: their values are redacted from every message. */
export const SECRET_ENV_NAMES: readonly string[] = ENVIRONMENT_VARIABLES.filter(
  (variable) => variable.secret === true,
).map((variable) => variable.name);
