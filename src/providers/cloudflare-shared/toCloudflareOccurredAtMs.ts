import type { SourceRef } from '../../model/AuditEvent';
import { AuditgraphError } from '../../model/errors';
import { cloudflareTimestampSchema } from './cloudflareWire';

/** An RFC 3339 time at millisecond precision (finer fractions are cut, never rounded up). */
export function toCloudflareOccurredAtMs(value: string, source: SourceRef): number {
  const ms = cloudflareTimestampSchema.safeParse(value).success ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) {
    throw new AuditgraphError(
      'SOURCE_BAD_RESPONSE',
      `source ${source.id} sent a record whose time is not an RFC 3339 timestamp`,
      { sourceId: source.id },
    );
  }
  return ms;
}
