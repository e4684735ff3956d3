import type { KindCapabilities } from '../shared/pushdown';
import { oneValue } from '../shared/pushdown';
import type { PushdownEncoders } from '../shared/toPushdownParams';
import { toSingleParam } from '../shared/toPushdownParams';

/**
 * The filter fields Fastly's `GET /events` applies for us, each one value (a repeated
 * `filter[…]` key means its last value). Each parameter is the attribute the mapping
 * (toFastlyAuditEvent) reads the field from, compared exactly: `action` is `event_type`,
 * `actor.id` is `user_id`, `resource.id` is `service_id`.
 */
export const FASTLY_CAPABILITIES: KindCapabilities = {
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
};

export const FASTLY_FILTER_ENCODERS: PushdownEncoders = {
  actions: (filter) => toSingleParam('filter[event_type]', filter.actions),
  actorIds: (filter) => toSingleParam('filter[user_id]', filter.actorIds),
  resourceIds: (filter) => toSingleParam('filter[service_id]', filter.resourceIds),
};
