import type { Fault } from '../../src/emulators/startEmulatorServer';
import type { EmulatorServer } from '../../src/emulators/startEmulatorServer';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, postGraphql } from '../support/demoConfig';

const DEADLINE_MS = 800;
const PAGE = `query Page($after: String) {
  auditEvents(first: 100, after: $after) {
    edges { node { id nativeId occurredAt source { id } } }
    pageInfo { hasNextPage endCursor }
    sources { source { id } state missed { count } }
  }
}`;

/** What the chaos may do to one source on one page, with how many requests it lasts. */
const FAULTS: readonly { readonly fault: Fault; readonly times: number }[] = [
  { fault: { type: 'status', status: 500, body: { error: 'boom' } }, times: 3 },
  { fault: { type: 'status', status: 503, body: { error: 'busy' } }, times: 1 },
  { fault: { type: 'reset' }, times: 3 },
  { fault: { type: 'reset' }, times: 1 },
  { fault: { type: 'bad-json' }, times: 1 },
  { fault: { type: 'status', status: 200, body: { unexpected: true } }, times: 1 },
  { fault: { type: 'status', status: 401, body: { error: 'unauthorized' } }, times: 1 },
  {
    fault: { type: 'status', status: 429, headers: { 'retry-after': '3600' }, body: {} },
    times: 1,
  },
  { fault: { type: 'slow-body', delayMs: DEADLINE_MS + 1_000 }, times: 1 },
];

/** Where each source's list requests go on its emulator, so a fault hits that source alone. */
const LIST_PATHS: Readonly<Record<string, string>> = {
  fastly: '/events',
  'cloudflare-v1': '/client/v4/accounts/',
  'cloudflare-v2': '/client/v4/accounts/',
  'fusionauth-event-log': '/api/system/event-log',
  'fusionauth-audit-log': '/api/system/audit-log',
  nirvana: '/v1/audit_logs',
};

/** A small LCG: the same seed, the same chaos. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

interface Edge {
  readonly node: { id: string; nativeId: string; occurredAt: string; source: { id: string } };
}

/** The feed's order, newest first: occurredAt, then source id, then the provider's id. */
function compareDesc(a: Edge, b: Edge): number {
  const byTime = Date.parse(b.node.occurredAt) - Date.parse(a.node.occurredAt);
  if (byTime !== 0) return byTime;
  if (a.node.source.id !== b.node.source.id) return a.node.source.id < b.node.source.id ? 1 : -1;
  if (a.node.nativeId === b.node.nativeId) return 0;
  return a.node.nativeId < b.node.nativeId ? 1 : -1;
}

