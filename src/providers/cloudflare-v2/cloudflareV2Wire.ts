import { z } from 'zod';
import { jsonValueSchema } from '../shared/jsonValueSchema';
import { nativeIdSchema } from '../shared/nativeIdSchema';
import {
  cloudflareListEnvelopeSchema,
  cloudflareTimestampSchema,
} from '../cloudflare-shared/cloudflareWire';

/**
 * Cloudflare account audit logs v2 (`GET /accounts/{account_id}/logs/audit`), providers.md §3 and
 * the reconstructed schema. Every field is optional upstream; the feed needs the id, the time and
 * the action type, so those are required here.
 */

const optionalString = z.string().nullish();

export const cloudflareV2RecordSchema = z.looseObject({
  id: nativeIdSchema,
  account: z.looseObject({ id: optionalString, name: optionalString }).nullish(),
  action: z.looseObject({
    description: optionalString,
    /** `success` | `failure`. */
    result: optionalString,
    time: cloudflareTimestampSchema,
    /** `create` | `delete` | `view` | `update` (docs); kept open for new values. */
    type: z.string().min(1),
  }),
  actor: z
    .looseObject({
      id: optionalString,
      /** `api_key` | `api_token` | `dash` | `oauth` | `origin_ca_key`. */
      context: optionalString,
      email: optionalString,
      ip_address: optionalString,
      token_id: optionalString,
      token_name: optionalString,
      /** `account` | `cloudflare_admin` | `system` | `user`. */
      type: optionalString,
    })
    .nullish(),
  raw: z
    .looseObject({
      cf_ray_id: optionalString,
      method: optionalString,
      status_code: z.number().int().nullish(),
      uri: optionalString,
      user_agent: optionalString,
    })
    .nullish(),
  resource: z
    .looseObject({
      id: optionalString,
      product: optionalString,
      request: jsonValueSchema.optional(),
      response: jsonValueSchema.optional(),
      scope: jsonValueSchema.optional(),
      type: optionalString,
    })
    .nullish(),
  zone: z.looseObject({ id: optionalString, name: optionalString }).nullish(),
});

export const cloudflareV2ResultInfoSchema = z.looseObject({
  /** The page's count: a string in the docs example, a number in Cloudflare's MCP server. */
  count: z.union([z.string(), z.number()]).nullish(),
  cursor: z.string().nullish(),
});

export const cloudflareV2ListResponseSchema = cloudflareListEnvelopeSchema(
  cloudflareV2RecordSchema,
  cloudflareV2ResultInfoSchema,
);

/**
 * A list page as it is checked on arrival: the envelope, and of each record only its id and
 * time; the rest is checked with `cloudflareV2RecordSchema` when the event is read.
 */
export const cloudflareV2RecordHeadSchema = z.object({
  id: nativeIdSchema,
  action: z.object({ time: cloudflareTimestampSchema }),
});

export const cloudflareV2ListPageSchema = cloudflareListEnvelopeSchema(
  cloudflareV2RecordHeadSchema,
  cloudflareV2ResultInfoSchema,
);

export type CloudflareV2RecordWire = z.infer<typeof cloudflareV2RecordSchema>;
export type CloudflareV2ResultInfoWire = z.infer<typeof cloudflareV2ResultInfoSchema>;
export type CloudflareV2ListResponseWire = z.infer<typeof cloudflareV2ListResponseSchema>;
