import type { Provider, SourceKind } from '../../model/AuditEvent';
import type { Source } from '../../model/Source';
import type { KindCapabilities } from './pushdown';
import { planPushdown } from './pushdown';

/** What a kind's adapter says of its API, the same for every source of the kind. */
export interface SourceFacts {
  readonly kind: SourceKind;
  readonly provider: Provider;
  /** The largest page the API serves. */
  readonly maxPageSize: number;
  /** How far outside a query's bounds the API may answer (Source.windowSlackMs). */
  readonly windowSlackMs: number;
  readonly capabilities: KindCapabilities;
  /** Its API's totals count the pushed query exactly (Source.reportsTotals). */
  readonly reportsTotals?: boolean;
}

/** Everything of a Source but its calls: its id, its kind's facts, its pushdown plan. */
export function toSourceDescription(id: string, facts: SourceFacts): Omit<Source, 'list' | 'get'> {
  return {
    id,
    kind: facts.kind,
    provider: facts.provider,
    maxPageSize: facts.maxPageSize,
    windowSlackMs: facts.windowSlackMs,
    ...(facts.reportsTotals === true ? { reportsTotals: true } : {}),
    planPushdown: (filter) => planPushdown(facts.capabilities, filter),
  };
}
