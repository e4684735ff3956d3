/**
 * The minimal direct fan-out: what a user would write instead of running auditgraph. One HTTP
 * request to each of the six APIs at once for its newest `first` records, `JSON.parse`, each
 * record's time read from its provider's field, one sort, the first `first`. No validation, no
 * mapping, no retries, no cursor: the cost of the answer and nothing else. It uses undici's
 * keep-alive pools, the fastest HTTP client Node has (and the one auditgraph uses), so that what
 * the bench reports over it is auditgraph's own work.
 */
import { Pool } from 'undici';
import type { SourceConfig } from '../src/config/types';

export interface DirectRecord {
  readonly sourceId: string;
  readonly occurredAtMs: number;
  readonly record: unknown;
}

export interface DirectFanout {
  /** The newest `first` records of all sources, newest first. */
  latest(first: number): Promise<DirectRecord[]>;
  close(): Promise<void>;
}

/** Where a source's next page starts: a page number, an offset or an upstream cursor. */
export type DirectPosition = string | number | null;

/**
 * How to read one source's API directly, newest first, page by page, with its own pagination:
 * the request for `size` records from `position`, where its records and their times are, and
 * where the next page starts (null: no more). The fan-out reads one page of each; the direct
 * export (directExport.ts) reads them all.
 */
