import type { EventFilter } from '../../model/EventFilter';
import { isSentUpstream } from '../../model/EventFilter';
import type { FusionAuthFilterCriteria } from '../fusionauth-shared/createFusionAuthLogSource';
import {
  isPlainText,
  toCriteria,
  toFusionAuthContains,
  toMessageCapability,
} from '../fusionauth-shared/toFusionAuthContains';
import type { KindCapabilities } from '../shared/pushdown';
import { oneValue } from '../shared/pushdown';

export const FUSIONAUTH_AUDIT_LOG_CAPABILITIES: KindCapabilities = {
  actorEmails: {
    level: 'narrowed',
    upstream: 'user (*email*)',
    when: (f) => oneValue(f.actorEmails) && isPlainText(f.actorEmails?.[0]),
    condition: 'one value without `*` or `\\`',
  },
  // The action is the message's leading words, so a message holding the text covers a match
  // in either.
  text: toMessageCapability(),
};

/**
 * The audit log search criteria for the fields the capabilities above send upstream, and nothing
 * else. Each selects a superset of what the AuditEvent field means (see
 * `toFusionAuthAuditLogAuditEvent`), the search being case-insensitive:
 * - `user` (`*email*`): the actor's email is `insertUser` itself when that is an address, so an
 *   entry whose email equals the one asked for holds it.
 * - `message` (`*text*`): the description is the message, and the action is the message's
 *   leading words, so an entry whose description or action holds the text has a message that
 *   holds it.
 */
export function toFusionAuthAuditLogCriteria(
  filter: EventFilter | undefined,
): FusionAuthFilterCriteria {
  return toCriteria(FUSIONAUTH_AUDIT_LOG_CAPABILITIES, filter, (plan, f) => {
    const email = f.actorEmails?.length === 1 ? f.actorEmails[0] : undefined;
    const sent = isSentUpstream(plan, 'actorEmails') && email !== undefined;
    return { user: sent ? toFusionAuthContains(email) : undefined };
  });
}
