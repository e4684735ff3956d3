import { z } from 'zod';
import { jsonValueSchema } from '../shared/jsonValueSchema';
import { parseRfc3339 } from './parseRfc3339';
import { nativeIdSchema } from '../shared/nativeIdSchema';

/*
 * Nirvana Labs audit-log payloads (providers.md §5; nirvana-go audit_logs/auditlog.go,
 * nirvana-typescript src/resources/audit-logs). Strict where the feed depends on a value (the id
 * and the timestamp), tolerant elsewhere: the SDKs disagree on `actor.name` (nullable in TS),
 * `target` is optional and nullable, and a new actor type must not fail a whole page. Unknown keys
 * are kept (`catchall`) so a record's `raw` stays verbatim.
 */

export const nirvanaAuditLogActorWireSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable().exactOptional(),
    // `user` | `api_key` today; anything else maps to an unknown actor type.
    type: z.string(),
  })
  .catchall(jsonValueSchema);
export type NirvanaAuditLogActorWire = z.infer<typeof nirvanaAuditLogActorWireSchema>;

export const nirvanaAuditLogTargetWireSchema = z
  .object({ id: z.string(), type: z.string() })
  .catchall(jsonValueSchema);
export type NirvanaAuditLogTargetWire = z.infer<typeof nirvanaAuditLogTargetWireSchema>;

export const nirvanaAuditLogWireSchema = z
  .object({
    id: nativeIdSchema,
    action: z.string(),
    actor: nirvanaAuditLogActorWireSchema.nullable().exactOptional(),
    client_ip: z.string().nullable().exactOptional(),
    created_at: z
      .string()
      .refine((value) => parseRfc3339(value) !== null, 'created_at is not an RFC 3339 date-time'),
    method: z.string().nullable().exactOptional(),
    path: z.string().nullable().exactOptional(),
    status_code: z.int().nullable().exactOptional(),
    user_agent: z.string().nullable().exactOptional(),
    target: nirvanaAuditLogTargetWireSchema.nullable().exactOptional(),
  })
  .catchall(jsonValueSchema);
export type NirvanaAuditLogWire = z.infer<typeof nirvanaAuditLogWireSchema>;

export const nirvanaPaginationWireSchema = z.object({
  next_cursor: z.string().nullable().exactOptional(),
  previous_cursor: z.string().nullable().exactOptional(),
  total_count: z.int().nonnegative().nullable().exactOptional(),
});
export type NirvanaPaginationWire = z.infer<typeof nirvanaPaginationWireSchema>;

/** `GET /v1/audit_logs` */
export const nirvanaAuditLogListWireSchema = z.object({
  items: z.array(nirvanaAuditLogWireSchema),
  pagination: nirvanaPaginationWireSchema,
});
export type NirvanaAuditLogListWire = z.infer<typeof nirvanaAuditLogListWireSchema>;

/**
 * A list page as it is checked on arrival: of each entry only its id and time; the rest is
 * checked with `nirvanaAuditLogWireSchema` when the event is read (toLazyEvents.ts).
 */
export const nirvanaAuditLogPageWireSchema = z.object({
  items: z.array(
    z.object({ id: nativeIdSchema, created_at: nirvanaAuditLogWireSchema.shape.created_at }),
  ),
  pagination: nirvanaPaginationWireSchema,
});
