import { z } from 'zod';

/**
 * What Cloudflare's audit-log APIs v1 and v2 share: the v4 envelope and the time format.
 */

/** RFC 3339 with any fraction of a second (examples show whole seconds; v2 inputs take ms). */
export const cloudflareTimestampSchema = z.iso.datetime({ offset: true });

export const cloudflareMessageSchema = z.looseObject({
  code: z.number().nullish(),
  message: z.string().nullish(),
});

/** The envelope of a successful v4 response around a list `result`. */
export function cloudflareListEnvelopeSchema<Item extends z.ZodType, Info extends z.ZodType>(
  item: Item,
  resultInfo: Info,
) {
  return z.looseObject({
    success: z.literal(true),
    errors: z.array(cloudflareMessageSchema).nullish(),
    messages: z.array(z.unknown()).nullish(),
    result: z.array(item),
    result_info: resultInfo.nullish(),
  });
}

export type CloudflareMessageWire = z.infer<typeof cloudflareMessageSchema>;
