import { z } from 'zod';
import { jsonValueSchema } from '../shared/jsonValueSchema';
import { nativeIdSchema } from '../shared/nativeIdSchema';
import {
  cloudflareListEnvelopeSchema,
  cloudflareTimestampSchema,
} from '../cloudflare-shared/cloudflareWire';

/**
 * Cloudflare account audit logs v1 (`GET /accounts/{account_id}/audit_logs`), providers.md §2 and
 * the 2023 OpenAPI components (p6kdMXuf_audit-logs). Every field is optional in the spec; the
 * feed needs the id, the time and the action type, so those are required here.
 */

const optionalString = z.string().nullish();

export const cloudflareV1RecordSchema = z.looseObject({
  id: nativeIdSchema,
  action: z.looseObject({
    type: z.string().min(1),
    result: z.boolean().nullish(),
  }),
  actor: z
    .looseObject({
      id: optionalString,
      email: optionalString,
      ip: optionalString,
      /** `user` | `admin` | `Cloudflare` in the spec; kept open so a new value is not a failure. */
      type: optionalString,
    })
    .nullish(),
  interface: optionalString,
  metadata: jsonValueSchema.nullish(),
  /** Strings in the spec (often JSON text); any JSON value is accepted. */
  newValue: jsonValueSchema.optional(),
  oldValue: jsonValueSchema.optional(),
  owner: z.looseObject({ id: optionalString }).nullish(),
  resource: z.looseObject({ id: optionalString, type: optionalString }).nullish(),
  when: cloudflareTimestampSchema,
});

/** Not in the spec's response schema (UNCONFIRMED): read when present, never relied upon. */
export const cloudflareV1ResultInfoSchema = z.looseObject({
  page: z.number().nullish(),
  per_page: z.number().nullish(),
  count: z.number().nullish(),
  total_count: z.number().nullish(),
});

export const cloudflareV1ListResponseSchema = cloudflareListEnvelopeSchema(
  cloudflareV1RecordSchema,
  cloudflareV1ResultInfoSchema,
);

/**
 * A list page as it is checked on arrival: the envelope, and of each record only its id and
 * time; the rest is checked with `cloudflareV1RecordSchema` when the event is read.
 */
export const cloudflareV1RecordHeadSchema = z.object({
  id: nativeIdSchema,
  when: cloudflareTimestampSchema,
});

export const cloudflareV1ListPageSchema = cloudflareListEnvelopeSchema(
  cloudflareV1RecordHeadSchema,
  cloudflareV1ResultInfoSchema,
);

export type CloudflareV1RecordWire = z.infer<typeof cloudflareV1RecordSchema>;
export type CloudflareV1ResultInfoWire = z.infer<typeof cloudflareV1ResultInfoSchema>;
export type CloudflareV1ListResponseWire = z.infer<typeof cloudflareV1ListResponseSchema>;
