import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, postGraphql } from '../support/demoConfig';

const PAGE = `query Page($after: String, $filter: AuditEventFilter) {
  auditEvents(first: 50, after: $after, filter: $filter) {
    edges { node { id occurredAt source { id } } }
    pageInfo { hasNextPage endCursor }
    sources { source { id } state missed { count oldest newest } }
  }
}`;

describe('a source that fails on one page and answers on the next, over GraphQL', () => {
  let app: Auditgraph;
  beforeAll(async () => {
    app = await startAuditgraph(DEMO_CONFIG, { log: () => undefined });
  });
  afterAll(() => app.close());

  it('reports the events the traversal passed meanwhile in sources[].missed and in errors, and they are the ones a query of that range finds', async () => {
    const nirvana = app.demo!.emulators.find((emulator) =>
      emulator.name.toLowerCase().includes('nirvana'),
    )!;
    // 503s for the first attempt and every retry.
    nirvana.knobs.faults.push({
      fault: { type: 'status', status: 503, body: { error: 'down' } },
      pathPrefix: '/v1/audit_logs',
      times: 3,
    });
    const page1 = await postGraphql(app.url, PAGE);
    // However many of them the retries used, the upstream is healthy again for page 2.
    nirvana.knobs.faults.length = 0;
    const states1 = Object.fromEntries(
      page1.data!.auditEvents.sources.map((s: any) => [s.source.id, s.state]),
    );
    expect(states1.nirvana).toBe('FAILED');
    expect(page1.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'SOURCE_UNAVAILABLE', sourceId: 'nirvana' } }),
    ]);
    expect(page1.data!.auditEvents.edges.some((e: any) => e.node.source.id === 'nirvana')).toBe(
      false,
    );

    const page2 = await postGraphql(app.url, PAGE, {
      after: page1.data!.auditEvents.pageInfo.endCursor,
    });
    const nirvanaStatus = page2.data!.auditEvents.sources.find(
      (s: any) => s.source.id === 'nirvana',
    );
    expect(nirvanaStatus.state).toBe('OK');
    const missed = nirvanaStatus.missed;
    expect(missed.count).toBeGreaterThan(0);
    expect(page2.errors).toEqual([
      expect.objectContaining({
        extensions: { code: 'SOURCE_EVENTS_MISSED', sourceId: 'nirvana', missed },
      }),
    ]);
    // Page 2 is in order and its nirvana events come after page 1's last event.
    const times = [...page1.data!.auditEvents.edges, ...page2.data!.auditEvents.edges].map(
      (e: any) => Date.parse(e.node.occurredAt),
    );
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // The missed events are exactly what a query of the reported range finds.
    const range = await postGraphql(app.url, PAGE, {
      filter: {
        sources: ['nirvana'],
        since: missed.oldest,
        before: new Date(Date.parse(missed.newest) + 1).toISOString(),
      },
    });
    expect(range.data!.auditEvents.edges).toHaveLength(missed.count);
  });
});
