import type { Json } from '../../model/AuditEvent';
import { createRecordStore, type RecordStore } from '../shared/createRecordStore';
import type {
  FusionAuthOrderColumn,
  FusionAuthSearchCriteria,
} from './parseFusionAuthSearchCriteria';

/** What both FusionAuth log entries have, and the search reads. */
export interface FusionAuthLogRecord {
  readonly id: number;
  readonly insertInstant: number;
  readonly message: string;
  readonly [key: string]: Json | undefined;
}

/** One FusionAuth log table: entries by `insertInstant` (ms), ids being Longs. */
export type FusionAuthLogStore<R extends FusionAuthLogRecord> = RecordStore<R, number>;

export function createFusionAuthLogStore<R extends FusionAuthLogRecord>(
  records: readonly R[],
  name: string,
): FusionAuthLogStore<R> {
  return createRecordStore(records, {
    name,
    timeOf: (record) => record.insertInstant,
    idOf: (record) => record.id,
  });
}

export interface FusionAuthSearchPage<R> {
  readonly page: readonly R[];
  readonly total: number;
}

/**
 * One search of a log table: the entries of the time range that match the criteria, in the
 * criteria's order, one page of them by `startRow`, and how many match in all.
 *
 * Ties (entries the order leaves equal): FusionAuth documents no tie-break, so with `shuffleTies`
 * each different search ranks them its own way (seeded by its criteria, paging left out), the
 * same on every page of that search; otherwise by id. Either way in the first term's direction.
 */
export function searchFusionAuthLogs<R extends FusionAuthLogRecord>(
  store: FusionAuthLogStore<R>,
  criteria: FusionAuthSearchCriteria,
  options: { shuffleTies: boolean },
): FusionAuthSearchPage<R> {
  // start and end are both inclusive here (our choice; UNCONFIRMED upstream).
  const { start, end } = criteria;
  const matches = store.select({
    since: start === null ? null : { ms: start, inclusive: true },
    before: end === null ? null : { ms: end, inclusive: true },
    matches: createMatcher(criteria),
    sort: criteria.orderBy.map(({ column, descending }) =>
      column === 'insertInstant' ? { descending } : { column: textColumn(column), descending },
    ),
    tieSeed: options.shuffleTies
      ? JSON.stringify({ ...criteria, startRow: null, numberOfResults: null })
      : null,
  });
  const page = matches.slice(criteria.startRow, criteria.startRow + criteria.numberOfResults);
  return { page, total: matches.length };
}

/** Text columns sort case-insensitively (our choice; UNCONFIRMED upstream). */
function textColumn(
  column: Exclude<FusionAuthOrderColumn, 'insertInstant'>,
): (record: FusionAuthLogRecord) => string {
  return (record) => textOf(record[column]).toLowerCase();
}

function createMatcher(
  criteria: FusionAuthSearchCriteria,
): (record: FusionAuthLogRecord) => boolean {
  const tests: ((record: FusionAuthLogRecord) => boolean)[] = [];
  const wildcard = (value: string | null, read: (record: FusionAuthLogRecord) => string[]) => {
    if (value === null) return;
    const matches = createWildcardMatcher(value);
    tests.push((record) => read(record).some(matches));
  };
  wildcard(criteria.message, (record) => [record.message]);
  wildcard(criteria.user, (record) => present(record.insertUser));
  wildcard(criteria.newValue, (record) => placed(record, 'newValue'));
  wildcard(criteria.oldValue, (record) => placed(record, 'oldValue'));
  wildcard(criteria.reason, (record) => placed(record, 'reason'));
  const { type, tenantId } = criteria;
  if (type !== null) tests.push((record) => record.type === type);
  if (tenantId !== null) {
    tests.push((record) => textOf(record.tenantId).toLowerCase() === tenantId);
  }
  return (record) => tests.every((test) => test(record));
}

/**
 * FusionAuth's wildcard search: `*` matches any run of characters, and a value without `*` means
 * `*value*`; every other character is literal. Case-insensitive (our choice; UNCONFIRMED
 * upstream) in the way the gateway's own filters are: both sides lower-cased by Unicode's default
 * mapping, so that a regex's narrower case folding (`K`, the Kelvin sign, is not `k` to `/k/i`)
 * cannot make the emulator find less than the gateway expects.
 */
export function createWildcardMatcher(value: string): (text: string) => boolean {
  const pattern = value.includes('*') ? value : `*${value}*`;
  const source = pattern
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`, 's');
  return (text) => regex.test(text.toLowerCase());
}

/** A change field as searched: at the top level and under `data`, as text. */
function placed(record: FusionAuthLogRecord, field: 'newValue' | 'oldValue' | 'reason'): string[] {
  const data = record.data;
  const nested = isJsonObject(data) ? data[field] : undefined;
  return [...present(record[field]), ...present(nested)];
}

function isJsonObject(value: Json | undefined): value is { readonly [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function present(value: Json | undefined): string[] {
  return value === undefined || value === null ? [] : [textOf(value)];
}

function textOf(value: Json | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
