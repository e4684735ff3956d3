import type { Source } from '../../model/Source';
import {
  createFusionAuthLogSource,
  type FusionAuthSourceConfig,
  type FusionAuthSourceDeps,
} from '../fusionauth-shared/createFusionAuthLogSource';
import { eventLogResponseWireSchema, eventLogSearchResponseWireSchema } from './EventLogWire';
import {
  FUSIONAUTH_EVENT_LOG_CAPABILITIES,
  toFusionAuthEventLogCriteria,
} from './fusionAuthEventLogPushdown';
import { toFusionAuthEventLogAuditEvent } from './toFusionAuthEventLogAuditEvent';

/** A source over FusionAuth's Event Log API (`/api/system/event-log`). */
export function createFusionAuthEventLogSource(
  config: FusionAuthSourceConfig,
  deps: FusionAuthSourceDeps,
): Source {
  return createFusionAuthLogSource(
    {
      kind: 'fusionauth-event-log',
      resource: 'event-log',
      searchResponse: eventLogSearchResponseWireSchema.transform((body) => ({
        records: body.eventLogs ?? [],
        total: body.total ?? null,
      })),
      retrieveResponse: eventLogResponseWireSchema.transform((body) => body.eventLog),
      toAuditEvent: toFusionAuthEventLogAuditEvent,
      toFilterCriteria: toFusionAuthEventLogCriteria,
      capabilities: FUSIONAUTH_EVENT_LOG_CAPABILITIES,
    },
    config,
    deps,
  );
}
