import type { Source } from '../../model/Source';
import {
  createFusionAuthLogSource,
  type FusionAuthSourceConfig,
  type FusionAuthSourceDeps,
} from '../fusionauth-shared/createFusionAuthLogSource';
import {
  auditLogResponseWireSchema,
  auditLogSearchPageWireSchema,
  auditLogWireSchema,
} from './AuditLogWire';
import {
  FUSIONAUTH_AUDIT_LOG_CAPABILITIES,
  toFusionAuthAuditLogCriteria,
} from './fusionAuthAuditLogPushdown';
import { toFusionAuthAuditLogAuditEvent } from './toFusionAuthAuditLogAuditEvent';

/** A source over FusionAuth's Audit Log API (`/api/system/audit-log`). */
export function createFusionAuthAuditLogSource(
  config: FusionAuthSourceConfig,
  deps: FusionAuthSourceDeps,
): Source {
  return createFusionAuthLogSource(
    {
      kind: 'fusionauth-audit-log',
      resource: 'audit-log',
      searchPage: auditLogSearchPageWireSchema.transform((body) => ({
        records: body.auditLogs ?? [],
        total: body.total ?? null,
      })),
      recordsKey: 'auditLogs',
      recordSchema: auditLogWireSchema,
      retrieveResponse: auditLogResponseWireSchema.transform((body) => body.auditLog),
      toAuditEvent: toFusionAuthAuditLogAuditEvent,
      toFilterCriteria: toFusionAuthAuditLogCriteria,
      capabilities: FUSIONAUTH_AUDIT_LOG_CAPABILITIES,
    },
    config,
    deps,
  );
}