export interface DirectCall {
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  /** The largest page the API documents. */
  readonly largestPage: number;
  readonly start: DirectPosition;
  request(size: number, nowMs: number, position: DirectPosition): { path: string; body?: string };
  records(body: Record<string, unknown>): readonly Record<string, unknown>[];
  next(body: Record<string, unknown>, size: number, position: DirectPosition): DirectPosition;
  timeMs(record: Record<string, unknown>): number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** Cloudflare v2 requires a window; a user asks for its retention, about a month and a half. */
const RETENTION_MS = 45 * 24 * 3_600_000;
const array = (value: unknown) => (value ?? []) as Record<string, unknown>[];
/** The next page number, or offset by `step`, when the page was full. */
const numbered =
  (
    records: (body: Record<string, unknown>) => readonly unknown[],
    step: (size: number) => number,
  ) =>
  (body: Record<string, unknown>, size: number, position: DirectPosition): DirectPosition =>
    records(body).length < size ? null : Number(position) + step(size);
/** The cursor the page names, when it has records and names one. */
const cursored =
  (
    records: (body: Record<string, unknown>) => readonly unknown[],
    cursor: (body: Record<string, unknown>) => unknown,
  ) =>
  (body: Record<string, unknown>): DirectPosition => {
    const next = cursor(body);
    return records(body).length === 0 || typeof next !== 'string' || next === '' ? null : next;
  };
const cursorParameter = (position: DirectPosition) =>
  position === null ? '' : `&cursor=${encodeURIComponent(String(position))}`;

export function toDirectCall(config: SourceConfig): DirectCall {
  const fields = config as unknown as Record<string, string>;
  switch (config.kind) {
    case 'fastly': {
      const records = (body: Record<string, unknown>) => array(body['data']);
      return {
        method: 'GET',
        headers: { 'fastly-key': fields['token']!, accept: 'application/vnd.api+json' },
        largestPage: 100,
        start: 1,
        request: (size, _nowMs, page) => ({
          path: `/events?sort=-created_at&page%5Bsize%5D=${size}&page%5Bnumber%5D=${page}`,
        }),
        records,
        next: numbered(records, () => 1),
        timeMs: (record) =>
          Date.parse((record['attributes'] as Record<string, string>)['created_at']!),
      };
    }
    case 'cloudflare-v1': {
      const account = encodeURIComponent(fields['accountId']!);
      const records = (body: Record<string, unknown>) => array(body['result']);
      return {
        method: 'GET',
        headers: { authorization: `Bearer ${fields['token']}` },
        largestPage: 1000,
        start: 1,
        request: (size, _nowMs, page) => ({
          path: `/accounts/${account}/audit_logs?direction=desc&per_page=${size}&page=${page}`,
        }),
        records,
        next: numbered(records, () => 1),
        timeMs: (record) => Date.parse(record['when'] as string),
      };
    }
    case 'cloudflare-v2': {
      const account = encodeURIComponent(fields['accountId']!);
      const records = (body: Record<string, unknown>) => array(body['result']);
      return {
        method: 'GET',
        headers: { authorization: `Bearer ${fields['token']}` },
        largestPage: 1000,
        start: null,
        request: (size, nowMs, cursor) => ({
          path: `/accounts/${account}/logs/audit?since=${iso(nowMs - RETENTION_MS)}&before=${iso(nowMs + 1000)}&direction=desc&limit=${size}${cursorParameter(cursor)}`,
        }),
        records,
        next: cursored(
          records,
          (body) => (body['result_info'] as Record<string, unknown> | undefined)?.['cursor'],
        ),
        timeMs: (record) => Date.parse((record['action'] as Record<string, string>)['time']!),
      };
    }
    case 'fusionauth-event-log':
    case 'fusionauth-audit-log': {
      const resource = config.kind === 'fusionauth-event-log' ? 'event-log' : 'audit-log';
      const key = resource === 'event-log' ? 'eventLogs' : 'auditLogs';
      const records = (body: Record<string, unknown>) => array(body[key]);
      return {
        method: 'POST',
        headers: { authorization: fields['apiKey']!, 'content-type': 'application/json' },
        largestPage: 1000,
        start: 0,
        request: (size, _nowMs, startRow) => ({
          path: `/api/system/${resource}/search`,
          body: JSON.stringify({
            search: { orderBy: 'insertInstant DESC', numberOfResults: size, startRow },
          }),
        }),
        records,
        next: numbered(records, (size) => size),
        timeMs: (record) => record['insertInstant'] as number,
      };
    }
    case 'nirvana': {
      const records = (body: Record<string, unknown>) => array(body['items']);
      return {
        method: 'GET',
        headers: { authorization: `Bearer ${fields['apiKey']}` },
        largestPage: 100,
        start: null,
        request: (size, _nowMs, cursor) => ({
          path: `/v1/audit_logs?limit=${size}&sort=created_at%3Adesc${cursorParameter(cursor)}`,
        }),
        records,
        next: cursored(
          records,
          (body) => (body['pagination'] as Record<string, unknown> | undefined)?.['next_cursor'],
        ),
        timeMs: (record) => Date.parse(record['created_at'] as string),
      };
    }
    default:
      throw new Error(`the direct reader does not know kind ${(config as SourceConfig).kind}`);
  }
}

export function createDirectFanout(
  configs: readonly SourceConfig[],
  connections: number,
): DirectFanout {
  const sources = configs.map((config) => {
    // A base URL may carry a path (Cloudflare's `/client/v4`): the pool takes the origin.
    const base = new URL(config.baseUrl);
    return {
      id: config.id,
      prefix: base.pathname.replace(/\/$/, ''),
      call: toDirectCall(config),
      pool: new Pool(base.origin, { connections, pipelining: 1 }),
    };
  });
  const read = async (
    source: (typeof sources)[number],
    first: number,
    nowMs: number,
  ): Promise<DirectRecord[]> => {
    const { call } = source;
    const request = call.request(first, nowMs, call.start);
    const response = await source.pool.request({
      path: source.prefix + request.path,
      method: call.method,
      headers: call.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) {
      throw new Error(`${source.id}: HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
    }
    return call
      .records(JSON.parse(text) as Record<string, unknown>)
      .map((record) => ({ sourceId: source.id, occurredAtMs: call.timeMs(record), record }));
  };
  return {
    latest: async (first) => {
      const nowMs = Date.now();
      const pages = await Promise.all(sources.map((source) => read(source, first, nowMs)));
      return pages
        .flat()
        .sort((a, b) => b.occurredAtMs - a.occurredAtMs)
        .slice(0, first);
    },
    close: async () => {
      await Promise.all(sources.map((source) => source.pool.close()));
    },
  };
}
