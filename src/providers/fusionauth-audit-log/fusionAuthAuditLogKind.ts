import type { FusionAuthKindConfig } from '../fusionauth-shared/fusionAuthKind';
import {
  FUSIONAUTH_ENV_SHORTCUT,
  FUSIONAUTH_KIND_COMMON,
} from '../fusionauth-shared/fusionAuthKind';
import type { SourceKindDefinition } from '../SourceKindDefinition';
import { createFusionAuthAuditLogSource } from './createFusionAuthAuditLogSource';
import { FUSIONAUTH_AUDIT_LOG_CAPABILITIES } from './fusionAuthAuditLogPushdown';

/** FusionAuth's Audit Log API (`/api/system/audit-log`): providers.md §4. */
export const FUSIONAUTH_AUDIT_LOG_KIND: SourceKindDefinition<
  FusionAuthKindConfig<'fusionauth-audit-log'>
> = {
  ...FUSIONAUTH_KIND_COMMON,
  kind: 'fusionauth-audit-log',
  // The FusionAuth shortcut adds both logs; it sits here, on the first it adds.
  envShortcut: FUSIONAUTH_ENV_SHORTCUT,
  capabilities: FUSIONAUTH_AUDIT_LOG_CAPABILITIES,
  createSource: createFusionAuthAuditLogSource,
};
