import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, postGraphql } from '../support/demoConfig';

const OPEN_MS = 1_000;
const QUERY = `{ auditEvents(first: 10) {
  edges { node { source { id } } }
  sources { source { id } state retryAfterSeconds upstreamRequests }
} }`;

describe('a source whose upstream keeps failing, over GraphQL', () => {
  let app: Auditgraph;
  beforeAll(async () => {
    app = await startAuditgraph(DEMO_CONFIG, {
      log: () => undefined,
      circuitBreaker: { failureThreshold: 3, openMs: OPEN_MS },
    });
  });
  afterAll(() => app.close());

  it('opens its circuit: fast answers with CIRCUIT_OPEN and no upstream request, then one probe closes it', async () => {
    const fastly = app.demo!.emulators.find((emulator) =>
      emulator.name.toLowerCase().includes('fastly'),
    )!;
    fastly.knobs.faults.push({
      fault: { type: 'status', status: 502, body: { msg: 'bad gateway' } },
      pathPrefix: '/events',
      times: 1_000,
    });
    const fastlyOf = (result: Awaited<ReturnType<typeof postGraphql>>) =>
      result.data!.auditEvents.sources.find((s: any) => s.source.id === 'fastly');

    for (let i = 0; i < 3; i += 1) {
      expect(fastlyOf(await postGraphql(app.url, QUERY)).state).toBe('FAILED');
    }
    fastly.resetRequests();
    const started = Date.now();
    const open = await postGraphql(app.url, QUERY);
    const elapsed = Date.now() - started;
    expect(fastlyOf(open)).toMatchObject({ state: 'CIRCUIT_OPEN', upstreamRequests: 0 });
    expect(fastlyOf(open).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(open.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'CIRCUIT_OPEN', sourceId: 'fastly' }),
      }),
    ]);
    expect(fastly.requests).toHaveLength(0);
    expect(elapsed).toBeLessThan(1_000);
    // The other sources answer as usual.
    expect(open.data!.auditEvents.edges).toHaveLength(10);

    // After openMs, with the upstream healthy again, one probe goes through and closes it.
    fastly.knobs.faults.length = 0;
    await new Promise((resolve) => setTimeout(resolve, OPEN_MS + 100));
    const closed = await postGraphql(app.url, QUERY);
    expect(fastlyOf(closed).state).toBe('OK');
    expect(closed.errors).toBeUndefined();
    expect(fastlyOf(await postGraphql(app.url, QUERY)).state).toBe('OK');
  });
});
