// Choices where no official source decides, with the reasons: cloudflareV1UnconfirmedChoices.ts
import type { CloudflareV1RecordWire } from '../../providers/cloudflare-v1/cloudflareV1Wire';
import { cloudflareBadParameter } from '../cloudflare-shared/cloudflareFailure';
import { readCloudflareQuery } from '../cloudflare-shared/readCloudflareQuery';
import { parseIpFilter } from '../cloudflare-shared/parseIpFilter';
import {
  startCloudflareEmulator,
  type CloudflareAuditLogApi,
  type CloudflareEmulator,
  type CloudflareEmulatorOptions,
} from '../cloudflare-shared/startCloudflareEmulator';
import type { TimeBound } from '../shared/createRecordStore';
import { parseIntegerParam } from '../shared/parseIntegerParam';
import { selectOffsetPage, type OffsetListQuery } from '../shared/selectOffsetPage';

const PAGING_KEYS = ['page', 'per_page'];
export const CLOUDFLARE_V1_MAX_PER_PAGE = 1000;
const DEFAULT_PER_PAGE = 100;

export type CloudflareV1EmulatorOptions = CloudflareEmulatorOptions<CloudflareV1RecordWire>;
export type CloudflareV1Emulator = CloudflareEmulator<CloudflareV1RecordWire>;

const V1_API: CloudflareAuditLogApi<CloudflareV1RecordWire> = {
  name: 'cloudflare-v1',
  path: 'audit_logs',
  timeOf: (record) => Date.parse(record.when),
  list(request, store) {
    const parsed = parseListQuery(request.query);
    if (typeof parsed === 'string') return cloudflareBadParameter(parsed);
    const { items: result, total } = selectOffsetPage(store, parsed, request, PAGING_KEYS);
    return {
      status: 200,
      body: {
        success: true,
        errors: [],
        messages: [],
        result,
        result_info: {
          page: parsed.page,
          per_page: parsed.pageSize,
          count: result.length,
          total_count: total,
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

/** The query, or the message of a 400. */
function parseListQuery(query: URLSearchParams): OffsetListQuery<CloudflareV1RecordWire> | string {
  const params = readCloudflareQuery(query);

  const page = parseIntegerParam(params.one('page') ?? '1', 1, Number.MAX_SAFE_INTEGER);
  if (page === null) return 'page must be an integer of at least 1';
  const pageSize = parseIntegerParam(
    params.one('per_page') ?? String(DEFAULT_PER_PAGE),
    1,
    CLOUDFLARE_V1_MAX_PER_PAGE,
  );
  if (pageSize === null) {
    return `per_page must be an integer between 1 and ${CLOUDFLARE_V1_MAX_PER_PAGE}`;
  }
  const direction = params.direction();
  if (typeof direction === 'object') return direction.message;

  const time = (key: string): TimeBound | null | string => {
    const ms = params.time(key);
    return typeof ms === 'number' ? { ms, inclusive: false } : ms;
  };
  const since = time('since');
  if (typeof since === 'string') return since;
  const before = time('before');
  if (typeof before === 'string') return before;

  const flag = (key: string): boolean | string => {
    const text = params.one(key) ?? 'false';
    if (text !== 'true' && text !== 'false') return `${key} must be true or false`;
    return text === 'true';
  };
  const hideUserLogs = flag('hide_user_logs');
  if (typeof hideUserLogs === 'string') return hideUserLogs;
  const exportCsv = flag('export');
  if (typeof exportCsv === 'string') return exportCsv;
  if (exportCsv) return 'export is not supported by this emulator';

  const tests: ((record: CloudflareV1RecordWire) => boolean)[] = [];
  const id = params.one('id');
  if (id !== undefined) tests.push((record) => record.id === id);
  const actionType = params.one('action.type');
  if (actionType !== undefined) tests.push((record) => record.action.type === actionType);
  const email = params.one('actor.email');
  if (email !== undefined) {
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) return 'actor.email must be an email address';
    const wanted = email.toLowerCase();
    tests.push((record) => record.actor?.email?.toLowerCase() === wanted);
  }
  const ip = params.one('actor.ip');
  if (ip !== undefined) {
    const inRange = parseIpFilter(ip);
    if (inRange === null) return 'actor.ip must be an IP address or a CIDR range';
    tests.push((record) => typeof record.actor?.ip === 'string' && inRange(record.actor.ip));
  }
  const zoneName = params.one('zone.name');
  if (zoneName !== undefined) tests.push((record) => zoneNameOf(record) === zoneName);
  if (hideUserLogs) {
    tests.push((record) => !(record.owner?.id && record.owner.id === record.actor?.id));
  }
  return {
    page,
    pageSize,
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
