import type { Feed } from '../feed/createFeed';
import type { AuditgraphError } from '../model/errors';
import type { Principal } from '../model/Principal';
import { ANONYMOUS_PRINCIPAL } from '../model/Principal';
import type { Source } from '../model/Source';

/** A source's failure on one page, to be reported in `errors` beside the partial data. */
export interface SourceErrorReport {
  readonly error: AuditgraphError;
  readonly path: readonly (string | number)[];
}

/** Built per request: nothing in it outlives the request. */
export interface AuditgraphContext {
  readonly feed: Feed;
  readonly sourcesById: ReadonlyMap<string, Source>;
  readonly pagination: { readonly defaultFirst: number; readonly maxFirst: number };
  /** Filled by resolvers, emptied into the response's `errors` by the sourceErrors plugin. */
  readonly sourceErrors: SourceErrorReport[];
  /** Epoch ms by which every upstream request of this GraphQL request must be over. */
  readonly deadlineAt: number;
  /** Who is asking, and what it may read. */
  readonly principal: Principal;
}

export interface ContextOptions {
  readonly feed: Feed;
  readonly pagination: { readonly defaultFirst: number; readonly maxFirst: number };
  /** How long one GraphQL request may wait on upstreams, in all. Default 10 s. */
  readonly requestDeadlineMs?: number;
  readonly now?: () => number;
}

const DEFAULT_REQUEST_DEADLINE_MS = 10_000;

export function createContextFactory(options: ContextOptions): () => Promise<AuditgraphContext> {
  const sourcesById = new Map(options.feed.sources.map((source) => [source.id, source]));
  return () =>
    Promise.resolve({
      feed: options.feed,
      sourcesById,
      pagination: options.pagination,
      sourceErrors: [],
      principal: ANONYMOUS_PRINCIPAL,
      deadlineAt:
        (options.now ?? Date.now)() + (options.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS),
    });
}
