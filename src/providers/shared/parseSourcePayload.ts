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
  /** Where `body` sits in the upstream's payload, when it is a part of it (`data.3`). */
  at = '',
): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const path = [at, ...(result.error.issues[0]?.path.map(String) ?? [])]
    .filter((part) => part !== '')
    .join('.');
  throw sourceBadResponse(sourceId, path === '' ? what : `${what} (at ${path})`, result.error);
}
