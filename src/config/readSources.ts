import { z } from 'zod';
import type {
  EnvShortcut,
  SourceConfigBase,
  SourceKindDefinition,
} from '../providers/SourceKindDefinition';
import type { SourceConfig, SourceKinds } from '../providers/sourceKinds';
import { BUILT_IN_KINDS, SOURCE_KINDS } from '../providers/sourceKinds';
import {
  allIssues,
  configError,
  firstIssue,
  formatPath,
  type ConfigProblems,
  type KeyPath,
} from './configError';
import { isRecord } from './isRecord';
import { readEnv } from './readEnv';
import {
  formatRateLimitVariable,
  parseRateLimitVariable,
  rateLimitSchema,
} from './rateLimitSchema';
import { baseUrl, idSchema, integer, strictObject } from './schemas';
import { MAX_DELAY_SECONDS } from './settings';
import type { EnvironmentVariable, LoadConfigInput } from './types';

/**
 * The sources: the config file's entries (`sources`), then those of the environment shortcuts,
 * every id used once. Each is checked against its kind's keys (the kind definitions of
 * src/providers/), so what a kind takes is written once, beside the kind. A source with a
 * problem is recorded in `problems` and left out; `refused` counts them.
 */
export function readSources(
  env: LoadConfigInput['env'],
  file: {
    readonly path: string;
    readonly entries: readonly unknown[];
    /** Variables the file refers to with `${NAME}`: their shortcuts are the file's own. */
    readonly referencedVariables: ReadonlySet<string>;
    readonly report: (path: KeyPath, message: string) => void;
    readonly isReported: (path: KeyPath) => boolean;
  } | null,
  problems: ConfigProblems,
  kinds: SourceKinds = BUILT_IN_KINDS,
): { readonly sources: SourceConfig[]; readonly refused: number } {
  let refused = 0;
  const fileSources =
    file === null
      ? []
      : file.entries.flatMap((entry, index) => {
          const parsed = parseFileSource(entry, index, file, kinds);
          if (parsed === null) refused += 1;
          return parsed === null ? [] : [parsed];
        });
  const envSources = sourcesFromEnv(
    env,
    file?.referencedVariables ?? new Set(),
    kinds,
    problems,
    () => {
      refused += 1;
    },
  );
  const unique = toUniqueIds([...fileSources, ...envSources], file?.path ?? null, problems);
  // Checked against the kind's own keys; a kind of the built-in set has its member of the union.
  return { sources: unique.map((entry) => entry.source as SourceConfig), refused };
}

/** The keys of the built-in kinds that hold credentials: never printed, redacted from messages. */
export const SOURCE_CREDENTIAL_KEYS: readonly string[] = [
  ...new Set(SOURCE_KINDS.flatMap((definition) => definition.secretKeys)),
];

/**
 * The built-in kinds' environment shortcuts' variables, for ENVIRONMENT_VARIABLES: each
 * shortcut's own, then its rate limit's.
 */
export const SOURCE_ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = SOURCE_KINDS.flatMap(
  (definition) =>
    definition.envShortcut === null
      ? []
      : [
          ...definition.envShortcut.variables,
          {
            name: definition.envShortcut.rateLimitVariable,
            description:
              "Rate limit of the sources these variables add, `burst=<requests>,perSecond=<requests>` (overrides the kind's default)",
            default: formatRateLimitVariable(definition.rateLimit),
          },
        ],
);

const lateArrivalSchema = integer(0, MAX_DELAY_SECONDS);

/**
 * One strict schema per kind, so a credential of the wrong kind is an unknown key (also the
 * kind's member of the JSON Schema of the config file).
 */
export function sourceSchema(definition: SourceKindDefinition) {
  const { kind } = definition;
  const required = `is required for kind ${kind}`;
  const url = definition.defaultBaseUrl === null ? baseUrl(required) : baseUrl(required).optional();
  return strictObject(
    {
      id: idSchema.describe('Names the source in filters, cursors, logs and metrics'),
      kind: z.literal(kind),
      baseUrl: url.describe(
        definition.defaultBaseUrl === null
          ? 'Root URL of the API (required: the provider is self-hosted)'
          : `Root URL of the API; default ${definition.defaultBaseUrl}`,
      ),
      lateArrivalSeconds: lateArrivalSchema
        .describe(
          `How late the API shows events, in seconds; default ${definition.lateArrivalSeconds}`,
        )
        .optional(),
      rateLimit: rateLimitSchema
        .describe(
          `Client-side limit of the source's credential; default burst ${definition.rateLimit.capacity}, perSecond ${definition.rateLimit.refillPerSecond}`,
        )
        .optional(),
      ...definition.configKeys(required),
    },
    ` for kind ${kind}`,
  );
}

/** The parsed entry with the kind's default base URL, its unset optional keys left out. */
function toSourceConfig(
  parsed: Readonly<Record<string, unknown>>,
  definition: SourceKindDefinition,
): SourceConfigBase {
  const defined = Object.fromEntries(
    Object.entries(parsed).filter(([, value]) => value !== undefined),
  ) as Record<string, unknown> & { id: string };
  const url = defined.baseUrl ?? definition.defaultBaseUrl;
  // The schema requires baseUrl for kinds without a default; this only narrows the type.
  if (typeof url !== 'string') throw configError(`source ${defined.id} has no baseUrl`);
  return { ...defined, id: defined.id, kind: definition.kind, baseUrl: url };
}

/** A source and where it came from, for messages about clashes. */
interface SourceEntry {
  readonly source: SourceConfigBase;
  readonly origin: string;
}

