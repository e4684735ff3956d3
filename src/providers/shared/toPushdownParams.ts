import type { EventFilter, PushableField, PushdownPlan } from '../../model/EventFilter';
import { isSentUpstream, PUSHABLE_FIELDS } from '../../model/EventFilter';
import type { KindCapabilities } from './pushdown';
import { planPushdown } from './pushdown';

export type QueryParam = readonly [string, string];

/**
 * One filter field as upstream parameters. It gets the whole plan, since two fields may meet in
 * one parameter (Cloudflare v2 sends actions and categories as `action_type`). It returns null when
 * no event can match the field's values, so the query need not be sent at all.
 */
export type FieldEncoder = (
  filter: EventFilter,
  plan: PushdownPlan,
) => readonly QueryParam[] | null;

/** An adapter's encoders: one for every field its kind's pushdown table lists. */
export type PushdownEncoders = Readonly<Partial<Record<PushableField, FieldEncoder>>>;

/**
 * The upstream parameters of a query's filter: exactly the fields `planPushdown` sends with the
 * kind's capabilities (pushed or narrowed), in a fixed order, so every page of a query chain sends the same ones
 * (Cloudflare v2 binds its cursor to them). Null when no event can match: the adapter answers an
 * empty page without asking. A field the plan sends but the adapter cannot encode is left out,
 * which only widens the upstream's answer: the feed re-checks every field.
 */
export function toPushdownParams(
  capabilities: KindCapabilities,
  filter: EventFilter | undefined,
  encoders: PushdownEncoders,
): QueryParam[] | null {
  if (filter === undefined) return [];
  const plan = planPushdown(capabilities, filter);
  const params: QueryParam[] = [];
  for (const field of PUSHABLE_FIELDS) {
    if (!isSentUpstream(plan, field)) continue;
    const encode = encoders[field];
    if (encode === undefined) continue;
    const encoded = encode(filter, plan);
    if (encoded === null) return null;
    params.push(...encoded);
  }
  return params;
}

/**
 * `key=value` once per value, as APIs with array filters take them (OR within the key). Blank
 * values are dropped: the APIs read a blank as "no filter", and no mapped event holds a blank id,
 * email or type (every mapping reads a blank as null), so a blank value matches nothing either
 * way. Null when no value is left: an empty list matches nothing.
 */
export function toRepeatedParam(
  key: string,
  values: readonly string[] | null,
): QueryParam[] | null {
  const kept = (values ?? []).filter((value) => value !== '');
  return kept.length === 0 ? null : kept.map((value) => [key, value] as const);
}

/**
 * `key=value` for an API that takes one value per key (a repeated key keeps only one of them, so
 * sending two would lose the events of the other). Blanks are dropped as in `toRepeatedParam`;
 * null when no value is left; nothing is sent when more than one is (the upstream then filters
 * less, and the feed the rest).
 */
export function toSingleParam(key: string, values: readonly string[] | null): QueryParam[] | null {
  const kept = (values ?? []).filter((value) => value !== '');
  if (kept.length === 0) return null;
  return kept.length === 1 ? [[key, kept[0] as string]] : [];
}

/** The answer to a query no event can match: its filter holds an empty list or a blank value. */
export const NOTHING_MATCHES = { events: [], next: null, total: 0 } as const;
