import type { AuditEvent, SourceKind } from '../../src/model/AuditEvent';
import type { ListPage, ListQuery, Source } from '../../src/model/Source';
import { createEventMatcher, normalizeFilter } from '../../src/feed/eventFilter';
import { PUSHABLE_FIELDS } from '../../src/model/EventFilter';
import { BUILT_IN_KINDS } from '../../src/providers/sourceKinds';
import { planKindPushdown } from './planKindPushdown';

/**
 * An in-memory source that behaves like the hostile upstreams of providers.md: ties come in a
 * different order for every query (offset paging) or every chain of cursors (cursor paging), time
 * bounds are widened to whole seconds, and page sizes are clamped. Every request is recorded.
 */
export interface MemorySourceOptions {
  readonly id: string;
  readonly kind?: SourceKind;
  readonly events: readonly AuditEvent[];
  readonly maxPageSize: number;
  readonly minPageSize?: number;
  readonly paging?: 'offset' | 'cursor';
  /** Filter time at whole seconds, inclusive at both ends, as a coarse upstream would. */
  readonly coarseBounds?: boolean;
  readonly seed?: number;
}

export interface MemorySource extends Source {
  readonly requests: ListQuery[];
  /** Replace the data, as if events arrived or the dataset changed. */
  events: readonly AuditEvent[];
}

export function createMemorySource(options: MemorySourceOptions): MemorySource {
  const kind = options.kind ?? 'fastly';
  const paging = options.paging ?? 'offset';
  let chains = options.seed ?? 1;
  const requests: ListQuery[] = [];

  function window(query: ListQuery): AuditEvent[] {
    const since = options.coarseBounds ? Math.floor(query.sinceMs / 1000) * 1000 : query.sinceMs;
    const before = options.coarseBounds
      ? Math.ceil(query.beforeMs / 1000) * 1000 + 1000
      : query.beforeMs;
    const pushed = upstreamFilter(query);
    return source.events.filter(
      (e) => e.occurredAtMs >= since && e.occurredAtMs < before && pushed(e),
    );
  }

  /** What the pushdown plan sends upstream: pushed fields exactly; narrowed ones not at all (a superset). */
  function upstreamFilter(query: ListQuery): (event: AuditEvent) => boolean {
    if (query.filter === undefined) return () => true;
    const plan = planKindPushdown(kind, query.filter);
    const sent: Record<string, unknown> = {};
    for (const field of PUSHABLE_FIELDS)
      if (plan[field] === 'pushed') sent[field] = query.filter[field];
    return createEventMatcher(normalizeFilter(sent));
  }

  const source: MemorySource = {
    id: options.id,
    kind,
    provider: BUILT_IN_KINDS.get(kind).provider,
    planPushdown: (filter) => planKindPushdown(kind, filter),
    maxPageSize: options.maxPageSize,
    windowSlackMs: options.coarseBounds ? 2000 : 0,
    requests,
    events: options.events,
    list(query, continuation, listOptions): Promise<ListPage> {
      requests.push(query);
      listOptions?.onUpstreamRequest?.();
      let offset = 0;
      let seed: number;
      if (paging === 'offset') {
        offset = continuation === null ? 0 : Number(continuation);
        seed = hash(`${query.order}|${query.sinceMs}|${query.beforeMs}|${options.seed ?? 0}`);
      } else if (continuation === null) {
        chains += 1;
        seed = hash(`chain-${chains}-${options.seed ?? 0}`);
      } else {
        const [chainSeed, at] = continuation.split(':');
        seed = Number(chainSeed);
        offset = Number(at);
      }
      const size = Math.max(
        options.minPageSize ?? 1,
        Math.min(query.pageSize, options.maxPageSize),
      );
      const ordered = window(query)
        .map((event) => ({ event, tie: hash(`${seed}|${event.nativeId}`) }))
        .sort((a, b) => {
          const byTime =
            query.order === 'asc'
              ? a.event.occurredAtMs - b.event.occurredAtMs
              : b.event.occurredAtMs - a.event.occurredAtMs;
          return byTime || a.tie - b.tie;
        })
        .map(({ event }) => event);
      const events = ordered.slice(offset, offset + size);
      const end = offset + size >= ordered.length;
      const next = end
        ? null
        : paging === 'offset'
          ? String(offset + size)
          : `${seed}:${offset + size}`;
      return Promise.resolve({ events, next, total: ordered.length });
    },
    get(nativeId) {
      return Promise.resolve(source.events.find((e) => e.nativeId === nativeId) ?? null);
    },
  };
  return source;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

export function makeEvent(
  partial: Partial<AuditEvent> & Pick<AuditEvent, 'sourceId' | 'nativeId' | 'occurredAtMs'>,
): AuditEvent {
  const kind = partial.kind ?? 'fastly';
  return {
    kind,
    // The provider of its kind, as every mapping sets it.
    provider: BUILT_IN_KINDS.get(kind).provider,
    action: 'service.update',
    category: 'UPDATE',
    outcome: 'UNKNOWN',
    description: null,
    actor: null,
    resource: null,
    request: null,
    changes: null,
    metadata: null,
    raw: null,
    ...partial,
  };
}
