import type { SourceKind } from '../model/AuditEvent';
import type { SortOrder } from '../model/Source';
import type { AuditEventOrder, SourceKind as SourceKindEnum } from './generated/resolvers';

export function toSourceKindEnum(kind: SourceKind): SourceKindEnum {
  switch (kind) {
    case 'fastly':
      return 'FASTLY';
    case 'cloudflare-v1':
      return 'CLOUDFLARE_V1';
    case 'cloudflare-v2':
      return 'CLOUDFLARE_V2';
    case 'fusionauth-event-log':
      return 'FUSIONAUTH_EVENT_LOG';
    case 'fusionauth-audit-log':
      return 'FUSIONAUTH_AUDIT_LOG';
    case 'nirvana':
      return 'NIRVANA';
  }
}

export function toSortOrder(order: AuditEventOrder): SortOrder {
  switch (order) {
    case 'OCCURRED_AT_ASC':
      return 'asc';
    case 'OCCURRED_AT_DESC':
      return 'desc';
  }
}
