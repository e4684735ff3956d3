import type { Feed, FeedPage } from '../../feed/Feed';
import { SILENT_HTTP_OBSERVER } from '../../http/HttpObserver';
import type { Logger } from '../../model/Logger';
import type { ObservabilityPart } from '../Observability';
import type { Logging } from './createLogging';
import { describeCause } from './describeCause';

/**
 * The log lines of the hooks: each request's id bound to everything done for it, a warn line
 * for each source that failed a page (with its cause) or turned out to hold missed events, and
 * an info line for each move of a source's circuit breaker.
 */
export function createLogPart(logging: Logging): ObservabilityPart {
  const { logger } = logging;
  return {
    request: (request, handle) => logging.inRequest(request.requestId, handle),
    source: (source) => ({
      http: {
        ...SILENT_HTTP_OBSERVER,
        circuit: (from, to) =>
          logger.info(
            { sourceId: source.id, kind: source.kind, from, to },
            'circuit breaker moved',
          ),
      },
      cacheLookup: () => undefined,
    }),
    feed: (feed) => logPageOutcomes(feed, logger),
  };
}

function logPageOutcomes(feed: Feed, logger: Logger): Feed {
  return {
    ...feed,
    readPage: async (request) => {
      const page = await feed.readPage(request);
      logOutcomes(page, logger);
      return page;
    },
  };
}

function logOutcomes(page: FeedPage, logger: Logger): void {
  for (const outcome of page.sources) {
    const { source, state, error, missed } = outcome;
    if (state !== 'OK') {
      const cause = error === null ? null : describeCause(error);
      logger.warn(
        {
          sourceId: source.id,
          kind: source.kind,
          state,
          ...(error === null
            ? {}
            : {
                code: error.code,
                // Messages of the catalogue's errors name the source and what went wrong, never
                // a URL, a header or a payload: they are the ones clients see.
                error: error.message,
                ...(error.details.retryAfterSeconds === undefined
                  ? {}
                  : { retryAfterSeconds: error.details.retryAfterSeconds }),
              }),
          ...(cause === null ? {} : { cause }),
          upstreamRequests: outcome.upstreamRequests,
        },
        'source failed',
      );
    }
    if (missed !== null) {
      logger.warn(
        {
          sourceId: source.id,
          kind: source.kind,
          code: 'SOURCE_EVENTS_MISSED',
          missed: missed.count,
          oldest: new Date(missed.oldestMs).toISOString(),
          newest: new Date(missed.newestMs).toISOString(),
        },
        'source events missed',
      );
    }
  }
}
