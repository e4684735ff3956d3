import type { ActorType, AuditCategory } from '../../model/AuditEvent';
import type { EventFilter, PushdownPlan } from '../../model/EventFilter';
import { isSentUpstream } from '../../model/EventFilter';
import { toCloudflareCategory } from '../cloudflare-shared/toCloudflareCategory';
import type { FieldCapability, KindCapabilities } from '../shared/pushdown';
import { isZonelessAddress } from '../shared/pushdown';
import { toCanonicalIpAddress } from '../shared/toCanonicalIpAddress';
import type { PushdownEncoders, QueryParam } from '../shared/toPushdownParams';
import { toRepeatedParam } from '../shared/toPushdownParams';
import { CLOUDFLARE_V2_ACTOR_TYPES, CLOUDFLARE_V2_RESULTS } from './toCloudflareV2AuditEvent';

/** What v2's `action.type` holds and its `action_type` filter takes (a documented enum; else 400). */
export const CLOUDFLARE_V2_ACTION_TYPES: readonly string[] = ['create', 'view', 'update', 'delete'];

/** Categories that follow one-to-one from an `action.type`: what `action_type` can select. */
const ACTION_TYPE_CATEGORIES: readonly AuditCategory[] =
  CLOUDFLARE_V2_ACTION_TYPES.map(toCloudflareCategory);
/** Actor types the mapping reads from a wire name: what `actor_type` can select. */
const ACTOR_TYPES: readonly ActorType[] = Object.values(CLOUDFLARE_V2_ACTOR_TYPES);

/**
 * Cloudflare v2 repeats the key for every value of a list: a filter of many long values would
 * overflow the URL (Cloudflare and most servers refuse URLs of ~16 KB). Each list field may take
 * this many encoded characters, so that all of them together stay well inside.
 */
const MAX_PARAM_CHARS = 2_000;
const fitsInQuery = (key: string, values: readonly string[] | null) =>
  values !== null &&
  values.reduce((sum, value) => sum + key.length + 2 + encodeURIComponent(value).length, 0) <=
    MAX_PARAM_CHARS;

/** A list field v2 takes as a repeated key, while the values fit in the URL. */
const pushedIfItFits = (
  field: 'actorIds' | 'actorEmails' | 'resourceTypes' | 'resourceIds',
  key: string,
): FieldCapability => ({
  level: 'pushed',
  upstream: `${key} (repeated)`,
  when: (f) => fitsInQuery(key, f[field]),
  condition: `at most ${MAX_PARAM_CHARS} characters of parameters`,
});

export const CLOUDFLARE_V2_CAPABILITIES: KindCapabilities = {
  actions: {
    level: 'pushed',
    upstream: 'action_type (repeated)',
    when: (f) =>
      f.actions !== null && f.actions.every((a) => CLOUDFLARE_V2_ACTION_TYPES.includes(a)),
    condition: `only ${CLOUDFLARE_V2_ACTION_TYPES.join(', ')} (the values v2 accepts)`,
  },
  categories: {
    level: 'pushed',
    upstream: `action_type (repeated): ${CLOUDFLARE_V2_ACTION_TYPES.join(', ')}`,
    when: (f) =>
      f.categories !== null && f.categories.every((c) => ACTION_TYPE_CATEGORIES.includes(c)),
    condition: `only ${ACTION_TYPE_CATEGORIES.join(', ')}`,
  },
  outcome: {
    level: 'pushed',
    upstream: 'action_result',
    when: (f) => f.outcome === 'SUCCESS' || f.outcome === 'FAILURE',
    condition: 'SUCCESS or FAILURE',
  },
  actorIds: pushedIfItFits('actorIds', 'actor_id'),
  actorEmails: pushedIfItFits('actorEmails', 'actor_email'),
  actorTypes: {
    level: 'pushed',
    upstream: 'actor_type (repeated)',
    when: (f) => f.actorTypes !== null && f.actorTypes.every((t) => ACTOR_TYPES.includes(t)),
    condition: `only ${ACTOR_TYPES.join(', ')}`,
  },
  resourceTypes: pushedIfItFits('resourceTypes', 'resource_type'),
  resourceIds: pushedIfItFits('resourceIds', 'resource_id'),
  // Whether v2 takes a range here is unconfirmed; an address goes in canonical form, as v1's.
  ipAddress: {
    level: 'pushed',
    upstream: 'actor_ip_address (canonical form)',
    when: isZonelessAddress,
    condition: 'an address without a zone, not a range',
  },
};

