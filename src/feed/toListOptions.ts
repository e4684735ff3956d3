import type { ListOptions } from '../model/Source';

/** What every upstream request of one read of the feed carries: its signal and deadline. */
export function toListOptions(request: {
  readonly signal?: AbortSignal;
  readonly deadlineAt?: number;
}): ListOptions {
  return {
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.deadlineAt === undefined ? {} : { deadlineAt: request.deadlineAt }),
  };
}
