import type { NirvanaAuditLogWire } from '../../providers/nirvana/NirvanaAuditLogWire';
import { parseRfc3339 } from '../../providers/nirvana/parseRfc3339';
import type { NirvanaFilters, NirvanaListQuery, NirvanaSortTerm } from './parseNirvanaListQuery';

/** Where a page starts or ends, in the order of one query: the sort values and the id. */
interface Position {
  readonly t: number;
  readonly s: number;
  readonly id: string;
}

/** A position with the hash of its id, computed once, for ranking ties cheaply. */
interface RankedPosition extends Position {
  readonly h: number;
}

interface CursorPayload extends Position {
  readonly v: 1;
  /** Hash of the filters and sort the cursor was made for. */
  readonly q: string;
  /** `n`: the page after the position; `p`: the page before it. */
  readonly d: 'n' | 'p';
}

interface Entry {
  readonly record: NirvanaAuditLogWire;
  readonly position: RankedPosition;
}

export type NirvanaListResult =
  | {
      readonly ok: true;
      readonly items: readonly NirvanaAuditLogWire[];
      readonly nextCursor: string | null;
      readonly previousCursor: string | null;
      readonly totalCount: number;
    }
  | { readonly ok: false; readonly message: string };

/**
 * The audit log of one organisation: entries kept sorted by `(created_at, id)`, so a time filter
 * is two binary searches, and listed by keyset cursors. A cursor holds the position of the entry
 * a page ended (or started) at, and the hash of the filters and sort it was made for: one chain of
 * cursors keeps its order, and an entry inserted meanwhile is never listed twice nor shifts one out.
 */
export interface NirvanaAuditLogStore {
  /** Live: sorted by created_at, then id. */
  readonly records: readonly NirvanaAuditLogWire[];
  get(id: string): NirvanaAuditLogWire | undefined;
  /** Adds an entry in its place; throws when the id is taken or created_at is not RFC 3339. */
  insert(record: NirvanaAuditLogWire): void;
  list(query: NirvanaListQuery, options: { shuffleTies: boolean }): NirvanaListResult;
}

