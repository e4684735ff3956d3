import type { AuditEvent } from '../model/AuditEvent';
import { AuditgraphError, isAuditgraphError } from '../model/errors';
import { isValidNativeId, NATIVE_ID_RULE } from '../model/nativeId';
import type { ListOptions, ListPage, ListQuery, SortOrder, Source } from '../model/Source';
import type { EventFilter } from './eventFilter';
import type { FeedPosition } from './eventKey';
import { compareEventsInOrder, comparePositions, compareToPosition, toEventKey } from './eventKey';
import type { MissedEvents, SourceOutcome, SourceState } from './Feed';

/** Times one source's chain may be read again for repeating events, on one page. */
const MAX_REREADS = 3;

export interface Window {
  /** Inclusive. */
  readonly sinceMs: number;
  /** Exclusive. */
  readonly beforeMs: number;
}

export interface Candidate {
  readonly reader: SourceReader;
  /** The next event, when the reader knows it is the source's next; null when it must read on. */
  readonly event: AuditEvent | null;
  readonly bound: FeedPosition;
}

export interface SourceReaderOptions {
  readonly order: SortOrder;
  readonly window: Window;
  /** Where the source stands: its events up to here were delivered (null: none yet). */
  readonly position: FeedPosition | null;
  /**
   * For a source that failed earlier in the traversal: the traversal's position. Its events up to
   * here can no longer be placed in order, so they are counted as missed, not delivered.
   */
  readonly gapEnd: FeedPosition | null;
  readonly matches: (event: AuditEvent) => boolean;
  /** The filter to hand the source for pushdown; null to read by time alone. */
  readonly pushedFilter: EventFilter | null;
  readonly pageSize: number;
  readonly listOptions: ListOptions;
}

export interface SourceReader {
  /** The source's next event if known, else the earliest place it could be; null when done. */
  peek(): Candidate | null;
  take(): void;
  readonly sourceId: string;
  /** Marks the source failed for this page. */
  fail(error: AuditgraphError): void;
  /** Holds an event still to deliver (known to exist, if not yet known to be next). */
  hasBuffered(): boolean;
  fetchMore(): Promise<void>;
  /** Upstream pages asked for on this page: what the scan budget counts. */
  readonly pagesRead: number;
  /** Still reading through the events it missed while it failed. */
  inGap(): boolean;
  /** Events counted as missed on this page so far. */
  missedCount(): number;
  /**
   * Where a source that failed on this page, or is still reading through what it missed, stood
   * at its end: the next page reads it again from there. Undefined for a source that kept up.
   */
  stoodAt(): FeedPosition | null | undefined;
  outcome(): Omit<SourceOutcome, 'completeUntilMs'>;
  /**
   * The upstream's answer to the first request of this page, for the query as the options gave
   * it (window, filter, order): its total may count the window without another request. Null
   * before it came, or when it failed.
   */
  firstPage(): ListPage | null;
  /**
   * Where the source stands in time after what it released: every event of the window from
   * here to its end (in the page's order) has been released. Null while nothing was read.
   */
  readonly frontierTs: number | null;
  /** The source has nothing more in its window. */
  isExhausted(): boolean;
}

/**
 * One selected source, as one page of the feed reads it (design.md §4): positioned at the cursor,
 * it reads the source's query chain as the merge asks and releases events in the feed's order.
 * An event leaves its buffer only when it sorts strictly before the frontier (the timestamp of the
 * last event fetched) or the source is exhausted: a later upstream page may still hold ties of the
 * frontier's timestamp, in any order. A tie group that fills an upstream page is read again as a
 * query of its own, in the largest pages. A source that failed earlier in the traversal first
 * counts what it missed up to the traversal's position. `fetchMore` never rejects: whatever goes
 * wrong with the source becomes its outcome, and the other sources answer on.
 */
