import type { SourceKind } from '../model/AuditEvent';
import type { SortOrder } from '../model/Source';
import type { AuditEventOrder, SourceKind as SourceKindEnum } from './generated/resolvers';

/**
 * A kind's value of the GraphQL enum SourceKind: its name in capitals, dashes as underscores
 * (`cloudflare-v2` is CLOUDFLARE_V2). A test holds the SDL's enum to the kinds list.
 */
export function toSourceKindEnum(kind: SourceKind): SourceKindEnum {
  return kind.toUpperCase().replace(/-/g, '_') as SourceKindEnum;
}

export function toSortOrder(order: AuditEventOrder): SortOrder {
  switch (order) {
    case 'OCCURRED_AT_ASC':
      return 'asc';
    case 'OCCURRED_AT_DESC':
      return 'desc';
  }
}
