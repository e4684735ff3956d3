import { countWidening } from '../../../src/feed/countSourceTotal';
import type { ListPage, SortOrder } from '../../../src/model/Source';
import { makeEvent } from '../../support/createMemorySource';

const WINDOW = { sinceMs: 10_500, beforeMs: 20_500 };

function page(
  times: readonly number[],
  last: boolean,
  covers = { sinceMs: 10_000, beforeMs: 21_000 },
): ListPage {
  return {
    events: times.map((ts, i) => makeEvent({ sourceId: 's', nativeId: `e${i}`, occurredAtMs: ts })),
    next: last ? null : '2',
    total: 99,
    totalCovers: covers,
  };
}

/**
 * What a page shows of the widening of its total's bounds: the side it starts from once it
 * reaches into the window, the far side only on the chain's last page.
 */
describe('countWidening', () => {
  it.each<[string, ListPage, SortOrder, 'since' | 'before', number | null]>([
    [
      'counts the head past the end, newest first',
      page([20_900, 20_500, 20_000], false),
      'desc',
      'before',
      2,
    ],
    [
      'cannot tell the head when it is all widening',
      page([20_900, 20_600], false),
      'desc',
      'before',
      null,
    ],
    [
      'cannot see the far side before the last page',
      page([20_000, 15_000], false),
      'desc',
      'since',
      null,
    ],
    [
      'sees the far side on the last page',
      page([20_000, 10_400, 10_000], true),
      'desc',
      'since',
      2,
    ],
    [
      'counts the head before the start, oldest first',
      page([10_000, 10_499, 12_000], false),
      'asc',
      'since',
      2,
    ],
    [
      'cannot see the end from an oldest-first page',
      page([10_000, 12_000], false),
      'asc',
      'before',
      null,
    ],
    ['is 0 where the bounds are not widened', page([20_000], false, WINDOW), 'desc', 'since', 0],
    ['is 0 for a head without widening events', page([20_000, 19_000], false), 'desc', 'before', 0],
  ])('%s', (_name, input, order, side, expected) => {
    expect(countWidening(input, WINDOW, order, side)).toBe(expected);
  });

  it('cannot tell anything of a page without the bounds of its total', () => {
    const bare: ListPage = { events: page([20_000], true).events, next: null, total: 1 };
    expect(countWidening(bare, WINDOW, 'desc', 'before')).toBeNull();
  });
});
