import { z } from 'zod';
import { jsonValueSchema } from '../shared/jsonValueSchema';

/*
 * FusionAuth Audit Log payloads (providers.md §4; fusionauth-openapi AuditLog,
 * AuditLogSearchResponse, AuditLogResponse). The id and the instant are strict. The rest varies in
 * real data and in FusionAuth's own documents: `newValue`, `oldValue` and `reason` sit at the top
 * level (OpenAPI, TypeScript client, create/retrieve docs) or under `data` (search-response docs),
 * their values are strings of JSON or any JSON (OpenAPI: object), and an entry without changes
 * has none of them. Unknown keys are kept, so `raw` stays verbatim (the docs' example even carries
 * a typo key `"newValue:"`).
 */

export const auditLogWireSchema = z
  .object({
    id: z.int(),
    /** Epoch milliseconds, UTC. */
    insertInstant: z.int(),
    insertUser: z.string().nullable().exactOptional(),
    message: z.string(),
    reason: jsonValueSchema.exactOptional(),
    newValue: jsonValueSchema.exactOptional(),
    oldValue: jsonValueSchema.exactOptional(),
    data: z.record(z.string(), jsonValueSchema).nullable().exactOptional(),
    tenantId: z.string().nullable().exactOptional(),
  })
  .catchall(jsonValueSchema);
export type AuditLogWire = z.infer<typeof auditLogWireSchema>;

/** `GET|POST /api/system/audit-log/search` */
export const auditLogSearchResponseWireSchema = z
  .object({
    // Whether FusionAuth leaves out an empty list is UNCONFIRMED: absent reads as none.
    auditLogs: z.array(auditLogWireSchema).exactOptional(),
    total: z.int().nonnegative().exactOptional(),
  })
  // Either key may be left out, but a body with neither is not a search response: read as an
  // empty page, it would hide a broken upstream (or a proxy's answer) as a quiet source.
  .refine((body) => body.auditLogs !== undefined || body.total !== undefined, {
    message: 'neither auditLogs nor total is present',
  });
export type AuditLogSearchResponseWire = z.infer<typeof auditLogSearchResponseWireSchema>;

/**
 * A search page as it is checked on arrival: of each entry only its id and instant; the rest is
 * checked with `auditLogWireSchema` when the event is read (toLazyEvents.ts).
 */
export const auditLogSearchPageWireSchema = z
  .object({
    auditLogs: z.array(z.object({ id: z.int(), insertInstant: z.int() })).exactOptional(),
    total: z.int().nonnegative().exactOptional(),
  })
  .refine((body) => body.auditLogs !== undefined || body.total !== undefined, {
    message: 'neither auditLogs nor total is present',
  });

/** `GET /api/system/audit-log/{auditLogId}` */
export const auditLogResponseWireSchema = z.object({ auditLog: auditLogWireSchema });
export type AuditLogResponseWire = z.infer<typeof auditLogResponseWireSchema>;
