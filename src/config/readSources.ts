import { z } from 'zod';
import { SOURCE_KINDS, type SourceKind } from '../model/AuditEvent';
import { configError, firstIssue, formatPath, type KeyPath } from './configError';
import { isRecord } from './isRecord';
import { readEnv } from './readEnv';
import { baseUrl, credential, idSchema, integer, strictObject, text } from './schemas';
import { MAX_DELAY_SECONDS } from './settings';
import type { EnvironmentVariable, LoadConfigInput, SourceConfig } from './types';

/**
 * The sources: the config file's entries (`sources`), then those of the environment shortcuts,
 * every id used once. Everything about sources stays in this file.
 */
export function readSources(
  env: LoadConfigInput['env'],
  file: {
    readonly path: string;
    readonly entries: readonly unknown[];
    /** Variables the file refers to with `${NAME}`: their shortcuts are the file's own. */
    readonly referencedVariables: ReadonlySet<string>;
    readonly fail: (path: KeyPath, message: string) => never;
  } | null,
): SourceConfig[] {
  const fileSources =
    file === null
      ? []
      : file.entries.map((entry, index) => parseFileSource(entry, index, file.fail));
  const envSources = sourcesFromEnv(env, file?.referencedVariables ?? new Set());
  assertUniqueIds([...fileSources, ...envSources], file?.path ?? null);
  return [...fileSources, ...envSources].map((entry) => entry.source);
}

/** The providers' public API roots; FusionAuth is self-hosted, so it has none. */
export const DEFAULT_BASE_URLS: Readonly<Record<SourceKind, string | null>> = {
  fastly: 'https://api.fastly.com',
  'cloudflare-v1': 'https://api.cloudflare.com/client/v4',
  'cloudflare-v2': 'https://api.cloudflare.com/client/v4',
  'fusionauth-event-log': null,
  'fusionauth-audit-log': null,
  nirvana: 'https://api.nirvanalabs.io',
};

/** How late each kind's API usually shows an event, unless a source's config says otherwise. */
export const DEFAULT_LATE_ARRIVAL_SECONDS: Readonly<Record<SourceKind, number>> = {
  fastly: 0,
  'cloudflare-v1': 0,
  // Cloudflare's audit logs v2 show events minutes after they happen.
  'cloudflare-v2': 300,
  'fusionauth-event-log': 0,
  'fusionauth-audit-log': 0,
  nirvana: 0,
};

/** The keys of a source that hold its credential: never printed, and redacted from messages. */
export const SOURCE_CREDENTIAL_KEYS = ['token', 'apiKey'] as const;

/** The environment shortcuts' variables, for ENVIRONMENT_VARIABLES. */
export const SOURCE_ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = [
  {
    name: 'FASTLY_API_TOKEN',
    secret: true,
    description: 'Adds source `fastly` (kind fastly)',
    default: null,
  },
  {
    name: 'FASTLY_BASE_URL',
    description: 'Base URL of that source',
    default: DEFAULT_BASE_URLS.fastly,
  },
  {
    name: 'CLOUDFLARE_API_TOKEN',
    secret: true,
    description: 'With CLOUDFLARE_ACCOUNT_ID, adds source `cloudflare`',
    default: null,
  },
  {
    name: 'CLOUDFLARE_ACCOUNT_ID',
    description: 'The account whose audit logs `cloudflare` reads',
    default: null,
  },
  {
    name: 'CLOUDFLARE_AUDIT_LOG_VERSION',
    description: '`v1` (kind cloudflare-v1) or `v2` (kind cloudflare-v2)',
    default: 'v2',
  },
  {
    name: 'CLOUDFLARE_BASE_URL',
    description: 'Base URL of that source',
    default: DEFAULT_BASE_URLS['cloudflare-v2'],
  },
  {
    name: 'FUSIONAUTH_URL',
    description:
      'With FUSIONAUTH_API_KEY, adds sources `fusionauth-audit-log` and `fusionauth-event-log`',
    default: null,
  },
  {
    name: 'FUSIONAUTH_API_KEY',
    secret: true,
    description: 'API key of those two sources',
    default: null,
  },
  {
    name: 'FUSIONAUTH_TENANT_ID',
    description: 'Tenant of those two sources (a UUID), when the key is not tenant-bound',
    default: null,
  },
  {
    name: 'NIRVANA_API_KEY',
    secret: true,
    description: 'Adds source `nirvana` (kind nirvana)',
    default: null,
  },
  {
    name: 'NIRVANA_BASE_URL',
    description: 'Base URL of that source',
    default: DEFAULT_BASE_URLS.nirvana,
  },
];

