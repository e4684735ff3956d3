// Choices where no official source decides, with the reasons: cloudflareV2UnconfirmedChoices.ts
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CloudflareV2RecordWire } from '../../providers/cloudflare-v2/cloudflareV2Wire';
import { cloudflareBadParameter } from '../cloudflare-shared/cloudflareFailure';
import { readCloudflareQuery } from '../cloudflare-shared/readCloudflareQuery';
import { parseIpFilter } from '../cloudflare-shared/parseIpFilter';
import {
  startCloudflareEmulator,
  type CloudflareAuditLogApi,
  type CloudflareEmulator,
  type CloudflareEmulatorOptions,
} from '../cloudflare-shared/startCloudflareEmulator';
import { toTieSeed } from '../shared/createRecordStore';
import { decodeBase64urlJson, encodeBase64urlJson } from '../shared/encodeBase64urlJson';
import { parseIntegerParam } from '../shared/parseIntegerParam';

export const CLOUDFLARE_V2_MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;
const PAGING_KEYS = ['cursor', 'limit'];
/** Signs cursors so a tampered one is refused; fixed, since the emulator has no secrets. */
const CURSOR_KEY = 'auditgraph cloudflare-v2 emulator cursor';

export interface CloudflareV2EmulatorOptions extends CloudflareEmulatorOptions<CloudflareV2RecordWire> {
  /**
   * Quirk: the last non-empty page still carries a cursor, and that cursor yields an empty page
   * without one, an end of list providers.md calls plausible (a client must stop there too).
   */
  readonly emptyPageAfterLastCursor?: boolean;
}
export type CloudflareV2Emulator = CloudflareEmulator<CloudflareV2RecordWire>;

const createV2Api = (
  options: CloudflareV2EmulatorOptions,
): CloudflareAuditLogApi<CloudflareV2RecordWire> => ({
  name: 'cloudflare-v2',
  path: 'logs/audit',
  timeOf: (record) => Date.parse(record.action.time),
  list(request, store) {
    const parsed = parseListQuery(request.query);
    if (typeof parsed === 'string') return cloudflareBadParameter(parsed);

    const binding = toTieSeed(request.query, PAGING_KEYS);
    const selected = store.select({
      since: { ms: parsed.sinceMs, inclusive: false },
      before: { ms: parsed.beforeMs, inclusive: false },
      matches: parsed.matches,
      sort: [{ descending: parsed.direction === 'desc' }],
      tieSeed: request.knobs.shuffleTies ? binding : null,
    });
    let start = 0;
    if (parsed.cursor !== null) {
      const afterId = readCursor(parsed.cursor, binding);
      const after = afterId === null ? undefined : store.findById(afterId);
      const index = after === undefined ? -1 : selected.indexOf(after);
      if (index < 0) return cloudflareBadParameter('cursor is not valid for this query');
      start = index + 1;
    }
    const result = selected.slice(start, start + parsed.limit);
    const last = result.at(-1);
    const more =
      start + result.length < selected.length ||
      (options.emptyPageAfterLastCursor === true && result.length > 0);
    return {
      status: 200,
      body: {
        success: true,
        errors: [],
        result,
        result_info: {
          count: String(result.length),
          ...(more && last !== undefined ? { cursor: writeCursor(last.id, binding) } : {}),
        },
      },
    };
  },
});

/** Serves `GET /client/v4/accounts/:account_id/logs/audit`: a base URL of `<url>/client/v4`. */
export function startCloudflareV2Emulator(
  options: CloudflareV2EmulatorOptions,
): Promise<CloudflareV2Emulator> {
  return startCloudflareEmulator(createV2Api(options), options);
}

type Value = string | number | null | undefined;

interface FilterSpec {
  readonly read: (record: CloudflareV2RecordWire) => Value;
  readonly match: 'exact' | 'caseless' | 'ip' | 'integer';
  readonly values?: readonly string[];
}

const FILTERS: Readonly<Record<string, FilterSpec>> = {
  account_name: { read: (r) => r.account?.name, match: 'exact' },
  action_result: { read: (r) => r.action.result, match: 'exact', values: ['success', 'failure'] },
  action_type: {
    read: (r) => r.action.type,
    match: 'exact',
    values: ['create', 'delete', 'view', 'update'],
  },
  actor_context: {
    read: (r) => r.actor?.context,
    match: 'exact',
    // `api` and `delegated_service`: added by the cloudflare SDK 7.3.0 (2026-10) enums.
    values: ['api', 'api_key', 'api_token', 'dash', 'oauth', 'origin_ca_key'],
  },
  actor_email: { read: (r) => r.actor?.email, match: 'caseless' },
  actor_id: { read: (r) => r.actor?.id, match: 'exact' },
  actor_ip_address: { read: (r) => r.actor?.ip_address, match: 'ip' },
  actor_token_id: { read: (r) => r.actor?.token_id, match: 'exact' },
  actor_token_name: { read: (r) => r.actor?.token_name, match: 'exact' },
  actor_type: {
    read: (r) => r.actor?.type,
    match: 'exact',
    values: ['account', 'cloudflare_admin', 'delegated_service', 'system', 'user'],
  },
  audit_log_id: { read: (r) => r.id, match: 'exact' },
  id: { read: (r) => r.id, match: 'exact' },
  raw_cf_ray_id: { read: (r) => r.raw?.cf_ray_id, match: 'exact' },
  raw_method: { read: (r) => r.raw?.method, match: 'caseless' },
  raw_status_code: { read: (r) => r.raw?.status_code, match: 'integer' },
  raw_uri: { read: (r) => r.raw?.uri, match: 'exact' },
  resource_id: { read: (r) => r.resource?.id, match: 'exact' },
  resource_product: { read: (r) => r.resource?.product, match: 'exact' },
  resource_scope: {
    read: (r) => (typeof r.resource?.scope === 'string' ? r.resource.scope : null),
    match: 'exact',
    values: ['accounts', 'user', 'zones', 'memberships'],
  },
  resource_type: { read: (r) => r.resource?.type, match: 'exact' },
  zone_id: { read: (r) => r.zone?.id, match: 'exact' },
  zone_name: { read: (r) => r.zone?.name, match: 'exact' },
};

