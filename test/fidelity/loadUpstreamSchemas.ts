import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import type { EmulatorKind } from '../../src/emulators/unconfirmedChoices';

/**
 * The upstream schema fragments (shared/upstream-schemas, see its INDEX.md) as validators of
 * emulator responses. The fragments stay where they are, beside the repository; nothing here
 * copies them. Each file's local `$ref`s are resolved within that file, and its OpenAPI 3.0
 * `nullable` is turned into JSON Schema before ajv compiles it.
 */

export const UPSTREAM_SCHEMAS_ENV = 'AUDITGRAPH_UPSTREAM_SCHEMAS';
const REPOSITORY_ROOT = path.resolve(__dirname, '../..');

export type UpstreamSchemasLocation =
  | { readonly found: true; readonly dir: string }
  | { readonly found: false; readonly reason: string };

const BESIDE = '../shared/upstream-schemas';

/**
 * The checkout a clone was made from, when it is a folder on this machine (CI tests a fresh
 * clone of the working checkout, in a folder of its own); null otherwise.
 */
function localOrigin(root: string): string | null {
  let url: string;
  try {
    url = execFileSync('git', ['config', '--get', 'remote.origin.url'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
  if (url.startsWith('file://')) url = fileURLToPath(url);
  return path.isAbsolute(url) && existsSync(url) ? url : null;
}

/**
 * `$AUDITGRAPH_UPSTREAM_SCHEMAS`; else `../shared/upstream-schemas` from the repository root; else
 * the same beside the checkout this one was cloned from, when that is a local folder.
 */
export function locateUpstreamSchemas(
  env: Readonly<Record<string, string | undefined>> = process.env,
  root: string = REPOSITORY_ROOT,
): UpstreamSchemasLocation {
  const configured = env[UPSTREAM_SCHEMAS_ENV];
  if (configured !== undefined && configured !== '') {
    const dir = path.resolve(configured);
    return existsSync(path.join(dir, 'INDEX.md'))
      ? { found: true, dir }
      : {
          found: false,
          reason: `no upstream schema fragments at ${dir} (${UPSTREAM_SCHEMAS_ENV})`,
        };
  }
  const origin = localOrigin(root);
  const candidates = [root, ...(origin === null ? [] : [origin])].map((base) =>
    path.resolve(base, BESIDE),
  );
  const dir = candidates.find((candidate) => existsSync(path.join(candidate, 'INDEX.md')));
  if (dir !== undefined) return { found: true, dir };
  return {
    found: false,
    reason: `no upstream schema fragments at ${candidates.join(' or ')} (set ${UPSTREAM_SCHEMAS_ENV} to their folder)`,
  };
}

/**
 * A change to a fragment before validation: a correction where the fragment is known to be wrong
 * or cut short, or an allowance for an emulator choice the fragment cannot know of (an
 * UNCONFIRMED choice of the emulator's table, named by `choice`). The tests check that each
 * still changes something and that each choice it names is in the table.
 */
export interface FragmentPatch {
  readonly file: string;
  /** JSON pointer of the value replaced. */
  readonly pointer: string;
  readonly value: unknown;
  readonly reason: string;
  readonly choice?: { readonly kind: EmulatorKind; readonly question: string };
}

const FASTLY_FILE = 'fastly-events.derived-from-fastly-js.json';
const FUSIONAUTH_FILE = 'fusionauth-event-audit-log.openapi.yaml';
/** FusionAuth's OpenAPI renders Java's `Object` (any value) as `type: object`. */
const JAVA_OBJECT_REASON =
  "FusionAuth's OpenAPI renders a Java Object (any value) as `type: object`; the docs show " +
  'strings here (search-response.json) and the TypeScript client types the values `any`.';

export const FRAGMENT_PATCHES: readonly FragmentPatch[] = [
  ...(['ip', 'service_id', 'user_id', 'token_id'] as const).map((attribute): FragmentPatch => ({
    file: FASTLY_FILE,
    pointer: `/components/schemas/EventAttributes/properties/${attribute}`,
    value: { type: 'string', nullable: true },
    reason: `The emulator sends ${attribute} as null when the event has none.`,
    choice: { kind: 'fastly', question: 'Attributes an event does not have' },
  })),
  {
    file: FUSIONAUTH_FILE,
    pointer: '/components/schemas/AuditLog/properties/newValue',
    value: {},
    reason: JAVA_OBJECT_REASON,
  },
  {
    file: FUSIONAUTH_FILE,
    pointer: '/components/schemas/AuditLog/properties/oldValue',
    value: {},
    reason: JAVA_OBJECT_REASON,
  },
  {
    file: FUSIONAUTH_FILE,
    pointer: '/components/schemas/AuditLog/properties/data/additionalProperties',
    value: {},
    reason: JAVA_OBJECT_REASON,
  },
  {
    file: FUSIONAUTH_FILE,
    pointer: '/components/schemas/Errors/properties/fieldErrors',
    value: {
      type: 'object',
      additionalProperties: { type: 'array', items: { $ref: '#/components/schemas/Error' } },
    },
    reason:
      'The OpenAPI types fieldErrors as an array; the docs and the TypeScript client make it a map ' +
      'of field name to errors (the fragment header and providers.md §4 say so).',
  },
  {
    file: FUSIONAUTH_FILE,
    pointer: '/components/schemas/AuditLogSearchResponse/properties/total',
    value: { type: 'integer', format: 'int64' },
    reason:
      'The excerpt ends in an empty `total:`; EventLogSearchResponse.total and the docs give an int64.',
  },
];

export type ResponseValidator = (body: unknown) => string[];

/** A fragment file as it is, parsed (JSON or YAML). */
export function parseUpstreamFragment(dir: string, file: string): unknown {
  const text = readFileSync(path.join(dir, file), 'utf8');
  return file.endsWith('.yaml') ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
}

/** A fragment file, parsed, with its patches applied. */
export function readUpstreamFragment(dir: string, file: string): unknown {
  const document = parseUpstreamFragment(dir, file);
  for (const patch of FRAGMENT_PATCHES) {
    if (patch.file === file) setAt(document, patch.pointer, patch.value);
  }
  return document;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

/**
 * A validator for the schema at `pointer` in `document`: `$ref`s resolved inside the document,
 * OpenAPI `nullable` made JSON Schema. It returns ajv's errors, none when the body conforms.
 */
export function createResponseValidator(document: unknown, pointer: string): ResponseValidator {
  const schema = toJsonSchema(resolveRefs(document, valueAt(document, pointer), []));
  if (typeof schema !== 'object' || schema === null) {
    throw new Error(`${pointer} is not a schema`);
  }
  const validate = ajv.compile(schema);
  return (body) => {
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) => `${error.instancePath || '/'} ${error.message ?? error.keyword}`,
    );
  };
}

/** A JSON pointer made of path segments, `~` and `/` escaped (RFC 6901). */
export function pointer(...segments: readonly string[]): string {
  return segments.map((segment) => `/${segment.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function valueAt(document: unknown, at: string): unknown {
  let node = document;
  for (const segment of splitPointer(at)) {
    if (!isRecord(node) && !Array.isArray(node)) throw new Error(`${at}: no ${segment}`);
    node = (node as Record<string, unknown>)[segment];
    if (node === undefined) throw new Error(`${at}: no ${segment}`);
  }
  return node;
}

function setAt(document: unknown, at: string, value: unknown): void {
  const segments = splitPointer(at);
  const last = segments.pop();
  const parent = valueAt(document, segments.length === 0 ? '' : pointer(...segments));
  if (last === undefined || !isRecord(parent)) throw new Error(`cannot set ${at}`);
  parent[last] = value;
}

function splitPointer(at: string): string[] {
  if (at === '') return [];
  if (!at.startsWith('/')) throw new Error(`${at} is not a JSON pointer`);
  return at
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Replaces every local `$ref` by what it points at; `trail` catches a cycle. */
function resolveRefs(document: unknown, node: unknown, trail: readonly string[]): unknown {
  if (Array.isArray(node)) return node.map((item) => resolveRefs(document, item, trail));
  if (!isRecord(node)) return node;
  const ref = node['$ref'];
  if (typeof ref === 'string') {
    if (!ref.startsWith('#')) throw new Error(`only local $refs are resolved, not ${ref}`);
    if (trail.includes(ref)) throw new Error(`circular $ref: ${[...trail, ref].join(' → ')}`);
    // A `$ref` is a URI fragment: its pointer may be percent-encoded.
    const target = valueAt(document, decodeURIComponent(ref.slice(1)));
    return resolveRefs(document, target, [...trail, ref]);
  }
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, resolveRefs(document, value, trail)]),
  );
}

/**
 * OpenAPI 3.0 `nullable: true` as JSON Schema: `null` joins the type (and the enum, if any). On a
 * schema without a type it adds nothing, since such a schema already admits null.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isRecord(node)) return node;
  const converted = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, toJsonSchema(value)]),
  );
  if (converted['nullable'] !== true) return converted;
  const rest = { ...converted };
  delete rest['nullable'];
  const type = rest['type'];
  if (typeof type === 'string') rest['type'] = [type, 'null'];
  const values = rest['enum'];
  if (Array.isArray(values) && !values.includes(null)) rest['enum'] = [...values, null];
  return rest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
