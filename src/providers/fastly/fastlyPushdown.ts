import type { KindCapabilities } from '../shared/pushdown';
import { pushedOneValue } from '../shared/pushdown';
import type { PushdownEncoders } from '../shared/toPushdownParams';
import { toSingleParam } from '../shared/toPushdownParams';

/**
 * The filter fields Fastly's `GET /events` applies for us, each one value (a repeated
 * `filter[…]` key means its last value). Each parameter is the attribute the mapping
 * (toFastlyAuditEvent) reads the field from, compared exactly: `action` is `event_type`,
 * `actor.id` is `user_id`, `resource.id` is `service_id`.
 */
export const FASTLY_CAPABILITIES: KindCapabilities = {
  actions: pushedOneValue('actions', 'filter[event_type]'),
  actorIds: pushedOneValue('actorIds', 'filter[user_id]'),
  resourceIds: pushedOneValue('resourceIds', 'filter[service_id]'),
};

export const FASTLY_FILTER_ENCODERS: PushdownEncoders = {
  actions: (filter) => toSingleParam('filter[event_type]', filter.actions),
  actorIds: (filter) => toSingleParam('filter[user_id]', filter.actorIds),
  resourceIds: (filter) => toSingleParam('filter[service_id]', filter.resourceIds),
};
