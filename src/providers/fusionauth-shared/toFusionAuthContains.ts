/**
 * A FusionAuth wildcard criterion that matches text holding `value` anywhere. FusionAuth reads a
 * value without `*` as `*value*` too, but the stars written out do not depend on that rule. The
 * caller keeps `*` (the wildcard) out of `value`; the pushdown table sees to it.
 */
export function toFusionAuthContains(value: string): string {
  return `*${value}*`;
}
