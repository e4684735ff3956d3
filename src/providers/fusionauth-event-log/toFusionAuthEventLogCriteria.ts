import type { EventFilter } from '../../model/EventFilter';
import type { FusionAuthFilterCriteria } from '../fusionauth-shared/createFusionAuthLogSource';
import { toFusionAuthContains } from '../fusionauth-shared/toFusionAuthContains';
import { isSentUpstream, planPushdown } from '../pushdownCapabilities';

/**
 * The event log search criteria for the fields the pushdown table sends upstream, and nothing
 * else. Each means what the AuditEvent field means (see `toFusionAuthEventLogAuditEvent`):
 * - `type`: the action, since the action is the type verbatim; or `Error` for outcome FAILURE,
 *   since FAILURE is exactly the type Error. The table never plans both with different types.
 * - `message` (`*text*`): the description is the message. Text that the action (the type) could
 *   hold is never planned, so the message alone decides.
 */
export function toFusionAuthEventLogCriteria(
  filter: EventFilter | undefined,
): FusionAuthFilterCriteria {
  if (filter === undefined) return {};
  const plan = planPushdown('fusionauth-event-log', filter);
  const action = filter.actions?.length === 1 ? filter.actions[0] : undefined;
  const type = isSentUpstream(plan, 'actions')
    ? action
    : isSentUpstream(plan, 'outcome') && filter.outcome === 'FAILURE'
      ? 'Error'
      : undefined;
  const message =
    isSentUpstream(plan, 'text') && filter.text !== null
      ? toFusionAuthContains(filter.text)
      : undefined;
  return {
    ...(type === undefined ? {} : { type }),
    ...(message === undefined ? {} : { message }),
  };
}