const lateArrivalSchema = integer(0, MAX_DELAY_SECONDS);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One strict schema per kind, so a credential of the wrong kind is an unknown key. */
function sourceSchema(kind: SourceKind) {
  const required = `is required for kind ${kind}`;
  const url = DEFAULT_BASE_URLS[kind] === null ? baseUrl(required) : baseUrl(required).optional();
  const common = {
    id: idSchema,
    kind: z.literal(kind),
    baseUrl: url,
    lateArrivalSeconds: lateArrivalSchema.optional(),
  };
  const context = ` for kind ${kind}`;
  switch (kind) {
    case 'fastly':
      return strictObject({ ...common, token: credential(required) }, context);
    case 'cloudflare-v1':
    case 'cloudflare-v2':
      return strictObject(
        {
          ...common,
          token: credential(required),
          // It goes into the request path: nothing that could change the path.
          accountId: text(required).regex(/^[A-Za-z0-9_-]{1,64}$/, {
            error: 'must be a Cloudflare account id (letters, digits, "-" or "_")',
          }),
        },
        context,
      );
    case 'fusionauth-event-log':
    case 'fusionauth-audit-log':
      return strictObject(
        {
          ...common,
          apiKey: credential(required),
          tenantId: text(required).regex(UUID, { error: 'must be a UUID' }).optional(),
        },
        context,
      );
    case 'nirvana':
      return strictObject({ ...common, apiKey: credential(required) }, context);
  }
}

interface ParsedSource {
  readonly id: string;
  readonly kind: SourceKind;
  readonly baseUrl?: string | undefined;
  readonly token?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly accountId?: string | undefined;
  readonly tenantId?: string | undefined;
  readonly lateArrivalSeconds?: number | undefined;
}

function toSourceConfig(parsed: ParsedSource): SourceConfig {
  const baseUrl = parsed.baseUrl ?? DEFAULT_BASE_URLS[parsed.kind];
  // The schema requires baseUrl for kinds without a default; this only narrows the type.
  if (baseUrl === null) throw configError(`source ${parsed.id} has no baseUrl`);
  return {
    id: parsed.id,
    kind: parsed.kind,
    baseUrl,
    ...(parsed.token === undefined ? {} : { token: parsed.token }),
    ...(parsed.apiKey === undefined ? {} : { apiKey: parsed.apiKey }),
    ...(parsed.accountId === undefined ? {} : { accountId: parsed.accountId }),
    ...(parsed.tenantId === undefined ? {} : { tenantId: parsed.tenantId }),
    ...(parsed.lateArrivalSeconds === undefined
      ? {}
      : { lateArrivalSeconds: parsed.lateArrivalSeconds }),
  };
}

/** A source and where it came from, for messages about clashes. */
interface SourceEntry {
  readonly source: SourceConfig;
  readonly origin: string;
}

function parseFileSource(
  raw: unknown,
  index: number,
  fail: (path: KeyPath, message: string) => never,
): SourceEntry {
  const path: KeyPath = ['sources', index];
  if (!isRecord(raw)) fail(path, 'must be an object');
  const kinds = SOURCE_KINDS.join(', ');
  const kind = raw.kind;
  if (kind === undefined) fail([...path, 'kind'], `is required (one of ${kinds})`);
  if (!isSourceKind(kind)) fail([...path, 'kind'], `must be one of ${kinds}`);
  const parsed = sourceSchema(kind).safeParse(raw);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error);
    fail([...path, ...issue.path], issue.message);
  }
  return { source: toSourceConfig(parsed.data), origin: formatPath(path) };
}

