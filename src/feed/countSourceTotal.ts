import { isFullyPushed } from '../model/EventFilter';
import type { ListOptions, ListPage, SortOrder, Source, TimeSpan } from '../model/Source';
import type { EventFilter } from './eventFilter';

/**
 * The page a total is read with: small, yet enough to hold what lies in the widening of its
 * bounds (at most a second at each edge, where a burst can hold tens of events).
 */
const EDGE_PAGE_SIZE = 100;

/**
 * Whether a source can count a query from its API's total: it reports totals, and its API takes
 * the whole filter exactly (a narrowed or residual field would make the total count a superset).
 * `pushedFilter` is what the feed hands the source; `filter` is what the client asked.
 */
export function canCountFromTotal(
  source: Source,
  pushedFilter: EventFilter | null,
  filter: EventFilter,
): boolean {
  return (
    source.reportsTotals === true &&
    pushedFilter !== null &&
    isFullyPushed(source.planPushdown(pushedFilter), filter)
  );
}

type Side = 'since' | 'before';

/**
 * How many of a page's events lie in the widening of its total on one side of the window (see
 * countSourceTotal): 0 when the total is not widened there; null when the page cannot tell. The
 * side a page starts from is at its head, seen once the page reaches into the window (or ends
 * the chain); the far side only when the page ends the chain.
 */
export function countWidening(
  page: ListPage,
  window: TimeSpan,
  order: SortOrder,
  side: Side,
): number | null {
  const covers = page.totalCovers;
  if (covers === undefined) return null;
  const outside = (ts: number) => (side === 'before' ? ts >= window.beforeMs : ts < window.sinceMs);
  const widened =
    side === 'before' ? covers.beforeMs > window.beforeMs : covers.sinceMs < window.sinceMs;
  if (!widened) return 0;
  const times = page.events.map((event) => event.occurredAtMs);
  const isHead = (order === 'desc') === (side === 'before');
  const seen = page.next === null || (isHead && times.some((ts) => !outside(ts)));
  return seen ? times.filter(outside).length : null;
}

/**
 * The exact count of a window of one source from its API's total. A total counts the query as
 * the adapter pushed it down, which may reach past the window on both sides (`totalCovers`:
 * whole-second bounds, edges of unconfirmed inclusivity); what the upstream shows of that
 * widening is taken off. `first` is a page of the window already read (the feed's first page),
 * else one request of a small page is made, newest first; one more, oldest first, when the far
 * side of the widening is not seen. Null when the totals cannot say exactly (no total, or a
 * widening fuller than a page). Errors are the source's, thrown.
 */
export async function countSourceTotal(
  source: Source,
  request: {
    readonly window: TimeSpan;
    readonly pushedFilter: EventFilter;
    readonly listOptions: ListOptions;
    readonly first?: { readonly page: ListPage; readonly order: SortOrder };
  },
): Promise<number | null> {
  const { window, pushedFilter, listOptions } = request;
  if (window.sinceMs >= window.beforeMs) return 0;
  const list = (order: SortOrder) =>
    source.list(
      { order, ...window, pageSize: EDGE_PAGE_SIZE, filter: pushedFilter },
      null,
      listOptions,
    );
  const first = request.first ?? { page: await list('desc'), order: 'desc' as const };
  const { page } = first;
  const covers = page.totalCovers;
  if (page.total === null || covers === undefined) return null;
  if (covers.sinceMs > window.sinceMs || covers.beforeMs < window.beforeMs) return null;
  let since = countWidening(page, window, first.order, 'since');
  let before = countWidening(page, window, first.order, 'before');
  if (since === null || before === null) {
    const other: SortOrder = first.order === 'desc' ? 'asc' : 'desc';
    const otherPage = await list(other);
    // The same query, asked again: a total that moved meanwhile cannot be trusted.
    if (otherPage.total !== page.total) return null;
    since ??= countWidening(otherPage, window, other, 'since');
    before ??= countWidening(otherPage, window, other, 'before');
  }
  return since === null || before === null ? null : page.total - since - before;
}
