import type { AuditEvent, Json, SourceRef } from '../../model/AuditEvent';
import type { EventLogWire } from './EventLogWire';
import { toFusionAuthEventIdentity } from '../fusionauth-shared/toFusionAuthEventIdentity';

/**
 * A FusionAuth Event Log entry as an AuditEvent (design.md §2).
 *
 * The event log is FusionAuth's diagnostic log (webhook and SMTP failures, lambda output, IdP
 * debug lines): it has no action, actor, resource or request. Choices, so that nothing is invented:
 * - `action` is the entry's `type` verbatim (`Information`, `Debug`, `Error`): the only
 *   classification FusionAuth gives an entry, and stable for exact-match filters.
 * - `category` is OTHER: a diagnostic line is none of create/read/update/delete/auth.
 * - `outcome` is FAILURE for `Error` (something FusionAuth tried went wrong) and UNKNOWN for the
 *   other types, which say nothing of success.
 * - `description` is the message; actor, resource, request, changes and metadata are null.
 */
export function toFusionAuthEventLogAuditEvent(
  record: EventLogWire,
  source: SourceRef,
): AuditEvent {
  return {
    ...toFusionAuthEventIdentity(record, source),
    action: record.type,
    category: 'OTHER',
    outcome: record.type === 'Error' ? 'FAILURE' : 'UNKNOWN',
    description: record.message,
    actor: null,
    resource: null,
    request: null,
    changes: null,
    metadata: null,
    raw: record satisfies Json,
  };
}
