/**
 * A FusionAuth wildcard criterion that matches text holding `value` anywhere. FusionAuth reads a
 * value without `*` as `*value*` too, but the stars written out do not depend on that rule. The
 * caller keeps `*` (the wildcard) out of `value`; the pushdown table sees to it.
 */
export function toFusionAuthContains(value: string): string {
  return `*${value}*`;
}

/**
 * Text the FusionAuth wildcard search can carry as `*text*`: `*` is its wildcard, and a backslash
 * may be an escape character in the SQL LIKE behind it (UNCONFIRMED), so text holding either is
 * not sent. Any other character is literal or, at worst, a wider wildcard: still a superset.
 */
export function isPlainText(text: string | null | undefined): text is string {
  return typeof text === 'string' && text !== '' && !text.includes('*') && !text.includes('\\');
}
