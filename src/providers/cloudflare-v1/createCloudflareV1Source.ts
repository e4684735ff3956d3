import type { AuditEvent } from '../../model/AuditEvent';
import type { ListOptions, Source } from '../../model/Source';
import {
  type CloudflareSourceConfig,
  type CloudflareSourceDeps,
} from '../cloudflare-shared/cloudflareSourceConfig';
import { createCloudflarePageFetcher } from '../cloudflare-shared/createCloudflarePageFetcher';
import { toCloudflareTimeWindow } from '../cloudflare-shared/toCloudflareTimeWindow';
import { assertChronological } from '../shared/assertChronological';
import { clampPageSize } from '../shared/clampPageSize';
import { parsePageContinuation } from '../shared/parsePageContinuation';
import { NOTHING_MATCHES, toPushdownParams } from '../shared/toPushdownParams';
import { CLOUDFLARE_V1_CAPABILITIES, CLOUDFLARE_V1_FILTER_ENCODERS } from './cloudflareV1Pushdown';
import { cloudflareV1ListPageSchema, cloudflareV1RecordSchema } from './cloudflareV1Wire';
import type { CloudflarePage } from '../cloudflare-shared/createCloudflarePageFetcher';
import { toCloudflareOccurredAtMs } from '../cloudflare-shared/toCloudflareOccurredAtMs';
import { toLazyEvents } from '../shared/toLazyEvents';
import { settleAuditEvent } from '../../model/lazyAuditEvent';
import { toCloudflareV1AuditEvent } from './toCloudflareV1AuditEvent';

/** `per_page` bounds of the 2023 spec: 1..1000. */
export const CLOUDFLARE_V1_MAX_PAGE_SIZE = 1000;
/** How far around a known time `get` searches for an id. */
const GET_WINDOW_MS = 60 * 60_000;

const API = {
  kind: 'cloudflare-v1',
  path: 'audit_logs',
  schema: cloudflareV1ListPageSchema,
  maxPageSize: CLOUDFLARE_V1_MAX_PAGE_SIZE,
  capabilities: CLOUDFLARE_V1_CAPABILITIES,
} as const;

/**
 * A source over Cloudflare's account audit logs v1 (`GET /accounts/{id}/audit_logs`). It pages by
 * page number, asks for the feed's order (`direction`), pushes the time bounds down widened to
 * whole seconds, and the filter fields the pushdown table allows as `action.type`, `actor.email`
 * and `actor.ip` (cloudflareV1FilterEncoders.ts). v1 has no get-by-id: `get` lists with the `id`
 * filter.
 */
export function createCloudflareV1Source(
  config: CloudflareSourceConfig,
  deps: CloudflareSourceDeps,
): Source {
  const { source, description, fetchPage } = createCloudflarePageFetcher(API, config, deps);
  const toEvents = (page: CloudflarePage<{ result: readonly { id: string; when: string }[] }>) =>
    toLazyEvents(page.body.result, page.records, {
      source,
      provider: 'CLOUDFLARE',
      what: `answered with a payload that does not match the ${API.kind} API`,
      path: 'result',
      recordSchema: cloudflareV1RecordSchema,
      headOf: (head) => ({
        nativeId: head.id,
        occurredAtMs: toCloudflareOccurredAtMs(head.when, source),
      }),
      toEvent: (record) => toCloudflareV1AuditEvent(record, source),
    });

  return {
    ...description,

    async list(query, continuation, options) {
      const pageNumber = parsePageContinuation(continuation, config.id);
      const window = toCloudflareTimeWindow(query.sinceMs, query.beforeMs);
      if (window === null) return { events: [], next: null, total: 0 };
      const filterParams = toPushdownParams(
        CLOUDFLARE_V1_CAPABILITIES,
        query.filter,
        CLOUDFLARE_V1_FILTER_ENCODERS,
      );
      if (filterParams === null) return NOTHING_MATCHES;
      const perPage = clampPageSize(query.pageSize, CLOUDFLARE_V1_MAX_PAGE_SIZE);
      const page = await fetchPage(
        [
          ['since', window.since],
          ['before', window.before],
          ...filterParams,
          ['direction', query.order],
          ['per_page', String(perPage)],
          ['page', String(pageNumber)],
        ],
        options,
      );
      const events = toEvents(page);
      assertChronological(events, query.order, source);
      // A server that serves fewer per page than asked says so in result_info; a short page
      // against that size is the last one (the SDK's rule: stop at a short or empty page).
      const served = page.body.result_info?.per_page ?? perPage;
      const last = events.length === 0 || events.length < Math.min(perPage, served);
      // The window is widened, so an upstream count is never the exact count of the query.
      return { events, next: last ? null : String(pageNumber + 1), total: null };
    },

    async get(
      nativeId: string,
      occurredAtMs: number | null,
      options?: ListOptions,
    ): Promise<AuditEvent | null> {
      if (nativeId === '') return null;
      const params: [string, string][] = [['id', nativeId]];
      if (occurredAtMs !== null) {
        const window = toCloudflareTimeWindow(
          occurredAtMs - GET_WINDOW_MS,
          occurredAtMs + GET_WINDOW_MS,
        );
        if (window !== null) params.push(['since', window.since], ['before', window.before]);
      }
      const page = await fetchPage(params, options);
      const found = toEvents(page).find((candidate) => candidate.nativeId === nativeId);
      return found === undefined ? null : settleAuditEvent(found);
    },
  };
}
