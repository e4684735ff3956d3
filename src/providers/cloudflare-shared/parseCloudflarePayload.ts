import type { z } from 'zod';
import type { AuditEvent, SourceRef } from '../../model/AuditEvent';
import { AuditgraphError } from '../../model/errors';

/**
 * The upstream body, checked against its schema. A mismatch is SOURCE_BAD_RESPONSE naming the
 * source and where in the payload it broke; the message never carries a value from the payload.
 */
export function parseCloudflarePayload<T>(
  schema: z.ZodType<T>,
  body: unknown,
  source: SourceRef,
): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const path = result.error.issues[0]?.path.map(String).join('.') ?? '';
  throw new AuditgraphError(
    'SOURCE_BAD_RESPONSE',
    `source ${source.id} answered with a payload that does not match the ${source.kind} API` +
      (path === '' ? '' : ` (at ${path})`),
    { sourceId: source.id, cause: result.error },
  );
}

/**
 * The feed merges pages on the promise that each is in the asked order; an upstream that breaks
 * it is reported, not papered over.
 */
export function assertChronological(
  events: readonly AuditEvent[],
  order: 'asc' | 'desc',
  source: SourceRef,
): void {
  for (let i = 1; i < events.length; i += 1) {
    const step =
      (events[i] as AuditEvent).occurredAtMs - (events[i - 1] as AuditEvent).occurredAtMs;
    if (order === 'asc' ? step < 0 : step > 0) {
      throw new AuditgraphError(
        'SOURCE_BAD_RESPONSE',
        `source ${source.id} answered with events out of ${order === 'asc' ? 'ascending' : 'descending'} order`,
        { sourceId: source.id },
      );
    }
  }
}
