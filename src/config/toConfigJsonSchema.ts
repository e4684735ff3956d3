import { z } from 'zod';
import type { SourceKinds } from '../providers/sourceKinds';
import { BUILT_IN_KINDS } from '../providers/sourceKinds';
import { sourceSchema } from './readSources';
import { NULLABLE_GROUPS, SETTINGS, type SettingDefinition } from './settings';
import { toFileSchema } from './toFileSchema';

/** The JSON Schema's own id: a name, not an address to fetch. */
export const CONFIG_SCHEMA_ID = 'urn:auditgraph:config-file';

/** Where the repository keeps it, for editors (`# yaml-language-server: $schema=...`). */
export const CONFIG_SCHEMA_PATH = 'schema/auditgraph.config.schema.json';

type JsonSchema = { [key: string]: unknown };

/** A string that loadConfig replaces from the environment: any value may be written so. */
const SUBSTITUTION: JsonSchema = {
  type: 'string',
  pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}',
  description: '`${NAME}`: the value of environment variable NAME, checked once substituted',
};

/**
 * The JSON Schema of the config file, built from the same rows loadConfig reads it with
 * (toFileSchema over SETTINGS, each kind's source schema for the entries of `sources`), so that an
 * editor flags what start-up would refuse. What the schema cannot say is left to loadConfig and
 * check-config: rules across keys (`defaultFirst` at most `maxFirst`, live mode needs client
 * authentication), and values given as `${NAME}`, which it accepts wherever a value may stand.
 */
export function toConfigJsonSchema(kinds: SourceKinds = BUILT_IN_KINDS): JsonSchema {
  const [first, ...others] = kinds.all.map(sourceSchema);
  if (first === undefined) throw new Error('no source kinds');
  const sources = z.array(z.discriminatedUnion('kind', [first, ...others]));
  const settings: Record<string, SettingDefinition<unknown>> = {
    ...SETTINGS,
    sources: { ...SETTINGS.sources, schema: sources },
  };
  const generated = z.toJSONSchema(toFileSchema(settings, NULLABLE_GROUPS), {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  const rows = new Map(
    Object.values(settings).flatMap((row) => (row.key === null ? [] : [[row.key, row] as const])),
  );
  const { $schema, ...body } = generated;
  return {
    $schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'auditgraph config file',
    description:
      'The config file of auditgraph (--config FILE or AUDITGRAPH_CONFIG), as JSON or YAML. Generated from src/config/settings.ts and the source kinds by npm run config:write; docs/configuration.md describes every key.',
    ...(decorate(body, [], rows) as JsonSchema),
    $defs: { substitution: SUBSTITUTION },
  };
}

/**
 * Adds each row's title, description and default to its key, and lets every value that is not an
 * object, a list or a source's `kind` be written as `${NAME}`.
 */
function decorate(
  node: unknown,
  path: readonly string[],
  rows: ReadonlyMap<string, SettingDefinition<unknown>>,
): unknown {
  if (!isSchema(node)) return node;
  for (const union of ['anyOf', 'oneOf'] as const) {
    const members = node[union];
    if (Array.isArray(members)) {
      return { ...node, [union]: members.map((member) => decorate(member, path, rows)) };
    }
  }
  if (node.type === 'object' && isSchema(node.properties)) {
    const properties = Object.fromEntries(
      Object.entries(node.properties).map(([key, value]) => [
        key,
        describe(decorate(value, [...path, key], rows), [...path, key], rows),
      ]),
    );
    return { ...node, properties };
  }
  if (node.type === 'array') return { ...node, items: decorate(node.items, [...path, '[]'], rows) };
  if ('const' in node || path.at(-1) === 'kind') return node;
  const { description, ...leaf } = node;
  return {
    ...(description === undefined ? {} : { description }),
    anyOf: [leaf, { $ref: '#/$defs/substitution' }],
  };
}

function describe(
  node: unknown,
  path: readonly string[],
  rows: ReadonlyMap<string, SettingDefinition<unknown>>,
): unknown {
  const row = rows.get(path.join('.'));
  if (!isSchema(node) || row === undefined) return node;
  const parts = [
    row.description,
    row.note === undefined ? undefined : `${row.note}.`,
    row.env === null ? undefined : `Environment variable ${row.env} overrides it.`,
    row.secret === true ? 'A secret: write it as ${NAME} rather than in the file.' : undefined,
  ].filter((part): part is string => part !== undefined);
  const isDefaultShown =
    typeof row.default === 'string' ||
    typeof row.default === 'number' ||
    typeof row.default === 'boolean';
  return {
    title: path.join('.'),
    ...(parts.length === 0 ? {} : { description: parts.join('. ').replace(/\.\./g, '.') }),
    ...(isDefaultShown ? { default: row.default } : {}),
    ...(row.secret === true ? { writeOnly: true } : {}),
    ...node,
  };
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
