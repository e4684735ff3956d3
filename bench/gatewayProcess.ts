/**
 * auditgraph as deployed: a live config pointed at the emulators, API-key authentication, in its
 * own process so its RSS is its own. Answers the bench's questions about upstream requests and
 * memory.
 */
import type { AuditgraphConfig, SourceConfig } from '../src/config/types';
import { toSecurityDefaults } from '../src/config/settings';
import { QUERY_LIMIT_DEFAULTS } from '../src/model/QueryLimits';
import { hashApiKey } from '../src/auth/hashApiKey';
import { EMULATOR_RATE_LIMITS } from '../src/providers/sourceKinds';
import type { Auditgraph } from '../src/startAuditgraph';
import { startAuditgraph } from '../src/startAuditgraph';
import { serve } from './ipc';

export interface GatewayStart {
  readonly sources: readonly SourceConfig[];
  readonly apiKey: string;
  readonly cursorSecret: string;
  /** The deadline of each GraphQL request; the reference client's calls get the same. */
  readonly requestDeadlineMs: number;
}

export interface GatewayStats {
  readonly upstreamRequests: number;
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  /** V8's live heap now: what the process holds, whatever RSS V8 has kept. */
  readonly heapUsedBytes: number;
  /** CPU time the process has used, user plus system, in microseconds. */
  readonly cpuMicros: number;
}

let app: Auditgraph | null = null;
let upstreamRequests = 0;
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 50);
sampler.unref();

serve({
  start: async (body) => {
    const options = body as GatewayStart;
    const config: AuditgraphConfig = {
      mode: 'live',
      host: '127.0.0.1',
      port: 0,
      // No load balancer watches the bench's gateway: it may stop at once.
      drainSeconds: 0,
      sources: options.sources,
      pagination: { defaultFirst: 20, maxFirst: 100 },
      cursorSecret: options.cursorSecret,
      demo: { seed: 1 },
      feed: {
        holdBackSeconds: 0,
        scanBudgetPages: 20,
        requestDeadlineMs: options.requestDeadlineMs,
      },
      // No page cache: the reference client has none, so both read every page upstream.
      cache: { maxBytes: 0, freshnessSeconds: 300 },
      auth: {
        apiKeys: [
          { id: 'bench', sha256: hashApiKey(options.apiKey), sources: ['*'], permissions: [] },
        ],
        jwt: null,
        allowUnauthenticated: false,
      },
      security: {
        ...toSecurityDefaults('live'),
        // 100 aliased node(id) lookups in one query.
        limits: { ...QUERY_LIMIT_DEFAULTS, maxAliases: 128, maxTokens: 5_000 },
      },
      // As deployed: one audit line per operation (written nowhere here, but built in full).
      audit: { enabled: true },
    };
    app = await startAuditgraph(config, {
      log: () => undefined,
      rateLimits: EMULATOR_RATE_LIMITS,
      onUpstreamRequest: () => {
        upstreamRequests += 1;
      },
    });
    return { url: app.url };
  },
  stats: (): GatewayStats => {
    const rss = process.memoryUsage.rss();
    peakRss = Math.max(peakRss, rss);
    const cpu = process.cpuUsage();
    return {
      upstreamRequests,
      rssBytes: rss,
      peakRssBytes: peakRss,
      heapUsedBytes: process.memoryUsage().heapUsed,
      cpuMicros: cpu.user + cpu.system,
    };
  },
  resetPeak: () => {
    peakRss = process.memoryUsage.rss();
    return null;
  },
  gc: () => {
    const collect = (globalThis as { gc?: () => void }).gc;
    collect?.();
    return collect !== undefined;
  },
  close: async () => {
    await app?.close();
    setImmediate(() => process.exit(0));
  },
});
