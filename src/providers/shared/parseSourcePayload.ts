import type { z } from 'zod';
import { sourceBadResponse } from './sourceBadResponse';

/**
 * The upstream body, checked against its schema. A mismatch is SOURCE_BAD_RESPONSE naming the
 * source, `what` it answered (`answered the audit log list with an unexpected body`) and where
 * in the payload it broke; never a value from the payload.
 */
export function parseSourcePayload<T>(
  schema: z.ZodType<T>,
  body: unknown,
  sourceId: string,
  what: string,
): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const path = result.error.issues[0]?.path.map(String).join('.') ?? '';
  throw sourceBadResponse(sourceId, path === '' ? what : `${what} (at ${path})`, result.error);
}
