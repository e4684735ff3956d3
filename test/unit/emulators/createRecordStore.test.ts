import fc from 'fast-check';
import {
  createRecordStore,
  firstIndexWhere,
  type SelectOptions,
  type TimeBound,
} from '../../../src/emulators/shared/createRecordStore';
import {
  createSortComparator,
  type SortTerm,
} from '../../../src/emulators/shared/createSortComparator';

/*
 * The store orders a query's range lazily (a run of one time only when something reads into it);
 * these tests hold it to the order a full sort of the range gives, on every way of reading it.
 */

interface Item {
  readonly id: string | number;
  readonly ms: number;
  readonly tag: number;
}

const SECOND = 1000;
const idOf = (item: Item) => item.id;
const timeOf = (item: Item) => item.ms;
const tagOf = (item: Item) => item.tag;

/** What the store did before it ordered lazily: filter the range, then sort all of it. */
function selectByBruteForce(items: readonly Item[], options: SelectOptions<Item>): Item[] {
  const { since, before } = options;
  const inRange = (ms: number) =>
    (since === null || (since.inclusive ? ms >= since.ms : ms > since.ms)) &&
    (before === null || (before.inclusive ? ms <= before.ms : ms < before.ms));
  return items
    .filter((item) => inRange(item.ms) && options.matches(item))
    .sort(createSortComparator({ sort: options.sort, timeOf, idOf, tieSeed: options.tieSeed }));
}

/** Up to 40 items over 6 seconds, so most share their time with others. */
const itemsArbitrary = fc
  .tuple(
    fc.array(fc.record({ second: fc.integer({ min: 0, max: 5 }), tag: fc.nat(3) }), {
      maxLength: 40,
    }),
    fc.boolean(),
  )
  .map(([drafts, numericIds]) =>
    drafts.map(({ second, tag }, index): Item => ({
      id: numericIds ? index * 7919 : `item-${index}`,
      ms: second * SECOND,
      tag,
    })),
  );

const boundArbitrary: fc.Arbitrary<TimeBound | null> = fc.option(
  fc.record({
    // On the seconds the items have, and between them.
    ms: fc.oneof(
      fc.integer({ min: -1, max: 6 }).map((second) => second * SECOND),
      fc.integer({ min: -SECOND, max: 6 * SECOND }),
    ),
    inclusive: fc.boolean(),
  }),
  { nil: null },
);

const sortArbitrary: fc.Arbitrary<readonly SortTerm<Item>[]> = fc.oneof(
  // Led by time, alone or then by a column.
  fc
    .tuple(fc.boolean(), fc.option(fc.boolean(), { nil: null }))
    .map(([descending, byTag]) =>
      byTag === null ? [{ descending }] : [{ descending }, { column: tagOf, descending: byTag }],
    ),
  // Led by a column, alone or then by time.
  fc
    .tuple(fc.boolean(), fc.option(fc.boolean(), { nil: null }))
    .map(([descending, byTime]) =>
      byTime === null
        ? [{ column: tagOf, descending }]
        : [{ column: tagOf, descending }, { descending: byTime }],
    ),
  fc.constant([]),
);

const optionsArbitrary: fc.Arbitrary<SelectOptions<Item>> = fc.record({
  since: boundArbitrary,
  before: boundArbitrary,
  matches: fc.subarray([0, 1, 2, 3]).map((tags) => (item: Item) => tags.includes(item.tag)),
  sort: sortArbitrary,
  tieSeed: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
});

/** One read of a selection, by what it is given. */
type Read =
  | { readonly kind: 'slice'; readonly start: number; readonly end: number | undefined }
  | { readonly kind: 'at'; readonly index: number }
  | { readonly kind: 'indexOf'; readonly which: number }
  | { readonly kind: 'indexOfStranger'; readonly second: number };

