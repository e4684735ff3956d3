import type { Json } from '../../model/AuditEvent';
import type {
  FusionAuthOrderColumn,
  FusionAuthOrderTerm,
  FusionAuthSearchCriteria,
} from './parseFusionAuthSearchCriteria';

/** What both FusionAuth log entries have, and the search reads. */
export interface FusionAuthLogRecord {
  readonly id: number;
  readonly insertInstant: number;
  readonly message: string;
  readonly [key: string]: Json | undefined;
}

export interface FusionAuthSearchPage<R> {
  readonly page: readonly R[];
  readonly total: number;
}

/**
 * One FusionAuth log table: entries kept sorted by `(insertInstant, id)`, so a time range is two
 * binary searches even with tens of thousands of entries, and a search runs over that range only.
 */
export interface FusionAuthLogStore<R extends FusionAuthLogRecord> {
  /** Live: sorted by insertInstant, then id. */
  readonly records: readonly R[];
  get(id: number): R | undefined;
  /** Adds an entry in its place; throws when the id is taken. */
  insert(record: R): void;
  search(
    criteria: FusionAuthSearchCriteria,
    options: { shuffleTies: boolean },
  ): FusionAuthSearchPage<R>;
}

export function createFusionAuthLogStore<R extends FusionAuthLogRecord>(
  initial: readonly R[],
): FusionAuthLogStore<R> {
  const records = [...initial].sort(byInstantThenId);
  const byId = new Map<number, R>();
  for (const record of records) {
    if (byId.has(record.id)) throw new Error(`duplicate FusionAuth log id ${record.id}`);
    byId.set(record.id, record);
  }

  function insert(record: R): void {
    if (byId.has(record.id)) throw new Error(`duplicate FusionAuth log id ${record.id}`);
    const index = firstIndex(records, (other) => byInstantThenId(other, record) > 0);
    records.splice(index, 0, record);
    byId.set(record.id, record);
  }

  function search(
    criteria: FusionAuthSearchCriteria,
    options: { shuffleTies: boolean },
  ): FusionAuthSearchPage<R> {
    // start and end are both inclusive here (our choice; UNCONFIRMED upstream).
    const { start, end } = criteria;
    const from = start === null ? 0 : firstIndex(records, (r) => r.insertInstant >= start);
    const to = end === null ? records.length : firstIndex(records, (r) => r.insertInstant > end);
    const accepts = createMatcher(criteria);
    const matches: R[] = [];
    for (let i = from; i < to; i += 1) {
      const record = records[i] as R;
      if (accepts(record)) matches.push(record);
    }
    const tieKey = createTieKey(criteria, options.shuffleTies);
    const [first, ...rest] = criteria.orderBy;
    const descending = first?.descending === true;
    const compareTerms = (terms: readonly FusionAuthOrderTerm[], a: R, b: R): number => {
      for (const term of terms) {
        const order = compareColumn(a, b, term.column);
        if (order !== 0) return term.descending ? -order : order;
      }
      const tie = tieKey(a) - tieKey(b);
      return descending ? -tie : tie;
    };
    if (first?.column === 'insertInstant') {
      // The range is already in time order: only runs of equal instants need sorting, which
      // keeps a search over tens of thousands of entries cheap.
      if (descending) matches.reverse();
      sortRuns(
        matches,
        (a, b) => a.insertInstant === b.insertInstant,
        (a, b) => compareTerms(rest, a, b),
      );
    } else {
      matches.sort((a, b) => compareTerms(criteria.orderBy, a, b));
    }
    const page = matches.slice(criteria.startRow, criteria.startRow + criteria.numberOfResults);
    return { page, total: matches.length };
  }

  return { records, get: (id) => byId.get(id), insert, search };
}

/** Sorts, in place, each run of neighbours that `sameRun` holds equal. */
function sortRuns<T>(
  items: T[],
  sameRun: (a: T, b: T) => boolean,
  compare: (a: T, b: T) => number,
): void {
  let start = 0;
  while (start < items.length) {
    let end = start + 1;
    while (end < items.length && sameRun(items[start] as T, items[end] as T)) end += 1;
    if (end - start > 1) {
      const run = items.slice(start, end).sort(compare);
      for (let i = 0; i < run.length; i += 1) items[start + i] = run[i] as T;
    }
    start = end;
  }
}

function byInstantThenId(a: FusionAuthLogRecord, b: FusionAuthLogRecord): number {
  return a.insertInstant - b.insertInstant || a.id - b.id;
}

/** The first index whose record satisfies `isAfter` (records are sorted, `isAfter` monotone). */
function firstIndex<R>(records: readonly R[], isAfter: (record: R) => boolean): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isAfter(records[middle] as R)) high = middle;
    else low = middle + 1;
  }
  return low;
}

function compareColumn(
  a: FusionAuthLogRecord,
  b: FusionAuthLogRecord,
  column: FusionAuthOrderColumn,
): number {
  if (column === 'insertInstant') return a.insertInstant - b.insertInstant;
  const left = textOf(a[column]).toLowerCase();
  const right = textOf(b[column]).toLowerCase();
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * How entries that the order leaves equal are ranked. FusionAuth documents no tie-break, so with
 * `shuffleTies` each different search ranks them its own way (a hash of the search's criteria,
 * paging left out, and the id), the same on every page of that search; otherwise by id.
 */
function createTieKey(
  criteria: FusionAuthSearchCriteria,
  shuffleTies: boolean,
): (record: FusionAuthLogRecord) => number {
  if (!shuffleTies) return (record) => record.id;
  const seed = fnv1a(JSON.stringify({ ...criteria, startRow: null, numberOfResults: null }));
  return (record) => mix32(seed ^ mix32(record.id) ^ Math.floor(record.id / 0x1_0000_0000));
}

function createMatcher(
  criteria: FusionAuthSearchCriteria,
): (record: FusionAuthLogRecord) => boolean {
  const tests: ((record: FusionAuthLogRecord) => boolean)[] = [];
  const wildcard = (value: string | null, read: (record: FusionAuthLogRecord) => string[]) => {
    if (value === null) return;
    const pattern = toWildcardPattern(value);
    tests.push((record) => read(record).some((text) => pattern.test(text)));
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
 * `*value*`. Case-insensitive (our choice; UNCONFIRMED upstream).
 */
export function toWildcardPattern(value: string): RegExp {
  const pattern = value.includes('*') ? value : `*${value}*`;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'is');
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

/** The murmur3 finaliser: spreads a 32-bit value over all bits, so ranks look random. */
function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 16777619) >>> 0;
  }
  return hash;
}
