import { BlockList, isIP } from 'node:net';
import type { NirvanaAuditLogWire } from '../../providers/nirvana/NirvanaAuditLogWire';
import { firstIndexWhere, type RecordStore } from '../shared/createRecordStore';
import { createSortComparator, type SortTerm } from '../shared/createSortComparator';
import { decodeBase64urlJson, encodeBase64urlJson } from '../shared/encodeBase64urlJson';
import { fnv1a } from '../shared/fnv1a';
import type { NirvanaFilters, NirvanaListQuery, NirvanaSortTerm } from './parseNirvanaListQuery';

/** The audit log of one organisation, by `created_at` and id. */
export type NirvanaAuditLogStore = RecordStore<NirvanaAuditLogWire, string>;

/** Where a page starts or ends, in the order of one query: the sort values and the id. */
interface Position {
  readonly t: number;
  readonly s: number;
  readonly id: string;
}

interface CursorPayload extends Position {
  readonly v: 1;
  /** Hash of the filters and sort the cursor was made for. */
  readonly q: string;
  /** `n`: the page after the position; `p`: the page before it. */
  readonly d: 'n' | 'p';
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
 * One page of `GET /v1/audit_logs`, listed by keyset cursors. A cursor holds the position of the
 * entry a page ended (or started) at, and the hash of the filters and sort it was made for: one
 * chain of cursors keeps its order, and an entry inserted meanwhile is never listed twice nor
 * shifts one out.
 *
 * The order: the sort terms, then — for entries they leave equal — with `shuffleTies` a rank
 * seeded by the query (so different queries order ties differently, as an upstream without a
 * documented tie-break may), else the id; either way in the direction of the first term.
 *
 * With `emptyPageAfterLastCursor` the last page of a chain still carries a `next_cursor`, which
 * leads to an empty page whose `next_cursor` is null (a quirk some cursor APIs have).
 */
export function listNirvanaAuditLogs(
  store: NirvanaAuditLogStore,
  query: NirvanaListQuery,
  options: { readonly shuffleTies: boolean; readonly emptyPageAfterLastCursor?: boolean },
): NirvanaListResult {
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
  const tieSeed = options.shuffleTies ? queryHash : null;
  const matches = store.select({
    since: createdAtMin === null ? null : { ms: createdAtMin, inclusive: true },
    before: createdAtMax === null ? null : { ms: createdAtMax, inclusive: true },
    matches: createMatcher(query.filters),
    sort: toSortTerms(query.sort, statusOf),
    tieSeed,
  });
  // The same order over positions, to find where a cursor's position falls among the entries.
  const compare = createSortComparator({
    sort: toSortTerms(query.sort, (position: Position) => position.s),
    timeOf: (position) => position.t,
    idOf: (position) => position.id,
    tieSeed,
  });
  const positionOf = (record: NirvanaAuditLogWire): Position => ({
    t: store.timeOf(record),
    s: statusOf(record),
    id: record.id,
  });

  let start = 0;
  let end = Math.min(query.limit, matches.length);
  if (cursor?.d === 'n') {
    const after = cursor;
    start = firstIndexWhere(matches, (record) => compare(positionOf(record), after) > 0);
    end = Math.min(start + query.limit, matches.length);
  } else if (cursor?.d === 'p') {
    const before = cursor;
    end = firstIndexWhere(matches, (record) => compare(positionOf(record), before) >= 0);
    start = Math.max(0, end - query.limit);
  }
  const page = matches.slice(start, end);
  const first = page[0];
  const last = page[page.length - 1];
  return {
    ok: true,
    items: page,
    nextCursor:
      last !== undefined && (end < matches.length || options.emptyPageAfterLastCursor === true)
        ? encodeCursor({ v: 1, q: queryHash, d: 'n', ...positionOf(last) })
        : null,
    previousCursor:
      first !== undefined && start > 0
        ? encodeCursor({ v: 1, q: queryHash, d: 'p', ...positionOf(first) })
        : null,
    totalCount: matches.length,
  };
}

/** Entries without a status code sort before every code. */
function statusOf(record: NirvanaAuditLogWire): number {
  return record.status_code ?? -1;
}

/** The sort over anything with a time and a status code: entries, and cursor positions. */
function toSortTerms<T>(
  sort: readonly NirvanaSortTerm[],
  status: (item: T) => number,
): SortTerm<T>[] {
  return sort.map(({ field, descending }) =>
    field === 'created_at' ? { descending } : { column: status, descending },
  );
}

function createMatcher(filters: NirvanaFilters): (record: NirvanaAuditLogWire) => boolean {
  const tests: ((record: NirvanaAuditLogWire) => boolean)[] = [];
  const exact = (value: string | null, read: (record: NirvanaAuditLogWire) => unknown) => {
    if (value !== null) tests.push((record) => read(record) === value);
  };
  exact(filters.action, (r) => r.action);
  exact(filters.actorId, (r) => r.actor?.id);
  exact(filters.actorType, (r) => r.actor?.type);
  if (filters.clientIp !== null) tests.push(createClientIpMatcher(filters.clientIp));
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

/**
 * `client_ip` names one address, compared as an address (our choice; UNCONFIRMED upstream): any
 * way of writing it matches (`2001:DB8::1` is `2001:db8:0::1`), and an IPv4-mapped IPv6 address
 * is the IPv4 address it carries, as the gateway's own IP filter has it. A value that is not an
 * address is compared as text.
 */
function createClientIpMatcher(value: string): (record: NirvanaAuditLogWire) => boolean {
  const family = isIP(value);
  if (family === 0) return (record) => record.client_ip === value;
  const wanted = new BlockList();
  wanted.addAddress(value, family === 6 ? 'ipv6' : 'ipv4');
  return (record) => {
    const ip = record.client_ip ?? '';
    const ipFamily = isIP(ip);
    return ipFamily !== 0 && wanted.check(ip, ipFamily === 6 ? 'ipv6' : 'ipv4');
  };
}

function hashQuery(query: NirvanaListQuery): string {
  return fnv1a(JSON.stringify({ filters: query.filters, sort: query.sort }))
    .toString(16)
    .padStart(8, '0');
}

function encodeCursor(payload: CursorPayload): string {
  return encodeBase64urlJson(payload);
}

function decodeCursor(text: string): CursorPayload | null {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(text)) return null;
  const value = decodeBase64urlJson(text);
  if (value === null) return null;
  const { v, q, d, t, s, id } = value;
  if (v !== 1 || typeof q !== 'string' || (d !== 'n' && d !== 'p')) return null;
  if (typeof t !== 'number' || typeof s !== 'number' || typeof id !== 'string') return null;
  return { v, q, d, t, s, id };
}
