import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { responsePathAsArray } from 'graphql';
import type { MissedEvents } from '../feed/createFeed';
import type { EventFilterInput } from '../feed/eventFilter';
import { normalizeFilter } from '../feed/eventFilter';
import { toProvider } from '../model/AuditEvent';
import { AuditgraphError } from '../model/errors';
import { toGlobalEventId } from '../model/globalId';
import type { AuditEventFilter, Resolvers } from './generated/resolvers';
import { redactField, redactedPaths } from './redaction/redactField';
import { toSortOrder, toSourceKindEnum } from './toGraphqlEnums';

/**
 * Resolvers parse arguments, call the feed, and format: no HTTP, merging or cursor arithmetic
 * here (design.md §6).
 */
export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  JSON: JSONResolver,

  Query: {
    auditEvents: async (_parent, args, context, info) => {
      const page = await context.feed.readPage({
        first: args.first ?? context.pagination.defaultFirst,
        after: args.after ?? null,
        filter: normalizeFilter(toFilterInput(args.filter)),
        order: toSortOrder(args.orderBy ?? 'OCCURRED_AT_DESC'),
        deadlineAt: context.deadlineAt,
        principal: context.principal,
      });
      const path = responsePathAsArray(info.path);
      for (const outcome of page.sources) {
        if (outcome.error !== null) context.sourceErrors.push({ error: outcome.error, path });
        if (outcome.missed !== null) {
          context.sourceErrors.push({
            error: toMissedError(outcome.source.id, outcome.missed),
            path,
          });
        }
      }
      return page;
    },
    auditEvent: (_parent, args, context) =>
      context.feed.readEvent(args.id, { deadlineAt: context.deadlineAt }, context.principal),
    node: (_parent, args, context) =>
      context.feed.readEvent(args.id, { deadlineAt: context.deadlineAt }, context.principal),
    auditSources: (_parent, _args, context) => context.feed.readableSources(context.principal),
  },

  Node: {
    // Every Node auditgraph serves today is an AuditEvent.
    __resolveType: () => 'AuditEvent',
  },

  AuditEventConnection: {
    edges: (page) => page.edges,
    pageInfo: (page) => page,
    totalCount: (page) => page.totalCount,
    sources: (page) => page.sources,
    asOf: (page) => new Date(page.asOfMs),
  },

  AuditEventEdge: {
    cursor: (edge) => edge.cursor,
    node: (edge) => edge.event,
  },

  PageInfo: {
    hasNextPage: (page) => page.hasNextPage,
    hasPreviousPage: (page) => page.hasPreviousPage,
    startCursor: (page) => page.startCursor,
    endCursor: (page) => page.endCursor,
  },

  AuditEvent: {
    // The router sends `{ __typename, id }`; the id is checked like any client input.
    __resolveReference: (reference, context) =>
      context.feed.readEvent(
        String((reference as { id?: unknown }).id),
        { deadlineAt: context.deadlineAt },
        context.principal,
      ),
    id: (event) => toGlobalEventId(event),
    source: (event, _args, context) => {
      const source = context.sourcesById.get(event.sourceId);
      if (source === undefined) {
        throw new AuditgraphError('INTERNAL_SERVER_ERROR', `an event names an unconfigured source`);
      }
      return source;
    },
    provider: (event) => toProvider(event.kind),
    occurredAt: (event) => new Date(event.occurredAtMs),
    // Personal data: whichever query returned the event, these are the only way out of it, so a
    // client without the pii permission sees it redacted the same way everywhere.
    description: (event, _args, { principal }) =>
      principal.pii ? event.description : redactField.description(event),
    actor: (event, _args, { principal }) =>
      principal.pii ? event.actor : redactField.actor(event),
    resource: (event, _args, { principal }) =>
      principal.pii ? event.resource : redactField.resource(event),
    request: (event, _args, { principal }) =>
      principal.pii ? event.request : redactField.request(event),
    changes: (event, _args, { principal }) =>
      principal.pii ? event.changes : redactField.changes(),
    metadata: (event, _args, { principal }) =>
      principal.pii ? event.metadata : redactField.metadata(event),
    raw: (event, _args, { principal }) => (principal.pii ? event.raw : redactField.raw()),
    redacted: (event, _args, { principal }) => (principal.pii ? [] : redactedPaths(event)),
  },

  AuditSource: {
    id: (source) => source.id,
    kind: (source) => toSourceKindEnum(source.kind),
    provider: (source) => source.provider,
  },

  SourceStatus: {
    source: (outcome) => outcome.source,
    state: (outcome) => outcome.state,
    message: (outcome) => outcome.error?.message ?? null,
    retryAfterSeconds: (outcome) => outcome.error?.details.retryAfterSeconds ?? null,
    upstreamRequests: (outcome) => outcome.upstreamRequests,
    completeUntil: (outcome) => new Date(outcome.completeUntilMs),
    missed: (outcome) =>
      outcome.missed === null
        ? null
        : {
            count: outcome.missed.count,
            oldest: new Date(outcome.missed.oldestMs),
            newest: new Date(outcome.missed.newestMs),
          },
  },
};

function toFilterInput(filter: AuditEventFilter | null | undefined): EventFilterInput {
  if (!filter) return {};
  return {
    sinceMs: filter.since?.getTime() ?? null,
    beforeMs: filter.before?.getTime() ?? null,
    sourceIds: filter.sources ?? null,
    providers: filter.providers ?? null,
    actions: filter.actions ?? null,
    categories: filter.categories ?? null,
    outcome: filter.outcome ?? null,
    actorIds: filter.actorIds ?? null,
    actorEmails: filter.actorEmails ?? null,
    actorTypes: filter.actorTypes ?? null,
    resourceTypes: filter.resourceTypes ?? null,
    resourceIds: filter.resourceIds ?? null,
    ipAddress: filter.ipAddress ?? null,
    text: filter.text ?? null,
  };
}

/**
 * Missed events are reported in `errors` as well as in `sources`, so that a client that checks
 * only `errors` still learns that the traversal has a hole, and where.
 */
function toMissedError(sourceId: string, missed: MissedEvents): AuditgraphError {
  const oldest = new Date(missed.oldestMs).toISOString();
  const newest = new Date(missed.newestMs).toISOString();
  return new AuditgraphError(
    'SOURCE_EVENTS_MISSED',
    `source ${sourceId} answered again with ${missed.count} event(s) from ${oldest} to ${newest} that this traversal had already passed while it was failing; they are not in it — query that range of the source to see them`,
    { sourceId, missed: { count: missed.count, oldest, newest } },
  );
}