function isSourceKind(value: unknown): value is SourceKind {
  return typeof value === 'string' && (SOURCE_KINDS as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------------------------
// Environment shortcuts: one source per provider without a file.

interface EnvShortcut {
  /** Variables that must all be set together; setting any of `optional` alone is a mistake too. */
  readonly required: readonly string[];
  readonly optional: readonly string[];
  readonly build: (read: (name: string) => string | undefined) => readonly EnvSource[];
}

interface EnvSource {
  readonly raw: Record<string, string | undefined>;
  /** Which variable each key came from, so a message names the variable. */
  readonly variables: Readonly<Record<string, string>>;
}

const ENV_SHORTCUTS: readonly EnvShortcut[] = [
  {
    required: ['FASTLY_API_TOKEN'],
    optional: ['FASTLY_BASE_URL'],
    build: (read) => [
      {
        raw: {
          id: 'fastly',
          kind: 'fastly',
          token: read('FASTLY_API_TOKEN'),
          baseUrl: read('FASTLY_BASE_URL'),
        },
        variables: { token: 'FASTLY_API_TOKEN', baseUrl: 'FASTLY_BASE_URL' },
      },
    ],
  },
  {
    required: ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ACCOUNT_ID'],
    optional: ['CLOUDFLARE_AUDIT_LOG_VERSION', 'CLOUDFLARE_BASE_URL'],
    build: (read) => {
      const version = (read('CLOUDFLARE_AUDIT_LOG_VERSION') ?? 'v2').trim().toLowerCase();
      if (version !== 'v1' && version !== 'v2') {
        throw configError('CLOUDFLARE_AUDIT_LOG_VERSION must be v1 or v2');
      }
      return [
        {
          raw: {
            id: 'cloudflare',
            kind: `cloudflare-${version}`,
            token: read('CLOUDFLARE_API_TOKEN'),
            accountId: read('CLOUDFLARE_ACCOUNT_ID'),
            baseUrl: read('CLOUDFLARE_BASE_URL'),
          },
          variables: {
            token: 'CLOUDFLARE_API_TOKEN',
            accountId: 'CLOUDFLARE_ACCOUNT_ID',
            baseUrl: 'CLOUDFLARE_BASE_URL',
          },
        },
      ];
    },
  },
  {
    required: ['FUSIONAUTH_URL', 'FUSIONAUTH_API_KEY'],
    optional: ['FUSIONAUTH_TENANT_ID'],
    // One FusionAuth holds both logs, and a key that reads one usually reads the other: the
    // shortcut adds both, each its own source, so a failure of one is reported on its own.
    build: (read) =>
      (['fusionauth-audit-log', 'fusionauth-event-log'] as const).map((kind) => ({
        raw: {
          id: kind,
          kind,
          baseUrl: read('FUSIONAUTH_URL'),
          apiKey: read('FUSIONAUTH_API_KEY'),
          tenantId: read('FUSIONAUTH_TENANT_ID'),
        },
        variables: {
          baseUrl: 'FUSIONAUTH_URL',
          apiKey: 'FUSIONAUTH_API_KEY',
          tenantId: 'FUSIONAUTH_TENANT_ID',
        },
      })),
  },
  {
    required: ['NIRVANA_API_KEY'],
    optional: ['NIRVANA_BASE_URL'],
    build: (read) => [
      {
        raw: {
          id: 'nirvana',
          kind: 'nirvana',
          apiKey: read('NIRVANA_API_KEY'),
          baseUrl: read('NIRVANA_BASE_URL'),
        },
        variables: { apiKey: 'NIRVANA_API_KEY', baseUrl: 'NIRVANA_BASE_URL' },
      },
    ],
  },
];

/**
 * The shortcuts' sources. A shortcut whose variables the config file already uses (`"token":
 * "${FASTLY_API_TOKEN}"`, as in design.md §7) is the file's: it adds nothing of its own.
 */
function sourcesFromEnv(
  env: LoadConfigInput['env'],
  usedByFile: ReadonlySet<string>,
): SourceEntry[] {
  const read = (name: string): string | undefined => readEnv(env, name);
  const entries: SourceEntry[] = [];
  for (const shortcut of ENV_SHORTCUTS) {
    if ([...shortcut.required, ...shortcut.optional].some((name) => usedByFile.has(name))) continue;
    const given = [...shortcut.required, ...shortcut.optional].find(
      (name) => read(name) !== undefined,
    );
    if (given === undefined) continue;
    const missing = shortcut.required.find((name) => read(name) === undefined);
    if (missing !== undefined) throw configError(`${missing} is required when ${given} is set`);
    for (const { raw, variables } of shortcut.build(read)) {
      const definedRaw = Object.fromEntries(
        Object.entries(raw).filter(([, value]) => value !== undefined),
      );
      const kind = definedRaw.kind;
      if (!isSourceKind(kind)) throw configError(`unknown source kind ${String(kind)}`);
      const parsed = sourceSchema(kind).safeParse(definedRaw);
      if (!parsed.success) {
        const issue = firstIssue(parsed.error);
        const key = issue.path[0];
        const variable = typeof key === 'string' ? variables[key] : undefined;
        throw configError(`${variable ?? formatPath(issue.path)} ${issue.message}`);
      }
      const origin = Object.values(variables).find((name) => read(name) !== undefined) ?? given;
      entries.push({ source: toSourceConfig(parsed.data), origin });
    }
  }
  return entries;
}

/** Ids name sources in filters and cursors; two that differ only in case would confuse both. */
function assertUniqueIds(entries: readonly SourceEntry[], configPath: string | null): void {
  const seen = new Map<string, SourceEntry>();
  for (const entry of entries) {
    const key = entry.source.id.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const inFile = configPath === null ? '' : ` (config file ${configPath})`;
      throw configError(
        `source id "${entry.source.id}" from ${entry.origin} is already used by ${earlier.origin}${inFile}; source ids must be unique`,
      );
    }
    seen.set(key, entry);
  }
}
