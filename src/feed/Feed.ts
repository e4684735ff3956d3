import type { AuditEvent } from '../model/AuditEvent';
import type { AuditgraphError } from '../model/errors';
import type { EventIdCodec } from '../model/globalId';
import type { Principal } from '../model/Principal';
import type { ListOptions, SortOrder, Source } from '../model/Source';
import type { CursorCodec } from './createCursorCodec';
import type { EventFilter } from './eventFilter';
import type { BatchResult } from './readEventBatch';

export type SourceState =
  'OK' | 'FAILED' | 'TIMED_OUT' | 'RATE_LIMITED' | 'UNAUTHORIZED' | 'CIRCUIT_OPEN';

/** How one selected source fared for one page. */
export interface SourceOutcome {
  readonly source: Source;
  readonly state: SourceState;
  readonly error: AuditgraphError | null;
  /**
   * Requests sent to its API for this page, retries included; pages served from the cache or
   * shared with an identical request under way cost none.
   */
  readonly upstreamRequests: number;
  /**
   * Up to when the source's API already holds every event, as far as auditgraph knows: now less
   * the source's usual delay in showing events (Cloudflare v2 shows them minutes late). Events
   * after it may still appear, so a traversal whose `asOf` is later may miss them.
   */
  readonly completeUntilMs: number;
  /**
   * Events of this source that the traversal had already passed while the source was failing,
   * found on this page now that it answers again. They are not in the feed: they can no longer
   * be placed in order. Null when there were none.
   */
  readonly missed: MissedEvents | null;
}

/** What a source that failed earlier in a traversal turned out to hold behind its position. */
export interface MissedEvents {
  readonly count: number;
  /** The earliest and latest `occurredAtMs` among them, for a query that fetches them. */
  readonly oldestMs: number;
  readonly newestMs: number;
}

export interface FeedEdge {
  readonly cursor: string;
  readonly event: AuditEvent;
}

