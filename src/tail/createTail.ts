import type { Feed } from '../feed/Feed';
import type { EventFilter } from '../feed/eventFilter';
import { assertFilterPermitted, hashFilter } from '../feed/eventFilter';
import { selectSources } from '../feed/selectSources';
import { AuditgraphError } from '../model/errors';
import type { Logger } from '../model/Logger';
import type { Principal } from '../model/Principal';
import { createItemQueue } from './createItemQueue';
import type { TailPoller, TailSubscriber } from './createTailPoller';
import { createTailPoller } from './createTailPoller';
import type { Tail, TailItem, TailSubscription } from './Tail';

export interface TailOptions {
  readonly feed: Feed;
  readonly pollIntervalMs: number;
  readonly maxSubscriptionsPerClient: number;
  readonly maxSubscriptions: number;
  /** `first` of the feed pages a poll reads: the largest a client may ask for. */
  readonly pageSize: number;
  readonly requestDeadlineMs: number;
  readonly now: () => number;
  readonly logger: Logger;
}

/**
 * The live tail: subscriptions grouped by what they read — the principal's sources, its
 * personal-data permission and the filter — each group served by one poller
 * (createTailPoller), so a hundred dashboards on the same view cost the upstreams one read per
 * interval. The groups are keyed by scope rather than by client: two API keys that may read the
 * same sources, with the same permission, see the same events, redacted the same way. The
 * subscription caps count by client.
 */
export function createTail(options: TailOptions): Tail {
  assertTailOptions(options);
  const { feed } = options;
  const pollers = new Map<string, TailPoller>();
  const perClient = new Map<string, number>();
  let open = 0;
  let polls = 0;
  let closed = false;

  const subscribe = (principal: Principal, filter: EventFilter): TailSubscription => {
    if (closed) {
      throw new AuditgraphError('SHUTTING_DOWN', 'the server is shutting down; subscribe again');
    }
    // The feed's own checks, so that a filter it would refuse costs no upstream request here either.
    assertFilterPermitted(filter, principal);
    const sources = selectSources(feed.sources, filter, principal);
    const held = perClient.get(principal.id) ?? 0;
    if (held >= options.maxSubscriptionsPerClient) {
      throw new AuditgraphError(
        'TOO_MANY_SUBSCRIPTIONS',
        `this client already holds ${held} live-tail subscriptions, the most it may (tail.maxSubscriptionsPerClient)`,
      );
    }
    if (open >= options.maxSubscriptions) {
      throw new AuditgraphError(
        'TOO_MANY_SUBSCRIPTIONS',
        `the server already holds ${open} live-tail subscriptions, the most it may (tail.maxSubscriptions)`,
      );
    }
    const key = JSON.stringify([
      principal.sourceIds === null ? null : [...principal.sourceIds].sort(),
      principal.pii,
      hashFilter(filter),
    ]);
    let poller = pollers.get(key);
    if (poller === undefined) {
      const created = createTailPoller({
        feed,
        principal,
        filter,
        sources,
        pollIntervalMs: options.pollIntervalMs,
        pageSize: options.pageSize,
        requestDeadlineMs: options.requestDeadlineMs,
        now: options.now,
        logger: options.logger,
        onPoll: () => {
          polls += 1;
        },
        onStop: () => {
          if (pollers.get(key) === created) pollers.delete(key);
        },
      });
      poller = created;
      pollers.set(key, created);
    }
    const joined = poller;
    open += 1;
    perClient.set(principal.id, held + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      open -= 1;
      const left = (perClient.get(principal.id) ?? 1) - 1;
      if (left === 0) perClient.delete(principal.id);
      else perClient.set(principal.id, left);
      joined.remove(subscriber);
    };
    const queue = createItemQueue<TailItem>(release);
    const subscriber: TailSubscriber = {
      fromMs: joined.boundsAt(options.now()),
      deliver: (item) => queue.push(item),
      end: () => queue.end(),
    };
    joined.add(subscriber);
    return { sourceIds: sources.map((source) => source.id), items: queue.iterator };
  };

  return {
    subscribe,
    stats: () => ({ subscriptions: open, pollers: pollers.size, polls }),
    close: () => {
      closed = true;
      for (const poller of [...pollers.values()]) poller.stop();
      pollers.clear();
      return Promise.resolve();
    },
  };
}

/** Bad options fail when the tail is built, not on the first subscription. */
function assertTailOptions(options: TailOptions): void {
  const positive = (name: string, value: number): void => {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Error(`tail option ${name} must be a positive integer; got ${value}`);
    }
  };
  positive('pollIntervalMs', options.pollIntervalMs);
  positive('maxSubscriptionsPerClient', options.maxSubscriptionsPerClient);
  positive('maxSubscriptions', options.maxSubscriptions);
  positive('pageSize', options.pageSize);
  positive('requestDeadlineMs', options.requestDeadlineMs);
}
