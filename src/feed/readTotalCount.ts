import type { ListOptions, SortOrder } from '../model/Source';
import type { SourceReader, Window } from './createSourceReader';
import { canCountFromTotal, countSourceTotal } from './countSourceTotal';
import type { EventFilter } from './eventFilter';

export interface TotalCountRequest {
  readonly readers: readonly SourceReader[];
  /** The traversal's whole window: the filter's bounds and the snapshot's asOf. */
  readonly window: Window;
  readonly order: SortOrder;
  readonly filter: EventFilter;
  /** What the sources are handed to push down; null when pushdown is off. */
  readonly pushedFilter: EventFilter | null;
  /** A first page: each reader's first request was of the whole window. */
  readonly firstPage: boolean;
  readonly listOptions: ListOptions;
}

export interface TotalCount {
  readonly count: number | null;
  /** Requests sent for the count, per source id: what `upstreamRequests` reports beside the page's. */
  readonly requests: ReadonlyMap<string, number>;
}

/**
 * The number of events of a whole traversal, or null: only when every selected source answered
 * the page, reports totals and takes the whole filter exactly, so that each total is exact
 * (design.md §4 promise 5). Then a first page costs nothing more (its first upstream answer per
 * source carries the total), unless a source's widened bounds hide events it must see; a later
 * page, whose requests start at the cursor, asks each source once for the whole window. A source
 * that fails the count makes it null; the page itself stands.
 */
export async function readTotalCount(request: TotalCountRequest): Promise<TotalCount> {
  const { readers, window, filter, pushedFilter } = request;
  const requests = new Map<string, number>();
  const none = { count: null, requests };
  const readable = readers.every((reader) => {
    const outcome = reader.outcome();
    return outcome.state === 'OK' && outcome.missed === null && reader.stoodAt() === undefined;
  });
  if (!readable || pushedFilter === null) return none;
  const sources = readers.map((reader) => reader.outcome().source);
  if (!sources.every((source) => canCountFromTotal(source, pushedFilter, filter))) return none;
  try {
    const counts = await Promise.all(
      readers.map((reader, index) => {
        const source = sources[index]!;
        const first = request.firstPage ? reader.firstPage() : null;
        return countSourceTotal(source, {
          window,
          pushedFilter,
          listOptions: {
            ...request.listOptions,
            onUpstreamRequest: () => requests.set(source.id, (requests.get(source.id) ?? 0) + 1),
          },
          ...(first === null ? {} : { first: { page: first, order: request.order } }),
        });
      }),
    );
    if (counts.some((count) => count === null)) return none;
    return { count: counts.reduce<number>((sum, count) => sum + (count ?? 0), 0), requests };
  } catch {
    return none;
  }
}
