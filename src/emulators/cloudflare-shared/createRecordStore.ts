/**
 * The in-memory store behind an emulator: records sorted by time, found by binary search, and the
 * order of same-time records ("ties") the way real upstreams leave it: unspecified.
 *
 * Kind-neutral (the Fastly emulator uses it too); it lives here only because the emulator folders
 * are the ones this work may touch. Its natural home is src/emulators/.
 */

export type Direction = 'asc' | 'desc';

export interface TimeBound {
  readonly ms: number;
  readonly inclusive: boolean;
}

export interface SelectOptions<T> {
  readonly since: TimeBound | null;
  readonly before: TimeBound | null;
  readonly matches: (record: T) => boolean;
  readonly direction: Direction;
  /**
   * Orders records with equal timestamps by a hash of this seed and their id, so every different
   * query sees its own tie order while one query (or one cursor chain) keeps it. null: by id.
   */
  readonly tieSeed: string | null;
}

export interface RecordStore<T extends object> {
  /** The live records, sorted by time then id. Add through `insert` only. */
  readonly records: readonly T[];
  insert(record: T): void;
  findById(id: string): T | undefined;
  /** The records inside the bounds that match, in the asked order. */
  select(options: SelectOptions<T>): T[];
}

export interface RecordAccessors<T> {
  /** Milliseconds since the epoch; NaN for a record without a usable time. */
  readonly timeOf: (record: T) => number;
  readonly idOf: (record: T) => string;
}

export function createRecordStore<T extends object>(
  initial: readonly T[],
  accessors: RecordAccessors<T>,
): RecordStore<T> {
  const times = new WeakMap<T, number>();
  const byId = new Map<string, T>();

  const timeOf = (record: T): number => {
    let ms = times.get(record);
    if (ms === undefined) {
      ms = accessors.timeOf(record);
      if (!Number.isFinite(ms)) {
        throw new Error(`emulator record ${accessors.idOf(record)} has no parseable time`);
      }
      times.set(record, ms);
    }
    return ms;
  };
  const compare = (a: T, b: T): number =>
    timeOf(a) - timeOf(b) || compareStrings(accessors.idOf(a), accessors.idOf(b));

  const records = [...initial].sort(compare);
  for (const record of records) byId.set(accessors.idOf(record), record);

  // First index whose record sorts after `record` (equal ones first: inserts land after them).
  const insertionIndex = (record: T): number => {
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(records[mid] as T, record) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  // First index whose time satisfies `test`, given that `test` is false then true along the array.
  const firstIndexWhere = (test: (ms: number) => boolean): number => {
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (test(timeOf(records[mid] as T))) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  return {
    records,
    insert(record) {
      const id = accessors.idOf(record);
      if (byId.has(id)) throw new Error(`emulator record ${id} already exists`);
      records.splice(insertionIndex(record), 0, record);
      byId.set(id, record);
    },
    findById: (id) => byId.get(id),
    select({ since, before, matches, direction, tieSeed }) {
      const from =
        since === null
          ? 0
          : firstIndexWhere((ms) => (since.inclusive ? ms >= since.ms : ms > since.ms));
      const to =
        before === null
          ? records.length
          : firstIndexWhere((ms) => (before.inclusive ? ms > before.ms : ms >= before.ms));
      const picked: T[] = [];
      for (let i = from; i < to; i += 1) {
        const record = records[i] as T;
        if (matches(record)) picked.push(record);
      }
      if (tieSeed !== null) shuffleTies(picked, timeOf, accessors.idOf, tieSeed);
      if (direction === 'desc') picked.reverse();
      return picked;
    },
  };
}

/**
 * A seed for `SelectOptions.tieSeed` from a request's query: every parameter except the paging
 * ones, so pages of one query share the seed and any other query gets another.
 */
export function toTieSeed(query: URLSearchParams, pagingKeys: readonly string[]): string {
  const entries = [...query.entries()].filter(([key]) => !pagingKeys.includes(key));
  entries.sort(([a, x], [b, y]) => compareStrings(a, b) || compareStrings(x, y));
  return JSON.stringify(entries);
}

function shuffleTies<T>(
  records: T[],
  timeOf: (record: T) => number,
  idOf: (record: T) => string,
  seed: string,
): void {
  const seedHash = fnv1a(seed, FNV_OFFSET);
  let start = 0;
  while (start < records.length) {
    const ms = timeOf(records[start] as T);
    let end = start + 1;
    while (end < records.length && timeOf(records[end] as T) === ms) end += 1;
    if (end - start > 1) {
      const group = records.slice(start, end).map((record) => ({
        record,
        key: mix(fnv1a(idOf(record), seedHash)),
        id: idOf(record),
      }));
      group.sort((a, b) => a.key - b.key || compareStrings(a.id, b.id));
      for (let i = 0; i < group.length; i += 1)
        records[start + i] = (group[i] as { record: T }).record;
    }
    start = end;
  }
}

const FNV_OFFSET = 0x811c9dc5;

function fnv1a(text: string, offset: number): number {
  let hash = offset;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

// Murmur3's finaliser: FNV alone leaves ids with a common prefix in a similar order for every seed.
function mix(hash: number): number {
  let h = hash;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
