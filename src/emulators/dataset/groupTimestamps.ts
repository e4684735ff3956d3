/** A run of equal timestamps: one event, or a burst in one instant. */
export interface TimestampGroup {
  readonly atMs: number;
  readonly count: number;
}

/**
 * The runs of equal values in sorted timestamps, so a generator can write a burst as one act (a
 * Terraform apply, a CI deploy) rather than as unrelated events that happen to share a second.
 */
export function groupTimestamps(times: readonly number[]): TimestampGroup[] {
  const groups: TimestampGroup[] = [];
  for (let start = 0; start < times.length;) {
    let end = start + 1;
    while (end < times.length && times[end] === times[start]) end += 1;
    groups.push({ atMs: times[start] as number, count: end - start });
    start = end;
  }
  return groups;
}
