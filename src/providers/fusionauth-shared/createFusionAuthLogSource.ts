import { toLazyEvents } from '../shared/toLazyEvents';
import type { FusionAuthEntryWire } from './toFusionAuthEventIdentity';
import type { z } from 'zod';
import type { AuditEvent, SourceRef } from '../../model/AuditEvent';
import type { EventFilter } from '../../model/EventFilter';
import type { KindCapabilities } from '../shared/pushdown';
import { toSourceDescription } from '../shared/toSourceDescription';
import { AuditgraphError } from '../../model/errors';
import type { ListOptions, ListPage, ListQuery, Source } from '../../model/Source';
import { clampPageSize } from '../shared/clampPageSize';
import { parseSourcePayload } from '../shared/parseSourcePayload';
import { sourceBadResponse } from '../shared/sourceBadResponse';
import { toRequestOptions } from '../shared/toRequestOptions';
import type { SourceFactoryDeps } from '../SourceKindDefinition';

export interface FusionAuthSourceConfig {
  readonly id: string;
  /** Sent as `Authorization: <key>`, without a scheme, as FusionAuth expects. */
  readonly apiKey: string;
  /** Sent as `X-FusionAuth-TenantId` when the key is not bound to one tenant. */
  readonly tenantId?: string;
}

/** What the source is built with: its HTTP client, on the API's base URL, and the clock. */
export type FusionAuthSourceDeps = SourceFactoryDeps;

export interface FusionAuthSearchResult<W> {
  readonly records: readonly W[];
  readonly total: number | null;
}

/** Search criteria a filter becomes (`message`, `type`, `user`, …), as FusionAuth names them. */
export type FusionAuthFilterCriteria = Readonly<Record<string, string>>;

/** What differs between the Event Log and the Audit Log APIs; the rest is one mechanism. */
export interface FusionAuthLogApi<W> {
  readonly kind: 'fusionauth-event-log' | 'fusionauth-audit-log';
  /** The path segment under `/api/system/`. */
  readonly resource: 'event-log' | 'audit-log';
  /** Validates a search response, with only the id and instant of each entry, and reads them. */
  readonly searchPage: z.ZodType<FusionAuthSearchResult<FusionAuthEntryWire>>;
  /** Where a search response holds its entries. */
  readonly recordsKey: 'eventLogs' | 'auditLogs';
  /** Validates one entry whole, when its event is read. */
  readonly recordSchema: z.ZodType<W>;
  /** Validates a retrieve response and reads its one record. */
  readonly retrieveResponse: z.ZodType<W>;
  readonly toAuditEvent: (record: W, source: SourceRef) => AuditEvent;
  /** The criteria for what the pushdown table sends upstream of this filter, and nothing else. */
  readonly toFilterCriteria: (filter: EventFilter | undefined) => FusionAuthFilterCriteria;
  /** The API's pushdown table. */
  readonly capabilities: KindCapabilities;
}

/**
 * No cap on `numberOfResults` is documented for these database-backed searches (UNCONFIRMED);
 * 1000 keeps a page's body small and is the cap our emulator enforces.
 */
export const FUSIONAUTH_MAX_PAGE_SIZE = 1000;

/** A Long id as FusionAuth prints it: digits, no sign, no leading zero. */
const CANONICAL_LONG = /^(?:0|[1-9]\d{0,17})$/;

/**
 * A source over one of FusionAuth's two log APIs.
 *
 * list() uses `POST …/search` with `{"search": {...}}`, as FusionAuth's own TypeScript client
 * does (the OpenAPI file lists only the POST form). Time bounds are pushed down widened by one
 * millisecond on each side, because whether `start` and `end` are inclusive is UNCONFIRMED:
 * `start = sinceMs − 1` and `end = beforeMs` lose nothing under any reading, and the feed drops
 * what falls outside. Hence `total` counts that widened window, which can hold a few events just
 * outside the query's bounds. The order is pushed down as `insertInstant ASC|DESC`; paging is by
 * `startRow`, and `next` is the next `startRow` as a decimal string, null once `startRow` plus
 * the rows returned reaches `total` (or, without a total, on a short page). The filter goes down
 * as the API's criteria (`api.toFilterCriteria`), the same on every page of a query, so that
 * `total` and the offsets stay those of one search.
 */
