import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '../model/AuditEvent';
import { toProvider } from '../model/AuditEvent';
import { AuditgraphError, badUserInput, isAuditgraphError } from '../model/errors';
import type { EventIdParts } from '../model/globalId';
import { createEventIdCodec } from '../model/globalId';
import { isValidNativeId, NATIVE_ID_RULE } from '../model/nativeId';
import type { Principal } from '../model/Principal';
import { ANONYMOUS_PRINCIPAL, canReadSource } from '../model/Principal';
import type { ListOptions, ListQuery, SortOrder, Source } from '../model/Source';
import { MAX_SOURCE_ID_LENGTH } from '../model/Source';
import type { CursorCodec, LaggingSource } from './createCursorCodec';
import type { EventFilter } from './eventFilter';
import { EMPTY_FILTER, assertFilterPermitted, createEventMatcher, hashFilter } from './eventFilter';
import type { FeedPosition } from './eventKey';
import type { BatchResult } from './readEventBatch';
import { readEventBatch } from './readEventBatch';
import { isFullyPushed, planPushdown } from '../providers/pushdownCapabilities';
import { compareEventsInOrder, comparePositions, compareToPosition, toEventKey } from './eventKey';
import type {
  Feed,
  FeedEdge,
  FeedOptions,
  FeedPage,
  FeedPageRequest,
  MissedEvents,
  SourceOutcome,
  SourceState,
} from './Feed';

const DEFAULT_MAX_UPSTREAM_PAGES = 20;
/** Times one source's chain may be read again for repeating events, on one page. */
const MAX_REREADS = 3;
const HARD_LIMIT_FACTOR = 10;
/**
 * What a fully pushed query asks each upstream for: the page, plus one event to tell whether a
 * next page exists, one for the cursor's own event (the inclusive time bound brings it back), and
 * room for the ties of second-precision APIs at the page's edge. A source's last second is held
 * back until its next read, so without the room a source that fills the page pays a second,
 * sequential request on many pages. Requests are what upstream rate limits count.
 *
 * The room is the whole page again for a source read alone, and half a page among several. Each
 * event asked for is parsed, checked and mapped, and among six sources each usually fills only a
 * sixth of the page; but one source often fills most of it (a burst of sign-ins, a bulk change),
 * and then its room is what spares it that second request. In pageRoom.test.ts, one of six
 * sources filling every page in bursts of up to 20 events a second costs it 1.03 requests a page
 * with half a page of room, 1.00 with a whole page and 1.43 with a sixth.
 */
const pageSizeFor = (first: number, maxPageSize: number, sourceCount: number) =>
  Math.min(maxPageSize, first + 2 + (sourceCount > 1 ? Math.ceil(first / 2) : first));

/**
 * The feed: one time-ordered, paginated stream over every selected source (design.md §4).
 *
 * Each page fetches from every selected source in parallel, positioned at the cursor (the time
 * bound pushed down inclusive of the cursor's timestamp, keys up to the cursor skipped), and
 * k-way merges the heads. An event leaves a source's buffer only when it sorts strictly before
 * that source's frontier (the timestamp of the last event fetched from it) or the source is
 * exhausted: a later upstream page may still hold ties of the frontier's timestamp, in any order.
 * A tie group that fills an upstream page is read again as a query of its own, in the largest
 * pages; a scan that must read on to make any progress may pass the scan budget, but never the
 * hard limit of upstream pages, past which the source fails visibly instead of the page hanging.
 */
