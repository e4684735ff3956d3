/**
 * What a user would write instead of `GET /export`: every record of every source, read with each
 * API's own pagination (page numbers, offsets, cursors), `JSON.parse`, all held in memory, one
 * sort by time, then written out as NDJSON. No mapping, no validation, no retries, no redaction,
 * no resume: the cost of the answer and nothing else. It runs in a process of its own, so that
 * its peak RSS is its own; the bench asks it over IPC.
 */
import { Pool } from 'undici';
import type { SourceConfig } from '../src/config/types';
import { serve } from './ipc';

interface Page {
  readonly records: readonly Record<string, unknown>[];
  /** What the next request needs; null: the source has no more. */
  readonly next: string | number | null;
}

interface PagedCall {
  readonly first: string | number | null;
  request(position: string | number | null): {
    path: string;
    method: 'GET' | 'POST';
    headers: Record<string, string>;
    body?: string;
  };
  page(body: Record<string, unknown>, position: string | number | null): Page;
  timeMs(record: Record<string, unknown>): number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const array = (value: unknown) => (value ?? []) as Record<string, unknown>[];
/** Cloudflare v2 requires a window; a user asks for its retention, about a month and a half. */
const RETENTION_MS = 45 * 24 * 3_600_000;

function toPagedCall(config: SourceConfig, nowMs: number): PagedCall {
  const fields = config as unknown as Record<string, string>;
  switch (config.kind) {
    case 'fastly': {
      const size = 100;
      return {
        first: 1,
        request: (page) => ({
          method: 'GET',
          headers: { 'fastly-key': fields['token']!, accept: 'application/vnd.api+json' },
          path: `/events?sort=-created_at&page%5Bsize%5D=${size}&page%5Bnumber%5D=${page}`,
        }),
        page: (body, page) => {
          const records = array(body['data']);
          return { records, next: records.length < size ? null : Number(page) + 1 };
        },
        timeMs: (record) =>
          Date.parse((record['attributes'] as Record<string, string>)['created_at']!),
      };
    }
    case 'cloudflare-v1': {
      const size = 1000;
      const account = encodeURIComponent(fields['accountId']!);
      return {
        first: 1,
        request: (page) => ({
          method: 'GET',
          headers: { authorization: `Bearer ${fields['token']}` },
          path: `/accounts/${account}/audit_logs?direction=desc&per_page=${size}&page=${page}`,
        }),
        page: (body, page) => {
          const records = array(body['result']);
          return { records, next: records.length < size ? null : Number(page) + 1 };
        },
        timeMs: (record) => Date.parse(record['when'] as string),
      };
    }
    case 'cloudflare-v2': {
      const account = encodeURIComponent(fields['accountId']!);
      const window = `since=${iso(nowMs - RETENTION_MS)}&before=${iso(nowMs + 1000)}`;
      return {
        first: null,
        request: (cursor) => ({
          method: 'GET',
          headers: { authorization: `Bearer ${fields['token']}` },
          path: `/accounts/${account}/logs/audit?${window}&direction=desc&limit=1000${cursor === null ? '' : `&cursor=${encodeURIComponent(String(cursor))}`}`,
        }),
        page: (body) => {
          const records = array(body['result']);
          const info = (body['result_info'] ?? {}) as Record<string, unknown>;
          const cursor = typeof info['cursor'] === 'string' ? info['cursor'] : '';
          return { records, next: records.length === 0 || cursor === '' ? null : cursor };
        },
        timeMs: (record) => Date.parse((record['action'] as Record<string, string>)['time']!),
      };
    }
    case 'fusionauth-event-log':
    case 'fusionauth-audit-log': {
      const resource = config.kind === 'fusionauth-event-log' ? 'event-log' : 'audit-log';
      const key = resource === 'event-log' ? 'eventLogs' : 'auditLogs';
      const size = 1000;
      return {
        first: 0,
        request: (startRow) => ({
          method: 'POST',
          headers: { authorization: fields['apiKey']!, 'content-type': 'application/json' },
          path: `/api/system/${resource}/search`,
          body: JSON.stringify({
            search: { orderBy: 'insertInstant DESC', numberOfResults: size, startRow },
          }),
        }),
        page: (body, startRow) => {
          const records = array(body[key]);
          return { records, next: records.length < size ? null : Number(startRow) + size };
        },
        timeMs: (record) => record['insertInstant'] as number,
      };
    }
    case 'nirvana':
      return {
        first: null,
        request: (cursor) => ({
          method: 'GET',
          headers: { authorization: `Bearer ${fields['apiKey']}` },
          path: `/v1/audit_logs?limit=100&sort=created_at%3Adesc${cursor === null ? '' : `&cursor=${encodeURIComponent(String(cursor))}`}`,
        }),
        page: (body) => {
          const records = array(body['items']);
          const pagination = (body['pagination'] ?? {}) as Record<string, unknown>;
          const cursor = pagination['next_cursor'];
          return {
            records,
            next: records.length === 0 || typeof cursor !== 'string' ? null : cursor,
          };
        },
        timeMs: (record) => Date.parse(record['created_at'] as string),
      };
    default:
      throw new Error(`the direct export does not know kind ${(config as SourceConfig).kind}`);
  }
}

export interface DirectExportResult {
  readonly events: number;
  readonly bytes: number;
  readonly requests: number;
  readonly ms: number;
  readonly peakRssBytes: number;
  readonly startRssBytes: number;
}

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20);
sampler.unref();

/** Every record of every source, sorted newest first, as NDJSON written to nowhere but counted. */
async function exportAll(configs: readonly SourceConfig[]): Promise<DirectExportResult> {
  const startRssBytes = process.memoryUsage.rss();
  peakRss = startRssBytes;
  const startedAt = performance.now();
  const nowMs = Date.now();
  let requests = 0;
  const perSource = await Promise.all(
    configs.map(async (config) => {
      const base = new URL(config.baseUrl);
      const prefix = base.pathname.replace(/\/$/, '');
      const pool = new Pool(base.origin, { connections: 1 });
      const call = toPagedCall(config, nowMs);
      const records: { timeMs: number; record: Record<string, unknown> }[] = [];
      try {
        for (let position = call.first; ;) {
          const request = call.request(position);
          requests += 1;
          const response = await pool.request({ ...request, path: prefix + request.path });
          const text = await response.body.text();
          if (response.statusCode !== 200)
            throw new Error(`${config.id}: HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
          const page = call.page(JSON.parse(text) as Record<string, unknown>, position);
          for (const record of page.records) records.push({ timeMs: call.timeMs(record), record });
          if (page.next === null) break;
          position = page.next;
        }
      } finally {
        await pool.close();
      }
      return records;
    }),
  );
  const all = perSource.flat().sort((a, b) => b.timeMs - a.timeMs);
  let bytes = 0;
  for (const { record } of all) bytes += Buffer.byteLength(`${JSON.stringify(record)}\n`);
  const ms = performance.now() - startedAt;
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  return { events: all.length, bytes, requests, ms, peakRssBytes: peakRss, startRssBytes };
}

serve({
  run: (body) => exportAll(body as readonly SourceConfig[]),
  close: () => {
    setImmediate(() => process.exit(0));
    return null;
  },
});
