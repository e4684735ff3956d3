import type { EventFilter, PushdownPlan } from '../../model/EventFilter';
import { isSentUpstream } from '../../model/EventFilter';
import type { FieldCapability, KindCapabilities } from '../shared/pushdown';
import { planPushdown } from '../shared/pushdown';

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

/**
 * `text` as both logs' `message (*text*)` criterion: narrowed, since a message holding the text
 * is a superset of what the feed matches; `when` and `condition` say what else a log demands.
 */
export function toMessageCapability(
  when: (text: string) => boolean = () => true,
  condition = '',
): FieldCapability {
  return {
    level: 'narrowed',
    upstream: 'message (*text*)',
    when: (f) => isPlainText(f.text) && when(f.text),
    condition: `no \`*\` or \`\\\` in the text${condition}`,
  };
}

/**
 * The criteria of a search for what a log's capabilities send upstream of a filter: the
 * `message` one when text is sent, and those `others` reads from the plan.
 */
export function toCriteria(
  capabilities: KindCapabilities,
  filter: EventFilter | undefined,
  others: (plan: PushdownPlan, filter: EventFilter) => Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, string>> {
  if (filter === undefined) return {};
  const plan = planPushdown(capabilities, filter);
  const message =
    isSentUpstream(plan, 'text') && filter.text !== null
      ? toFusionAuthContains(filter.text)
      : undefined;
  return Object.fromEntries(
    Object.entries({ ...others(plan, filter), message }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}
