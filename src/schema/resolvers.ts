import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { FeedPage, MissedEvents, SourceOutcome } from '../feed/Feed';
import type { EventFilter, EventFilterInput } from '../feed/eventFilter';
import { normalizeFilter } from '../feed/eventFilter';
import type { AuditEvent } from '../model/AuditEvent';
import { AuditgraphError } from '../model/errors';
import type { AuditgraphContext } from './createContext';
import type { TailItem } from '../tail/Tail';
import { recordCounts, recordEvent, recordPage } from './eventReads';
import { selectsField } from './selectsField';
import { toCountKeyOf } from './toCountKeyOf';
import type { AuditEventFilter, AuditEventOrder, Resolvers } from './generated/resolvers';
import { toActorByKey, toResourceByKey, viewOf, withLazyKey } from './resolveEntityKeys';
import { toSortOrder, toSourceKindEnum } from './toGraphqlEnums';

/** The SDL's default of `auditEventCounts(first:)`, for a client that sends null. */
const DEFAULT_COUNT_BUCKETS = 20;

/**
 * Resolvers parse arguments, call the feed, and format: no HTTP, merging or cursor arithmetic
 * here (design.md §6).
 */
export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  JSON: JSONResolver,

  Query: {
    auditEvents: (_parent, args, context, info) => {
      // Before the filter is checked: a read refused for its filter is audited with it.
      context.reads.filters.push(args.filter ?? null);
      return readFeedPage(args, normalizeFilter(toFilterInput(args.filter)), context, info);
    },
    auditEvent: (_parent, args, context) => loadEvent(args.id, context),
    node: (_parent, args, context) => loadEvent(args.id, context),
    auditSources: (_parent, _args, context) => context.feed.readableSources(context.principal),
    auditEventCounts: async (_parent, args, context, info) => {
      context.reads.filters.push(args.filter ?? null);
      const counts = await context.feed.countEvents({
        filter: normalizeFilter(toFilterInput(args.filter)),
        by: args.by,
        keyOf: toCountKeyOf(args.by, viewOf(context)),
        first: args.first ?? DEFAULT_COUNT_BUCKETS,
        deadlineAt: context.deadlineAt,
        principal: context.principal,
      });
      recordCounts(context.reads, counts);
      reportSourceErrors(context, counts.sources, info);
      return counts;
    },
  },

  AuditEventCounts: {
    buckets: (counts) => counts.buckets,
    exact: (counts) => counts.exact,
    scannedUntil: (counts) =>
      counts.scannedUntilMs === null ? null : new Date(counts.scannedUntilMs),
    sources: (counts) => counts.sources,
  },

  AuditEventCount: {
    key: (bucket) => bucket.key,
    count: (bucket) => bucket.count,
  },

  Subscription: {
    auditEventAdded: {
      // Checked here, before the first poll: a filter the feed would refuse, or a subscription
      // over a cap, is an error of the operation and costs no upstream request.
      subscribe: (_parent, args, context) => {
        context.reads.filters.push(args.filter ?? null);
        if (context.tail === null) {
          throw new AuditgraphError('INTERNAL_SERVER_ERROR', 'no live tail runs here');
        }
        const subscription = context.tail.subscribe(
          context.principal,
          normalizeFilter(toFilterInput(args.filter)),
        );
        for (const sourceId of subscription.sourceIds) context.reads.sources.add(sourceId);
        return subscription.items as never;
      },
      // A failed source is an error of this payload (data null, the error at the field's path)
      // and the stream goes on.
      resolve: (item: TailItem) => {
        if (item.error !== undefined) throw item.error;
        return item.event;
      },
    },
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

  User: {
    // auditgraph knows a user by the email the router sends, nothing more.
    __resolveReference: (reference) => ({
      email: String((reference as { email?: unknown }).email),
    }),
    email: (user) => user.email,
    auditEvents: (user, args, context, info) => {
      context.reads.filters.push(args.filter ?? null);
      return readFeedPage(args, toUserFilter(user.email, args.filter), context, info);
    },
  },

  AuditEvent: {
    // The router sends `{ __typename, id }`; the id is checked like any client input. The
    // representations of one `_entities` call are read in batches per source.
    __resolveReference: (reference, context) =>
      loadEvent(String((reference as { id?: unknown }).id), context),
    id: (event, _args, { feed }) => feed.eventIds.encode(event),
    source: (event, _args, context) => {
      const source = context.sourcesById.get(event.sourceId);
      if (source === undefined) {
        throw new AuditgraphError('INTERNAL_SERVER_ERROR', `an event names an unconfigured source`);
      }
      return source;
    },
    provider: (event) => event.provider,
    occurredAt: (event) => new Date(event.occurredAtMs),
    // Every provider string leaves through the client's view: redacted the same way, whichever
    // query returned the event, for a client without the pii permission.
    nativeId: (event, _args, context) => viewOf(context).nativeId(event),
    action: (event, _args, context) => viewOf(context).action(event),
    description: (event, _args, context) => viewOf(context).description(event),
    // The key is made from what the provider said, so it is the same for every client; what it
    // holds is sealed (createEntityKeyCodec.ts). Sealing costs an HMAC and a cipher, so it is
    // done only when a query asks for the key.
    actor: (event, _args, context) =>
      withLazyKey(viewOf(context).actor(event), event.actor, (actor) =>
        context.entityKeys.actorKey(event.sourceId, actor),
      ),
    resource: (event, _args, context) =>
      withLazyKey(viewOf(context).resource(event), event.resource, (resource) =>
        context.entityKeys.resourceKey(event.sourceId, resource),
      ),
    request: (event, _args, context) => viewOf(context).request(event),
    changes: (event, _args, context) => viewOf(context).changes(event),
    metadata: (event, _args, context) => viewOf(context).metadata(event),
    raw: (event, _args, context) => viewOf(context).raw(event),
    redacted: (event, _args, context) => viewOf(context).redacted(event),
  },

  Actor: {
    __resolveReference: (reference, context) =>
      toActorByKey(String((reference as { key?: unknown }).key), context),
  },

  Resource: {
    __resolveReference: (reference, context) =>
      toResourceByKey(String((reference as { key?: unknown }).key), context),
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

interface ConnectionArgs {
  readonly first?: number | null;
  readonly after?: string | null;
  readonly orderBy?: AuditEventOrder | null;
}

/**
 * One page of the feed for a connection field (`Query.auditEvents`, `User.auditEvents`), with
 * each source that failed on it, or answered again with events the traversal had passed,
 * reported in `errors` at the field's path (design.md §4, promise 7).
 */
async function readFeedPage(
  args: ConnectionArgs,
  filter: EventFilter,
  context: AuditgraphContext,
  info: GraphQLResolveInfo,
): Promise<FeedPage> {
  const first = args.first ?? context.pagination.defaultFirst;
  // The feed takes pages as large as an export's; a query's are the configured maxFirst.
  if (first > context.pagination.maxFirst) {
    throw new AuditgraphError(
      'BAD_USER_INPUT',
      `first must be an integer from 1 to ${context.pagination.maxFirst}`,
    );
  }
  const page = await context.feed.readPage({
    first,
    after: args.after ?? null,
    filter,
    order: toSortOrder(args.orderBy ?? 'OCCURRED_AT_DESC'),
    deadlineAt: context.deadlineAt,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
    ...(context.upstreamSizing === undefined ? {} : { upstreamSizing: context.upstreamSizing }),
    principal: context.principal,
    withTotal: selectsField(info, 'totalCount'),
  });
  recordPage(context.reads, page);
  reportSourceErrors(context, page.sources, info);
  return page;
}

/**
 * Each source that failed, or answered again with events the traversal had passed, reported in
 * `errors` at the field's path (design.md §4, promise 7).
 */
function reportSourceErrors(
  context: AuditgraphContext,
  outcomes: readonly SourceOutcome[],
  info: GraphQLResolveInfo,
): void {
  const path = responsePathAsArray(info.path);
  for (const outcome of outcomes) {
    if (outcome.error !== null) context.sourceErrors.push({ error: outcome.error, path });
    if (outcome.missed !== null) {
      context.sourceErrors.push({
        error: toMissedError(outcome.source.id, outcome.missed),
        path,
      });
    }
  }
}

/** An event by global id, for `auditEvent`, `node` and entity references; audited as read. */
async function loadEvent(id: string, context: AuditgraphContext): Promise<AuditEvent | null> {
  const event = await context.events.load(id, context.principal);
  recordEvent(context.reads, event);
  return event;
}

/**
 * The client's filter narrowed to one person: `actorEmails` is the user's email, or nothing when
 * the client's own `actorEmails` leaves it out. Either way the filter is on an email, so a client
 * without the pii permission is refused as for any such filter.
 */
function toUserFilter(email: string, filter: AuditEventFilter | null | undefined): EventFilter {
  const normalized = normalizeFilter(toFilterInput(filter));
  const own = normalizeFilter({ actorEmails: [email] }).actorEmails ?? [];
  const actorEmails =
    normalized.actorEmails === null
      ? own
      : own.filter((value) => normalized.actorEmails?.includes(value) === true);
  return { ...normalized, actorEmails };
}

function toFilterInput(filter: AuditEventFilter | null | undefined): EventFilterInput {
  if (!filter) return {};
  // The GraphQL names are the filter's, but for the bounds (instants) and `sources`.
  const { since, before, sources, ...fields } = filter;
  return {
    ...fields,
    sinceMs: since?.getTime() ?? null,
    beforeMs: before?.getTime() ?? null,
    sourceIds: sources ?? null,
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
