export interface BackoffOptions {
  /** The ceiling of the first retry's delay; it doubles with each further retry. */
  readonly baseMs: number;
  /** No delay ceiling grows beyond this. */
  readonly maxMs: number;
}

/**
 * Exponential backoff with full jitter: a uniform delay between 0 and min(max, base · 2^retryIndex).
 * Full jitter rather than a fixed delay so that the requests of many dashboards that failed
 * together do not come back together and knock the recovering upstream over again.
 *
 * `random` returns a number in [0, 1), as Math.random does; it is injected so tests can pin it.
 */
export function computeBackoffMs(
  retryIndex: number,
  options: BackoffOptions,
  random: () => number,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** retryIndex);
  // Clamped so that a random source returning 1 (or more) cannot break the bound.
  const fraction = Math.min(Math.max(random(), 0), 1);
  return Math.floor(fraction * ceiling);
}
