import { context, createContextKey } from '@opentelemetry/api';
import type { Span, Tracer } from '@opentelemetry/api';
import type { Source } from '../../model/Source';
import { TRACE_ATTRIBUTES as A } from './traceAttributes';
import { withSpan } from './withSpan';

/** The source read under way in the active context, for the hooks its source calls during it. */
const SOURCE_READ = createContextKey('auditgraph source read');

interface SourceRead {
  readonly sourceId: string;
  readonly span: Span;
}

/**
 * The span of the read of `sourceId` under way, when the caller runs inside one: the HTTP
 * client's and the cache's hooks (createSourceObserver) are called in the async context of the
 * read that caused them, so this finds where to record what they tell.
 */
export function activeSourceRead(sourceId: string): Span | null {
  const read = context.active().getValue(SOURCE_READ) as SourceRead | undefined;
  return read?.sourceId === sourceId ? read.span : null;
}

/**
 * A source as the feed reads it, with a span per `list` and `get`: which source, how much was
 * asked and how much came back. The query's filter and time bounds are not recorded (the filter
 * holds the client's values); whether the page cache answered, and whether the read shared
 * another's upstream call, are added by the source's observer during the read.
 */
export function traceSourceReads(source: Source, tracer: Tracer): Source {
  const attributes = { [A.sourceId]: source.id, [A.sourceKind]: source.kind };
  const bind = (active: ReturnType<typeof context.active>, span: Span) =>
    active.setValue(SOURCE_READ, { sourceId: source.id, span } satisfies SourceRead);
  return {
    id: source.id,
    kind: source.kind,
    provider: source.provider,
    maxPageSize: source.maxPageSize,
    windowSlackMs: source.windowSlackMs,
    ...(source.reportsTotals === true ? { reportsTotals: true } : {}),
    planPushdown: (filter) => source.planPushdown(filter),
    list: (query, continuation, options) =>
      withSpan(
        tracer,
        'source.list',
        {
          attributes: {
            ...attributes,
            [A.readOrder]: query.order,
            [A.readPageSize]: query.pageSize,
            [A.readContinued]: continuation !== null,
          },
        },
        async (span) => {
          const page = await source.list(query, continuation, options);
          span.setAttributes({
            [A.readEvents]: page.events.length,
            [A.readHasMore]: page.next !== null,
          });
          return page;
        },
        bind,
      ),
    get: (nativeId, occurredAtMs, options) =>
      withSpan(
        tracer,
        'source.get',
        { attributes },
        async (span) => {
          const event = await source.get(nativeId, occurredAtMs, options);
          span.setAttribute(A.readFound, event !== null);
          return event;
        },
        bind,
      ),
  };
}
