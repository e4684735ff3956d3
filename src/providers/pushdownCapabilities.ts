import type { SourceKind } from '../model/AuditEvent';
import type { EventFilter, PushableField, PushdownLevel, PushdownPlan } from '../model/EventFilter';
import { PUSHABLE_FIELDS } from '../model/EventFilter';
import { EVENT_LOG_TYPES } from './fusionauth-event-log/EventLogWire';

/**
 * THE table of filter pushdown (design.md §5): for every kind, which filter fields its API can
 * apply for us, as what, and when. A field a kind does not list is residual: the feed filters it
 * as it reads, under its scan budget. Adapters push exactly what `planPushdown` says; the feed
 * re-checks every field of every event whatever the plan, so a plan can cost requests but never
 * correctness.
 */
export interface FieldCapability {
  readonly level: Exclude<PushdownLevel, 'residual'>;
  /** The upstream parameter it becomes, for the docs and the tests. */
  readonly upstream: string;
  /** When the API can express this filter value; otherwise the field is residual. */
  readonly when?: (filter: EventFilter) => boolean;
  /** `when`, in words. */
  readonly condition?: string;
}

export type KindCapabilities = Readonly<Partial<Record<PushableField, FieldCapability>>>;

const oneValue = (values: readonly string[] | null) => values !== null && values.length === 1;
const isAddress = (filter: EventFilter) =>
  filter.ipAddress !== null && !filter.ipAddress.includes('/');

/** The values Cloudflare v2 accepts for `action_type`; another value gets a 400. */
const V2_ACTION_TYPES = new Set(['create', 'view', 'update', 'delete']);
/** Categories that follow one-to-one from Cloudflare v2's `action.type`. */
const V2_ACTION_TYPE_CATEGORIES = new Set(['CREATE', 'READ', 'UPDATE', 'DELETE']);
/** Actor types Cloudflare v2's `actor_type` can name. */
const V2_ACTOR_TYPES = new Set(['USER', 'ACCOUNT', 'PROVIDER_ADMIN', 'SYSTEM']);
/** Actor types Nirvana's `actor_type` can name. */
const NIRVANA_ACTOR_TYPES = new Set(['USER', 'API_KEY']);
/**
 * Cloudflare v1 types `actor.email` as an email address and refuses anything else with a 400, so
 * only address-shaped values are sent (a stricter shape than any server is likely to demand: one
 * `@`, no spaces, a dot in the domain). Another value cannot match an address anyway, but the
 * feed finds that out itself rather than failing the source.
 */
const isEmailAddress = (value: string | undefined) =>
  value !== undefined && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value);
/**
 * Cloudflare v2 repeats the key for every value of a list: a filter of many long values would
 * overflow the URL (Cloudflare and most servers refuse URLs of ~16 KB). Each list field may take
 * this many encoded characters, so that all of them together stay well inside.
 */
const V2_MAX_PARAM_CHARS = 2_000;
const fitsInQuery = (key: string, values: readonly string[] | null) =>
  values !== null &&
  values.reduce((sum, value) => sum + key.length + 2 + encodeURIComponent(value).length, 0) <=
    V2_MAX_PARAM_CHARS;
/**
 * Text the FusionAuth wildcard search can carry as `*text*`: `*` is its wildcard, and a backslash
 * may be an escape character in the SQL LIKE behind it (UNCONFIRMED), so text holding either is
 * not sent. Any other character is literal or, at worst, a wider wildcard: still a superset.
 */
const plainText = (text: string | null) =>
  text !== null && text !== '' && !text.includes('*') && !text.includes('\\');
/** The event log's action is its `type`, a closed enum: another value cannot be sent. */
const isEventLogType = (action: string | undefined) =>
  (EVENT_LOG_TYPES as readonly (string | undefined)[]).includes(action);
/**
 * An event-log entry matches `text` when its message OR its type holds it, and `message` searches
 * the message only: text found in a type's name (`err`, `info`, `bug`) would lose the entries of
 * that type whose message lacks it, so such text stays with the feed.
 */
const isInNoEventLogType = (text: string | null) =>
  text !== null && EVENT_LOG_TYPES.every((type) => !type.toLowerCase().includes(text));