/** Invented: Cloudflare documents the parameter, not its table. */
const PRODUCT_CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  dns: ['dns_records', 'dns_settings'],
  security: ['waf', 'firewall', 'ssl', 'zone_settings'],
  developer_platform: ['workers', 'r2', 'pages'],
  account_management: ['members', 'audit_logs', 'api_tokens'],
  zones: ['zones', 'zone_settings'],
};

interface ListQuery {
  readonly sinceMs: number;
  readonly beforeMs: number;
  readonly limit: number;
  readonly direction: 'asc' | 'desc';
  readonly cursor: string | null;
  readonly matches: (record: CloudflareV2RecordWire) => boolean;
}

/** The query, or the message of a 400. */
function parseListQuery(query: URLSearchParams): ListQuery | string {
  const params = readCloudflareQuery(query);
  const time = (key: string) => params.time(key) ?? `${key} is required`;
  const sinceMs = time('since');
  if (typeof sinceMs === 'string') return sinceMs;
  const beforeMs = time('before');
  if (typeof beforeMs === 'string') return beforeMs;
  if (sinceMs > beforeMs) return 'since must not be later than before';
  const limit = parseIntegerParam(
    params.one('limit') ?? String(DEFAULT_LIMIT),
    1,
    CLOUDFLARE_V2_MAX_LIMIT,
  );
  if (limit === null) return `limit must be an integer between 1 and ${CLOUDFLARE_V2_MAX_LIMIT}`;
  const direction = params.direction();
  if (typeof direction === 'object') return direction.message;

  const tests: ((record: CloudflareV2RecordWire) => boolean)[] = [];
  for (const [key, spec] of Object.entries(FILTERS)) {
    for (const [name, negate] of [
      [key, false],
      [`${key}.not`, true],
    ] as const) {
      const values = query.getAll(name).filter((value) => value !== '');
      if (values.length === 0) continue;
      const test = toValueTest(spec, values);
      if (typeof test === 'string') return `${name}: ${test}`;
      tests.push(
        negate ? (record) => !test(spec.read(record)) : (record) => test(spec.read(record)),
      );
    }
  }
  const categories = query.getAll('product_category').filter((value) => value !== '');
  if (categories.length > 0) {
    const products = new Set<string>();
    for (const category of categories) {
      const expanded = PRODUCT_CATEGORIES[category];
      if (expanded === undefined) return `product_category: unknown category ${category}`;
      for (const product of expanded) products.add(product);
    }
    tests.push((record) => products.has(record.resource?.product ?? ''));
  }
  return {
    sinceMs,
    beforeMs,
    limit,
    direction,
    cursor: params.one('cursor') ?? null,
    matches: (record) => tests.every((test) => test(record)),
  };
}

/** Whether a record's value is one of `values`, or why `values` are not valid for the key. */
function toValueTest(
  spec: FilterSpec,
  values: readonly string[],
): ((value: Value) => boolean) | string {
  if (spec.values !== undefined) {
    const allowed = spec.values;
    const invalid = values.find((value) => !allowed.includes(value));
    if (invalid !== undefined) return `must be one of: ${allowed.join(', ')}`;
  }
  switch (spec.match) {
    case 'exact':
      return (value) => typeof value === 'string' && values.includes(value);
    case 'caseless': {
      const wanted = values.map((value) => value.toLowerCase());
      return (value) => typeof value === 'string' && wanted.includes(value.toLowerCase());
    }
    case 'integer': {
      const wanted = values.map((value) => parseIntegerParam(value, 0, 999));
      if (wanted.includes(null)) return 'must be an HTTP status code';
      return (value) => typeof value === 'number' && wanted.includes(value);
    }
    case 'ip': {
      const ranges = values.map(parseIpFilter);
      if (ranges.includes(null)) return 'must be an IP address or a CIDR range';
      return (value) =>
        typeof value === 'string' && ranges.some((inRange) => inRange !== null && inRange(value));
    }
  }
}

function writeCursor(afterId: string, binding: string): string {
  const payload = encodeBase64urlJson({
    q: createHash('sha256').update(binding).digest('base64url'),
    a: afterId,
  });
  return `${payload}.${sign(payload)}`;
}

/** The id the cursor continues after, or null when it is not one of ours for this query. */
function readCursor(cursor: string, binding: string): string | null {
  const [payload = '', signature = '', ...rest] = cursor.split('.');
  if (rest.length > 0) return null;
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const decoded = decodeBase64urlJson(payload);
  if (decoded === null) return null;
  const { q, a } = decoded;
  const hash = createHash('sha256').update(binding).digest('base64url');
  return q === hash && typeof a === 'string' ? a : null;
}

function sign(payload: string): string {
  return createHmac('sha256', CURSOR_KEY).update(payload).digest('base64url').slice(0, 22);
}
