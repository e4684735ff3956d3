import type { EventFilter } from '../../model/EventFilter';
import { isSentUpstream } from '../../model/EventFilter';
import type { FusionAuthFilterCriteria } from '../fusionauth-shared/createFusionAuthLogSource';
import { toCriteria, toMessageCapability } from '../fusionauth-shared/toFusionAuthContains';
import type { KindCapabilities } from '../shared/pushdown';
import { oneValue } from '../shared/pushdown';
import { EVENT_LOG_TYPES } from './EventLogWire';

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

export const FUSIONAUTH_EVENT_LOG_CAPABILITIES: KindCapabilities = {
  actions: {
    level: 'pushed',
    upstream: 'type',
    when: (f) => oneValue(f.actions) && isEventLogType(f.actions?.[0]),
    condition: `one value, one of ${EVENT_LOG_TYPES.join(', ')} (the values \`type\` accepts)`,
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
  text: toMessageCapability(isInNoEventLogType, ', and no type name holding it'),
};

/**
 * The event log search criteria for the fields the capabilities above send upstream, and nothing
 * else. Each means what the AuditEvent field means (see `toFusionAuthEventLogAuditEvent`):
 * - `type`: the action, since the action is the type verbatim; or `Error` for outcome FAILURE,
 *   since FAILURE is exactly the type Error. The table never plans both with different types.
 * - `message` (`*text*`): the description is the message. Text that the action (the type) could
 *   hold is never planned, so the message alone decides.
 */
export function toFusionAuthEventLogCriteria(
  filter: EventFilter | undefined,
): FusionAuthFilterCriteria {
  return toCriteria(FUSIONAUTH_EVENT_LOG_CAPABILITIES, filter, (plan, f) => {
    const action = f.actions?.length === 1 ? f.actions[0] : undefined;
    const type = isSentUpstream(plan, 'actions')
      ? action
      : isSentUpstream(plan, 'outcome') && f.outcome === 'FAILURE'
        ? 'Error'
        : undefined;
    return { type };
  });
}