export interface FeedPage {
  readonly edges: readonly FeedEdge[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
  /**
   * The number of events of the whole traversal, when asked for (`withTotal`) and exact (design.md
   * §4 promise 5): every selected source answered, reports totals, and takes the whole filter
   * (readTotalCount.ts). Null otherwise.
   */
  readonly totalCount: number | null;
  /** The snapshot instant of the traversal: nothing that happened later is in it. */
  readonly asOfMs: number;
  readonly sources: readonly SourceOutcome[];
}

export interface FeedPageRequest {
  readonly first: number;
  readonly after: string | null;
  readonly filter: EventFilter;
  readonly order: SortOrder;
  readonly signal?: AbortSignal;
  /** Epoch ms by which every upstream request for this page must be over. */
  readonly deadlineAt?: number;
  /**
   * Who is asking. Only the sources it may read are selected, called and reported; a filter
   * naming another is FORBIDDEN, as are filters on personal data without the pii permission; its
   * cursors are good for it alone. Default: ANONYMOUS_PRINCIPAL (every source, personal data).
   */
  readonly principal?: Principal;
  /**
   * Count the traversal's events (`totalCount`). It costs no request on a first page whose sources
   * all report totals, and one small request per source on a later page; so only when asked.
   */
  readonly withTotal?: boolean;
  /**
   * How much each source is asked for. `page` (the default) asks each for the whole page and
   * room, so that a page costs one request per source whichever source fills it. `share` asks
   * each for its share of the page among the selected sources, and room: for a large page read
   * in a long run of pages (an export), where what a source is asked for beyond what it gives is
   * parsed and then read again on the next page, at the cost of more requests on a page that one
   * source fills.
   */
  readonly upstreamSizing?: 'page' | 'share';
}

/** What events are counted by: AuditEventCountKey. */
export type CountKey = 'SOURCE' | 'ACTION' | 'CATEGORY' | 'OUTCOME' | 'ACTOR' | 'DAY' | 'HOUR';

export interface CountRequest {
  readonly filter: EventFilter;
  readonly by: CountKey;
  /**
   * The bucket an event falls in, as the asking client may see it (a client without the pii
   * permission sees actors and actions redacted): made by the resolvers, which own the view.
   */
  readonly keyOf: (event: AuditEvent) => string;
  /** How many buckets, 1 to MAX_COUNT_BUCKETS. */
  readonly first: number;
  readonly signal?: AbortSignal;
  readonly deadlineAt?: number;
  /** Who is asking; as for FeedPageRequest. */
  readonly principal?: Principal;
}

export interface CountBucket {
  readonly key: string;
  readonly count: number;
}

export interface EventCounts {
  /** By count descending, ties by key; by time, newest first, for DAY and HOUR. */
  readonly buckets: readonly CountBucket[];
  /** Every selected source answered and its whole window was counted. */
  readonly exact: boolean;
  /**
   * When the scan budget (or the deadline) ran out first: the instant the counts reach back to,
   * so that they cover [scannedUntil, before) of every source that answered. Null when every
   * source that answered was counted whole.
   */
  readonly scannedUntilMs: number | null;
  /** The window counted, before `scannedUntilMs` cuts it. */
  readonly sinceMs: number;
  readonly beforeMs: number;
  readonly sources: readonly SourceOutcome[];
}

export interface FeedOptions {
  readonly sources: readonly Source[];
  readonly cursorCodec: CursorCodec;
  /**
   * Makes and reads the global ids of events; made from the cursor secret, so that ids hold
   * across restarts and replicas. Default: one with a random secret.
   */
  readonly eventIds?: EventIdCodec;
  readonly now: () => number;
  /** The largest `first` a client may ask for. */
  readonly maxFirst: number;
  /**
   * Upstream pages one source may read for one feed page once the page has moved the traversal
   * forward. Past it the page comes back short, with a cursor that continues the scan.
   */
  readonly maxUpstreamPagesPerSource?: number;
  /**
   * How far behind now a new traversal's snapshot (`asOf`) is set, so that events a source shows
   * late are already there when it starts. Default 0.
   */
  readonly holdBackMs?: number;
  /** Per source id: how late its API usually shows events. Default 0. */
  readonly lateArrivalMs?: ReadonlyMap<string, number>;
  /**
   * Hand filters to the sources to push down (default). Off, every source reads only by time and
   * the feed filters everything itself: for comparison, or should an upstream's filter misbehave.
   */
  readonly pushdown?: boolean;
  /**
   * Upstream pages one source may read for one counts query before the counts come back
   * inexact, covering only the newest part of the window. Default 50.
   */
  readonly countScanBudgetPages?: number;
}

export interface Feed {
  /** Every configured source; what a client may see of them is `readableSources(principal)`. */
  readonly sources: readonly Source[];
  /** The global ids of this feed's events. */
  readonly eventIds: EventIdCodec;
  /** The configured sources the principal may read, in configuration order. */
  readableSources(principal?: Principal): readonly Source[];
  readPage(request: FeedPageRequest): Promise<FeedPage>;
  /**
   * Up to when (epoch ms, inclusive) a source is known to hold every event at `nowMs`: now less
   * its usual delay in showing events and the feed's hold-back, the bound a new traversal started
   * then would read to. The live tail delivers only up to it.
   */
  completeUntilMs(sourceId: string, nowMs: number): number;
  /**
   * One event by its global id; null when its source does not know it, is not configured, or is
   * one the principal may not read (the same null: an id tells nothing of a source it may not
   * read). Default principal: ANONYMOUS_PRINCIPAL.
   */
  readEvent(id: string, options?: ListOptions, principal?: Principal): Promise<AuditEvent | null>;
  /**
   * Many events by global id, in the order of `ids`, each as `readEvent` would answer it, but read
   * in batches per source (readEventBatch.ts): errors are values (a malformed id is its own
   * BAD_USER_INPUT, a failing source fails only its own ids), and the ids of sources the principal
   * may not read are null without a request.
   */
  readEvents(
    ids: readonly string[],
    options?: ListOptions,
    principal?: Principal,
  ): Promise<BatchResult[]>;
  /**
   * How many events of the window match the filter, by one key (countEvents.ts): the same
   * sources, authorization, filter semantics and failures as `readPage`.
   */
  countEvents(request: CountRequest): Promise<EventCounts>;
}
