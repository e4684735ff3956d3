import { compareValues, createSortComparator, type SortTerm } from './createSortComparator';

export type Direction = 'asc' | 'desc';

export interface TimeBound {
  readonly ms: number;
  readonly inclusive: boolean;
}

export interface RecordStoreOptions<T, K extends string | number> {
  /** What the records are, for the messages of a misused store (`Fastly event`). */
  readonly name: string;
  /** Milliseconds since the epoch; NaN for a record without a usable time. */
  readonly timeOf: (record: T) => number;
  readonly idOf: (record: T) => K;
}

export interface SelectOptions<T> {
  readonly since: TimeBound | null;
  readonly before: TimeBound | null;
  readonly matches: (record: T) => boolean;
  /** The query's order, most significant term first; see `createSortComparator`. */
  readonly sort: readonly SortTerm<T>[];
  readonly tieSeed: string | null;
}

export interface RecordStore<T extends object, K extends string | number> {
  /** The live records, sorted by time then id. Add through `insert` only. */
  readonly records: readonly T[];
  /** Adds a record in its place; throws when its id is taken or it has no usable time. */
  insert(record: T): void;
  findById(id: K): T | undefined;
  /** A record's time, as the store sorts by it. */
  timeOf(record: T): number;
  /** The records inside the bounds that match, in the query's order. */
  select(options: SelectOptions<T>): T[];
}

/**
 * The in-memory store behind every emulator: records kept sorted by time then id, so a time
 * range is two binary searches even over tens of thousands of records, and each query orders
 * the range its own way, with ties (same-time records) as real upstreams leave them: in an
 * unspecified order.
 */
export function createRecordStore<T extends object, K extends string | number>(
  initial: readonly T[],
  options: RecordStoreOptions<T, K>,
): RecordStore<T, K> {
  const { name, idOf } = options;
  const times = new WeakMap<T, number>();
  const byId = new Map<K, T>();

  const timeOf = (record: T): number => {
    let ms = times.get(record);
    if (ms === undefined) {
      ms = options.timeOf(record);
      if (!Number.isFinite(ms)) throw new Error(`${name} ${idOf(record)} has no usable time`);
      times.set(record, ms);
    }
    return ms;
  };
  const compare = (a: T, b: T): number => timeOf(a) - timeOf(b) || compareValues(idOf(a), idOf(b));
  // Checks a record before it joins: a bad one is refused whole, never half stored.
  const remember = (record: T): void => {
    timeOf(record);
    const id = idOf(record);
    if (byId.has(id)) throw new Error(`duplicate ${name} id ${id}`);
    byId.set(id, record);
  };

  initial.forEach(remember);
  const records = [...initial].sort(compare);

  return {
    records,
    insert(record) {
      remember(record);
      records.splice(
        firstIndexWhere(records, (other) => compare(other, record) > 0),
        0,
        record,
      );
    },
    findById: (id) => byId.get(id),
    timeOf,
    select({ since, before, matches, sort, tieSeed }) {
      const from =
        since === null
          ? 0
          : firstIndexWhere(records, (record) =>
              since.inclusive ? timeOf(record) >= since.ms : timeOf(record) > since.ms,
            );
      const to =
        before === null
          ? records.length
          : firstIndexWhere(records, (record) =>
              before.inclusive ? timeOf(record) > before.ms : timeOf(record) >= before.ms,
            );
      const picked: T[] = [];
      for (let i = from; i < to; i += 1) {
        const record = records[i] as T;
        if (matches(record)) picked.push(record);
      }
      const order = createSortComparator({ sort, timeOf, idOf, tieSeed });
      const [first] = sort;
      if (first === undefined || first.column !== undefined) return picked.sort(order);
      // Led by time, the range is already in order but for runs of one instant: sorting only
      // those keeps a query over tens of thousands of records cheap.
      if (first.descending) picked.reverse();
      sortRuns(picked, (a, b) => timeOf(a) === timeOf(b), order);
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
  entries.sort(([a, x], [b, y]) => compareValues(a, b) || compareValues(x, y));
  return JSON.stringify(entries);
}

/** The first index whose item satisfies `test`, which is false then true along `items`. */
export function firstIndexWhere<T>(items: readonly T[], test: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (test(items[middle] as T)) high = middle;
    else low = middle + 1;
  }
  return low;
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