/**
 * The filter fields Cloudflare v2 applies for us, as its positive array filters: the key repeated
 * once per value, values ORed (providers.md §3). Each parameter is sent as the inverse of the
 * mapping (toCloudflareV2AuditEvent), so it selects exactly the records the mapped field matches.
 * A value the inverse cannot express sends nothing for its field: the feed filters it instead.
 */
export const CLOUDFLARE_V2_FILTER_ENCODERS: PushdownEncoders = {
  actions: (filter, plan) => toActionTypeParam(filter, plan),
  // Categories travel in `action_type` too; with actions set, the actions encoder sends both.
  categories: (filter, plan) =>
    isSentUpstream(plan, 'actions') ? [] : toActionTypeParam(filter, plan),
  outcome: (filter) =>
    // UNKNOWN is what every other `action.result` maps to: no list of values names it.
    filter.outcome === null || filter.outcome === 'UNKNOWN'
      ? []
      : toRepeatedParam('action_result', namesOf(CLOUDFLARE_V2_RESULTS, [filter.outcome])),
  actorIds: (filter) => toRepeatedParam('actor_id', filter.actorIds),
  // Lower-cased, as the filter holds them; the emulator's case choice is in its UNCONFIRMED.md.
  actorEmails: (filter) => toRepeatedParam('actor_email', filter.actorEmails),
  // A type no wire name maps to (API_KEY) is on no v2 event: dropping it loses nothing.
  actorTypes: (filter) =>
    toRepeatedParam('actor_type', namesOf(CLOUDFLARE_V2_ACTOR_TYPES, filter.actorTypes ?? [])),
  resourceTypes: (filter) => toRepeatedParam('resource_type', filter.resourceTypes),
  resourceIds: (filter) => toRepeatedParam('resource_id', filter.resourceIds),
  // Actor and request address are both `actor.ip_address`, sent in the form a server prints it
  // (should v2 compare addresses as text). A range is not sent: whether v2 takes one is
  // unconfirmed; nor an address without such a form (a zone).
  ipAddress: (filter) => {
    const address = filter.ipAddress === null ? null : toCanonicalIpAddress(filter.ipAddress);
    return address === null ? [] : [['actor_ip_address', address]];
  },
};

/** The wire names a mapping table turns into one of `wanted`. */
function namesOf<T>(table: Readonly<Record<string, T>>, wanted: readonly T[]): string[] {
  return Object.keys(table).filter((name) => wanted.includes(table[name] as T));
}

/**
 * `action_type` for the actions and categories the plan sends: the types that are one of the
 * actions and whose category is one of the categories. One key carries both and ORs its values,
 * so sending each list would ask for their union; the intersection is what the filter means.
 * Nothing is sent when a value is outside what the enum can express (an action v2 does not
 * name, a category no v2 type maps to): leaving it out would lose its events.
 */
function toActionTypeParam(filter: EventFilter, plan: PushdownPlan): QueryParam[] | null {
  let types = CLOUDFLARE_V2_ACTION_TYPES;
  if (isSentUpstream(plan, 'actions')) {
    const actions = (filter.actions ?? []).filter((action) => action !== '');
    if (!actions.every((action) => types.includes(action))) return [];
    types = types.filter((type) => actions.includes(type));
  }
  if (isSentUpstream(plan, 'categories')) {
    const categories = filter.categories ?? [];
    if (!categories.every((category) => ACTION_TYPE_CATEGORIES.includes(category))) return [];
    types = types.filter((type) => categories.includes(toCloudflareCategory(type)));
  }
  return toRepeatedParam('action_type', types);
}
