import { z } from 'zod';
import type { SourceKindDefinition } from '../providers/SourceKindDefinition';
import type { SourceKinds } from '../providers/sourceKinds';
import { BUILT_IN_KINDS } from '../providers/sourceKinds';
import { MAX_RATE_LIMIT } from './rateLimitSchema';
import { SOURCE_ENVIRONMENT_VARIABLES, sourceSchema } from './readSources';
import { SETTINGS, type SettingDefinition } from './settings';
import { CONFIG_SCHEMA_PATH } from './toConfigJsonSchema';

type JsonSchema = { readonly [key: string]: unknown };

/**
 * docs/configuration.md, from the settings table and the kinds: every key of the config file and
 * every environment variable, with its type, default and meaning, the secrets marked; each kind's
 * source keys; each kind's rate limit beside the limit its provider documents.
 */
export function renderConfigurationMarkdown(kinds: SourceKinds = BUILT_IN_KINDS): string {
  const rows = Object.values<SettingDefinition<unknown>>(SETTINGS);
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/settings.ts and the source kinds by `npm run config:write`; a test keeps it current. Do not edit by hand. -->',
    '',
    'auditgraph reads a config file (`--config FILE`, or the path in `AUDITGRAPH_CONFIG`; JSON or YAML) and the environment. A variable wins over the key it overrides. In the file, any value may be written `${NAME}` to take it from environment variable NAME (`$${` for a literal `${`); an unset or empty NAME is an error. With no source configured, auditgraph runs the demo.',
    '',
    `Editors validate the file with the JSON Schema [\`${CONFIG_SCHEMA_PATH}\`](../${CONFIG_SCHEMA_PATH}), generated from the same definitions (in YAML: \`# yaml-language-server: $schema=../${CONFIG_SCHEMA_PATH}\`, the path relative to the file). \`npm run check-config -- --config FILE\` (or \`node dist/main.js check-config --config FILE\`) checks the file and the environment exactly as start-up does, prints the effective configuration with every secret as \`[secret]\`, and exits 0; or it lists every problem and exits 2.`,
    '',
    'Secrets (marked **secret**) are never printed: not in a message, a log line, the start-up banner or check-config’s output. Prefer `${NAME}` for them in a file.',
    '',
    '## Settings',
    '',
    '| key | variable | type | default | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.key === null ? '—' : code(row.key)} | ${row.env === null ? '—' : code(row.env)} | ${cell(describeType(row.schema))} | ${toDefault(row)} | ${cell(toMeaning(row))} |`,
    ),
    '',
    'The `OTEL_*` variables are the standard OpenTelemetry ones, which the OpenTelemetry SDK reads itself; auditgraph checks them at start-up so that a value the SDK would ignore is refused instead. Traces are off unless an OTLP endpoint is set or `OTEL_TRACES_EXPORTER` names an exporter other than `none` (`none` wins over an endpoint).',
    '',
    '## Sources',
    '',
    'Each entry of `sources` has `id`, `kind` and the keys of its kind. Every kind takes:',
    '',
    '| key | type | meaning |',
    '| --- | --- | --- |',
    `| \`id\` | ${cell(describeType(schemaOf(firstKind(kinds), 'id')))} | Names the source in filters, cursors, logs and metrics; unique, whatever the case |`,
    '| `kind` | one of ' +
      kinds.all.map((kind) => code(kind.kind)).join(', ') +
      ' | The kind of the source |',
    "| `baseUrl` | http(s) URL | Root URL of the API; default: the provider's public one (below) |",
    `| \`lateArrivalSeconds\` | ${cell(describeType(schemaOf(firstKind(kinds), 'lateArrivalSeconds')))} | How late the API shows events; reported per page as \`completeUntil\` |`,
    `| \`rateLimit\` | \`{ burst, perSecond }\`: burst an integer 1 to ${MAX_RATE_LIMIT.burst}, perSecond a number above 0, at most ${MAX_RATE_LIMIT.perSecond} | Client-side limit of the source's credential: \`burst\` requests at once, then \`perSecond\` on average; default: its kind's (below) |`,
    '',
    '### Keys of each kind',
    '',
    '| kind | default base URL | its own keys |',
    '| --- | --- | --- |',
    ...kinds.all.map(
      (kind) =>
        `| ${code(kind.kind)} | ${kind.defaultBaseUrl === null ? 'none: `baseUrl` is required' : code(kind.defaultBaseUrl)} | ${cell(describeOwnKeys(kind))} |`,
    ),
    '',
    '### Rate limits',
    '',
    "Each credential has one token bucket: sources that share a credential (one Cloudflare token read with both log versions, one FusionAuth key for both logs) share it, with the smallest `burst` and the smallest `perSecond` among those of them that set `rateLimit`; when none does, the kind's default applies. A source's `rateLimit` also wins over a per-kind limit given when auditgraph is started from code (the demo's and the bench's, for the emulators). An environment shortcut takes its sources' limit as `<PREFIX>_RATE_LIMIT=burst=40,perSecond=20`.",
    '',
    '| kind | default burst | default per second | variable | what the provider documents |',
    '| --- | --- | --- | --- | --- |',
    ...kinds.all.map((kind) => {
      const variable = kind.envShortcut === null ? '—' : code(kind.envShortcut.rateLimitVariable);
      return `| ${code(kind.kind)} | ${kind.rateLimit.capacity} | ${kind.rateLimit.refillPerSecond} | ${variable} | ${cell(kind.documentedRateLimit ?? 'no limit documented; the default is our choice')} |`;
    }),
    '',
    '### From the environment alone',
    '',
    'One source per provider (two for FusionAuth, one per log) can be configured without a file. A shortcut whose variables the file uses itself (`token: ${FASTLY_API_TOKEN}`) adds nothing.',
    '',
    '| variable | meaning | default |',
    '| --- | --- | --- |',
    ...SOURCE_ENVIRONMENT_VARIABLES.map(
      (variable) =>
        `| ${code(variable.name)} | ${cell(`${variable.description}${variable.secret === true ? ' (**secret**)' : ''}`)} | ${variable.default === null ? '—' : code(variable.default)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

function firstKind(kinds: SourceKinds): SourceKindDefinition {
  const [kind] = kinds.all;
  if (kind === undefined) throw new Error('no source kinds');
  return kind;
}

function schemaOf(kind: SourceKindDefinition, key: string): z.ZodType {
  const schema = (sourceSchema(kind).shape as Readonly<Record<string, z.ZodType | undefined>>)[key];
  if (schema === undefined) throw new Error(`kind ${kind.kind} has no key ${key}`);
  return schema;
}

function describeOwnKeys(kind: SourceKindDefinition): string {
  const shape = kind.configKeys('required');
  return Object.entries(shape)
    .map(([key, schema]) => {
      const json = toJson(schema as z.ZodType);
      const optional = (schema as z.ZodType).safeParse(undefined).success;
      const marks = [
        optional ? 'optional' : 'required',
        ...(kind.secretKeys.includes(key) ? ['**secret**'] : []),
      ];
      const description = typeof json.description === 'string' ? `: ${json.description}` : '';
      return `\`${key}\` (${marks.join(', ')})${description}`;
    })
    .join('; ');
}

