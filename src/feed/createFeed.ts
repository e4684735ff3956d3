import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '../model/AuditEvent';
import { AuditgraphError, badUserInput } from '../model/errors';
import { createEventIdCodec } from '../model/globalId';
import { ANONYMOUS_PRINCIPAL, canReadSource } from '../model/Principal';
import type { SortOrder, Source } from '../model/Source';
import { toListOptions } from './toListOptions';
import { readTotalCount } from './readTotalCount';
import { countEvents } from './countEvents';
import { MAX_SOURCE_ID_LENGTH } from '../model/Source';
import type { CursorCodec, LaggingSource } from './createCursorCodec';
import type { Candidate, SourceReader } from './createSourceReader';
import { toWindow } from './toWindow';
import { createSourceReader, toSourceError } from './createSourceReader';
import { settleAuditEvent } from '../model/lazyAuditEvent';
import { EMPTY_FILTER, assertFilterPermitted, createEventMatcher, hashFilter } from './eventFilter';
import type { FeedPosition } from './eventKey';
import { readEventById, readEventsById } from './readEventsById';
import { isFullyPushed } from '../model/EventFilter';
import { comparePositions, toEventKey } from './eventKey';
import type { Feed, FeedEdge, FeedOptions, FeedPage, FeedPageRequest } from './Feed';
import { readableSources, selectSources } from './selectSources';

const DEFAULT_MAX_UPSTREAM_PAGES = 20;
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
 * `upstreamSizing: 'share'`: a source's share of the page among `sourceCount`, with half again as
 * room, plus the two events pageSizeFor adds.
 */
const shareSizeFor = (first: number, maxPageSize: number, sourceCount: number) => {
  const share = Math.ceil(first / sourceCount);
  return Math.min(maxPageSize, share + 2 + Math.ceil(share / 2));
};

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

  async function readPage(request: FeedPageRequest): Promise<FeedPage> {
    const { first, filter, order } = request;
    const principal = request.principal ?? ANONYMOUS_PRINCIPAL;
    if (!Number.isSafeInteger(first) || first < 1 || first > maxFirst) {
      throw badUserInput(`first must be an integer from 1 to ${maxFirst}`);
    }
    assertFilterPermitted(filter, principal);
    const selected = selectSources(sources, filter, principal);
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
        pageSize: isFullyPushed(source.planPushdown(pushdown ? pushedFilter : EMPTY_FILTER), filter)
          ? (request.upstreamSizing === 'share' ? shareSizeFor : pageSizeFor)(
              first,
              source.maxPageSize,
              selected.length,
            )
          : source.maxPageSize,
        listOptions: toListOptions(request),
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
          // Placed by its id and time alone until now: a record that is not a valid one of its
          // API fails its source here, before it is delivered (lazyAuditEvent.ts).
          let event: AuditEvent;
          try {
            event = settleAuditEvent(next.event);
          } catch (error) {
            next.reader.fail(toSourceError(error, next.reader.sourceId));
            continue;
          }
          out.push(event);
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
    const total =
      request.withTotal === true
        ? await readTotalCount({
            readers,
            window: toWindow(filter, asOfMs, order, null),
            order,
            filter,
            pushedFilter: pushdown ? pushedFilter : null,
            firstPage: cursor === null,
            listOptions: toListOptions(request),
          })
        : null;
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
      totalCount: total?.count ?? null,
      asOfMs,
      sources: readers.map((reader) => {
        const outcome = reader.outcome();
        return {
          ...outcome,
          upstreamRequests: outcome.upstreamRequests + (total?.requests.get(reader.sourceId) ?? 0),
          completeUntilMs: completeUntil(outcome.source, nowMs, asOfMs),
        };
      }),
    };
  }

  const lookup = { eventIds, sourcesById: new Map(sources.map((source) => [source.id, source])) };
  return {
    sources,
    eventIds,
    readableSources: (principal) => readableSources(sources, principal),
    readPage,
    completeUntilMs: (sourceId, nowMs) =>
      Math.min(nowMs - holdBackMs, nowMs - (options.lateArrivalMs?.get(sourceId) ?? 0)),
    readEvent: (id, listOptions, principal) => readEventById(lookup, id, listOptions, principal),
    readEvents: (ids, listOptions, principal) =>
      readEventsById(lookup, ids, listOptions, principal),
    countEvents: (request) =>
      countEvents(
        {
          sources,
          now,
          holdBackMs,
          pushdown,
          ...(options.countScanBudgetPages === undefined
            ? {}
            : { scanBudgetPages: options.countScanBudgetPages }),
          completeUntil,
        },
        request,
      ),
  };
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
