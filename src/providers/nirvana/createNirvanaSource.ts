import { toLazyEvents } from '../shared/toLazyEvents';
import { parseRfc3339 } from './parseRfc3339';
import type { AuditEvent, SourceRef } from '../../model/AuditEvent';
import type { ListOptions, ListPage, ListQuery, Source } from '../../model/Source';
import { clampPageSize } from '../shared/clampPageSize';
import { parseSourcePayload } from '../shared/parseSourcePayload';
import { sourceBadResponse } from '../shared/sourceBadResponse';
import { clampToIsoRange, toIsoSeconds } from '../shared/toIsoSeconds';
import { toRequestOptions } from '../shared/toRequestOptions';
import { nirvanaAuditLogPageWireSchema, nirvanaAuditLogWireSchema } from './NirvanaAuditLogWire';
import type { NirvanaAuditLogWire } from './NirvanaAuditLogWire';
import { toNirvanaAuditEvent } from './toNirvanaAuditEvent';
import { NIRVANA_CAPABILITIES, toNirvanaFilterParams } from './nirvanaPushdown';
import { toSourceDescription } from '../shared/toSourceDescription';
import type { SourceFactoryDeps } from '../SourceKindDefinition';

export interface NirvanaSourceConfig {
  readonly id: string;
  /** Sent as `Authorization: Bearer <key>`. */
  readonly apiKey: string;
}

/** What the source is built with: its HTTP client, on the API's base URL, and the clock. */
export type NirvanaSourceDeps = SourceFactoryDeps;

/** `limit` is documented as 10..100 (docs.nirvanalabs.io). */
export const NIRVANA_MIN_PAGE_SIZE = 10;
export const NIRVANA_MAX_PAGE_SIZE = 100;

const LIST_MISMATCH = 'answered the audit log list with an unexpected body';

/**
 * A source over Nirvana Labs' `GET /v1/audit_logs`.
 *
 * Time bounds go down as `created_at_min` / `created_at_max`, both inclusive, in whole seconds
 * (the parser behind them is not documented, and whole seconds are what its examples show):
 * the lower bound is floored and the upper one (`beforeMs − 1`, the last instant wanted) is
 * ceiled, so nothing inside is lost and the feed drops the few events at the edges. Hence
 * `total` (`total_count`) counts that widened window. The order goes down as
 * `sort=created_at:asc|desc`. A page is at least 10 events, the API's minimum, even when the feed
 * asks for fewer. The filter goes down as far as the pushdown table allows (`toNirvanaFilterParams`).
 * `next` is the upstream `next_cursor`, which is only valid with the same filters and sort, so
 * every page of a query is asked with the same parameters. A cursor may lead to an empty page
 * (some cursor APIs hand one out on their last page): that page ends the chain.
 */
export function createNirvanaSource(config: NirvanaSourceConfig, deps: NirvanaSourceDeps): Source {
  const sourceRef: SourceRef = { id: config.id, kind: 'nirvana' };
  const headers = { authorization: `Bearer ${config.apiKey}` };

  function toEvents(records: readonly NirvanaAuditLogWire[]): AuditEvent[] {
    try {
      return records.map((record) => toNirvanaAuditEvent(record, sourceRef));
    } catch (error) {
      throw sourceBadResponse(config.id, 'sent an audit log entry that cannot be read', error);
    }
  }

  async function list(
    query: ListQuery,
    continuation: string | null,
    options?: ListOptions,
  ): Promise<ListPage> {
    const limit = clampPageSize(query.pageSize, NIRVANA_MAX_PAGE_SIZE, NIRVANA_MIN_PAGE_SIZE);
    const minMs = clampToIsoRange(Math.floor(query.sinceMs / 1000) * 1000);
    const maxMs = clampToIsoRange(Math.ceil((query.beforeMs - 1) / 1000) * 1000);
    const params = new URLSearchParams({
      limit: String(limit),
      sort: `created_at:${query.order}`,
      created_at_min: toIsoSeconds(minMs),
      created_at_max: toIsoSeconds(maxMs),
    });
    for (const [name, value] of toNirvanaFilterParams(query.filter)) params.set(name, value);
    if (continuation !== null) params.set('cursor', continuation);
    const response = await deps.http.requestJson(
      `/v1/audit_logs?${params.toString()}`,
      toRequestOptions(headers, options),
    );
    const { items, pagination } = parseSourcePayload(
      nirvanaAuditLogPageWireSchema,
      response.body,
      config.id,
      LIST_MISMATCH,
    );
    const events = toLazyEvents(items, (response.body as { items: unknown[] }).items, {
      source: sourceRef,
      provider: 'NIRVANA',
      what: LIST_MISMATCH,
      path: 'items',
      recordSchema: nirvanaAuditLogWireSchema,
      // The page's schema has checked that the time parses.
      headOf: (head) => ({ nativeId: head.id, occurredAtMs: parseRfc3339(head.created_at)! }),
      toEvent: (record) => toEvents([record])[0]!,
    });
    const nextCursor = pagination.next_cursor ?? '';
    return {
      events,
      // The Go SDK stops on an empty cursor or an empty page; a cursor that returns nothing
      // more must not be followed forever.
      next: nextCursor === '' || events.length === 0 ? null : nextCursor,
      total: pagination.total_count ?? null,
      // `total_count` counts the filters as sent; the inclusive upper second is taken whole,
      // should the API compare times at whole seconds.
      ...(pagination.total_count === undefined || pagination.total_count === null
        ? {}
        : { totalCovers: { sinceMs: minMs, beforeMs: maxMs + 1000 } }),
    };
  }

  async function get(
    nativeId: string,
    _occurredAtMs: number | null,
    options?: ListOptions,
  ): Promise<AuditEvent | null> {
    if (nativeId === '') return null;
    const response = await deps.http.requestJson(`/v1/audit_logs/${encodeURIComponent(nativeId)}`, {
      ...toRequestOptions(headers, options),
      acceptStatuses: [404],
    });
    if (response.status === 404) return null;
    const record = parseSourcePayload(
      nirvanaAuditLogWireSchema,
      response.body,
      config.id,
      'answered the audit log retrieval with an unexpected body',
    );
    const [event] = toEvents([record]);
    return event ?? null;
  }

  return {
    ...toSourceDescription(config.id, {
      kind: 'nirvana',
      provider: 'NIRVANA',
      maxPageSize: NIRVANA_MAX_PAGE_SIZE,
      // Whole-second bounds, both inclusive, over times that may carry a fraction.
      windowSlackMs: 2000,
      capabilities: NIRVANA_CAPABILITIES,
      reportsTotals: true,
    }),
    list,
    get,
  };
}
