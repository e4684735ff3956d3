import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Authenticate } from '../auth/createAuthenticator';
import type { Feed } from '../feed/Feed';
import type { AuditgraphError } from '../model/errors';
import { isAuditgraphError } from '../model/errors';
import type { Principal } from '../model/Principal';
import { ANONYMOUS_PRINCIPAL } from '../model/Principal';
import type { Source } from '../model/Source';
import type { Tail } from '../tail/Tail';
import type { EntityKeyCodec } from './createEntityKeyCodec';
import { createEntityKeyCodec } from './createEntityKeyCodec';
import type { EventLoader } from './createEventLoader';
import type { EventReads } from './eventReads';
import { createEventReads } from './eventReads';
import { createEventLoader } from './createEventLoader';
import type { EventView } from './redaction/createEventRedaction';
import { createEventRedaction } from './redaction/createEventRedaction';

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
  /**
   * Aborted when no one waits for the answer any more (an export whose client went away): the
   * upstream reads of the feed's pages stop. Absent for requests Apollo Server runs.
   */
  readonly signal?: AbortSignal;
  /** How the feed sizes upstream requests (FeedPageRequest.upstreamSizing); the export's `share`. */
  readonly upstreamSizing?: 'page' | 'share';
  /** Who is asking, and what it may read. */
  readonly principal: Principal;
  /** Events by global id, batched per source (entities, `auditEvent`, `node`). */
  readonly events: EventLoader;
  /** Seals and opens the keys of the Actor and Resource entities. */
  readonly entityKeys: EntityKeyCodec;
  /** How a client without the pii permission sees an event (resolvers.ts picks the view). */
  readonly redaction: EventView;
  /** What the request's resolvers read, for its audit line. */
  readonly reads: EventReads;
  /** The live tail (`Subscription.auditEventAdded`); null where none runs (operations in process). */
  readonly tail: Tail | null;
}

export interface ContextOptions {
  readonly feed: Feed;
  readonly pagination: { readonly defaultFirst: number; readonly maxFirst: number };
  /** How long one GraphQL request may wait on upstreams, in all. Default 10 s. */
  readonly requestDeadlineMs?: number;
  readonly now?: () => number;
  /**
   * Who sent the request (src/auth). Without it every request is the anonymous principal, as
   * when tests run operations in process.
   */
  readonly authenticate?: Authenticate;
  /**
   * The secret Actor and Resource keys are sealed with and pseudonyms are keyed by; the cursor
   * secret, so that both hold across restarts and replicas alike. Default: random per context
   * factory.
   */
  readonly secret?: string | Uint8Array;
  /** The live tail subscriptions read; absent: none (a subscription is refused). */
  readonly tail?: Tail;
}

/** What the context needs of the HTTP request: Node's IncomingMessage has it. */
export interface ContextRequest {
  readonly headers: IncomingHttpHeaders;
}

const DEFAULT_REQUEST_DEADLINE_MS = 10_000;

/** `WWW-Authenticate` names the one scheme auditgraph takes (RFC 6750 §3). */
const REALM = 'Bearer realm="auditgraph"';

/**
 * The context factory Apollo Server calls once per GraphQL request, after parsing the HTTP request
 * and before running anything: a request that fails authentication is answered here, with HTTP
 * 401, and no resolver (so no upstream request) ever runs for it. Without a request (an operation
 * run in process), no credential is presented.
 */
export function createContextFactory(
  options: ContextOptions,
): (request?: ContextRequest) => Promise<AuditgraphContext> {
  const sourcesById = new Map(options.feed.sources.map((source) => [source.id, source]));
  const now = options.now ?? Date.now;
  const secret = options.secret ?? randomBytes(32);
  const entityKeys = createEntityKeyCodec(secret);
  const redaction = createEventRedaction(secret);
  return async (request) => {
    const headers = request?.headers ?? {};
    let principal: Principal = ANONYMOUS_PRINCIPAL;
    if (options.authenticate !== undefined) {
      try {
        principal = await options.authenticate(headers);
      } catch (error) {
        throw toRejection(error, headers.authorization !== undefined);
      }
    }
    // Counted from here: time spent fetching an issuer's keys is not taken from the upstreams.
    const deadlineAt = now() + (options.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS);
    return {
      feed: options.feed,
      sourcesById,
      pagination: options.pagination,
      sourceErrors: [],
      principal,
      deadlineAt,
      events: createEventLoader(options.feed, { deadlineAt }),
      entityKeys,
      redaction,
      reads: createEventReads(),
      tail: options.tail ?? null,
    };
  };
}

/**
 * Apollo Server answers an error thrown by the context factory itself, taking the HTTP status
 * and headers from `extensions.http`; formatError turns the domain error it carries into the
 * response's error. Anything that is not a domain error is rethrown, to be masked as usual.
 */
function toRejection(error: unknown, sentCredential: boolean): unknown {
  if (!isAuditgraphError(error)) return error;
  const unauthenticated = error.code === 'UNAUTHENTICATED';
  const headers = new HeaderMap();
  if (unauthenticated) {
    headers.set('www-authenticate', sentCredential ? `${REALM}, error="invalid_token"` : REALM);
  }
  // Apollo reads `http.headers` as a Map; typed apart, as graphql-yoga (which the GraphiQL page
  // brings in) declares it a record for every GraphQLError.
  const extensions: Record<string, unknown> = {
    code: error.code,
    http: { status: unauthenticated ? 401 : 503, headers },
  };
  return new GraphQLError(error.message, { originalError: error, extensions });
}
