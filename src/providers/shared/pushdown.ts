import type {
  EventFilter,
  PushableField,
  PushdownLevel,
  PushdownPlan,
} from '../../model/EventFilter';
import { PUSHABLE_FIELDS } from '../../model/EventFilter';

/**
 * One row of a kind's pushdown table (design.md §5): a filter field its API can apply for us, as
 * what, and when. A field a kind does not list is residual: the feed filters it as it reads,
 * under its scan budget. Adapters push exactly what `planPushdown` says; the feed re-checks every
 * field of every event whatever the plan, so a plan can cost requests but never correctness.
 * Each kind keeps its table next to the code that encodes it (`<kind>Pushdown.ts`).
 */
export interface FieldCapability {
  readonly level: Exclude<PushdownLevel, 'residual'>;
  /** The upstream parameter it becomes, for the docs and the tests. */
  readonly upstream: string;
  /** When the API can express this filter value; otherwise the field is residual. */
  readonly when?: (filter: EventFilter) => boolean;
  /** `when`, in words. */
  readonly condition?: string;
}

export type KindCapabilities = Readonly<Partial<Record<PushableField, FieldCapability>>>;

/** How each field the filter sets is applied by an API with these capabilities. */
export function planPushdown(capabilities: KindCapabilities, filter: EventFilter): PushdownPlan {
  const plan: Partial<Record<PushableField, PushdownLevel>> = {};
  for (const field of PUSHABLE_FIELDS) {
    if (filter[field] === null) continue;
    const capability = capabilities[field];
    plan[field] =
      capability !== undefined && (capability.when?.(filter) ?? true)
        ? capability.level
        : 'residual';
  }
  return plan;
}

/** A list of exactly one value: what APIs that take one value per parameter can express. */
export const oneValue = (values: readonly string[] | null): boolean =>
  values !== null && values.length === 1;

/**
 * One address without a zone (`fe80::1%eth0` has no canonical form to send, and the feed ignores
 * the zone when it compares), not a range.
 */
export const isZonelessAddress = (filter: EventFilter): boolean =>
  filter.ipAddress !== null && !filter.ipAddress.includes('/') && !filter.ipAddress.includes('%');

/** The list fields of a filter that hold strings an API may take one of. */
type ListField = 'actions' | 'actorIds' | 'actorEmails' | 'resourceTypes' | 'resourceIds';

/** A field an API filters exactly by one value, as `upstream`. */
export function pushedOneValue(field: ListField, upstream: string): FieldCapability {
  return {
    level: 'pushed',
    upstream,
    when: (filter) => oneValue(filter[field]),
    condition: 'one value',
  };
}
