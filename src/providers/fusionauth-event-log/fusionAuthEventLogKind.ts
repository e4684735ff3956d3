import type { FusionAuthKindConfig } from '../fusionauth-shared/fusionAuthKind';
import { FUSIONAUTH_KIND_COMMON } from '../fusionauth-shared/fusionAuthKind';
import type { SourceKindDefinition } from '../SourceKindDefinition';
import { createFusionAuthEventLogSource } from './createFusionAuthEventLogSource';
import { FUSIONAUTH_EVENT_LOG_CAPABILITIES } from './fusionAuthEventLogPushdown';

/** FusionAuth's Event Log API (`/api/system/event-log`): providers.md §4. */
export const FUSIONAUTH_EVENT_LOG_KIND: SourceKindDefinition<
  FusionAuthKindConfig<'fusionauth-event-log'>
> = {
  ...FUSIONAUTH_KIND_COMMON,
  kind: 'fusionauth-event-log',
  // The FusionAuth shortcut, which adds this log too, sits on the audit log.
  envShortcut: null,
  capabilities: FUSIONAUTH_EVENT_LOG_CAPABILITIES,
  createSource: createFusionAuthEventLogSource,
};