export function createSourceReader(source: Source, options: SourceReaderOptions): SourceReader {
  const { order, window, position, matches } = options;
  let query: ListQuery = {
    order,
    sinceMs: window.sinceMs,
    beforeMs: window.beforeMs,
    pageSize: options.pageSize,
    ...(options.pushedFilter === null ? {} : { filter: options.pushedFilter }),
  };
  const isBefore = (a: number, b: number) => (order === 'asc' ? a < b : a > b);
  const compare = compareEventsInOrder(order);
  /** The ids read on this page, each with the time it was first read at. */
  const seen = new Map<string, number>();
  let rereads = 0;
  let buffer: AuditEvent[] = [];
  let head = 0;
  let frontierTs: number | null = null;
  let continuation: string | null = null;
  let exhausted = window.sinceMs >= window.beforeMs;
  let error: AuditgraphError | null = null;
  let pagesRead = 0;
  let firstPage: ListPage | null = null;
  let requestsSent = 0;
  const listOptions: ListOptions = {
    ...options.listOptions,
    onUpstreamRequest: () => {
      requestsSent += 1;
    },
  };
  let gapEnd = options.gapEnd;
  let stood = position;
  let missed: MissedEvents | null = null;

  const accepts = (event: AuditEvent) =>
    event.occurredAtMs >= window.sinceMs &&
    event.occurredAtMs < window.beforeMs &&
    (position === null || compareToPosition(order, toEventKey(event), position) > 0) &&
    matches(event);

  async function fetchMore(): Promise<void> {
    if (error !== null) return;
    if (exhausted) {
      // An empty window: nothing to read, and so nothing missed.
      countMissed();
      return;
    }
    pagesRead += 1;
    try {
      const continued = continuation !== null;
      const frontierBefore = frontierTs;
      let repeated = false;
      const page = await source.list(query, continuation, listOptions);
      if (pagesRead === 1) firstPage = page;
      const fresh: AuditEvent[] = [];
      for (const event of page.events) {
        if (!isValidNativeId(event.nativeId)) {
          throw new AuditgraphError(
            'SOURCE_BAD_RESPONSE',
            `source ${source.id} returned a record whose id is not ${NATIVE_ID_RULE}`,
            { sourceId: source.id },
          );
        }
        assertInWindow(event);
        const seenAt = seen.get(event.nativeId);
        if (seenAt !== undefined) {
          if (seenAt !== event.occurredAtMs) {
            throw badResponse(
              `returned event ${JSON.stringify(event.nativeId)} at two different times`,
            );
          }
          // A later page of one chain repeats an event at or past the frontier when rows moved
          // between its requests; one before it is only the API's slack around a new chain.
          if (continued && frontierBefore !== null && !isBefore(seenAt, frontierBefore)) {
            repeated = true;
          }
          continue;
        }
        seen.set(event.nativeId, event.occurredAtMs);
        if (frontierTs !== null && isBefore(event.occurredAtMs, frontierTs)) {
          throw new AuditgraphError(
            'SOURCE_BAD_RESPONSE',
            `source ${source.id} returned events out of time order`,
            {
              sourceId: source.id,
            },
          );
        }
        frontierTs = event.occurredAtMs;
        if (accepts(event)) fresh.push(event);
      }
      if (page.next !== null && page.next === continuation) {
        throw new AuditgraphError(
          'SOURCE_BAD_RESPONSE',
          `source ${source.id} returned the same page cursor twice`,
          {
            sourceId: source.id,
          },
        );
      }
      const beyondWindow =
        frontierTs !== null &&
        (order === 'asc' ? frontierTs >= window.beforeMs : frontierTs < window.sinceMs);
      exhausted = page.next === null || page.events.length === 0 || beyondWindow;
      continuation = page.next;
      buffer = [...buffer.slice(head), ...fresh].sort(compare);
      head = 0;
      if (repeated && frontierBefore !== null) {
        rereadFrom(frontierBefore);
        countMissed();
        return;
      }
      const tieGroupFillsPage =
        !exhausted &&
        page.events.length > 0 &&
        page.events.every((event) => event.occurredAtMs === frontierTs);
      if (tieGroupFillsPage && frontierTs !== null && query.pageSize < source.maxPageSize) {
        readTieGroupAsWindow(frontierTs);
      }
      countMissed();
    } catch (caught) {
      error = toSourceError(caught, source.id);
    }
  }

  /** The next event if it can be released in order, else the earliest place one could be. */
  function nextBound(): { event: AuditEvent | null; bound: FeedPosition } | null {
    const next = buffer[head];
    if (
      next !== undefined &&
      (exhausted || (frontierTs !== null && isBefore(next.occurredAtMs, frontierTs)))
    ) {
      return { event: next, bound: toEventKey(next) };
    }
    if (exhausted || frontierTs === null) return null;
    return { event: null, bound: { ts: frontierTs, sourceId: source.id, nativeId: null } };
  }

  /**
   * Counts, in order, the events of a lagging source up to the traversal's position, and ends the
   * gap once the source's next possible event lies past it.
   */
  function countMissed(): void {
    while (gapEnd !== null) {
      const next = nextBound();
      if (next === null || comparePositions(order, next.bound, gapEnd) > 0) {
        stood = gapEnd;
        gapEnd = null;
        return;
      }
      if (next.event === null) return;
      const ts = next.event.occurredAtMs;
      missed =
        missed === null
          ? { count: 1, oldestMs: ts, newestMs: ts }
          : {
              count: missed.count + 1,
              oldestMs: Math.min(missed.oldestMs, ts),
              newestMs: Math.max(missed.newestMs, ts),
            };
      stood = next.bound;
      head += 1;
    }
  }

  /**
   * The events of one query chain are in time order, and every event of a time before the
   * chain's frontier came before it; but rows that moved between two requests of the chain (an
   * event inserted, or ties ordered anew: its later page repeats events of the earlier one) may
   * have pushed one of the frontier's ties past the page boundary unread. The frontier's time is
   * read again, and what follows, as a new chain: nothing is lost, and what was read twice
   * counts once. An upstream that keeps doing it fails visibly.
   */
  function rereadFrom(frontier: number): void {
    rereads += 1;
    if (rereads > MAX_REREADS) {
      throw badResponse('kept repeating events from one page on the next');
    }
    query =
      order === 'asc' ? { ...query, sinceMs: frontier } : { ...query, beforeMs: frontier + 1 };
    continuation = null;
    exhausted = false;
    frontierTs = frontier;
    buffer = buffer.slice(head).filter((event) => isBefore(event.occurredAtMs, frontier));
    head = 0;
    forgetFrom(frontier);
  }

  /** Forgets the events read at or past a time, which a new chain from there reads again. */
  function forgetFrom(ts: number): void {
    for (const [nativeId, at] of seen) if (!isBefore(at, ts)) seen.delete(nativeId);
  }

  /**
   * Every event must lie within the query's bounds, give or take what the source's API may add
   * (`windowSlackMs`): one further out is one the upstream placed where the traversal cannot
   * take it (behind its position, say, having moved it between pages), and is reported, not
   * dropped without a word.
   */
  function assertInWindow(event: AuditEvent): void {
    const slack = source.windowSlackMs;
    if (
      event.occurredAtMs < query.sinceMs - slack ||
      event.occurredAtMs >= query.beforeMs + slack
    ) {
      throw badResponse(
        `returned an event of ${new Date(event.occurredAtMs).toISOString()}, outside the time window it was asked for`,
      );
    }
  }

  function badResponse(what: string): AuditgraphError {
    return new AuditgraphError('SOURCE_BAD_RESPONSE', `source ${source.id} ${what}`, {
      sourceId: source.id,
    });
  }

  /**
   * A tie group larger than the page size: read it, and what follows, as a query of its own from
   * the group's timestamp in the largest pages, rather than in many small ones. Events before the
   * group stay buffered; the group's own are read again (from its start, in the new query's order).
   */
  function readTieGroupAsWindow(groupTs: number): void {
    query =
      order === 'asc'
        ? { ...query, sinceMs: groupTs, pageSize: source.maxPageSize }
        : { ...query, beforeMs: groupTs + 1, pageSize: source.maxPageSize };
    continuation = null;
    forgetFrom(groupTs);
    buffer = buffer.filter((event) => event.occurredAtMs !== groupTs);
  }

  const reader: SourceReader = {
    peek() {
      if (error !== null) return null;
      const next = nextBound();
      if (next === null) return null;
      // A source still in its gap must read on before anything of it can be delivered.
      return { reader, event: gapEnd === null ? next.event : null, bound: next.bound };
    },
    take() {
      const taken = buffer[head];
      if (taken !== undefined) stood = toEventKey(taken);
      head += 1;
    },
    sourceId: source.id,
    fail: (failure) => {
      error = failure;
    },
    hasBuffered: () => error === null && head < buffer.length,
    fetchMore,
    get pagesRead() {
      return pagesRead;
    },
    inGap: () => error === null && gapEnd !== null,
    missedCount: () => missed?.count ?? 0,
    stoodAt: () => (error !== null || gapEnd !== null ? stood : undefined),
    firstPage: () => (error === null ? firstPage : null),
    get frontierTs() {
      return frontierTs;
    },
    isExhausted: () => exhausted,
    outcome: () => ({
      source,
      state: toSourceState(error),
      error,
      upstreamRequests: requestsSent,
      missed,
    }),
  };
  return reader;
}

