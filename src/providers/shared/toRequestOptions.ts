import type { RequestOptions } from '../../http/createHttpClient';
import type { ListOptions } from '../../model/Source';

/**
 * A request with the source's headers that ends when the feed's caller gives up or its deadline
 * passes, whichever comes first.
 */
export function toRequestOptions(
  headers: Readonly<Record<string, string>>,
  options: ListOptions | undefined,
): RequestOptions {
  return {
    headers,
    ...(options?.signal ? { signal: options.signal } : {}),
    ...(options?.deadlineAt === undefined ? {} : { deadlineAt: options.deadlineAt }),
    ...(options?.onUpstreamRequest ? { onAttempt: options.onUpstreamRequest } : {}),
  };
}
