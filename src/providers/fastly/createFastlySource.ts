import type { z } from 'zod';
import type { AuditEvent, SourceRef } from '../../model/AuditEvent';
import type { ListOptions, ListPage, ListQuery, Source } from '../../model/Source';
import { assertChronological } from '../shared/assertChronological';
import { clampPageSize } from '../shared/clampPageSize';
import { parsePageContinuation } from '../shared/parsePageContinuation';
import { parseSourcePayload } from '../shared/parseSourcePayload';
import { clampToIsoRange, toIsoSeconds } from '../shared/toIsoSeconds';
import { toSourceDescription } from '../shared/toSourceDescription';
import { NOTHING_MATCHES, toPushdownParams } from '../shared/toPushdownParams';
import { toQueryString } from '../shared/toQueryString';
import { toRequestOptions } from '../shared/toRequestOptions';
import { FASTLY_CAPABILITIES, FASTLY_FILTER_ENCODERS } from './fastlyPushdown';
import {
  fastlyEventResponseSchema,
  fastlyEventsPageSchema,
  fastlyRecordSchema,
  type FastlyEventsPageWire,
} from './fastlyWire';
import { toFastlyAuditEvent, toFastlyOccurredAtMs } from './toFastlyAuditEvent';
import { toLazyEvents } from '../shared/toLazyEvents';
import type { SourceFactoryDeps } from '../SourceKindDefinition';

export interface FastlySourceConfig {
  /** The source's id (AuditSource.id), named in every error. */
  readonly id: string;
  /** A Fastly API token (a superuser's, global or global:read); sent as `Fastly-Key`. */
  readonly token: string;
}

/** What the source is built with: its HTTP client, on the API's base URL, and the clock. */
export type FastlySourceDeps = SourceFactoryDeps;

/**
 * Fastly documents no maximum for `page[size]` (providers.md §1): 100 is what third-party
 * clients use, and the emulator refuses more.
 */
export const FASTLY_MAX_PAGE_SIZE = 100;

const PAYLOAD_MISMATCH = 'answered with a payload that does not match the Fastly events API';

/**
 * A source over Fastly's account events (`GET /events`, `GET /events/{id}`). It pages by page
 * number, asks for the feed's order (`sort`), pushes the time bounds down as
 * `filter[created_at][gte|lt]` at whole seconds, and the filter fields the pushdown table allows
 * as `filter[event_type|user_id|service_id]` (fastlyFilterEncoders.ts).
 */
export function createFastlySource(config: FastlySourceConfig, deps: FastlySourceDeps): Source {
  const source: SourceRef = { id: config.id, kind: 'fastly' };
  const headers = { 'fastly-key': config.token, accept: 'application/vnd.api+json' };
  const request = (path: string, options: ListOptions | undefined, acceptStatuses: number[]) =>
    deps.http.requestJson(path, { ...toRequestOptions(headers, options), acceptStatuses });
  const parsePayload = <T>(schema: z.ZodType<T>, body: unknown): T =>
    parseSourcePayload(schema, body, config.id, PAYLOAD_MISMATCH);

  return {
    ...toSourceDescription(config.id, {
      kind: 'fastly',
      provider: 'FASTLY',
      maxPageSize: FASTLY_MAX_PAGE_SIZE,
      // Bounds go down floored and ceiled to whole seconds, which Fastly's times are.
      windowSlackMs: 1000,
      capabilities: FASTLY_CAPABILITIES,
      reportsTotals: true,
    }),

    async list(
      query: ListQuery,
      continuation: string | null,
      options?: ListOptions,
    ): Promise<ListPage> {
      const pageNumber = parsePageContinuation(continuation, config.id);
      if (query.beforeMs <= query.sinceMs) return { events: [], next: null, total: 0 };
      const filterParams = toPushdownParams(
        FASTLY_CAPABILITIES,
        query.filter,
        FASTLY_FILTER_ENCODERS,
      );
      if (filterParams === null) return NOTHING_MATCHES;
      // Fastly's times are whole seconds and its operators exact: gte/lt at whole seconds
      // cover the window, and equal it when its bounds are whole seconds.
      const since = clampToIsoRange(Math.floor(query.sinceMs / 1000) * 1000);
      const before = clampToIsoRange(Math.ceil(query.beforeMs / 1000) * 1000);
      const size = clampPageSize(query.pageSize, FASTLY_MAX_PAGE_SIZE);
      const params: (readonly [string, string])[] = [
        ['filter[created_at][gte]', toIsoSeconds(since)],
        ['filter[created_at][lt]', toIsoSeconds(before)],
        ...filterParams,
        ['sort', query.order === 'asc' ? 'created_at' : '-created_at'],
        ['page[number]', String(pageNumber)],
        ['page[size]', String(size)],
      ];
      const response = await request(`/events?${toQueryString(params)}`, options, []);
      const body = parsePayload(fastlyEventsPageSchema, response.body);
      const events = toLazyEvents(body.data, (response.body as { data: unknown[] }).data, {
        source,
        provider: 'FASTLY',
        what: PAYLOAD_MISMATCH,
        path: 'data',
        recordSchema: fastlyRecordSchema,
        headOf: (head) => ({
          nativeId: head.id,
          occurredAtMs: toFastlyOccurredAtMs(head.attributes.created_at, source),
        }),
        toEvent: (record) => toFastlyAuditEvent(record, source),
      });
      assertChronological(events, query.order, source);
      const total = body.meta?.record_count ?? null;
      return {
        events,
        next: hasNextPage(body, size) ? String(pageNumber + 1) : null,
        total,
        // `record_count` counts the whole-second bounds as sent, with the filter as pushed.
        ...(total === null ? {} : { totalCovers: { sinceMs: since, beforeMs: before } }),
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
      const body = parsePayload(fastlyEventResponseSchema, response.body);
      return toFastlyAuditEvent(body.data, source);
    },
  };
}

/**
 * Whether another page follows. Real responses vary (providers.md §1): `links` with only some
 * keys, `meta` absent. `links.next` decides when there are links; else `meta`'s page counts;
 * else a full page means there may be more.
 */
function hasNextPage(body: FastlyEventsPageWire, size: number): boolean {
  if (body.data.length === 0) return false;
  if (body.links !== undefined && body.links !== null) {
    return typeof body.links.next === 'string' && body.links.next !== '';
  }
  const page = body.meta?.current_page;
  const pages = body.meta?.total_pages;
  if (typeof page === 'number' && typeof pages === 'number') return page < pages;
  return body.data.length >= (body.meta?.per_page ?? size);
}
