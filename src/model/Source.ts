import type { AuditEvent, Provider, SourceKind } from './AuditEvent';
import type { EventFilter, PushdownPlan } from './EventFilter';

export type SortOrder = 'asc' | 'desc';

/**
 * The longest source id: ids are names an operator gives (letters, digits, `-`, `_`), and each
 * is written into cursors, so their length is bounded like the provider ids beside them.
 */
export const MAX_SOURCE_ID_LENGTH = 63;

/**
 * One upstream query. The feed always states both time bounds; an adapter pushes them down as
 * tightly as its API allows and may return events outside them (for example when its API filters
 * at whole seconds, or with inclusive edges): the feed re-checks every bound.
 */
export interface ListQuery {
  readonly order: SortOrder;
  /** Inclusive lower bound, ms since the epoch. */
  readonly sinceMs: number;
  /** Exclusive upper bound, ms since the epoch. */
  readonly beforeMs: number;
  /** How many events the feed would like per upstream page; the adapter clamps to its API. */
  readonly pageSize: number;
  /**
   * The feed's filter. The adapter sends upstream what its `planPushdown(filter)` says it can,
   * and nothing else; absent, nothing is filtered but time.
   */
  readonly filter?: EventFilter;
}

/**
 * One upstream page. `events` are in the query's order by `occurredAtMs`; the order of events
 * with equal timestamps is whatever the upstream chose. `next` continues the same query chain
 * (a page number, an offset or an upstream cursor, opaque to the feed); null when the upstream
 * has nothing more.
 */
export interface ListPage {
  readonly events: readonly AuditEvent[];
  readonly next: string | null;
  /**
   * The upstream's count of events matching the query as pushed down (which may be wider than
   * the query's bounds), when it reports one. Not an exact count of the query's window.
   */
  readonly total: number | null;
  /**
   * For a source that `reportsTotals`: the widest time window `total` may count, inclusive
   * start, exclusive end. It holds the query's bounds and what the adapter widened them by to
   * push them down (whole seconds, edges of unconfirmed inclusivity), so the feed can take the
   * events it sees in the widening off the total (countSourceTotal.ts). Absent: `total` is a hint.
   */
  readonly totalCovers?: TimeSpan;
}

/** A time window, ms since the epoch: `sinceMs` inclusive, `beforeMs` exclusive. */
export interface TimeSpan {
  readonly sinceMs: number;
  readonly beforeMs: number;
}

export interface ListOptions {
  readonly signal?: AbortSignal;
  /** Epoch ms by which the request, its retries and its waits must be over. */
  readonly deadlineAt?: number;
  /**
   * Called once for each request the source sends upstream, retries included: never for an
   * answer from the page cache, or one shared with an identical request already under way.
   */
  readonly onUpstreamRequest?: () => void;
}

/**
 * A configured source, as the feed sees it: one instance of a kind. Adapters are plain objects
 * built by a factory (`createFastlySource`, …). Errors are `AuditgraphError`s with a SOURCE_* code
 * and `details.sourceId`.
 */
export interface Source {
  readonly id: string;
  readonly kind: SourceKind;
  readonly provider: Provider;
  /** The largest page the upstream serves. */
  readonly maxPageSize: number;
  /**
   * How far outside a query's time bounds the API may return events, in ms: an API that filters
   * at whole seconds, or whose edges may be inclusive, returns a few events just outside them,
   * which the feed drops. An event further out means the upstream ignored the bounds (or moved
   * events between pages): the feed fails the source rather than drop it without a word.
   */
  readonly windowSlackMs: number;
  /**
   * Its API reports how many events match a query as it was pushed down (`ListPage.total` with
   * `totalCovers`): with the whole filter pushed, one request counts a window. Absent: it does
   * not, or not reliably (Cloudflare), and counting means reading.
   */
  readonly reportsTotals?: boolean;
  /**
   * How the source's API applies each field the filter sets: pushed (exactly), narrowed (a
   * superset, re-checked by the feed) or residual (the feed filters what it reads). Its kind's
   * pushdown table decides (design.md §5).
   */
  planPushdown(filter: EventFilter): PushdownPlan;
  /**
   * One page of the query. `continuation` is null for the first page, else the `next` of the
   * previous page of the same query (same `query` object values).
   */
  list(query: ListQuery, continuation: string | null, options?: ListOptions): Promise<ListPage>;
  /**
   * One event by the provider's own id; null when the upstream does not know it. `occurredAtMs`,
   * when known, lets APIs without a get-by-id endpoint search a narrow window.
   */
  get(
    nativeId: string,
    occurredAtMs: number | null,
    options?: ListOptions,
  ): Promise<AuditEvent | null>;
}