export function createFusionAuthLogSource<W>(
  api: FusionAuthLogApi<W>,
  config: FusionAuthSourceConfig,
  deps: FusionAuthSourceDeps,
): Source {
  const sourceRef: SourceRef = { id: config.id, kind: api.kind };
  const headers: Record<string, string> = { authorization: config.apiKey };
  if (config.tenantId !== undefined) headers['x-fusionauth-tenantid'] = config.tenantId;
  const what = api.resource === 'event-log' ? 'event log' : 'audit log';

  function toEvents(records: readonly W[]): AuditEvent[] {
    try {
      return records.map((record) => api.toAuditEvent(record, sourceRef));
    } catch (error) {
      throw sourceBadResponse(config.id, `sent a ${what} entry that cannot be read`, error);
    }
  }

  async function list(
    query: ListQuery,
    continuation: string | null,
    options?: ListOptions,
  ): Promise<ListPage> {
    const startRow = continuation === null ? 0 : parseStartRow(continuation, config.id);
    const numberOfResults = clampPageSize(query.pageSize, FUSIONAUTH_MAX_PAGE_SIZE);
    const search = {
      ...api.toFilterCriteria(query.filter),
      start: Math.max(0, query.sinceMs - 1),
      end: query.beforeMs,
      orderBy: `insertInstant ${query.order === 'asc' ? 'ASC' : 'DESC'}`,
      numberOfResults,
      startRow,
    };
    const response = await deps.http.requestJson(`/api/system/${api.resource}/search`, {
      ...toRequestOptions(headers, options),
      method: 'POST',
      // A search reads and changes nothing: safe to send again after a broken connection.
      idempotent: true,
      jsonBody: { search },
    });
    const { records, total } = parseSourcePayload(
      api.searchPage,
      response.body,
      config.id,
      `answered the ${what} search with an unexpected body`,
    );
    const raws = ((response.body as Record<string, unknown>)[api.recordsKey] ?? []) as unknown[];
    const events = toLazyEvents(records, raws, {
      source: sourceRef,
      provider: 'FUSIONAUTH',
      what: `answered the ${what} search with an unexpected body`,
      path: api.recordsKey,
      recordSchema: api.recordSchema,
      headOf: (head) => ({ nativeId: String(head.id), occurredAtMs: head.insertInstant }),
      toEvent: (record) => toEvents([record])[0]!,
    });
    const reached = startRow + events.length;
    // `total` decides when there is one: a page shorter than asked for may only mean that the
    // server serves fewer rows per page than we asked (its cap is UNCONFIRMED), and ending there
    // would drop the rest without a word.
    const exhausted =
      events.length === 0 || (total === null ? events.length < numberOfResults : reached >= total);
    return {
      events,
      next: exhausted ? null : String(reached),
      total,
      // `start` and `end` may each be inclusive (UNCONFIRMED): the widest reading.
      ...(total === null
        ? {}
        : { totalCovers: { sinceMs: search.start, beforeMs: search.end + 1 } }),
    };
  }

  async function get(
    nativeId: string,
    _occurredAtMs: number | null,
    options?: ListOptions,
  ): Promise<AuditEvent | null> {
    // FusionAuth ids are Longs; anything else cannot name an entry, so ask nothing.
    if (!CANONICAL_LONG.test(nativeId)) return null;
    const response = await deps.http.requestJson(`/api/system/${api.resource}/${nativeId}`, {
      ...toRequestOptions(headers, options),
      acceptStatuses: [404],
    });
    if (response.status === 404) return null;
    const record = parseSourcePayload(
      api.retrieveResponse,
      response.body,
      config.id,
      `answered the ${what} retrieval with an unexpected body`,
    );
    const [event] = toEvents([record]);
    return event ?? null;
  }

  return {
    ...toSourceDescription(config.id, {
      kind: api.kind,
      provider: 'FUSIONAUTH',
      maxPageSize: FUSIONAUTH_MAX_PAGE_SIZE,
      // Bounds widened by a millisecond each way, their inclusivity being unconfirmed.
      windowSlackMs: 1,
      capabilities: api.capabilities,
      reportsTotals: true,
    }),
    list,
    get,
  };
}

function parseStartRow(continuation: string, sourceId: string): number {
  if (!/^\d{1,15}$/.test(continuation)) {
    throw new AuditgraphError(
      'BAD_USER_INPUT',
      `the continuation for source ${sourceId} is not a FusionAuth row offset`,
      { sourceId },
    );
  }
  return Number(continuation);
}
