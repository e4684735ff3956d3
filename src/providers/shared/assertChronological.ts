import type { AuditEvent, SourceRef } from '../../model/AuditEvent';
import type { SortOrder } from '../../model/Source';
import { sourceBadResponse } from './sourceBadResponse';

/**
 * The feed merges pages on the promise that each is in the asked order; an upstream that breaks
 * it is reported, not papered over.
 */
export function assertChronological(
  events: readonly AuditEvent[],
  order: SortOrder,
  source: SourceRef,
): void {
  for (let i = 1; i < events.length; i += 1) {
    const step =
      (events[i] as AuditEvent).occurredAtMs - (events[i - 1] as AuditEvent).occurredAtMs;
    if (order === 'asc' ? step < 0 : step > 0) {
      throw sourceBadResponse(
        source.id,
        `answered with events out of ${order === 'asc' ? 'ascending' : 'descending'} order`,
      );
    }
  }
}
