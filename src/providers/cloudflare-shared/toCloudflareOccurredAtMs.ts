import type { SourceRef } from '../../model/AuditEvent';
import { parseIsoTimestampMs } from '../shared/parseIsoTimestampMs';
import { sourceBadResponse } from '../shared/sourceBadResponse';

/** An RFC 3339 time at millisecond precision (finer fractions are cut, never rounded up). */
export function toCloudflareOccurredAtMs(value: string, source: SourceRef): number {
  const ms = parseIsoTimestampMs(value);
  if (ms === null) {
    throw sourceBadResponse(source.id, 'sent a record whose time is not an RFC 3339 timestamp');
  }
  return ms;
}
