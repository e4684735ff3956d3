/**
 * The reference the gateway is measured against: the same adapters' HTTP calls and mapping, one
 * page from each of the six sources at once, merged by a sort; no GraphQL, no cursors, no HTTP
 * hop of its own.
 */
import type { SourceConfig } from '../src/providers/sourceKinds';
import { EMULATOR_RATE_LIMITS } from '../src/providers/sourceKinds';
import type { AuditEvent } from '../src/model/AuditEvent';
import { createSources } from '../src/providers/createSources';

export interface ReferenceClient {
  /** The newest `first` events of all sources. */
  latest(first: number): Promise<AuditEvent[]>;
  readonly upstreamRequests: () => number;
  close(): Promise<void>;
}

export function createReferenceClient(
  configs: readonly SourceConfig[],
  nowMs: number,
  requestDeadlineMs: number,
): ReferenceClient {
  let requests = 0;
  const sourceSet = createSources(configs, {
    now: () => nowMs,
    rateLimits: EMULATOR_RATE_LIMITS,
    onRequest: () => {
      requests += 1;
    },
  });
  return {
    latest: async (first) => {
      // Up to now, as auditgraph's first page is: a fixed instant would make every concurrent call
      // identical, and the HTTP client would send them as one request.
      const query = {
        order: 'desc' as const,
        sinceMs: 0,
        beforeMs: Date.now() + 1,
        pageSize: first + 2,
      };
      // The same deadline auditgraph gives its upstream calls, so that both share identical
      // concurrent requests under the same rule.
      const options = { deadlineAt: Date.now() + requestDeadlineMs };
      const pages = await Promise.all(
        sourceSet.sources.map((source) => source.list(query, null, options)),
      );
      return pages
        .flatMap((page) => page.events)
        .sort(
          (a, b) =>
            b.occurredAtMs - a.occurredAtMs ||
            (a.sourceId < b.sourceId ? 1 : a.sourceId > b.sourceId ? -1 : 0) ||
            (a.nativeId < b.nativeId ? 1 : a.nativeId > b.nativeId ? -1 : 0),
        )
        .slice(0, first);
    },
    upstreamRequests: () => requests,
    close: () => sourceSet.close(),
  };
}
