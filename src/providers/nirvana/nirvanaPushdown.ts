import type { ActorType } from '../../model/AuditEvent';
import type { EventFilter, PushableField } from '../../model/EventFilter';
import { isSentUpstream } from '../../model/EventFilter';
import type { KindCapabilities } from '../shared/pushdown';
import { isZonelessAddress, oneValue, planPushdown, pushedOneValue } from '../shared/pushdown';
import { toCanonicalIpAddress } from '../shared/toCanonicalIpAddress';

/** The inverse of the mapping's actor types (`toNirvanaAuditEvent`). */
const ACTOR_TYPE_PARAM: Readonly<Partial<Record<ActorType, string>>> = {
  USER: 'user',
  API_KEY: 'api_key',
};

/** Actor types Nirvana's `actor_type` can name. */
const ACTOR_TYPES = Object.keys(ACTOR_TYPE_PARAM);

export const NIRVANA_CAPABILITIES: KindCapabilities = {
  actions: pushedOneValue('actions', 'action'),
  outcome: {
    level: 'pushed',
    upstream: 'status_code_max=399 / status_code_min=400',
    when: (f) => f.outcome === 'SUCCESS' || f.outcome === 'FAILURE',
    condition: 'SUCCESS or FAILURE',
  },
  actorIds: pushedOneValue('actorIds', 'actor_id'),
  actorTypes: {
    level: 'pushed',
    upstream: 'actor_type',
    when: (f) => oneValue(f.actorTypes) && ACTOR_TYPES.includes(f.actorTypes?.[0] ?? ''),
    condition: `one of ${ACTOR_TYPES.join(', ')}`,
  },
  resourceTypes: pushedOneValue('resourceTypes', 'target_type'),
  resourceIds: pushedOneValue('resourceIds', 'target_id'),
  ipAddress: {
    level: 'pushed',
    upstream: 'client_ip (canonical form)',
    when: isZonelessAddress,
    condition: 'an address without a zone, not a range',
  },
};

const OUTCOME_PARAM = {
  SUCCESS: ['status_code_max', '399'],
  FAILURE: ['status_code_min', '400'],
} as const;

/**
 * The filter parameters of `GET /v1/audit_logs` for the fields the capabilities send upstream,
 * and nothing else. Each means what the AuditEvent field means (see `toNirvanaAuditEvent`):
 * - `action`, `actor_id`, `target_type`, `target_id`: the one value, verbatim; Nirvana compares
 *   them exactly, as the feed does.
 * - `actor_type`: `user` | `api_key`, the values the mapping reads as USER | API_KEY.
 * - outcome: SUCCESS is a status below 400 (`status_code_max=399`), FAILURE 400 and above
 *   (`status_code_min=400`); UNKNOWN (no status) has no parameter.
 * - `client_ip`: the address in the form a server prints it (see `toCanonicalIpAddress`).
 *
 * A value the API cannot express is left out rather than guessed at: sending less only costs
 * requests, since the feed re-checks every field. The parameters depend on the filter alone, so
 * every page of one query chain sends the same, as Nirvana's cursors demand.
 */
export function toNirvanaFilterParams(filter: EventFilter | undefined): [string, string][] {
  if (filter === undefined) return [];
  const plan = planPushdown(NIRVANA_CAPABILITIES, filter);
  const params: [string, string][] = [];
  const send = (field: PushableField, name: string, value: string | null | undefined) => {
    if (isSentUpstream(plan, field) && value !== null && value !== undefined) {
      params.push([name, value]);
    }
  };
  send('actions', 'action', only(filter.actions));
  send('actorIds', 'actor_id', only(filter.actorIds));
  const actorType = only(filter.actorTypes);
  send('actorTypes', 'actor_type', actorType && ACTOR_TYPE_PARAM[actorType]);
  send('ipAddress', 'client_ip', filter.ipAddress && toCanonicalIpAddress(filter.ipAddress));
  if (filter.outcome === 'SUCCESS' || filter.outcome === 'FAILURE') {
    const [name, value] = OUTCOME_PARAM[filter.outcome];
    send('outcome', name, value);
  }
  send('resourceTypes', 'target_type', only(filter.resourceTypes));
  send('resourceIds', 'target_id', only(filter.resourceIds));
  return params;
}

/** The value of a one-value list; a filter of several values has no one parameter. */
function only<T extends string>(values: readonly T[] | null): T | undefined {
  return values?.length === 1 ? values[0] : undefined;
}
