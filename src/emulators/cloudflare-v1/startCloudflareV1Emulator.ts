import type { CloudflareV1RecordWire } from '../../providers/cloudflare-v1/cloudflareV1Wire';
import { cloudflareBadParameter } from '../cloudflare-shared/cloudflareFailure';
import { cloudflareParam, cloudflareTimeParam } from '../cloudflare-shared/cloudflareParam';
import { parseIpFilter } from '../cloudflare-shared/parseIpFilter';
import {
  startCloudflareEmulator,
  type CloudflareAuditLogApi,
  type CloudflareEmulator,
  type CloudflareEmulatorOptions,
} from '../cloudflare-shared/startCloudflareEmulator';
import { toTieSeed, type TimeBound } from '../shared/createRecordStore';
import { parseIntegerParam } from '../shared/parseIntegerParam';

/*
 * ─── UNCONFIRMED: choices this emulator makes where no official source decides ───────────────
 * (with reasons, the one table is ../unconfirmedChoices.ts; UNCONFIRMED.md is made from it)
 *  1. result_info is sent: {page, per_page, count, total_count}; count = items in this page,
 *     total_count = records matching the query (the spec's generic schema says "without any
 *     search parameters" — the gateway must not rely on it).
 *  2. since and before are both exclusive ("newer than" / "older than"); a date `2019-04-30` is
 *     midnight UTC; RFC 3339 with any fraction and offset is accepted; anything else is a 400.
 *  3. per_page 1..1000 (default 100) and page ≥ 1 (default 1): a value outside or not an integer
 *     is a 400. A page past the end is a 200 with `result: []`.
 *  4. direction: `desc` (default) or `asc`, else a 400. Records of the same second come in an
 *     unspecified order: with knobs.shuffleTies, a per-query order that holds across the pages of
 *     that query; without, by id (reversed for desc).
 *  5. Filters take one value (a repeated key: the last wins); a blank value is ignored.
 *     `actor.ip` takes an address or a CIDR range (either family), anything else a 400;
 *     `actor.email` matches case-insensitively and must look like an address; `zone.name`
 *     matches `metadata.zone_name`; `id` and `action.type` match exactly.
 *  6. hide_user_logs=true drops user-level logs, taken to be those owned by the acting user
 *     (`owner.id` = `actor.id`: logins and logouts). `true`/`false` only, else a 400.
 *  7. export=true is a 400 (the CSV export is not emulated); export=false is ignored.
 *  8. Errors use the v4 failure envelope. Parameter errors: 400, code 1004 (invented). Auth, as
 *     the live API answers (third-party reports): no credential 400/9106; malformed
 *     Authorization 400/6003 (chain 6111); wrong token 403/9109; wrong X-Auth-Key 403/9103; the
 *     global-key form accepts the emulator's token as X-Auth-Key with any well-formed
 *     X-Auth-Email. Another (well-formed) account id 403/10000; a malformed one and unknown
 *     paths 404/7003.
 *  9. Rate limits: never enforced by the emulator itself (tests inject 429 through faults);
 *     `x-ratelimit-limit: 1200` and `x-ratelimit-remaining: 1200` on every response.
 * 10. Unknown query parameters are ignored.
 * ────────────────────────────────────────────────────────────────────────────────────────────
 */

const PAGING_KEYS = ['page', 'per_page'];
export const CLOUDFLARE_V1_MAX_PER_PAGE = 1000;
const DEFAULT_PER_PAGE = 100;

export type CloudflareV1EmulatorOptions = CloudflareEmulatorOptions<CloudflareV1RecordWire>;
export type CloudflareV1Emulator = CloudflareEmulator<CloudflareV1RecordWire>;