export function createFeed(options: FeedOptions): Feed {
  const { sources, cursorCodec, now, maxFirst } = options;
  assertSources(sources, cursorCodec);
  const eventIds = options.eventIds ?? createEventIdCodec(randomBytes(32));
  const maxUpstreamPages = options.maxUpstreamPagesPerSource ?? DEFAULT_MAX_UPSTREAM_PAGES;
  // Enough for a tie group of tens of thousands of events in one second; an upstream that pages
  // on past it without moving in time is broken (reliability matrix R13).
  const hardLimit = HARD_LIMIT_FACTOR * maxUpstreamPages;
  const holdBackMs = options.holdBackMs ?? 0;
  const pushdown = options.pushdown ?? true;
  const completeUntil = (source: Source, nowMs: number, asOfMs: number) =>
    Math.min(asOfMs, nowMs - (options.lateArrivalMs?.get(source.id) ?? 0));
  const byId = new Map(sources.map((source) => [source.id, source]));

  async function readPage(request: FeedPageRequest): Promise<FeedPage> {
    const { first, filter, order } = request;
    const principal = request.principal ?? ANONYMOUS_PRINCIPAL;
    if (!Number.isSafeInteger(first) || first < 1 || first > maxFirst) {
      throw badUserInput(`first must be an integer from 1 to ${maxFirst}`);
    }
    assertFilterPermitted(filter, principal);
    const selected = selectSources(filter, principal);
    const filterHash = hashFilter(filter);
    const cursor =
      request.after === null
        ? null
        : cursorCodec.decode(request.after, { order, filterHash, principalId: principal.id });
    const nowMs = now();
    const asOfMs = cursor?.asOfMs ?? nowMs - holdBackMs;
    // A lagging source the principal may no longer read (its permissions changed during the
    // traversal) is dropped rather than the cursor refused: it is not selected, so it is neither
    // read nor named, and the next cursor no longer carries it.
    const lagging = new Map(
      (cursor?.lagging ?? [])
        .filter((entry) => canReadSource(principal, entry.sourceId))
        .map((entry) => [entry.sourceId, entry.stoodAt] as const),
    );

    // Without the pii permission, `text` is matched against the description as the client sees
    // it, redacted; an upstream would match the original, so it is not pushed down.
    const matches = createEventMatcher(filter, { redactedText: !principal.pii });
    const pushedFilter = principal.pii ? filter : { ...filter, text: null };
    const readers = selected.map((source) => {
      // A source that failed earlier resumes where it stood; what lies between there and the
      // cursor's position is counted as missed, never delivered out of order.
      const isLagging = cursor !== null && lagging.has(source.id);
      const startAt = isLagging ? (lagging.get(source.id) ?? null) : (cursor?.position ?? null);
      return createSourceReader(source, {
        order,
        window: toWindow(filter, asOfMs, order, startAt),
        position: startAt,
        gapEnd: isLagging ? cursor.position : null,
        matches,
        pushedFilter: pushdown ? pushedFilter : null,
        // What the upstream filters exactly needs only the page's worth; anything the feed must
        // filter itself is read in the largest pages, to scan the most per request.
        pageSize: isFullyPushed(
          planPushdown(source.kind, pushdown ? pushedFilter : EMPTY_FILTER),
          filter,
        )
          ? pageSizeFor(first, source.maxPageSize, selected.length)
          : source.maxPageSize,
        listOptions: {
          ...(request.signal ? { signal: request.signal } : {}),
          ...(request.deadlineAt === undefined ? {} : { deadlineAt: request.deadlineAt }),
        },
      });
    });

    const { deadlineAt } = request;
    const pastDeadline = () => deadlineAt !== undefined && now() >= deadlineAt;
    const out: AuditEvent[] = [];
    let stoppedAt: FeedPosition | null = null;
    let hasMore = false;
    {
      await Promise.all(readers.map((reader) => reader.fetchMore()));
      while (out.length < first) {
        const next = pickNext(readers, order);
        if (next === null) break;
        if (next.event !== null) {
          out.push(next.event);
          next.reader.take();
          continue;
        }
        // A lagging source still counting what it missed sorts before every other candidate, so
        // nothing has been delivered yet. Out of budget, once it has counted something (so each
        // page moves it on), the page stays where the cursor was and the next one goes on.
        if (
          next.reader.inGap() &&
          next.reader.missedCount() > 0 &&
          next.reader.pagesRead >= maxUpstreamPages &&
          cursor !== null
        ) {
          stoppedAt = cursor.position;
          break;
        }
        const madeProgress =
          cursor === null || comparePositions(order, next.bound, cursor.position) > 0;
        if (next.reader.pagesRead >= maxUpstreamPages && madeProgress) {
          stoppedAt = next.bound;
          break;
        }
        // Out of time, a source that must read on cannot: failing it with the deadline would
        // report a healthy source as timed out for another's hang. The page ends here, short,
        // and the next one goes on, as when the scan budget is spent.
        if (pastDeadline() && madeProgress) {
          stoppedAt = next.bound;
          break;
        }
        if (next.reader.pagesRead >= hardLimit) {
          next.reader.fail(
            new AuditgraphError(
              'SOURCE_BAD_RESPONSE',
              `source ${next.reader.sourceId} returned ${hardLimit} pages without getting past one point in time`,
              { sourceId: next.reader.sourceId },
            ),
          );
          continue;
        }
        await next.reader.fetchMore();
      }
      if (stoppedAt === null && out.length === first)
        hasMore = await probeForMore(readers, maxUpstreamPages, pastDeadline);
    }

    const stood = readers.flatMap((reader) => {
      const stoodAt = reader.stoodAt();
      return stoodAt === undefined ? [] : [{ sourceId: reader.sourceId, stoodAt }];
    });
    // Sources left behind a position: those that stood before it (a source that failed after
    // delivering past it resumes from the position like any other).
    const laggingAt = (position: FeedPosition): readonly LaggingSource[] =>
      stood.filter(
        (entry) => entry.stoodAt === null || comparePositions(order, entry.stoodAt, position) < 0,
      );
    const encodeAt = (position: FeedPosition, hasPrevious: boolean) =>
      cursorCodec.encode({
        order,
        filterHash,
        principalId: principal.id,
        asOfMs,
        // A first page leaves it to the codec; later pages keep the traversal's.
        ...(cursor === null ? {} : { expiresAtMs: cursor.expiresAtMs }),
        position,
        hasPrevious,
        lagging: laggingAt(position),
      });
    // An edge's cursor costs an HMAC; most clients ask only for pageInfo's, so each is made when
    // first read.
    const edges = out.map((event): FeedEdge => {
      let edgeCursor: string | undefined;
      return {
        event,
        get cursor() {
          return (edgeCursor ??= encodeAt(toEventKey(event), true));
        },
      };
    });
    const hasPrevious = cursor?.hasPrevious ?? false;
    let endCursor = edges[edges.length - 1]?.cursor ?? null;
    if (stoppedAt !== null) endCursor = encodeAt(stoppedAt, hasPrevious || edges.length > 0);
    // An empty page of a traversal with a source behind still moves that source on: the same
    // position, with where it now stands.
    else if (endCursor === null && cursor !== null && stood.length > 0)
      endCursor = encodeAt(cursor.position, hasPrevious);
    return {
      edges,
      hasNextPage: hasMore || stoppedAt !== null,
      hasPreviousPage: hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor,
      totalCount: null,
      asOfMs,
      sources: readers.map((reader) => {
        const outcome = reader.outcome();
        return { ...outcome, completeUntilMs: completeUntil(outcome.source, nowMs, asOfMs) };
      }),
    };
  }

  /**
   * The sources of a page: those the principal may read that the filter selects. A principal
   * limited to some sources gets the same FORBIDDEN for a source it may not read and for one that
   * does not exist, so that it cannot learn which other sources are configured.
   */
  function selectSources(filter: EventFilter, principal: Principal): Source[] {
    for (const id of filter.sourceIds ?? []) {
      if (principal.sourceIds !== null) {
        if (!principal.sourceIds.has(id) || !byId.has(id)) {
          throw new AuditgraphError('FORBIDDEN', `you may not read source ${JSON.stringify(id)}`);
        }
      } else if (!byId.has(id)) {
        throw badUserInput(`filter.sources names an unknown source: ${JSON.stringify(id)}`);
      }
    }
    return readableSources(principal).filter(
      (source) =>
        (filter.sourceIds === null || filter.sourceIds.includes(source.id)) &&
        (filter.providers === null || filter.providers.includes(toProvider(source.kind))),
    );
  }

  function readableSources(principal: Principal = ANONYMOUS_PRINCIPAL): readonly Source[] {
    return principal.sourceIds === null
      ? sources
      : sources.filter((source) => canReadSource(principal, source.id));
  }

  async function readEvent(
    id: string,
    options: ListOptions = {},
    principal: Principal = ANONYMOUS_PRINCIPAL,
  ): Promise<AuditEvent | null> {
    const parts = eventIds.decode(id);
    if (!canReadSource(principal, parts.sourceId)) return null;
    const source = byId.get(parts.sourceId);
    if (source === undefined) return null;
    return source.get(parts.nativeId, parts.occurredAtMs, options);
  }

  async function readEvents(
    ids: readonly string[],
    options: ListOptions = {},
    principal: Principal = ANONYMOUS_PRINCIPAL,
  ): Promise<BatchResult[]> {
    const results: BatchResult[] = ids.map(() => null);
    const bySource = new Map<Source, { index: number; parts: EventIdParts }[]>();
    ids.forEach((id, index) => {
      let parts: EventIdParts;
      try {
        parts = eventIds.decode(id);
      } catch (error) {
        results[index] = error instanceof Error ? error : new Error(String(error));
        return;
      }
      const source = byId.get(parts.sourceId);
      if (source === undefined || !canReadSource(principal, parts.sourceId)) return;
      const group = bySource.get(source) ?? [];
      group.push({ index, parts });
      bySource.set(source, group);
    });
    await Promise.all(
      [...bySource].map(async ([source, group]) => {
        const events = await readEventBatch(
          source,
          group.map((entry) => entry.parts),
          options,
        );
        group.forEach((entry, at) => {
          results[entry.index] = events[at] ?? null;
        });
      }),
    );
    return results;
  }

  return { sources, eventIds, readableSources, readPage, readEvent, readEvents };
}

