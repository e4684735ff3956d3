import { AuditgraphError, badUserInput } from '../model/errors';
import { settleAuditEvent } from '../model/lazyAuditEvent';
import { ANONYMOUS_PRINCIPAL } from '../model/Principal';
import type { ListOptions, Source } from '../model/Source';
import { createSourceReader, toSourceError, toSourceState } from './createSourceReader';
import type { Window } from './createSourceReader';
import { canCountFromTotal, countSourceTotal } from './countSourceTotal';
import type { EventFilter } from './eventFilter';
import { EMPTY_FILTER, assertFilterPermitted, createEventMatcher } from './eventFilter';
import type { CountBucket, CountRequest, EventCounts, SourceOutcome } from './Feed';
import { selectSources } from './selectSources';
import { toListOptions } from './toListOptions';
import { toWindow } from './toWindow';

/** The most buckets one counts query returns: an hour's buckets over a month fit. */
export const MAX_COUNT_BUCKETS = 1000;
const DEFAULT_SCAN_BUDGET_PAGES = 50;

export interface EventCounterOptions {
  readonly sources: readonly Source[];
  readonly now: () => number;
  readonly holdBackMs: number;
  readonly pushdown: boolean;
  readonly scanBudgetPages?: number;
  /** Up to when a source is complete (SourceOutcome.completeUntilMs), given now and asOf. */
  readonly completeUntil: (source: Source, nowMs: number, asOfMs: number) => number;
}

/** What one source contributed: the times and keys of the events it counted, or a total. */
interface SourceTally {
  /** Replaced when a total is asked again for a shorter span. */
  outcome: Omit<SourceOutcome, 'completeUntilMs'>;
  /** Events read, newest first, with their bucket; empty for a source counted by its total. */
  readonly events: { readonly ts: number; readonly key: string }[];
  /** Its API's exact count of the window (SOURCE counts only). */
  total: number | null;
  /** Counted from here to the window's end; the window's start when read whole. */
  reachMs: number;
}

/**
 * Counts the events of a window by one key (design.md §5's scan budget, applied to counting).
 *
 * Each selected source is read on its own, newest first, through the same source reader as a
 * page of the feed (window, pushdown, the feed's own filtering, ties, repeated rows, failures),
 * so an event counts exactly once and only if `auditEvents` would return it to the same client.
 * No merge is needed: counts add up. A source reads at most the scan budget of upstream pages;
 * one that runs out stops at its frontier, and then every source's events older than the latest
 * such frontier are left out, so that the counts are those of [scannedUntil, before) for every
 * source that answered. SOURCE counts of a source whose API reports exact totals for the whole
 * filter cost one small request (countSourceTotal.ts) instead of reading, over the same span.
 */
export async function countEvents(
  options: EventCounterOptions,
  request: CountRequest,
): Promise<EventCounts> {
  const { first, filter, by } = request;
  const principal = request.principal ?? ANONYMOUS_PRINCIPAL;
  if (!Number.isSafeInteger(first) || first < 1 || first > MAX_COUNT_BUCKETS) {
    throw badUserInput(`first must be an integer from 1 to ${MAX_COUNT_BUCKETS}`);
  }
  assertFilterPermitted(filter, principal);
  const selected = selectSources(options.sources, filter, principal);
  const nowMs = options.now();
  const asOfMs = nowMs - options.holdBackMs;
  const window = toWindow(filter, asOfMs, 'desc', null);
  const budget = options.scanBudgetPages ?? DEFAULT_SCAN_BUDGET_PAGES;
  const listOptions = toListOptions(request);
  const pastDeadline = () =>
    request.deadlineAt !== undefined && options.now() >= request.deadlineAt;
  // As readPage: without the pii permission `text` is matched by auditgraph, on the redacted view.
  const matches = createEventMatcher(filter, { redactedText: !principal.pii });
  const pushed = principal.pii ? filter : { ...filter, text: null };
  const pushedFilter: EventFilter | null = options.pushdown ? pushed : null;

  const tallies = await Promise.all(
    selected.map(async (source): Promise<SourceTally> => {
      let spent = 0;
      if (by === 'SOURCE' && canCountFromTotal(source, pushedFilter, filter)) {
        const tally = await tallyTotal(source, window, pushedFilter ?? EMPTY_FILTER, listOptions);
        if (typeof tally !== 'number') return tally;
        spent = tally;
      }
      // Read instead; what a total that could not answer cost is still reported.
      const scanned = await scanSource(source, window, {
        matches,
        pushedFilter,
        listOptions,
        budget,
        pastDeadline,
        keyOf: request.keyOf,
      });
      const { outcome } = scanned;
      return {
        ...scanned,
        outcome: { ...outcome, upstreamRequests: outcome.upstreamRequests + spent },
      };
    }),
  );

  const answered = tallies.filter((tally) => tally.outcome.state === 'OK');
  const reach = Math.max(window.sinceMs, ...answered.map((tally) => tally.reachMs));
  const scannedUntilMs = reach > window.sinceMs ? reach : null;
  // A total reaches the window's start; cut short elsewhere, it is asked again for the span the
  // scans covered, so that every count covers the same span.
  if (scannedUntilMs !== null) {
    await Promise.all(
      answered
        .filter((tally) => tally.total !== null)
        .map(async (tally) => {
          const recount = await tallyTotal(
            tally.outcome.source,
            { sinceMs: scannedUntilMs, beforeMs: window.beforeMs },
            pushedFilter ?? EMPTY_FILTER,
            listOptions,
          );
          tally.total = typeof recount === 'number' ? null : recount.total;
          tally.outcome =
            typeof recount === 'number'
              ? notRecounted(tally.outcome, recount)
              : mergeOutcome(tally.outcome, recount.outcome);
        }),
    );
  }

  const counts = new Map<string, number>();
  const add = (key: string, n: number) => counts.set(key, (counts.get(key) ?? 0) + n);
  for (const tally of tallies) {
    if (tally.outcome.state !== 'OK') continue;
    if (tally.total !== null) add(tally.outcome.source.id, tally.total);
    for (const event of tally.events) if (event.ts >= reach) add(event.key, 1);
  }
  return {
    buckets: sortBuckets(counts, by).slice(0, first),
    exact: scannedUntilMs === null && tallies.every((tally) => tally.outcome.state === 'OK'),
    scannedUntilMs,
    sinceMs: window.sinceMs,
    beforeMs: window.beforeMs,
    sources: tallies.map((tally) => ({
      ...tally.outcome,
      completeUntilMs: options.completeUntil(tally.outcome.source, nowMs, asOfMs),
    })),
  };
}

