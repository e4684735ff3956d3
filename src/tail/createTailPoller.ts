import type { Feed } from '../feed/Feed';
import type { EventFilter } from '../feed/eventFilter';
import type { EventKey } from '../feed/eventKey';
import { compareKeys, toEventKey } from '../feed/eventKey';
import { AuditgraphError, isAuditgraphError } from '../model/errors';
import type { Logger } from '../model/Logger';
import type { Principal } from '../model/Principal';
import type { Source } from '../model/Source';
import type { TailItem } from './Tail';
import { toTailBound } from './toTailBound';

/** One subscriber of a poller: what it has asked to receive, and where its items go. */
export interface TailSubscriber {
  /**
   * Per source id: the subscriber receives only that source's events after this instant (epoch
   * ms), the source's bound when it subscribed: events already in the source then are not news.
   */
  readonly fromMs: ReadonlyMap<string, number>;
  deliver(item: TailItem): void;
  /** The tail has nothing more for it (its filter's `before` has passed, or the tail closed). */
  end(): void;
}

export interface TailPollerOptions {
  readonly feed: Feed;
  /** Reads as this principal: its sources and personal-data permission are the poller's scope. */
  readonly principal: Principal;
  readonly filter: EventFilter;
  /** The sources the filter selects for the principal (selectSources). */
  readonly sources: readonly Source[];
  readonly pollIntervalMs: number;
  /** `first` of each feed page a poll reads. */
  readonly pageSize: number;
  /** How long one feed page of a poll may wait on upstreams. */
  readonly requestDeadlineMs: number;
  readonly now: () => number;
  readonly logger: Logger;
  /** Called after each poll that read its window. */
  readonly onPoll?: () => void;
  /** Called once when the poller stops, for whatever reason. */
  readonly onStop?: () => void;
}

export interface TailPoller {
  add(subscriber: TailSubscriber): void;
  /** Removes one; the poller stops when none is left. */
  remove(subscriber: TailSubscriber): void;
  readonly size: number;
  /** The bound every selected source has now, as a new subscriber's `fromMs`. */
  boundsAt(nowMs: number): ReadonlyMap<string, number>;
  /** Stops polling and ends every subscriber. */
  stop(): void;
}

/**
 * One poll loop for every subscriber of one client scope and filter.
 *
 * The poller keeps a frontier: the instant up to which it has delivered. Each poll moves it to
 * the earliest bound of the selected sources (each source's completeUntil — now less its
 * `lateArrivalSeconds` and the feed's hold-back — to the whole second) and reads the window
 * (frontier, new frontier] from the feed, ascending, page after page. The feed keeps its
 * promises inside the window (ordered, exactly once, ties across upstream pages); the windows
 * do not overlap, so across polls every event is delivered once, in order. An event a source shows
 * later than its late-arrival allowance lands behind the frontier and is not delivered: that is
 * what the allowance is for. A poll that fails as a whole leaves the frontier where it was; the next
 * one reads the window again and skips what was already delivered, by event key.
 *
 * A source that fails on a poll is reported to every subscriber, with the window it could not
 * deliver, and the frontier moves on with the other sources: holding it back for one source would
 * stall the tail for all. The failing source still counts for the frontier, so it cannot jump
 * ahead and then back.
 */