describe('a chaos traversal: random faults on random sources, page after page', () => {
  let app: Auditgraph;
  beforeAll(async () => {
    app = await startAuditgraph(
      { ...DEMO_CONFIG, feed: { ...DEMO_CONFIG.feed, requestDeadlineMs: DEADLINE_MS } },
      // A circuit that opens stays open only briefly here, and a 429 pauses its credential only
      // briefly (a little longer than the deadline, so that it still fails its page), so the
      // traversal can recover in a test.
      {
        log: () => undefined,
        circuitBreaker: { openMs: 300 },
        maxRateLimitPauseMs: DEADLINE_MS + 200,
      },
    );
  });
  afterAll(() => app.close());

  const emulatorOf = (sourceId: string): EmulatorServer => {
    const baseUrl = app.sourceConfigs.find((config) => config.id === sourceId)!.baseUrl;
    return app.demo!.emulators.find((emulator) => baseUrl.startsWith(emulator.url))!;
  };

  it('keeps order and exactly-once for what it delivers, and accounts for every other event as missed', async () => {
    const random = createRandom(20261122);
    const sourceIds = app.sourceConfigs.map((config) => config.id);
    const delivered: Edge[] = [];
    const missed = new Map<string, number>();
    const failures = new Map<string, number>();
    let after: string | null = null;
    let slowest = 0;
    let chaos = true;
    let pages = 0;
    const statesSeen = new Map<string, number>();
    const traversalStarted = Date.now();
    for (let page = 0; page < 400; page += 1) {
      pages += 1;
      if (chaos && random() < 0.5) {
        const sourceId = sourceIds[Math.floor(random() * sourceIds.length)]!;
        const { fault, times } = FAULTS[Math.floor(random() * FAULTS.length)]!;
        emulatorOf(sourceId).knobs.faults.push({
          fault,
          times,
          pathPrefix: LIST_PATHS[sourceId]!,
        });
      }
      const started = Date.now();
      const result = await postGraphql(app.url, PAGE, { after });
      slowest = Math.max(slowest, Date.now() - started);
      expect(result.status).toBe(200);
      const connection = result.data!.auditEvents;
      delivered.push(...connection.edges);
      for (const status of connection.sources) {
        if (status.missed) {
          missed.set(status.source.id, (missed.get(status.source.id) ?? 0) + status.missed.count);
        }
        statesSeen.set(status.state, (statesSeen.get(status.state) ?? 0) + 1);
        if (status.state !== 'OK') {
          failures.set(status.source.id, (failures.get(status.source.id) ?? 0) + 1);
          // Promise 7: every failed source is also in errors, with its code and id.
          expect(result.errors).toContainEqual(
            expect.objectContaining({
              extensions: expect.objectContaining({ sourceId: status.source.id }),
            }),
          );
        }
      }
      const failed = connection.sources.some((status: { state: string }) => status.state !== 'OK');
      if (!connection.pageInfo.hasNextPage && !failed) break;
      if (!connection.pageInfo.hasNextPage) {
        // The end of the healthy sources: the chaos stops, and the client reads the last
        // cursor again, as the schema says, until every source has answered.
        chaos = false;
        for (const emulator of app.demo!.emulators) emulator.knobs.faults.length = 0;
        await new Promise((resolve) => setTimeout(resolve, 350));
      }
      after = connection.pageInfo.endCursor ?? after;
    }
    for (const emulator of app.demo!.emulators) emulator.knobs.faults.length = 0;
    if (process.env.FAULT_REPORT === '1') {
      console.log(
        JSON.stringify({
          pages,
          delivered: delivered.length,
          missed: Object.fromEntries(missed),
          failedPagesBySource: Object.fromEntries(failures),
          statesSeen: Object.fromEntries(statesSeen),
          slowestPageMs: slowest,
          totalMs: Date.now() - traversalStarted,
        }),
      );
    }

    // Promise 1: in order. Promise 2: no event twice.
    expect([...delivered].sort(compareDesc)).toEqual(delivered);
    expect(new Set(delivered.map((edge) => edge.node.id)).size).toBe(delivered.length);
    // The chaos did fail sources, and the pages still came back within the deadline.
    expect([...failures.values()].reduce((sum, n) => sum + n, 0)).toBeGreaterThan(5);
    expect(slowest).toBeLessThan(DEADLINE_MS + 1_500);

    // Every event of every source was either delivered or reported as missed: a clean
    // traversal now counts them.
    const totals = new Map<string, number>();
    let cleanAfter: string | null = null;
    for (;;) {
      const result = await postGraphql(app.url, PAGE, { after: cleanAfter });
      for (const edge of result.data!.auditEvents.edges as Edge[]) {
        totals.set(edge.node.source.id, (totals.get(edge.node.source.id) ?? 0) + 1);
      }
      if (!result.data!.auditEvents.pageInfo.hasNextPage) break;
      cleanAfter = result.data!.auditEvents.pageInfo.endCursor;
    }
    for (const sourceId of sourceIds) {
      const got = delivered.filter((edge) => edge.node.source.id === sourceId).length;
      expect({ sourceId, accounted: got + (missed.get(sourceId) ?? 0) }).toEqual({
        sourceId,
        accounted: totals.get(sourceId),
      });
    }
  });
});
