import { fnv1a } from './fnv1a';

/** One term of an order: the value `column` reads from an item, or without it the item's time. */
export interface SortTerm<T> {
  readonly column?: (item: T) => number | string;
  readonly descending: boolean;
}

export interface SortComparatorOptions<T, K extends string | number> {
  /** Most significant first. */
  readonly sort: readonly SortTerm<T>[];
  /** Milliseconds since the epoch. */
  readonly timeOf: (item: T) => number;
  readonly idOf: (item: T) => K;
  /**
   * Items the terms leave equal are ties, which real upstreams order in no documented way. With a
   * seed they are ranked by a hash of it and their id, so each different query (seeded from its
   * parameters without the paging ones) sees its own order while every page of that query keeps
   * it; null ranks them by id. Either way they follow the direction of the first term.
   */
  readonly tieSeed: string | null;
}

/** The order of one query over an emulator's records (or over positions in that order). */
export function createSortComparator<T, K extends string | number>(
  options: SortComparatorOptions<T, K>,
): (a: T, b: T) => number {
  const { sort, timeOf, idOf, tieSeed } = options;
  const descending = sort[0]?.descending ?? false;
  const rankTies = tieSeed === null ? null : createTieRank(tieSeed);
  return (a, b) => {
    for (const term of sort) {
      const order =
        term.column === undefined
          ? timeOf(a) - timeOf(b)
          : compareValues(term.column(a), term.column(b));
      if (order !== 0) return term.descending ? -order : order;
    }
    const idA = idOf(a);
    const idB = idOf(b);
    const tie = (rankTies === null ? 0 : rankTies(idA) - rankTies(idB)) || compareValues(idA, idB);
    return descending ? -tie : tie;
  };
}

function createTieRank(seed: string): (id: string | number) => number {
  const seedHash = fnv1a(seed);
  // Once per id: a sort compares each item many times, and ids are long.
  const ranks = new Map<string | number, number>();
  return (id) => {
    let rank = ranks.get(id);
    if (rank === undefined) {
      rank = mix32(fnv1a(String(id), seedHash));
      ranks.set(id, rank);
    }
    return rank;
  };
}

/**
 * Murmur3's finaliser: FNV alone leaves ids with a common prefix in a similar order for every
 * seed.
 */
function mix32(hash: number): number {
  let h = hash;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Numbers by value, text by UTF-16 code units: no locale, so every run orders alike. */
export function compareValues<V extends number | string>(a: V, b: V): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
