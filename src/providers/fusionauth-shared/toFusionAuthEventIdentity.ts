import type { AuditEvent, SourceRef } from '../../model/AuditEvent';

/** What both FusionAuth logs' entries have alike: a Long id and an insert instant in epoch ms. */
export interface FusionAuthEntryWire {
  readonly id: number;
  readonly insertInstant: number;
}

/** Where an entry of either log sits in the feed: its source, its id as text, its time. */
export function toFusionAuthEventIdentity(
  record: FusionAuthEntryWire,
  source: SourceRef,
): Pick<AuditEvent, 'sourceId' | 'kind' | 'provider' | 'nativeId' | 'occurredAtMs'> {
  return {
    sourceId: source.id,
    kind: source.kind,
    provider: 'FUSIONAUTH',
    nativeId: String(record.id),
    occurredAtMs: record.insertInstant,
  };
}
