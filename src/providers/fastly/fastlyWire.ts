import { z } from 'zod';
import { jsonValueSchema } from '../shared/jsonValueSchema';
import { nativeIdSchema } from '../shared/nativeIdSchema';

/**
 * Fastly's account events (`GET /events`, `GET /events/{id}`), as providers.md §1 describes them:
 * JSON:API envelopes from the fastly-js models and the go-fastly recording. Strict where the feed
 * depends on a value (ids, times, the event type); tolerant elsewhere, since real payloads drop
 * keys the SDK models declare (no `meta`, only some `links`, absent or null ids).
 */

/** `created_at`: ISO 8601 with an offset; whole seconds in every observed value. */
export const fastlyTimestampSchema = z.iso.datetime({ offset: true });

export const fastlyEventAttributesSchema = z.looseObject({
  admin: z.boolean().nullish(),
  created_at: fastlyTimestampSchema,
  customer_id: z.string().nullish(),
  description: z.string().nullish(),
  event_type: z.string().min(1),
  /** One address, or a comma-separated list of them (go-fastly recording). */
  ip: z.string().nullish(),
  metadata: z.record(z.string(), jsonValueSchema).nullish(),
  service_id: z.string().nullish(),
  user_id: z.string().nullish(),
  token_id: z.string().nullish(),
});

export const fastlyRecordSchema = z.looseObject({
  id: nativeIdSchema,
  type: z.string().nullish(),
  attributes: fastlyEventAttributesSchema,
});

export const fastlyPaginationLinksSchema = z.looseObject({
  first: z.string().nullish(),
  last: z.string().nullish(),
  prev: z.string().nullish(),
  next: z.string().nullish(),
});

const count = z.number().int().nonnegative().nullish();

export const fastlyPaginationMetaSchema = z.looseObject({
  current_page: count,
  per_page: count,
  record_count: count,
  total_pages: count,
});

export const fastlyEventsResponseSchema = z.looseObject({
  data: z.array(fastlyRecordSchema),
  links: fastlyPaginationLinksSchema.nullish(),
  meta: fastlyPaginationMetaSchema.nullish(),
});

/**
 * A list page as it is checked on arrival: the envelope, and of each record only what places it
 * (its id and time). The rest of a record is checked with `fastlyRecordSchema` when the event is
 * read (toLazyEvents.ts).
 */
export const fastlyRecordHeadSchema = z.object({
  id: nativeIdSchema,
  attributes: z.object({ created_at: fastlyTimestampSchema }),
});

export const fastlyEventsPageSchema = z.looseObject({
  data: z.array(fastlyRecordHeadSchema),
  links: fastlyPaginationLinksSchema.nullish(),
  meta: fastlyPaginationMetaSchema.nullish(),
});

export const fastlyEventResponseSchema = z.looseObject({ data: fastlyRecordSchema });

export type FastlyEventAttributesWire = z.infer<typeof fastlyEventAttributesSchema>;
export type FastlyRecordWire = z.infer<typeof fastlyRecordSchema>;
export type FastlyPaginationLinksWire = z.infer<typeof fastlyPaginationLinksSchema>;
export type FastlyPaginationMetaWire = z.infer<typeof fastlyPaginationMetaSchema>;
export type FastlyEventsResponseWire = z.infer<typeof fastlyEventsResponseSchema>;
export type FastlyEventsPageWire = z.infer<typeof fastlyEventsPageSchema>;
export type FastlyEventResponseWire = z.infer<typeof fastlyEventResponseSchema>;