/** The entry as a source, or null when it has problems (each recorded). */
function parseFileSource(
  raw: unknown,
  index: number,
  file: {
    readonly report: (path: KeyPath, message: string) => void;
    readonly isReported: (path: KeyPath) => boolean;
  },
  kinds: SourceKinds,
): SourceEntry | null {
  const path: KeyPath = ['sources', index];
  if (file.isReported(path)) return null;
  if (!isRecord(raw)) {
    file.report(path, 'must be an object');
    return null;
  }
  const names = kinds.all.map((definition) => definition.kind).join(', ');
  const kind = raw.kind;
  const definition = typeof kind === 'string' ? kinds.find(kind) : undefined;
  if (definition === undefined) {
    if (!file.isReported([...path, 'kind'])) {
      const problem =
        kind === undefined ? `is required (one of ${names})` : `must be one of ${names}`;
      file.report([...path, 'kind'], problem);
    }
    return null;
  }
  const parsed = sourceSchema(definition).safeParse(raw);
  if (!parsed.success) {
    for (const issue of allIssues(parsed.error)) {
      const at = [...path, ...issue.path];
      if (!file.isReported(at)) file.report(at, issue.message);
    }
    return null;
  }
  // A key whose `${NAME}` was refused is unusable even when its text passes the schema.
  if (file.isReported(path) || Object.keys(raw).some((key) => file.isReported([...path, key]))) {
    return null;
  }
  return { source: toSourceConfig(parsed.data, definition), origin: formatPath(path) };
}

/**
 * The shortcuts' sources. A shortcut whose variables the config file already uses (`"token":
 * "${FASTLY_API_TOKEN}"`, as in design.md §7) is the file's: it adds nothing of its own.
 */
function sourcesFromEnv(
  env: LoadConfigInput['env'],
  usedByFile: ReadonlySet<string>,
  kinds: SourceKinds,
  problems: ConfigProblems,
  onRefused: () => void,
): SourceEntry[] {
  const shortcuts = kinds.all.flatMap((definition) =>
    definition.envShortcut === null ? [] : [definition.envShortcut],
  );
  return shortcuts.flatMap((shortcut) => {
    const before = problems.count;
    const entries = problems.attempt(() => sourcesOfShortcut(shortcut, env, usedByFile, kinds), []);
    if (problems.count > before) onRefused();
    return entries;
  });
}

/** The sources of one shortcut; throws the first problem of its variables. */
function sourcesOfShortcut(
  shortcut: EnvShortcut,
  env: LoadConfigInput['env'],
  usedByFile: ReadonlySet<string>,
  kinds: SourceKinds,
): SourceEntry[] {
  const read = (name: string): string | undefined => readEnv(env, name);
  const entries: SourceEntry[] = [];
  const rateLimitVariable = shortcut.rateLimitVariable;
  const rateLimitText = read(rateLimitVariable);
  const fileVariable = [...shortcut.required, ...shortcut.optional].find((name) =>
    usedByFile.has(name),
  );
  if (fileVariable !== undefined) {
    if (rateLimitText !== undefined) {
      throw configError(
        `${rateLimitVariable} is set, but the config file uses ${fileVariable} in a source of its own: set rateLimit on that source instead`,
      );
    }
    return [];
  }
  const given = [...shortcut.required, ...shortcut.optional, rateLimitVariable].find(
    (name) => read(name) !== undefined,
  );
  if (given === undefined) return [];
  const missing = shortcut.required.find((name) => read(name) === undefined);
  if (missing !== undefined) throw configError(`${missing} is required when ${given} is set`);
  let built;
  try {
    built = shortcut.build(read);
  } catch (error) {
    throw configError(error instanceof Error ? error.message : String(error));
  }
  const rateLimit = rateLimitText === undefined ? undefined : parseRateLimitVariable(rateLimitText);
  if (rateLimit === null) {
    throw configError(
      `${rateLimitVariable} must be burst=<requests>,perSecond=<requests> (e.g. burst=40,perSecond=20)`,
    );
  }
  for (const { raw, variables } of built) {
    const definedRaw: Record<string, unknown> = Object.fromEntries(
      Object.entries(raw).filter(([, value]) => value !== undefined),
    );
    if (rateLimit !== undefined) definedRaw.rateLimit = rateLimit;
    const kind = raw.kind;
    const definition = kind === undefined ? undefined : kinds.find(kind);
    if (definition === undefined) throw configError(`unknown source kind ${String(kind)}`);
    const parsed = sourceSchema(definition).safeParse(definedRaw);
    if (!parsed.success) {
      const issue = firstIssue(parsed.error);
      const [key, ...inner] = issue.path;
      if (key === 'rateLimit') {
        throw configError(`${rateLimitVariable} ${formatPath(inner)} ${issue.message}`);
      }
      const variable = typeof key === 'string' ? variables[key] : undefined;
      throw configError(`${variable ?? formatPath(issue.path)} ${issue.message}`);
    }
    const origin = Object.values(variables).find((name) => read(name) !== undefined) ?? given;
    entries.push({ source: toSourceConfig(parsed.data, definition), origin });
  }
  return entries;
}

/**
 * Ids name sources in filters and cursors; two that differ only in case would confuse both. Each
 * clash is recorded; the first source of an id is kept.
 */
function toUniqueIds(
  entries: readonly SourceEntry[],
  configPath: string | null,
  problems: ConfigProblems,
): SourceEntry[] {
  const seen = new Map<string, SourceEntry>();
  for (const entry of entries) {
    const key = entry.source.id.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const inFile = configPath === null ? '' : ` (config file ${configPath})`;
      problems.report(
        `source id "${entry.source.id}" from ${entry.origin} is already used by ${earlier.origin}${inFile}; source ids must be unique`,
      );
      continue;
    }
    seen.set(key, entry);
  }
  return [...seen.values()];
}