function toJson(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

/** A row's type in words, from its schema's JSON Schema. */
function describeType(schema: z.ZodType): string {
  return describeJson(toJson(schema));
}

function describeJson(json: JsonSchema): string {
  if (Array.isArray(json.enum))
    return `one of ${json.enum.map((value) => code(String(value))).join(', ')}`;
  switch (json.type) {
    case 'integer':
    case 'number': {
      const noun = json.type === 'integer' ? 'integer' : 'number';
      if (typeof json.minimum === 'number' && typeof json.maximum === 'number') {
        return `${noun}, ${json.minimum} to ${json.maximum}`;
      }
      return noun;
    }
    case 'boolean':
      return '`true` or `false`';
    case 'array':
      return 'list';
    case 'object':
      return 'object';
    case 'string':
      return typeof json.minLength === 'number' && json.minLength > 1
        ? `text, at least ${json.minLength} characters`
        : 'text';
    default:
      return 'any';
  }
}

function toDefault(row: SettingDefinition<unknown>): string {
  const value = row.default;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return code(String(value));
  }
  if (Array.isArray(value) && value.length === 0) return '`[]`';
  return '—';
}

function toMeaning(row: SettingDefinition<unknown>): string {
  const parts = [row.description ?? '', row.note === undefined ? '' : `; ${row.note}`].join('');
  return `${parts}${row.secret === true ? ' (**secret**)' : ''}`;
}

function code(text: string): string {
  return `\`${text}\``;
}

/** A table cell: a `|` would end it. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
