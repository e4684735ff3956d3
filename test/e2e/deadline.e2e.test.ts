import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, postGraphql } from '../support/demoConfig';

const DEADLINE_MS = 600;

describe('the whole-request deadline', () => {
  let app: Auditgraph;
  beforeAll(async () => {
    app = await startAuditgraph(
      { ...DEMO_CONFIG, feed: { ...DEMO_CONFIG.feed, requestDeadlineMs: DEADLINE_MS } },
      { log: () => undefined },
    );
  });
  afterAll(() => app.close());

  it('answers with the other sources when one is slower than the deadline, naming it TIMED_OUT', async () => {
    const nirvana = app.demo!.emulators.find((emulator) =>
      emulator.name.toLowerCase().includes('nirvana'),
    )!;
    nirvana.knobs.latencyMs = 5_000;
    const started = Date.now();
    const result = await postGraphql(
      app.url,
      `{ auditEvents(first: 10) { edges { node { source { id } } } sources { source { id } state } } }`,
    );
    const elapsed = Date.now() - started;
    nirvana.knobs.latencyMs = 0;
    expect(elapsed).toBeLessThan(DEADLINE_MS + 1_500);
    const states = Object.fromEntries(
      result.data!.auditEvents.sources.map((s: any) => [s.source.id, s.state]),
    );
    expect(states).toMatchObject({ nirvana: 'TIMED_OUT', fastly: 'OK', 'cloudflare-v2': 'OK' });
    expect(result.data!.auditEvents.edges.length).toBe(10);
    expect(result.data!.auditEvents.edges.every((e: any) => e.node.source.id !== 'nirvana')).toBe(
      true,
    );
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'SOURCE_TIMEOUT', sourceId: 'nirvana' } }),
    ]);
  });
});
