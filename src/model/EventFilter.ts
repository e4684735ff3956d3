import type { ActorType, AuditCategory, AuditOutcome, Provider } from './AuditEvent';

/**
 * A feed's filter, normalized (src/feed/eventFilter.ts makes one): lists sorted and de-duplicated,
 * emails and text lower-cased, the IP range validated. A null field does not filter; an empty
 * list matches nothing.
 */
export interface EventFilter {
  /** Inclusive, ms. */
  readonly sinceMs: number | null;
  /** Exclusive, ms. */
  readonly beforeMs: number | null;
  readonly sourceIds: readonly string[] | null;
  readonly providers: readonly Provider[] | null;
  readonly actions: readonly string[] | null;
  readonly categories: readonly AuditCategory[] | null;
  readonly outcome: AuditOutcome | null;
  readonly actorIds: readonly string[] | null;
  readonly actorEmails: readonly string[] | null;
  readonly actorTypes: readonly ActorType[] | null;
  readonly resourceTypes: readonly string[] | null;
  readonly resourceIds: readonly string[] | null;
  /** An address or a CIDR range (validated). */
  readonly ipAddress: string | null;
  readonly text: string | null;
}

/** The filter fields an upstream may apply for us (time bounds are always pushed down). */
export const PUSHABLE_FIELDS = [
  'actions',
  'categories',
  'outcome',
  'actorIds',
  'actorEmails',
  'actorTypes',
  'resourceTypes',
  'resourceIds',
  'ipAddress',
  'text',
] as const;

export type PushableField = (typeof PUSHABLE_FIELDS)[number];

/**
 * pushed: the upstream filters exactly. narrowed: the upstream filters to a superset and the
 * feed re-checks. residual: the feed filters what it reads.
 */
export type PushdownLevel = 'pushed' | 'narrowed' | 'residual';

/** For each field a filter sets, how it is applied for one source. */
export type PushdownPlan = Readonly<Partial<Record<PushableField, PushdownLevel>>>;

/** Does the upstream apply every field the filter sets exactly? */
export function isFullyPushed(plan: PushdownPlan, filter: EventFilter): boolean {
  return PUSHABLE_FIELDS.every((field) => filter[field] === null || plan[field] === 'pushed');
}

/** Is this field to be sent upstream (pushed or narrowed)? */
export function isSentUpstream(plan: PushdownPlan, field: PushableField): boolean {
  const level = plan[field];
  return level === 'pushed' || level === 'narrowed';
}
