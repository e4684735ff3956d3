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

/** The request for a source's newest records, and where its records and their times are. */
interface DirectCall {
  readonly path: (first: number, nowMs: number) => string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: (first: number, nowMs: number) => string;
  readonly records: (body: Record<string, unknown>) => readonly Record<string, unknown>[];
  readonly timeMs: (record: Record<string, unknown>) => number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** Cloudflare v2 requires a window; a user asks for its retention, about a month. */
const MONTH_MS = 30 * 24 * 3_600_000;

function toDirectCall(config: SourceConfig): DirectCall {
  const fields = config as unknown as Record<string, string>;
  const array = (value: unknown) => (value ?? []) as Record<string, unknown>[];
  switch (config.kind) {
    case 'fastly':
      return {
        method: 'GET',
        headers: { 'fastly-key': fields['token']!, accept: 'application/vnd.api+json' },
        path: (first) => `/events?sort=-created_at&page%5Bsize%5D=${first}`,
        records: (body) => array(body['data']),
        timeMs: (record) =>
          Date.parse((record['attributes'] as Record<string, string>)['created_at']!),
      };
    case 'cloudflare-v1':
    case 'cloudflare-v2': {
      const v2 = config.kind === 'cloudflare-v2';
      const account = encodeURIComponent(fields['accountId']!);
      return {
        method: 'GET',
        headers: { authorization: `Bearer ${fields['token']}` },
        path: (first, nowMs) =>
          v2
            ? `/accounts/${account}/logs/audit?since=${iso(nowMs - MONTH_MS)}&before=${iso(nowMs + 1000)}&direction=desc&limit=${first}`
            : `/accounts/${account}/audit_logs?direction=desc&per_page=${first}`,
        records: (body) => array(body['result']),
        timeMs: (record) =>
          Date.parse(
            v2 ? (record['action'] as Record<string, string>)['time']! : (record['when'] as string),
          ),
      };
    }
    case 'fusionauth-event-log':
    case 'fusionauth-audit-log': {
      const resource = config.kind === 'fusionauth-event-log' ? 'event-log' : 'audit-log';
      const key = resource === 'event-log' ? 'eventLogs' : 'auditLogs';
      return {
        method: 'POST',
        headers: { authorization: fields['apiKey']!, 'content-type': 'application/json' },
        path: () => `/api/system/${resource}/search`,
        body: (first) =>
          JSON.stringify({
            search: { orderBy: 'insertInstant DESC', numberOfResults: first, startRow: 0 },
          }),
        records: (body) => array(body[key]),
        timeMs: (record) => record['insertInstant'] as number,
      };
    }
    case 'nirvana':
      return {
        method: 'GET',
        headers: { authorization: `Bearer ${fields['apiKey']}` },
        path: (first) => `/v1/audit_logs?limit=${first}&sort=created_at%3Adesc`,
        records: (body) => array(body['items']),
        timeMs: (record) => Date.parse(record['created_at'] as string),
      };
    default:
      throw new Error(`the direct fan-out does not know kind ${(config as SourceConfig).kind}`);
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
    const response = await source.pool.request({
      path: source.prefix + call.path(first, nowMs),
      method: call.method,
      headers: call.headers,
      ...(call.body === undefined ? {} : { body: call.body(first, nowMs) }),
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