/**
 * Nirvana's `client_ip` takes one address. A zone (`fe80::1%eth0`) has no canonical form to send,
 * and the feed ignores it when it compares, so such a filter stays with the feed.
 */
const isZonelessAddress = (filter: EventFilter) =>
  isAddress(filter) && !(filter.ipAddress ?? '').includes('%');

export const PUSHDOWN_CAPABILITIES: Readonly<Record<SourceKind, KindCapabilities>> = {
  fastly: {
    actions: {
      level: 'pushed',
      upstream: 'filter[event_type]',
      when: (f) => oneValue(f.actions),
      condition: 'one value',
    },
    actorIds: {
      level: 'pushed',
      upstream: 'filter[user_id]',
      when: (f) => oneValue(f.actorIds),
      condition: 'one value',
    },
    resourceIds: {
      level: 'pushed',
      upstream: 'filter[service_id]',
      when: (f) => oneValue(f.resourceIds),
      condition: 'one value',
    },
  },
  'cloudflare-v1': {
    actions: {
      level: 'pushed',
      upstream: 'action.type',
      when: (f) => oneValue(f.actions),
      condition: 'one value',
    },
    actorEmails: {
      level: 'pushed',
      upstream: 'actor.email',
      when: (f) => oneValue(f.actorEmails) && isEmailAddress(f.actorEmails?.[0]),
      condition: 'one value shaped like an email address',
    },
    // An address goes in the form a server prints it, should v1 compare addresses as text; a
    // zone has no such form, and the feed ignores it when it compares.
    ipAddress: {
      level: 'pushed',
      upstream: 'actor.ip (an address in canonical form, or a CIDR range)',
      when: (f) => f.ipAddress !== null && !f.ipAddress.includes('%'),
      condition: 'an address or a CIDR range, without a zone',
    },
  },
  'cloudflare-v2': {
    actions: {
      level: 'pushed',
      upstream: 'action_type (repeated)',
      when: (f) => f.actions !== null && f.actions.every((a) => V2_ACTION_TYPES.has(a)),
      condition: 'only create, view, update, delete (the values v2 accepts)',
    },
    categories: {
      level: 'pushed',
      upstream: 'action_type (repeated): create, view, update, delete',
      when: (f) =>
        f.categories !== null && f.categories.every((c) => V2_ACTION_TYPE_CATEGORIES.has(c)),
      condition: 'only CREATE, READ, UPDATE, DELETE',
    },
    outcome: {
      level: 'pushed',
      upstream: 'action_result',
      when: (f) => f.outcome === 'SUCCESS' || f.outcome === 'FAILURE',
      condition: 'SUCCESS or FAILURE',
    },
    actorIds: {
      level: 'pushed',
      upstream: 'actor_id (repeated)',
      when: (f) => fitsInQuery('actor_id', f.actorIds),
      condition: `at most ${V2_MAX_PARAM_CHARS} characters of parameters`,
    },
    actorEmails: {
      level: 'pushed',
      upstream: 'actor_email (repeated)',
      when: (f) => fitsInQuery('actor_email', f.actorEmails),
      condition: `at most ${V2_MAX_PARAM_CHARS} characters of parameters`,
    },
    actorTypes: {
      level: 'pushed',
      upstream: 'actor_type (repeated)',
      when: (f) => f.actorTypes !== null && f.actorTypes.every((t) => V2_ACTOR_TYPES.has(t)),
      condition: 'only USER, ACCOUNT, PROVIDER_ADMIN, SYSTEM',
    },
    resourceTypes: {
      level: 'pushed',
      upstream: 'resource_type (repeated)',
      when: (f) => fitsInQuery('resource_type', f.resourceTypes),
      condition: `at most ${V2_MAX_PARAM_CHARS} characters of parameters`,
    },
    resourceIds: {
      level: 'pushed',
      upstream: 'resource_id (repeated)',
      when: (f) => fitsInQuery('resource_id', f.resourceIds),
      condition: `at most ${V2_MAX_PARAM_CHARS} characters of parameters`,
    },
    // Whether v2 takes a range here is unconfirmed; an address goes in canonical form, as v1's.
    ipAddress: {
      level: 'pushed',
      upstream: 'actor_ip_address (canonical form)',
      when: isZonelessAddress,
      condition: 'an address without a zone, not a range',
    },
  },
  'fusionauth-event-log': {
    actions: {
      level: 'pushed',
      upstream: 'type',
      when: (f) => oneValue(f.actions) && isEventLogType(f.actions?.[0]),
      condition: 'one value, one of Information, Debug, Error (the values `type` accepts)',
    },
    outcome: {
      level: 'pushed',
      upstream: 'type=Error',
      // There is one `type`: when actions send another type, FAILURE stays with the feed.
      when: (f) =>
        f.outcome === 'FAILURE' &&
        !(oneValue(f.actions) && isEventLogType(f.actions?.[0]) && f.actions?.[0] !== 'Error'),
      condition: 'FAILURE, unless actions send another type',
    },
    text: {
      level: 'narrowed',
      upstream: 'message (*text*)',
      when: (f) => plainText(f.text) && isInNoEventLogType(f.text),
      condition: 'no `*` or `\\` in the text, and no type name holding it',
    },
  },
  'fusionauth-audit-log': {
    actorEmails: {
      level: 'narrowed',
      upstream: 'user (*email*)',
      when: (f) => oneValue(f.actorEmails) && plainText(f.actorEmails?.[0] ?? null),
      condition: 'one value without `*` or `\\`',
    },
    // The action is the message's leading words, so a message holding the text covers a match
    // in either.
    text: {
      level: 'narrowed',
      upstream: 'message (*text*)',
      when: (f) => plainText(f.text),
      condition: 'no `*` or `\\` in the text',
    },
  },
  nirvana: {
    actions: {
      level: 'pushed',
      upstream: 'action',
      when: (f) => oneValue(f.actions),
      condition: 'one value',
    },
    outcome: {
      level: 'pushed',
      upstream: 'status_code_max=399 / status_code_min=400',
      when: (f) => f.outcome === 'SUCCESS' || f.outcome === 'FAILURE',
      condition: 'SUCCESS or FAILURE',
    },
    actorIds: {
      level: 'pushed',
      upstream: 'actor_id',
      when: (f) => oneValue(f.actorIds),
      condition: 'one value',
    },
    actorTypes: {
      level: 'pushed',
      upstream: 'actor_type',
      when: (f) => oneValue(f.actorTypes) && NIRVANA_ACTOR_TYPES.has(f.actorTypes?.[0] ?? ''),
      condition: 'one of USER, API_KEY',
    },
    resourceTypes: {
      level: 'pushed',
      upstream: 'target_type',
      when: (f) => oneValue(f.resourceTypes),
      condition: 'one value',
    },
    resourceIds: {
      level: 'pushed',
      upstream: 'target_id',
      when: (f) => oneValue(f.resourceIds),
      condition: 'one value',
    },
    ipAddress: {
      level: 'pushed',
      upstream: 'client_ip (canonical form)',
      when: isZonelessAddress,
      condition: 'an address without a zone, not a range',
    },
  },
};

/** How each field the filter sets is applied for one source of `kind`. */
export function planPushdown(kind: SourceKind, filter: EventFilter): PushdownPlan {
  const plan: Partial<Record<PushableField, PushdownLevel>> = {};
  for (const field of PUSHABLE_FIELDS) {
    if (filter[field] === null) continue;
    const capability = PUSHDOWN_CAPABILITIES[kind][field];
    plan[field] =
      capability !== undefined && (capability.when?.(filter) ?? true)
        ? capability.level
        : 'residual';
  }
  return plan;
}

/** Does the upstream apply every field the filter sets exactly? */
export function isFullyPushed(plan: PushdownPlan, filter: EventFilter): boolean {
  return PUSHABLE_FIELDS.every((field) => filter[field] === null || plan[field] === 'pushed');
}

/** Is this field to be sent upstream (pushed or narrowed)? */
export function isSentUpstream(plan: PushdownPlan, field: PushableField): boolean {
  const level = plan[field];
  return level === 'pushed' || level === 'narrowed';
}