export function createTailPoller(options: TailPollerOptions): TailPoller {
  const { feed, filter, sources, now, logger } = options;
  const subscribers = new Set<TailSubscriber>();
  const boundsAt = (nowMs: number): ReadonlyMap<string, number> =>
    new Map(
      sources.map((source) => [source.id, toTailBound(feed.completeUntilMs(source.id, nowMs))]),
    );
  const frontierAt = (nowMs: number): number => {
    let bound = Number.POSITIVE_INFINITY;
    for (const value of boundsAt(nowMs).values()) bound = Math.min(bound, value);
    // No source selected (a filter naming none this client may read): nothing will ever come.
    if (bound === Number.POSITIVE_INFINITY) bound = toTailBound(nowMs);
    return filter.beforeMs === null ? bound : Math.min(bound, filter.beforeMs - 1);
  };
  let frontier = frontierAt(now());
  let lastDelivered: EventKey | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const abort = new AbortController();

  const broadcast = (item: TailItem): void => {
    for (const subscriber of subscribers) subscriber.deliver(item);
  };

  const readWindow = async (fromMs: number, toMs: number): Promise<void> => {
    const window: EventFilter = {
      ...filter,
      sinceMs: Math.max(fromMs + 1, filter.sinceMs ?? 0),
      beforeMs: toMs + 1,
    };
    const announced = new Set<string>();
    let after: string | null = null;
    for (;;) {
      const page = await feed.readPage({
        first: options.pageSize,
        after,
        filter: window,
        order: 'asc',
        principal: options.principal,
        deadlineAt: now() + options.requestDeadlineMs,
        signal: abort.signal,
      });
      if (stopped) return;
      for (const outcome of page.sources) {
        if (outcome.error !== null && !announced.has(outcome.source.id)) {
          announced.add(outcome.source.id);
          broadcast({ error: toWindowError(outcome.error, outcome.source.id, fromMs, toMs) });
        }
        if (outcome.missed !== null) {
          const oldest = new Date(outcome.missed.oldestMs).toISOString();
          const newest = new Date(outcome.missed.newestMs).toISOString();
          broadcast({
            error: new AuditgraphError(
              'SOURCE_EVENTS_MISSED',
              `source ${outcome.source.id} answered again with ${outcome.missed.count} event(s) from ${oldest} to ${newest} that the tail had already passed; they are not in it — query that range of the source to see them`,
              {
                sourceId: outcome.source.id,
                missed: { count: outcome.missed.count, oldest, newest },
              },
            ),
          });
        }
      }
      for (const edge of page.edges) {
        const key = toEventKey(edge.event);
        // Only after a failed poll can a window hold what was delivered: it is read again.
        if (lastDelivered !== null && compareKeys(key, lastDelivered) <= 0) continue;
        lastDelivered = key;
        for (const subscriber of subscribers) {
          const fromMsOf = subscriber.fromMs.get(key.sourceId) ?? Number.NEGATIVE_INFINITY;
          if (key.ts > fromMsOf) subscriber.deliver({ event: edge.event });
        }
      }
      if (!page.hasNextPage || page.endCursor === null) return;
      after = page.endCursor;
    }
  };

  const poll = async (): Promise<void> => {
    const target = frontierAt(now());
    if (target > frontier) {
      try {
        await readWindow(frontier, target);
        if (stopped) return;
        frontier = target;
        options.onPoll?.();
      } catch (error) {
        if (stopped) return;
        logger.warn(
          {
            error: error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown',
          },
          'tail poll failed; the next poll reads the window again',
        );
        broadcast({
          error: isAuditgraphError(error)
            ? error
            : new AuditgraphError(
                'INTERNAL_SERVER_ERROR',
                'a poll of the tail failed; the next one reads its window again',
              ),
        });
      }
    }
    if (filter.beforeMs !== null && frontier >= filter.beforeMs - 1) {
      stop();
      return;
    }
    schedule();
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void poll();
    }, options.pollIntervalMs);
  };

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    abort.abort();
    for (const subscriber of subscribers) subscriber.end();
    subscribers.clear();
    options.onStop?.();
  };

  schedule();
  return {
    add: (subscriber) => {
      subscribers.add(subscriber);
    },
    remove: (subscriber) => {
      subscribers.delete(subscriber);
      if (subscribers.size === 0) stop();
    },
    get size() {
      return subscribers.size;
    },
    boundsAt,
    stop,
  };
}

/** A source's failure on one poll, naming the window of its events the tail goes on without. */
function toWindowError(
  error: AuditgraphError,
  sourceId: string,
  fromMs: number,
  toMs: number,
): AuditgraphError {
  const since = new Date(fromMs + 1).toISOString();
  const through = new Date(toMs).toISOString();
  return new AuditgraphError(
    error.code,
    `${error.message}; the tail goes on without its events from ${since} through ${through}`,
    { ...error.details, sourceId },
  );
}
