import type { SourceKind } from '../../src/model/AuditEvent';
import type { EventFilter, PushdownPlan } from '../../src/model/EventFilter';
import { planPushdown } from '../../src/providers/shared/pushdown';
import type { KindCapabilities } from '../../src/providers/shared/pushdown';
import { BUILT_IN_KINDS } from '../../src/providers/sourceKinds';

/** A built-in kind's pushdown table. */
export function capabilitiesOf(kind: SourceKind): KindCapabilities {
  return BUILT_IN_KINDS.get(kind).capabilities;
}

/** How a source of a built-in kind applies each field the filter sets. */
export function planKindPushdown(kind: SourceKind, filter: EventFilter): PushdownPlan {
  return planPushdown(capabilitiesOf(kind), filter);
}
