import type { AuditEvent } from '../../model/AuditEvent';
import { AuditgraphError } from '../../model/errors';
import type { ListOptions, Source } from '../../model/Source';
import {
  type CloudflareSourceConfig,
  type CloudflareSourceDeps,
} from '../cloudflare-shared/cloudflareSourceConfig';
import { createCloudflarePageFetcher } from '../cloudflare-shared/createCloudflarePageFetcher';
import {
  cloudflareRetentionStartMs,
  toCloudflareTimeWindow,
  type CloudflareTimeWindow,
} from '../cloudflare-shared/toCloudflareTimeWindow';
import { assertChronological } from '../shared/assertChronological';
import { clampPageSize } from '../shared/clampPageSize';
import { NOTHING_MATCHES, toPushdownParams } from '../shared/toPushdownParams';
import { CLOUDFLARE_V2_CAPABILITIES, CLOUDFLARE_V2_FILTER_ENCODERS } from './cloudflareV2Pushdown';
import { cloudflareV2ListPageSchema, cloudflareV2RecordSchema } from './cloudflareV2Wire';
import type { CloudflarePage } from '../cloudflare-shared/createCloudflarePageFetcher';
import { toCloudflareOccurredAtMs } from '../cloudflare-shared/toCloudflareOccurredAtMs';
import { toLazyEvents } from '../shared/toLazyEvents';
import { settleAuditEvent } from '../../model/lazyAuditEvent';
import { toCloudflareV2AuditEvent } from './toCloudflareV2AuditEvent';

/** `limit` bounds: 1..1000 (Cloudflare's MCP server and API reference). */
export const CLOUDFLARE_V2_MAX_PAGE_SIZE = 1000;
/** How far around a known time `get` searches for an id. */
const GET_WINDOW_MS = 60 * 60_000;
/** How far ahead of now `get` looks when it knows no time: clocks differ. */
const CLOCK_SKEW_MS = 24 * 60 * 60_000;

function parseContinuation(
  continuation: string,
  sourceId: string,
): { window: CloudflareTimeWindow; cursor: string } {
  let value: unknown;
  try {
    value = JSON.parse(continuation);
  } catch {
    value = null;
  }
  if (
    !Array.isArray(value) ||
    value.length !== 3 ||
    !value.every((part): part is string => typeof part === 'string' && part !== '')
  ) {
    throw new AuditgraphError('BAD_USER_INPUT', `invalid continuation for source ${sourceId}`, {
      sourceId,
    });
  }
  const [since, before, cursor] = value as [string, string, string];
  return { window: { since, before }, cursor };
}

const API = {
  kind: 'cloudflare-v2',
  path: 'logs/audit',
  schema: cloudflareV2ListPageSchema,
  maxPageSize: CLOUDFLARE_V2_MAX_PAGE_SIZE,
  capabilities: CLOUDFLARE_V2_CAPABILITIES,
} as const;

/**
 * A source over Cloudflare's account audit logs v2 (`GET /accounts/{id}/logs/audit`). v2 requires
 * both `since` and `before`: the window is widened to whole seconds and its start raised to the
 * 18-month retention. It pages with the upstream's opaque cursor, in the feed's order
 * (`direction`), and pushes the filter fields the pushdown table allows as v2's array filters
 * (cloudflareV2FilterEncoders.ts). v2 has no get-by-id: `get` lists with the `id` filter in a
 * window.
 */
export function createCloudflareV2Source(
  config: CloudflareSourceConfig,
  deps: CloudflareSourceDeps,
): Source {
  const { source, description, fetchPage } = createCloudflarePageFetcher(API, config, deps);
  const toEvents = (
    page: CloudflarePage<{ result: readonly { id: string; action: { time: string } }[] }>,
  ) =>
    toLazyEvents(page.body.result, page.records, {
      source,
      provider: 'CLOUDFLARE',
      what: `answered with a payload that does not match the ${API.kind} API`,
      path: 'result',
      recordSchema: cloudflareV2RecordSchema,
      headOf: (head) => ({
        nativeId: head.id,
        occurredAtMs: toCloudflareOccurredAtMs(head.action.time, source),
      }),
      toEvent: (record) => toCloudflareV2AuditEvent(record, source),
    });

  return {
    ...description,

    async list(query, continuation, options) {
      // The window is fixed by a chain's first page and travels in the continuation: the
      // retention start moves with the clock, and Cloudflare binds its cursor to the query.
      const chain = continuation === null ? null : parseContinuation(continuation, config.id);
      const window =
        chain?.window ??
        toCloudflareTimeWindow(
          query.sinceMs,
          query.beforeMs,
          cloudflareRetentionStartMs(deps.now()),
        );
      if (window === null) return { events: [], next: null, total: 0 };
      // The same filter parameters on every page of a chain: the cursor is bound to them.
      const filterParams = toPushdownParams(
        CLOUDFLARE_V2_CAPABILITIES,
        query.filter,
        CLOUDFLARE_V2_FILTER_ENCODERS,
      );
      if (filterParams === null) return NOTHING_MATCHES;
      const page = await fetchPage(
        [
          ['since', window.since],
          ['before', window.before],
          ...filterParams,
          ['direction', query.order],
          ['limit', String(clampPageSize(query.pageSize, CLOUDFLARE_V2_MAX_PAGE_SIZE))],
          ...(chain === null ? [] : [['cursor', chain.cursor] as const]),
        ],
        options,
      );
      const events = toEvents(page);
      assertChronological(events, query.order, source);
      // The last page may omit the cursor, send it empty, or be an empty page after a cursor.
      const cursor = page.body.result_info?.cursor ?? '';
      const next =
        cursor === '' || events.length === 0
          ? null
          : JSON.stringify([window.since, window.before, cursor]);
      return { events, next, total: null };
    },

    async get(
      nativeId: string,
      occurredAtMs: number | null,
      options?: ListOptions,
    ): Promise<AuditEvent | null> {
      if (nativeId === '') return null;
      const nowMs = deps.now();
      const window =
        occurredAtMs === null
          ? toCloudflareTimeWindow(0, nowMs + CLOCK_SKEW_MS, cloudflareRetentionStartMs(nowMs))
          : toCloudflareTimeWindow(
              occurredAtMs - GET_WINDOW_MS,
              occurredAtMs + GET_WINDOW_MS,
              cloudflareRetentionStartMs(nowMs),
            );
      if (window === null) return null;
      const page = await fetchPage(
        [
          ['since', window.since],
          ['before', window.before],
          ['id', nativeId],
        ],
        options,
      );
      const found = toEvents(page).find((candidate) => candidate.nativeId === nativeId);
      return found === undefined ? null : settleAuditEvent(found);
    },
  };
}