export function toSourceError(caught: unknown, sourceId: string): AuditgraphError {
  if (isAuditgraphError(caught)) return caught;
  return new AuditgraphError('SOURCE_BAD_RESPONSE', `source ${sourceId} failed unexpectedly`, {
    sourceId,
    cause: caught,
  });
}

export function toSourceState(error: AuditgraphError | null): SourceState {
  if (error === null) return 'OK';
  switch (error.code) {
    case 'SOURCE_TIMEOUT':
      return 'TIMED_OUT';
    case 'SOURCE_RATE_LIMITED':
      return 'RATE_LIMITED';
    case 'SOURCE_AUTH_FAILED':
      return 'UNAUTHORIZED';
    case 'CIRCUIT_OPEN':
      return 'CIRCUIT_OPEN';
    case 'SOURCE_EVENTS_MISSED':
      return 'OK';
    case 'BAD_USER_INPUT':
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
    case 'SOURCE_UNAVAILABLE':
    case 'SOURCE_BAD_RESPONSE':
    case 'TOO_MANY_SUBSCRIPTIONS':
    case 'SHUTTING_DOWN':
    case 'REQUEST_ABORTED':
    case 'CONFIG_INVALID':
    case 'INTERNAL_SERVER_ERROR':
      return 'FAILED';
  }
}
