/**
 * What a user would write instead of `GET /export`: every record of every source, read with each
 * API's own pagination (page numbers, offsets, cursors), `JSON.parse`, all held in memory, one
 * sort by time, then written out as NDJSON. No mapping, no validation, no retries, no redaction,
 * no resume: the cost of the answer and nothing else. It runs in a process of its own, so that
 * its peak RSS is its own; the bench asks it over IPC.
 */
import { Pool } from 'undici';
import type { SourceConfig } from '../src/config/types';
import { toDirectCall } from './directFanout';
import { serve } from './ipc';

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
      const call = toDirectCall(config);
      const records: { timeMs: number; record: Record<string, unknown> }[] = [];
      try {
        for (let position = call.start; ;) {
          const request = call.request(call.largestPage, nowMs, position);
          requests += 1;
          const response = await pool.request({
            method: call.method,
            headers: call.headers,
            path: prefix + request.path,
            ...(request.body === undefined ? {} : { body: request.body }),
          });
          const text = await response.body.text();
          if (response.statusCode !== 200)
            throw new Error(`${config.id}: HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
          const body = JSON.parse(text) as Record<string, unknown>;
          for (const record of call.records(body))
            records.push({ timeMs: call.timeMs(record), record });
          position = call.next(body, call.largestPage, position);
          if (position === null) break;
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
