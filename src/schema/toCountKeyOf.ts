import type { CountKey } from '../feed/Feed';
import type { AuditEvent } from '../model/AuditEvent';
import type { EventView } from './redaction/createEventRedaction';

/**
 * The bucket of an event for auditEventCounts, as the client sees the event: actions and actors
 * through its view (redacted without the pii permission), times in UTC.
 */
export function toCountKeyOf(by: CountKey, view: EventView): (event: AuditEvent) => string {
  switch (by) {
    case 'SOURCE':
      return (event) => event.sourceId;
    case 'ACTION':
      return (event) => view.action(event);
    case 'CATEGORY':
      return (event) => event.category;
    case 'OUTCOME':
      return (event) => event.outcome;
    case 'ACTOR':
      return (event) => view.actorKey(event);
    case 'DAY':
      return (event) => new Date(event.occurredAtMs).toISOString().slice(0, 10);
    case 'HOUR':
      return (event) => `${new Date(event.occurredAtMs).toISOString().slice(0, 13)}:00:00.000Z`;
  }
}
