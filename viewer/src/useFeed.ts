import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiErrorItem } from './api';
import { ApiError, graphql } from './api';
import type { AuditEvent, PageAnswer, SourceStatus } from './queries';
import { PAGE_QUERY } from './queries';

/** Events per page: the server's default maximum, so 10,000 rows are 100 requests. */
export const PAGE_SIZE = 100;

/** A source as the traversal has seen it so far: its latest status, and every miss it reported. */
export interface SourceView {
  readonly status: SourceStatus;
  /** Events the traversal passed while this source failed, summed over its pages. */
  readonly missed: number;
}

export interface Feed {
  /** Newest first, each event once. */
  readonly rows: readonly AuditEvent[];
  readonly sources: ReadonlyMap<string, SourceView>;
  readonly hasNextPage: boolean;
  readonly loading: boolean;
  /** The traversal's snapshot instant, fixed by its first page. */
  readonly asOf: string | null;
  /** What refused the last page, when it was refused whole. */
  readonly error: ApiError | null;
  /** Errors beside the data of the last page (a failed source's). */
  readonly warnings: readonly ApiErrorItem[];
  readonly loadMore: () => void;
  /** Asks again for the page that was refused (or the first). */
  readonly retry: () => void;
  /** Puts a live event in its place by time, unless it is already shown. */
  readonly insert: (events: readonly AuditEvent[]) => void;
}

interface FeedState {
  readonly rows: readonly AuditEvent[];
  readonly sources: ReadonlyMap<string, SourceView>;
  readonly endCursor: string | null;
  readonly hasNextPage: boolean;
  readonly loading: boolean;
  readonly asOf: string | null;
  readonly error: ApiError | null;
  readonly warnings: readonly ApiErrorItem[];
}

const EMPTY: FeedState = {
  rows: [],
  sources: new Map(),
  endCursor: null,
  hasNextPage: true,
  loading: true,
  asOf: null,
  error: null,
  warnings: [],
};

/** Newest first by time; events of the same millisecond by source, then provider id, as the feed. */
function newerFirst(a: AuditEvent, b: AuditEvent): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? 1 : -1;
  if (a.source.id !== b.source.id) return a.source.id < b.source.id ? 1 : -1;
  return a.nativeId < b.nativeId ? 1 : a.nativeId > b.nativeId ? -1 : 0;
}

/**
 * The timeline's rows: Relay pages of `auditEvents` for `filter`, fetched one at a time as the
 * list asks for more. `ids` guards against showing an event twice, whatever a page or the live
 * tail brings; a new filter (a new `filterKey`) starts a new traversal and abandons the old one's
 * request in flight.
 */
export function useFeed(filter: Record<string, unknown>, filterKey: string): Feed {
  const [state, setState] = useState<FeedState>(EMPTY);
  const ids = useRef(new Set<string>());
  const inFlight = useRef<AbortController | null>(null);
  const current = useRef(state);
  current.current = state;
  const filterRef = useRef(filter);
  filterRef.current = filter;

  const fetchPage = useCallback(
    (after: string | null) => {
      inFlight.current?.abort();
      const controller = new AbortController();
      inFlight.current = controller;
      setState((previous) => ({ ...previous, loading: true, error: null }));
      graphql<PageAnswer>(
        PAGE_QUERY,
        { first: PAGE_SIZE, after, filter: filterRef.current },
        controller.signal,
      )
        .then(({ data, errors }) => {
          if (controller.signal.aborted) return;
          const page = data.auditEvents;
          const fresh = page.edges
            .map((edge) => edge.node)
            .filter((event) => {
              if (ids.current.has(event.id)) return false;
              ids.current.add(event.id);
              return true;
            });
          setState((previous) => {
            const sources = new Map(previous.sources);
            for (const status of page.sources) {
              const before = sources.get(status.source.id);
              sources.set(status.source.id, {
                status,
                missed: (before?.missed ?? 0) + (status.missed?.count ?? 0),
              });
            }
            return {
              rows: [...previous.rows, ...fresh],
              sources,
              endCursor: page.pageInfo.endCursor ?? previous.endCursor,
              hasNextPage: page.pageInfo.hasNextPage,
              loading: false,
              asOf: previous.asOf ?? page.asOf,
              error: null,
              warnings: errors,
            };
          });
        })
        .catch((error: unknown) => {
          if (controller.signal.aborted) return;
          setState((previous) => ({
            ...previous,
            loading: false,
            hasNextPage: false,
            error: error instanceof ApiError ? error : new ApiError(0, []),
          }));
        });
    },
    // A new traversal exactly when the filter's key changes; `filter` is read through the ref.
    [filterKey],
  );

  useEffect(() => {
    ids.current = new Set();
    setState(EMPTY);
    fetchPage(null);
    return () => inFlight.current?.abort();
  }, [fetchPage]);

  const loadMore = useCallback(() => {
    const now = current.current;
    if (now.loading || !now.hasNextPage || now.error !== null || now.endCursor === null) return;
    fetchPage(now.endCursor);
  }, [fetchPage]);

  const retry = useCallback(() => {
    const now = current.current;
    if (now.loading) return;
    setState((previous) => ({ ...previous, hasNextPage: true }));
    fetchPage(now.endCursor);
  }, [fetchPage]);

  const insert = useCallback((events: readonly AuditEvent[]) => {
    const fresh = events.filter((event) => !ids.current.has(event.id));
    if (fresh.length === 0) return;
    for (const event of fresh) ids.current.add(event.id);
    setState((previous) => {
      const rows = [...previous.rows];
      for (const event of fresh) {
        // Mostly the newest of all: found at once. A late one goes where its time puts it.
        let index = 0;
        while (index < rows.length && newerFirst(rows[index]!, event) < 0) index += 1;
        rows.splice(index, 0, event);
      }
      return { ...previous, rows };
    });
  }, []);

  return { ...state, loadMore, retry, insert };
}