const readArbitrary: fc.Arbitrary<Read> = fc.oneof(
  fc.record({
    kind: fc.constant('slice' as const),
    start: fc.integer({ min: -5, max: 45 }),
    end: fc.option(fc.integer({ min: -5, max: 45 }), { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant('at' as const),
    index: fc.oneof(fc.integer({ min: -3, max: 45 }), fc.constant(0.5)),
  }),
  fc.record({ kind: fc.constant('indexOf' as const), which: fc.nat(39) }),
  fc.record({
    kind: fc.constant('indexOfStranger' as const),
    second: fc.integer({ min: 0, max: 6 }),
  }),
);

/** Every record, in no particular order. */
const everything: SelectOptions<Item> = {
  since: null,
  before: null,
  matches: () => true,
  sort: [],
  tieSeed: null,
};

function createItemStore(items: readonly Item[]) {
  return createRecordStore(items, { name: 'test item', timeOf, idOf });
}

describe('createRecordStore', () => {
  it('reads every query like a full sort of its range, however and in whatever order it is read', () => {
    fc.assert(
      fc.property(
        itemsArbitrary,
        fc.nat(40),
        optionsArbitrary,
        fc.array(readArbitrary, { maxLength: 12 }),
        (items, initialCount, options, reads) => {
          // Some items from the start, the rest inserted one by one.
          const store = createItemStore(items.slice(0, initialCount));
          items.slice(initialCount).forEach((item) => store.insert(item));
          const expected = selectByBruteForce(items, options);
          const selection = store.select(options);

          expect(selection.length).toBe(expected.length);
          for (const read of reads) {
            switch (read.kind) {
              case 'slice':
                expect(selection.slice(read.start, read.end)).toEqual(
                  expected.slice(read.start, read.end),
                );
                break;
              case 'at': {
                const inside = Number.isInteger(read.index) && read.index >= 0;
                expect(selection.at(read.index)).toBe(inside ? expected[read.index] : undefined);
                break;
              }
              case 'indexOf': {
                const item = items[read.which];
                if (item !== undefined) {
                  expect(selection.indexOf(item)).toBe(expected.indexOf(item));
                }
                break;
              }
              case 'indexOfStranger': {
                // Equal in every field to a stored item, perhaps, yet never stored.
                const stranger: Item = { id: 'item-0', ms: read.second * SECOND, tag: 0 };
                expect(selection.indexOf(stranger)).toBe(-1);
                break;
              }
            }
          }
          expect(selection.slice(0)).toEqual(expected);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('keeps records and their times in order as records are inserted', () => {
    fc.assert(
      fc.property(itemsArbitrary, fc.nat(40), (items, initialCount) => {
        const store = createItemStore(items.slice(0, initialCount));
        items.slice(initialCount).forEach((item) => store.insert(item));
        const sorted = [...items].sort((a, b) => a.ms - b.ms || (a.id < b.id ? -1 : 1));
        expect(store.records).toEqual(sorted);
        // Each time bound finds exactly the records of its second: the times array is aligned.
        for (let second = 0; second < 6; second += 1) {
          const ms = second * SECOND;
          const selection = store.select({
            ...everything,
            since: { ms, inclusive: true },
            before: { ms, inclusive: true },
            sort: [{ descending: false }],
          });
          expect(selection.slice(0)).toEqual(sorted.filter((item) => item.ms === ms));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('binary-searches a selection as it would the sorted array', () => {
    fc.assert(
      fc.property(itemsArbitrary, optionsArbitrary, fc.nat(1), (items, options, shift) => {
        const store = createItemStore(items);
        const expected = selectByBruteForce(items, options);
        // False, then true from the middle of the expected order (or one past it) on.
        const pivot = expected[expected.length >>> 1];
        const test = (item: Item) =>
          pivot !== undefined && expected.indexOf(item) >= expected.indexOf(pivot) + shift;
        expect(firstIndexWhere(store.select(options), test)).toBe(firstIndexWhere(expected, test));
      }),
      { numRuns: 300 },
    );
  });

  it('orders only the runs of one time that a page reads', () => {
    // 10,000 records in runs of 100 equal times: the first page meets one run.
    const items = Array.from({ length: 10_000 }, (_, index): Item => ({
      id: `item-${index}`,
      ms: Math.floor(index / 100) * SECOND,
      tag: 0,
    }));
    let idReads = 0;
    const store = createRecordStore(items, {
      name: 'test item',
      timeOf,
      idOf: (item) => {
        idReads += 1;
        return item.id;
      },
    });
    idReads = 0;
    const selection = store.select({
      ...everything,
      sort: [{ descending: true }],
      tieSeed: 'seed',
    });
    const page = selection.slice(0, 10);

    expect(page.every((item) => item.ms === 99 * SECOND)).toBe(true);
    // Sorting one run of 100 reads ids some thousand times; sorting all 100 runs, a hundred times that.
    expect(idReads).toBeLessThan(5_000);
  });

  it('refuses to read a selection after an insert has moved the records under it', () => {
    const store = createItemStore([
      { id: 'a', ms: 0, tag: 0 },
      { id: 'b', ms: SECOND, tag: 0 },
    ]);
    const byTime = store.select({ ...everything, sort: [{ descending: false }] });
    const byTag = store.select({ ...everything, sort: [{ column: tagOf, descending: false }] });
    store.insert({ id: 'c', ms: SECOND / 2, tag: 0 });

    expect(() => byTime.slice(0)).toThrow('a test item selection was read after an insert');
    expect(() => byTag.at(0)).toThrow('a test item selection was read after an insert');
  });
});
