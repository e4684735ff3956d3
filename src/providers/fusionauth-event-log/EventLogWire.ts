import { z } from 'zod';
import { jsonValueSchema } from '../shared/jsonValueSchema';

/*
 * FusionAuth Event Log payloads (providers.md §4; fusionauth-openapi EventLog,
 * EventLogSearchResponse, EventLogResponse). The id and the instant are strict, since the feed
 * orders and keys by them; `type` is any string so that a type added by a later FusionAuth
 * version does not fail a whole page. Unknown keys are kept, so `raw` stays verbatim.
 */

export const EVENT_LOG_TYPES = ['Information', 'Debug', 'Error'] as const;
export type EventLogType = (typeof EVENT_LOG_TYPES)[number];

export const eventLogWireSchema = z
  .object({
    id: z.int(),
    /** Epoch milliseconds, UTC. */
    insertInstant: z.int(),
    message: z.string(),
    type: z.string(),
  })
  .catchall(jsonValueSchema);
export type EventLogWire = z.infer<typeof eventLogWireSchema>;

/** `GET|POST /api/system/event-log/search` */
export const eventLogSearchResponseWireSchema = z
  .object({
    // Whether FusionAuth leaves out an empty list is UNCONFIRMED: absent reads as none.
    eventLogs: z.array(eventLogWireSchema).exactOptional(),
    total: z.int().nonnegative().exactOptional(),
  })
  // Either key may be left out, but a body with neither is not a search response: read as an
  // empty page, it would hide a broken upstream (or a proxy's answer) as a quiet source.
  .refine((body) => body.eventLogs !== undefined || body.total !== undefined, {
    message: 'neither eventLogs nor total is present',
  });
export type EventLogSearchResponseWire = z.infer<typeof eventLogSearchResponseWireSchema>;

/**
 * A search page as it is checked on arrival: of each entry only its id and instant; the rest is
 * checked with `eventLogWireSchema` when the event is read (toLazyEvents.ts).
 */
export const eventLogSearchPageWireSchema = z
  .object({
    eventLogs: z.array(z.object({ id: z.int(), insertInstant: z.int() })).exactOptional(),
    total: z.int().nonnegative().exactOptional(),
  })
  .refine((body) => body.eventLogs !== undefined || body.total !== undefined, {
    message: 'neither eventLogs nor total is present',
  });

/** `GET /api/system/event-log/{eventLogId}` */
export const eventLogResponseWireSchema = z.object({ eventLog: eventLogWireSchema });
export type EventLogResponseWire = z.infer<typeof eventLogResponseWireSchema>;
