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

/**
 * The matches of one query, in its order. A view of the store as the query found it, so read it
 * before the store's next `insert` (a read after one throws).
 */
export interface Selection<T> {
  /** How many records match, in all. */
  readonly length: number;
  /**
   * The records from start to end (exclusive, clamped like Array.prototype.slice with
   * non-negative indexes), in the query's order.
   */
  slice(start: number, end?: number): T[];
  /** The record at index in the query's order; undefined outside 0..length-1. */
  at(index: number): T | undefined;
  /** Where `record` stands in the query's order; -1 when it is not among the matches. */
  indexOf(record: T): number;
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
  select(options: SelectOptions<T>): Selection<T>;
}

/**
 * The in-memory store behind every emulator: records kept sorted by time then id, so a time
 * range is two binary searches even over tens of thousands of records, and each query orders
 * the range its own way, with ties (same-time records) as real upstreams leave them: in an
 * unspecified order.
 *
 * A request reads one page of its query, so the query's order costs only what the page reads:
 * led by time, the range is in order already but for the runs of one instant, and ordering
 * those (hashing ids for the tie rank) would cost every request the whole range, so a run is
 * ordered when something first reads into it.
 */
export function createRecordStore<T extends object, K extends string | number>(
  initial: readonly T[],
  options: RecordStoreOptions<T, K>,
): RecordStore<T, K> {
  const { name, idOf } = options;
  const timesOf = new WeakMap<T, number>();
  const byId = new Map<K, T>();
  // Counts inserts, so that a selection (a view by index) knows it is read too late.
  let version = 0;

  const timeOf = (record: T): number => {
    let ms = timesOf.get(record);
    if (ms === undefined) {
      ms = options.timeOf(record);
      if (!Number.isFinite(ms)) throw new Error(`${name} ${idOf(record)} has no usable time`);
      timesOf.set(record, ms);
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
  // The time of each record, at its index: hot loops read a plain array, not the WeakMap.
  const times = records.map(timeOf);

  return {
    records,
    insert(record) {
      remember(record);
      const index = firstIndexWhere(records, (other) => compare(other, record) > 0);
      records.splice(index, 0, record);
      times.splice(index, 0, timeOf(record));
      version += 1;
    },
    findById: (id) => byId.get(id),
    timeOf,
    select({ since, before, matches, sort, tieSeed }) {
      const from =
        since === null
          ? 0
          : firstIndexWhere(
              times,
              since.inclusive ? (ms) => ms >= since.ms : (ms) => ms > since.ms,
            );
      const to =
        before === null
          ? records.length
          : firstIndexWhere(
              times,
              before.inclusive ? (ms) => ms > before.ms : (ms) => ms >= before.ms,
            );
      const seen = version;
      const assertCurrent = (): void => {
        if (version !== seen) throw new Error(`a ${name} selection was read after an insert`);
      };
      const order = createSortComparator({ sort, timeOf, idOf, tieSeed });
      const [first] = sort;
      if (first === undefined || first.column !== undefined) {
        const picked: T[] = [];
        for (let i = from; i < to; i += 1) {
          const record = records[i] as T;
          if (matches(record)) picked.push(record);
        }
        return toSelection(picked.sort(order), assertCurrent);
      }
      // Indexes into the store, in the query's direction: filling a typed array costs far less
      // than growing arrays of records and times, which a request would pay for every match.
      const picked = new Int32Array(Math.max(0, to - from));
      let length = 0;
      if (first.descending) {
        for (let i = to - 1; i >= from; i -= 1) if (matches(records[i] as T)) picked[length++] = i;
      } else {
        for (let i = from; i < to; i += 1) if (matches(records[i] as T)) picked[length++] = i;
      }
      return createRunSortedSelection({
        records,
        times,
        picked: picked.subarray(0, length),
        descending: first.descending,
        order,
        knownTimeOf: (record) => timesOf.get(record),
        assertCurrent,
      });
    },
  };
}

/** A selection over records already in the query's order. */
function toSelection<T>(items: readonly T[], assertCurrent: () => void): Selection<T> {
  return {
    length: items.length,
    slice(start, end) {
      assertCurrent();
      return items.slice(start, end);
    },
    at(index) {
      assertCurrent();
      return isIndexIn(index, items.length) ? items[index] : undefined;
    },
    indexOf(record) {
      assertCurrent();
      return items.indexOf(record);
    },
  };
}

interface RunSortedSelectionOptions<T> {
  readonly records: readonly T[];
  /** The time of each record, at its index. */
  readonly times: readonly number[];
  /** Indexes into `records` of the matches, in time order, `descending` or not. */
  readonly picked: Int32Array;
  readonly descending: boolean;
  /** The query's order, led by time: ordering each run of one time orders the whole. */
  readonly order: (a: T, b: T) => number;
  /** A record's time if the store knows the record. */
  readonly knownTimeOf: (record: T) => number | undefined;
  readonly assertCurrent: () => void;
}

/** A selection in time order whose runs of one time are put in the query's order on first read. */
function createRunSortedSelection<T>(options: RunSortedSelectionOptions<T>): Selection<T> {
  const { records, times, picked, descending, order, knownTimeOf, assertCurrent } = options;
  const { length } = picked;
  // Where each ordered run ends, by where it starts: a page touches few runs.
  const runEnds = new Map<number, number>();
  const byOrder = (a: number, b: number): number => order(records[a] as T, records[b] as T);

  /** The first position whose time is `ms` or after it in the selection's direction. */
  const firstPositionOf = (ms: number): number =>
    firstIndexWhere(picked, (index) =>
      descending ? (times[index] as number) <= ms : (times[index] as number) >= ms,
    );
  const timeAt = (position: number): number => times[picked[position] as number] as number;
  /** Orders the run that starts at `start`, once; returns where it ends. */
  const orderRun = (start: number): number => {
    let end = runEnds.get(start);
    if (end === undefined) {
      const ms = timeAt(start);
      end = start + 1;
      while (end < length && timeAt(end) === ms) end += 1;
      if (end - start > 1) picked.subarray(start, end).sort(byOrder);
      runEnds.set(start, end);
    }
    return end;
  };
  /** Orders every run with a position in [start, end), which is not empty. */
  const orderRange = (start: number, end: number): void => {
    let run = firstPositionOf(timeAt(start));
    while (run < end) run = orderRun(run);
  };

  return {
    length,
    slice(start, end) {
      assertCurrent();
      const from = toSliceIndex(start, length);
      const to = end === undefined ? length : toSliceIndex(end, length);
      const slice: T[] = [];
      if (from >= to) return slice;
      orderRange(from, to);
      for (let position = from; position < to; position += 1) {
        slice.push(records[picked[position] as number] as T);
      }
      return slice;
    },
    at(position) {
      assertCurrent();
      if (!isIndexIn(position, length)) return undefined;
      orderRange(position, position + 1);
      return records[picked[position] as number];
    },
    indexOf(record) {
      assertCurrent();
      const ms = knownTimeOf(record);
      if (ms === undefined) return -1;
      const start = firstPositionOf(ms);
      if (start === length || timeAt(start) !== ms) return -1;
      const end = orderRun(start);
      for (let position = start; position < end; position += 1) {
        if (records[picked[position] as number] === record) return position;
      }
      return -1;
    },
  };
}

function isIndexIn(index: number, length: number): boolean {
  return Number.isInteger(index) && index >= 0 && index < length;
}

/** An index as Array.prototype.slice reads it: from the end when negative, then clamped. */
function toSliceIndex(index: number, length: number): number {
  const whole = Math.trunc(index) || 0;
  return whole < 0 ? Math.max(length + whole, 0) : Math.min(whole, length);
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

/**
 * The first index whose item satisfies `test`, which is false then true along `items`: an array
 * or a `Selection`, read at O(log n) indexes.
 */
export function firstIndexWhere<T>(
  items: { readonly length: number; at(index: number): T | undefined },
  test: (item: T) => boolean,
): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (test(items.at(middle) as T)) high = middle;
    else low = middle + 1;
  }
  return low;
}