/**
 * Source ids go into every cursor, as do as many positions as there are sources: both are
 * bounded so that every cursor the feed writes is one its codec reads back.
 */
function assertSources(sources: readonly Source[], cursorCodec: CursorCodec): void {
  for (const source of sources) {
    if (source.id === '' || source.id.length > MAX_SOURCE_ID_LENGTH) {
      throw new Error(`a source id must be 1 to ${MAX_SOURCE_ID_LENGTH} characters long`);
    }
  }
  if (sources.length > cursorCodec.maxSources) {
    throw new Error(
      `the cursor codec takes at most ${cursorCodec.maxSources} sources; the feed has ${sources.length}`,
    );
  }
}

interface Window {
  /** Inclusive. */
  readonly sinceMs: number;
  /** Exclusive. */
  readonly beforeMs: number;
}

/**
 * The time window of one page: the filter's bounds, the snapshot's `asOf`, and the cursor's
 * timestamp (inclusive: the cursor's own millisecond may still hold events to deliver).
 */
function toWindow(
  filter: EventFilter,
  asOfMs: number,
  order: SortOrder,
  position: FeedPosition | null,
): Window {
  let sinceMs = filter.sinceMs ?? 0;
  let beforeMs = Math.min(filter.beforeMs ?? Number.MAX_SAFE_INTEGER, asOfMs + 1);
  if (position !== null) {
    if (order === 'asc') sinceMs = Math.max(sinceMs, position.ts);
    else beforeMs = Math.min(beforeMs, position.ts + 1);
  }
  return { sinceMs: Math.max(0, sinceMs), beforeMs };
}

