import type { z } from 'zod';
import type { HttpClient } from '../../http/createHttpClient';
import type { AuditEvent, SourceRef } from '../../model/AuditEvent';
import { AuditgraphError } from '../../model/errors';
import type { ListOptions, ListPage, ListQuery, Source } from '../../model/Source';
import {
  fastlyEventResponseSchema,
  fastlyEventsResponseSchema,
  type FastlyEventsResponseWire,
} from './fastlyWire';
import { toFastlyAuditEvent } from './toFastlyAuditEvent';

export interface FastlySourceConfig {
  /** The source's id (AuditSource.id), named in every error. */
  readonly id: string;
  /** A Fastly API token (a superuser's, global or global:read); sent as `Fastly-Key`. */
  readonly token: string;
}

export interface FastlySourceDeps {
  /** A client on the API's base URL, `https://api.fastly.com`. */
  readonly http: HttpClient;
  readonly now: () => number;
}

/**
 * Fastly documents no maximum for `page[size]` (providers.md §1): 100 is what third-party
 * clients use, and the emulator refuses more.
 */
export const FASTLY_MAX_PAGE_SIZE = 100;
/** The last second with a four-digit year: ISO 8601 timestamps have no other. */
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * A source over Fastly's account events (`GET /events`, `GET /events/{id}`). It pages by page
 * number, asks for the feed's order (`sort`), and pushes the time bounds down as
 * `filter[created_at][gte|lt]` at whole seconds.
 */
export function createFastlySource(config: FastlySourceConfig, deps: FastlySourceDeps): Source {
  const source: SourceRef = { id: config.id, kind: 'fastly' };
  const headers = { 'fastly-key': config.token, accept: 'application/vnd.api+json' };
  const request = (path: string, options: ListOptions | undefined, acceptStatuses: number[]) =>
    deps.http.requestJson(path, {
      headers,
      acceptStatuses,
      ...(options?.signal ? { signal: options.signal } : {}),
    });

  return {
    id: config.id,
    kind: 'fastly',
    provider: 'FASTLY',
    maxPageSize: FASTLY_MAX_PAGE_SIZE,

    async list(
      query: ListQuery,
      continuation: string | null,
      options?: ListOptions,
    ): Promise<ListPage> {
      const pageNumber = parseContinuation(continuation, config.id);
      if (query.beforeMs <= query.sinceMs) return { events: [], next: null, total: 0 };
      // Fastly's times are whole seconds and its operators exact: gte/lt at whole seconds
      // cover the window, and equal it when its bounds are whole seconds.
      const since = clampTime(Math.floor(query.sinceMs / 1000) * 1000);
      const before = clampTime(Math.ceil(query.beforeMs / 1000) * 1000);
      const size = clampPageSize(query.pageSize);
      const params: [string, string][] = [
        ['filter[created_at][gte]', toIsoSeconds(since)],
        ['filter[created_at][lt]', toIsoSeconds(before)],
        ['sort', query.order === 'asc' ? 'created_at' : '-created_at'],
        ['page[number]', String(pageNumber)],
        ['page[size]', String(size)],
      ];
      const search = params
        .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
        .join('&');
      const response = await request(`/events?${search}`, options, []);
      const body = parsePayload(fastlyEventsResponseSchema, response.body, source);
      const events = body.data.map((record) => toFastlyAuditEvent(record, source));
      assertChronological(events, query.order, source);
      const exact = since === query.sinceMs && before === query.beforeMs;
      return {
        events,
        next: hasNextPage(body, size) ? String(pageNumber + 1) : null,
        total: exact ? (body.meta?.record_count ?? null) : null,
      };
    },

    async get(
      nativeId: string,
      _occurredAtMs: number | null,
      options?: ListOptions,
    ): Promise<AuditEvent | null> {
      // Event ids are alphanumeric; anything else would address another path, not an event.
      if (!/^[A-Za-z0-9_-]+$/.test(nativeId)) return null;
      const response = await request(`/events/${encodeURIComponent(nativeId)}`, options, [404]);
      if (response.status === 404) return null;
      const body = parsePayload(fastlyEventResponseSchema, response.body, source);
      return toFastlyAuditEvent(body.data, source);
    },
  };
}

/**
 * Whether another page follows. Real responses vary (providers.md §1): `links` with only some
 * keys, `meta` absent. `links.next` decides when there are links; else `meta`'s page counts;
 * else a full page means there may be more.
 */
function hasNextPage(body: FastlyEventsResponseWire, size: number): boolean {
  if (body.data.length === 0) return false;
  if (body.links !== undefined && body.links !== null) {
    return typeof body.links.next === 'string' && body.links.next !== '';
  }
  const page = body.meta?.current_page;
  const pages = body.meta?.total_pages;
  if (typeof page === 'number' && typeof pages === 'number') return page < pages;
  return body.data.length >= (body.meta?.per_page ?? size);
}

/** A page number the source wrote itself; anything else came from a forged cursor. */
function parseContinuation(continuation: string | null, sourceId: string): number {
  if (continuation === null) return 1;
  if (!/^[1-9]\d{0,8}$/.test(continuation)) {
    throw new AuditgraphError('BAD_USER_INPUT', `invalid continuation for source ${sourceId}`, {
      sourceId,
    });
  }
  return Number(continuation);
}

/**
 * The upstream body, checked against its schema. A mismatch is SOURCE_BAD_RESPONSE naming the
 * source and where in the payload it broke; the message never carries a value from the payload.
 */
function parsePayload<T>(schema: z.ZodType<T>, body: unknown, source: SourceRef): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const path = result.error.issues[0]?.path.map(String).join('.') ?? '';
  throw new AuditgraphError(
    'SOURCE_BAD_RESPONSE',
    `source ${source.id} answered with a payload that does not match the Fastly events API` +
      (path === '' ? '' : ` (at ${path})`),
    { sourceId: source.id, cause: result.error },
  );
}

/** The feed merges pages on the promise that each is in the asked order. */
function assertChronological(
  events: readonly AuditEvent[],
  order: 'asc' | 'desc',
  source: SourceRef,
): void {
  for (let i = 1; i < events.length; i += 1) {
    const step =
      (events[i] as AuditEvent).occurredAtMs - (events[i - 1] as AuditEvent).occurredAtMs;
    if (order === 'asc' ? step < 0 : step > 0) {
      throw new AuditgraphError(
        'SOURCE_BAD_RESPONSE',
        `source ${source.id} answered with events out of order`,
        { sourceId: source.id },
      );
    }
  }
}

function clampPageSize(pageSize: number): number {
  if (!Number.isFinite(pageSize)) return FASTLY_MAX_PAGE_SIZE;
  return Math.min(FASTLY_MAX_PAGE_SIZE, Math.max(1, Math.floor(pageSize)));
}

function clampTime(ms: number): number {
  return Math.min(LATEST_MS, Math.max(0, ms));
}

function toIsoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
