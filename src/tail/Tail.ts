import type { EventFilter } from '../feed/eventFilter';
import type { AuditEvent } from '../model/AuditEvent';
import type { AuditgraphError } from '../model/errors';
import type { Principal } from '../model/Principal';

/**
 * What a live tail hands its subscriber: the next event, or an error to report in-band (a source
 * that failed for one poll, events a source showed too late to be placed in order) while the
 * tail goes on.
 */
export type TailItem =
  | { readonly event: AuditEvent; readonly error?: undefined }
  | { readonly event?: undefined; readonly error: AuditgraphError };

/** One subscriber's tail, started. */
export interface TailSubscription {
  /** The ids of the sources it reads, in configuration order (for the audit line). */
  readonly sourceIds: readonly string[];
  /** Its items, in order; `return()` unsubscribes (the last subscriber stops the poller). */
  readonly items: AsyncIterableIterator<TailItem>;
}

export interface TailStats {
  /** Subscriptions open now. */
  readonly subscriptions: number;
  /** Pollers running now: one per client scope and filter, however many subscribe to it. */
  readonly pollers: number;
  /**
   * Windows read since start, over every poller: a poll reads one when the bound has moved on,
   * which it does by whole seconds, so at most about once a second per poller.
   */
  readonly polls: number;
}

/** The live tail of the feed (src/tail): pollers shared by scope and filter, under caps. */
export interface Tail {
  /**
   * Starts a subscription for the principal. Throws before any upstream request: FORBIDDEN or
   * BAD_USER_INPUT for a filter the feed would refuse, TOO_MANY_SUBSCRIPTIONS over a cap,
   * SHUTTING_DOWN once close() has begun.
   */
  subscribe(principal: Principal, filter: EventFilter): TailSubscription;
  stats(): TailStats;
  /** Stops every poller and completes every subscription; new ones are refused. Idempotent. */
  close(): Promise<void>;
}
