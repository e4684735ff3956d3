/**
 * The last millisecond the tail may deliver up to when a source is complete until `completeUntilMs`:
 * the end of the whole second before it. Most providers stamp events to the second (an event of
 * 10.7 s reads 10.0 s), so at 10.6 s the second from 10.0 s is not complete yet though its first
 * 600 ms have passed; a bound inside a second would drop an event stamped at its start.
 */
export function toTailBound(completeUntilMs: number): number {
  return Math.floor(completeUntilMs / 1000) * 1000 - 1;
}