export function createNirvanaAuditLogStore(
  initial: readonly NirvanaAuditLogWire[],
): NirvanaAuditLogStore {
  const entries: Entry[] = initial
    .map(toEntry)
    .sort((a, b) => byTimeThenId(a.position, b.position));
  const records: NirvanaAuditLogWire[] = entries.map((entry) => entry.record);
  const byId = new Map<string, NirvanaAuditLogWire>();
  for (const record of records) {
    if (byId.has(record.id)) throw new Error(`duplicate Nirvana audit log id ${record.id}`);
    byId.set(record.id, record);
  }

  function insert(record: NirvanaAuditLogWire): void {
    if (byId.has(record.id)) throw new Error(`duplicate Nirvana audit log id ${record.id}`);
    const entry = toEntry(record);
    const index = firstIndex(entries, (other) => byTimeThenId(other.position, entry.position) > 0);
    entries.splice(index, 0, entry);
    records.splice(index, 0, record);
    byId.set(record.id, record);
  }

  function list(query: NirvanaListQuery, options: { shuffleTies: boolean }): NirvanaListResult {
    const queryHash = hashQuery(query);
    let cursor: CursorPayload | null = null;
    if (query.cursor !== null) {
      cursor = decodeCursor(query.cursor);
      if (cursor === null) return { ok: false, message: 'cursor is not a valid cursor' };
      if (cursor.q !== queryHash) {
        return {
          ok: false,
          message: 'cursor is only valid for the same filters and sort order',
        };
      }
    }

    const { createdAtMin, createdAtMax } = query.filters;
    const from =
      createdAtMin === null ? 0 : firstIndex(entries, (e) => e.position.t >= createdAtMin);
    const to =
      createdAtMax === null
        ? entries.length
        : firstIndex(entries, (e) => e.position.t > createdAtMax);
    const accepts = createMatcher(query.filters);
    const matches: Entry[] = [];
    for (let i = from; i < to; i += 1) {
      const entry = entries[i] as Entry;
      if (accepts(entry.record)) matches.push(entry);
    }
    const compare = createComparator(query.sort, queryHash, options.shuffleTies);
    const [leading] = query.sort;
    if (leading?.field === 'created_at') {
      // The range is already in time order: only runs of equal timestamps need sorting, which
      // keeps a request over tens of thousands of entries cheap.
      if (leading.descending) matches.reverse();
      sortRuns(
        matches,
        (a, b) => a.position.t === b.position.t,
        (a, b) => compare(a.position, b.position),
      );
    } else {
      matches.sort((a, b) => compare(a.position, b.position));
    }

    let start = 0;
    let end = Math.min(query.limit, matches.length);
    if (cursor?.d === 'n') {
      const after = { ...cursor, h: fnv1a(cursor.id) };
      start = firstIndex(matches, (e) => compare(e.position, after) > 0);
      end = Math.min(start + query.limit, matches.length);
    } else if (cursor?.d === 'p') {
      const before = { ...cursor, h: fnv1a(cursor.id) };
      end = firstIndex(matches, (e) => compare(e.position, before) >= 0);
      start = Math.max(0, end - query.limit);
    }
    const page = matches.slice(start, end);
    const first = page[0];
    const last = page[page.length - 1];
    return {
      ok: true,
      items: page.map((entry) => entry.record),
      nextCursor:
        last !== undefined && end < matches.length
          ? encodeCursor({ v: 1, q: queryHash, d: 'n', ...toPosition(last.position) })
          : null,
      previousCursor:
        first !== undefined && start > 0
          ? encodeCursor({ v: 1, q: queryHash, d: 'p', ...toPosition(first.position) })
          : null,
      totalCount: matches.length,
    };
  }

  return { records, get: (id) => byId.get(id), insert, list };
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

function toEntry(record: NirvanaAuditLogWire): Entry {
  const t = parseRfc3339(record.created_at);
  if (t === null) throw new Error(`Nirvana audit log ${record.id} has a bad created_at`);
  return {
    record,
    position: { t, s: record.status_code ?? -1, id: record.id, h: fnv1a(record.id) },
  };
}

function byTimeThenId(a: Position, b: Position): number {
  return a.t - b.t || compareText(a.id, b.id);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The first index whose element satisfies `isAfter` (sorted input, `isAfter` monotone). */
function firstIndex<T>(items: readonly T[], isAfter: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isAfter(items[middle] as T)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * The order of one query: its sort terms, then — for entries they leave equal — a rank that with
 * `shuffleTies` depends on the query (so different queries order ties differently, as an
 * upstream without a documented tie-break may) and otherwise is the id, then the id.
 */
function createComparator(
  sort: readonly NirvanaSortTerm[],
  queryHash: string,
  shuffleTies: boolean,
): (a: RankedPosition, b: RankedPosition) => number {
  const descending = sort[0]?.descending ?? true;
  const seed = fnv1a(queryHash);
  const rank = (position: RankedPosition): number => (shuffleTies ? mix32(seed ^ position.h) : 0);
  return (a, b) => {
    for (let i = 0; i < sort.length; i += 1) {
      const term = sort[i] as NirvanaSortTerm;
      const order = term.field === 'created_at' ? a.t - b.t : a.s - b.s;
      if (order !== 0) return term.descending ? -order : order;
    }
    const tie = rank(a) - rank(b) || compareText(a.id, b.id);
    return descending ? -tie : tie;
  };
}

function createMatcher(filters: NirvanaFilters): (record: NirvanaAuditLogWire) => boolean {
  const tests: ((record: NirvanaAuditLogWire) => boolean)[] = [];
  const exact = (value: string | null, read: (record: NirvanaAuditLogWire) => unknown) => {
    if (value !== null) tests.push((record) => read(record) === value);
  };
  exact(filters.action, (r) => r.action);
  exact(filters.actorId, (r) => r.actor?.id);
  exact(filters.actorType, (r) => r.actor?.type);
  exact(filters.clientIp, (r) => r.client_ip);
  exact(filters.targetId, (r) => r.target?.id);
  exact(filters.targetType, (r) => r.target?.type);
  const { method, path, statusCodeMin, statusCodeMax } = filters;
  if (method !== null) tests.push((r) => r.method?.toUpperCase() === method.toUpperCase());
  if (path !== null) {
    const needle = path.toLowerCase();
    tests.push((r) => (r.path ?? '').toLowerCase().includes(needle));
  }
  if (statusCodeMin !== null) tests.push((r) => (r.status_code ?? -1) >= statusCodeMin);
  if (statusCodeMax !== null) {
    tests.push(
      (r) =>
        r.status_code !== null && r.status_code !== undefined && r.status_code <= statusCodeMax,
    );
  }
  return (record) => tests.every((test) => test(record));
}

function hashQuery(query: NirvanaListQuery): string {
  return fnv1a(JSON.stringify({ filters: query.filters, sort: query.sort }))
    .toString(16)
    .padStart(8, '0');
}

function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

function decodeCursor(text: string): CursorPayload | null {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { v, q, d, t, s, id } = value as Record<string, unknown>;
  if (v !== 1 || typeof q !== 'string' || (d !== 'n' && d !== 'p')) return null;
  if (typeof t !== 'number' || typeof s !== 'number' || typeof id !== 'string') return null;
  return { v, q, d, t, s, id };
}

function toPosition({ t, s, id }: RankedPosition): Position {
  return { t, s, id };
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