const V1_API: CloudflareAuditLogApi<CloudflareV1RecordWire> = {
  name: 'cloudflare-v1',
  path: 'audit_logs',
  timeOf: (record) => Date.parse(record.when),
  list(request, store, shuffleTies) {
    const parsed = parseListQuery(request.query);
    if (typeof parsed === 'string') return cloudflareBadParameter(parsed);
    const selected = store.select({
      since: parsed.since,
      before: parsed.before,
      matches: parsed.matches,
      sort: [{ descending: parsed.direction === 'desc' }],
      tieSeed: shuffleTies ? toTieSeed(request.query, PAGING_KEYS) : null,
    });
    const { page, perPage } = parsed;
    const result = selected.slice((page - 1) * perPage, page * perPage);
    return {
      status: 200,
      body: {
        success: true,
        errors: [],
        messages: [],
        result,
        result_info: {
          page,
          per_page: perPage,
          count: result.length,
          total_count: selected.length,
        },
      },
    };
  },
};

/** Serves `GET /client/v4/accounts/:account_id/audit_logs`: a base URL of `<url>/client/v4`. */
export function startCloudflareV1Emulator(
  options: CloudflareV1EmulatorOptions,
): Promise<CloudflareV1Emulator> {
  return startCloudflareEmulator(V1_API, options);
}

interface ListQuery {
  readonly page: number;
  readonly perPage: number;
  readonly direction: 'asc' | 'desc';
  readonly since: TimeBound | null;
  readonly before: TimeBound | null;
  readonly matches: (record: CloudflareV1RecordWire) => boolean;
}

/** The query, or the message of a 400. */
function parseListQuery(query: URLSearchParams): ListQuery | string {
  const value = (key: string) => cloudflareParam(query, key);

  const page = parseIntegerParam(value('page') ?? '1', 1, Number.MAX_SAFE_INTEGER);
  if (page === null) return 'page must be an integer of at least 1';
  const perPage = parseIntegerParam(
    value('per_page') ?? String(DEFAULT_PER_PAGE),
    1,
    CLOUDFLARE_V1_MAX_PER_PAGE,
  );
  if (perPage === null) {
    return `per_page must be an integer between 1 and ${CLOUDFLARE_V1_MAX_PER_PAGE}`;
  }
  const direction = value('direction') ?? 'desc';
  if (direction !== 'asc' && direction !== 'desc') return 'direction must be one of: desc, asc';

  const time = (key: string): TimeBound | null | string => {
    const ms = cloudflareTimeParam(query, key);
    return typeof ms === 'number' ? { ms, inclusive: false } : ms;
  };
  const since = time('since');
  if (typeof since === 'string') return since;
  const before = time('before');
  if (typeof before === 'string') return before;

  const flag = (key: string): boolean | string => {
    const text = value(key) ?? 'false';
    if (text !== 'true' && text !== 'false') return `${key} must be true or false`;
    return text === 'true';
  };
  const hideUserLogs = flag('hide_user_logs');
  if (typeof hideUserLogs === 'string') return hideUserLogs;
  const exportCsv = flag('export');
  if (typeof exportCsv === 'string') return exportCsv;
  if (exportCsv) return 'export is not supported by this emulator';

  const tests: ((record: CloudflareV1RecordWire) => boolean)[] = [];
  const id = value('id');
  if (id !== undefined) tests.push((record) => record.id === id);
  const actionType = value('action.type');
  if (actionType !== undefined) tests.push((record) => record.action.type === actionType);
  const email = value('actor.email');
  if (email !== undefined) {
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) return 'actor.email must be an email address';
    const wanted = email.toLowerCase();
    tests.push((record) => record.actor?.email?.toLowerCase() === wanted);
  }
  const ip = value('actor.ip');
  if (ip !== undefined) {
    const inRange = parseIpFilter(ip);
    if (inRange === null) return 'actor.ip must be an IP address or a CIDR range';
    tests.push((record) => typeof record.actor?.ip === 'string' && inRange(record.actor.ip));
  }
  const zoneName = value('zone.name');
  if (zoneName !== undefined) tests.push((record) => zoneNameOf(record) === zoneName);
  if (hideUserLogs) {
    tests.push((record) => !(record.owner?.id && record.owner.id === record.actor?.id));
  }
  return {
    page,
    perPage,
    direction,
    since,
    before,
    matches: (record) => tests.every((test) => test(record)),
  };
}

function zoneNameOf(record: CloudflareV1RecordWire): string | null {
  const metadata = record.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return null;
  const zoneName = (metadata as Record<string, unknown>)['zone_name'];
  return typeof zoneName === 'string' ? zoneName : null;
}