interface Candidate {
  readonly reader: SourceReader;
  /** The next event, when the reader knows it is the source's next; null when it must read on. */
  readonly event: AuditEvent | null;
  readonly bound: FeedPosition;
}

/** The source whose next event comes first, or null when every source is done. */
function pickNext(readers: readonly SourceReader[], order: SortOrder): Candidate | null {
  let best: Candidate | null = null;
  for (const reader of readers) {
    const candidate = reader.peek();
    if (candidate === null) continue;
    if (best === null || comparePositions(order, candidate.bound, best.bound) < 0) best = candidate;
  }
  return best;
}

/**
 * Is there an event after the page's last one? True as soon as any source holds one; sources that
 * hold none but are not exhausted read on, all at once. A source out of scan budget answers true:
 * the next page may then come back empty, which §5 allows for a budgeted scan.
 */
async function probeForMore(
  readers: readonly SourceReader[],
  maxUpstreamPages: number,
  pastDeadline: () => boolean,
): Promise<boolean> {
  for (;;) {
    if (readers.some((reader) => reader.hasBuffered())) return true;
    const open = readers.filter((reader) => reader.peek() !== null);
    if (open.length === 0) return false;
    // Unsure and out of budget or time: say there may be more; the next page finds out.
    if (open.some((reader) => reader.pagesRead >= maxUpstreamPages) || pastDeadline()) return true;
    await Promise.all(open.map((reader) => reader.fetchMore()));
  }
}

interface SourceReaderOptions {
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

interface SourceReader {
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
}

function createSourceReader(source: Source, options: SourceReaderOptions): SourceReader {
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

function toSourceError(caught: unknown, sourceId: string): AuditgraphError {
  if (isAuditgraphError(caught)) return caught;
  return new AuditgraphError('SOURCE_BAD_RESPONSE', `source ${sourceId} failed unexpectedly`, {
    sourceId,
    cause: caught,
  });
}

function toSourceState(error: AuditgraphError | null): SourceState {
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
    case 'CONFIG_INVALID':
    case 'INTERNAL_SERVER_ERROR':
      return 'FAILED';
  }
}
