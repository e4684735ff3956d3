import type { Span, Tracer } from '@opentelemetry/api';
import type { Feed, FeedPage } from '../../feed/Feed';
import type { EventFilter } from '../../feed/eventFilter';
import { TRACE_ATTRIBUTES as A, TRACE_EVENTS as E } from './traceAttributes';
import { withSpan } from './withSpan';

/**
 * The feed as the schema reads it, with a span per page (`feed.readPage`) and per read of
 * events by id (`feed.readEvent`, `feed.readEvents`); the source reads they cause are their
 * children. A page's span says what was asked (first, order, whether it continues a traversal,
 * which filter fields are set, never their values nor the cursor) and how it went: edges,
 * hasNextPage, and one `source` event per selected source with its state.
 */
export function traceFeed(feed: Feed, tracer: Tracer): Feed {
  return {
    sources: feed.sources,
    eventIds: feed.eventIds,
    readableSources: (principal) => feed.readableSources(principal),
    completeUntilMs: (sourceId, nowMs) => feed.completeUntilMs(sourceId, nowMs),
    readPage: (request) =>
      withSpan(
        tracer,
        'feed.readPage',
        {
          attributes: {
            [A.pageFirst]: request.first,
            [A.pageOrder]: request.order,
            [A.pageContinued]: request.after !== null,
            [A.pageFilterFields]: toFilterFields(request.filter),
          },
        },
        async (span) => {
          const page = await feed.readPage(request);
          recordPage(span, page);
          return page;
        },
      ),
    readEvent: (id, options, principal) =>
      withSpan(tracer, 'feed.readEvent', {}, () => feed.readEvent(id, options, principal)),
    readEvents: (ids, options, principal) =>
      withSpan(tracer, 'feed.readEvents', { attributes: { [A.eventIds]: ids.length } }, () =>
        feed.readEvents(ids, options, principal),
      ),
    // A counts query is a read like a page: its source reads are the span's children.
    countEvents: (request) =>
      withSpan(
        tracer,
        'feed.countEvents',
        { attributes: { [A.pageFilterFields]: toFilterFields(request.filter) } },
        () => feed.countEvents(request),
      ),
  };
}

/** The names of the fields the filter sets: a closed set, unlike their values. */
function toFilterFields(filter: EventFilter): string[] {
  return (Object.keys(filter) as (keyof EventFilter)[]).filter((key) => filter[key] !== null);
}

function recordPage(span: Span, page: FeedPage): void {
  let missed = 0;
  for (const outcome of page.sources) {
    missed += outcome.missed?.count ?? 0;
    span.addEvent(E.source, {
      [A.sourceId]: outcome.source.id,
      [A.sourceKind]: outcome.source.kind,
      [A.sourceState]: outcome.state,
      [A.sourceUpstreamRequests]: outcome.upstreamRequests,
      ...(outcome.error === null ? {} : { [A.errorCode]: outcome.error.code }),
      ...(outcome.missed === null ? {} : { [A.sourceMissedEvents]: outcome.missed.count }),
    });
  }
  span.setAttributes({
    [A.pageSources]: page.sources.length,
    [A.pageEdges]: page.edges.length,
    [A.pageHasNextPage]: page.hasNextPage,
    [A.pageFailedSources]: page.sources
      .filter((outcome) => outcome.state !== 'OK')
      .map((outcome) => outcome.source.id),
    [A.pageMissedEvents]: missed,
  });
}