/**
 * A source counted by its API's total; when the total cannot say exactly, the number of requests
 * that cost instead.
 */
async function tallyTotal(
  source: Source,
  window: Window,
  pushedFilter: EventFilter,
  listOptions: ListOptions,
): Promise<SourceTally | number> {
  let requests = 0;
  const counted = { ...listOptions, onUpstreamRequest: () => (requests += 1) };
  const outcome = (error: ReturnType<typeof toSourceError> | null) => ({
    source,
    state: toSourceState(error),
    error,
    upstreamRequests: requests,
    missed: null,
  });
  try {
    const total = await countSourceTotal(source, { window, pushedFilter, listOptions: counted });
    if (total === null) return requests;
    return { outcome: outcome(null), events: [], total, reachMs: window.sinceMs };
  } catch (error) {
    const failure = toSourceError(error, source.id);
    return { outcome: outcome(failure), events: [], total: null, reachMs: 0 };
  }
}

interface ScanOptions {
  readonly matches: ReturnType<typeof createEventMatcher>;
  readonly pushedFilter: EventFilter | null;
  readonly listOptions: ListOptions;
  readonly budget: number;
  readonly pastDeadline: () => boolean;
  readonly keyOf: CountRequest['keyOf'];
}

/** Reads one source's window newest first, within the budget, noting each event's bucket. */
async function scanSource(
  source: Source,
  window: Window,
  options: ScanOptions,
): Promise<SourceTally> {
  const reader = createSourceReader(source, {
    order: 'desc',
    window,
    position: null,
    gapEnd: null,
    matches: options.matches,
    pushedFilter: options.pushedFilter,
    // Counting reads everything of the window: the largest pages read the most per request.
    pageSize: source.maxPageSize,
    listOptions: options.listOptions,
  });
  const events: { ts: number; key: string }[] = [];
  let reachMs = window.sinceMs;
  await reader.fetchMore();
  for (;;) {
    const next = reader.peek();
    if (next === null) break;
    if (next.event !== null) {
      try {
        const event = settleAuditEvent(next.event);
        events.push({ ts: event.occurredAtMs, key: options.keyOf(event) });
      } catch (error) {
        reader.fail(toSourceError(error, source.id));
        break;
      }
      reader.take();
      continue;
    }
    // Everything after the frontier has been released: the source is counted from there on.
    if (reader.pagesRead >= options.budget || options.pastDeadline()) {
      reachMs = next.bound.ts + 1;
      break;
    }
    await reader.fetchMore();
  }
  return { outcome: reader.outcome(), events, total: null, reachMs };
}

/**
 * A total that could not be read again exactly for the shorter span (a widening of its bounds
 * fuller than a small page): the source is reported failed rather than counted over another span.
 */
function notRecounted(outcome: SourceTally['outcome'], spent: number): SourceTally['outcome'] {
  const error = new AuditgraphError(
    'SOURCE_BAD_RESPONSE',
    `source ${outcome.source.id} could not be counted exactly over the span the other sources were counted over`,
    { sourceId: outcome.source.id },
  );
  return {
    ...outcome,
    state: toSourceState(error),
    error,
    upstreamRequests: outcome.upstreamRequests + spent,
  };
}

function mergeOutcome(
  outcome: SourceTally['outcome'],
  recount: SourceTally['outcome'] | undefined,
): SourceTally['outcome'] {
  if (recount === undefined) return outcome;
  return { ...recount, upstreamRequests: outcome.upstreamRequests + recount.upstreamRequests };
}

/** By count descending, ties by key; by time for DAY and HOUR, newest first. */
function sortBuckets(counts: ReadonlyMap<string, number>, by: CountRequest['by']): CountBucket[] {
  const buckets = [...counts].map(([key, count]) => ({ key, count }));
  const byKey = (a: CountBucket, b: CountBucket) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return by === 'DAY' || by === 'HOUR'
    ? buckets.sort((a, b) => byKey(b, a))
    : buckets.sort((a, b) => b.count - a.count || byKey(a, b));
}
