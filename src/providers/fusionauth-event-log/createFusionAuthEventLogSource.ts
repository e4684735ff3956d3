import type { Source } from '../../model/Source';
import {
  createFusionAuthLogSource,
  type FusionAuthSourceConfig,
  type FusionAuthSourceDeps,
} from '../fusionauth-shared/createFusionAuthLogSource';
import {
  eventLogResponseWireSchema,
  eventLogSearchPageWireSchema,
  eventLogWireSchema,
} from './EventLogWire';
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
      searchPage: eventLogSearchPageWireSchema.transform((body) => ({
        records: body.eventLogs ?? [],
        total: body.total ?? null,
      })),
      recordsKey: 'eventLogs',
      recordSchema: eventLogWireSchema,
      retrieveResponse: eventLogResponseWireSchema.transform((body) => body.eventLog),
      toAuditEvent: toFusionAuthEventLogAuditEvent,
      toFilterCriteria: toFusionAuthEventLogCriteria,
      capabilities: FUSIONAUTH_EVENT_LOG_CAPABILITIES,
    },
    config,
    deps,
  );
}
