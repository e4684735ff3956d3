import type { AuditEvent } from '../../src/model/AuditEvent';
import { AuditgraphError } from '../../src/model/errors';
import type { ListQuery, Source, SortOrder } from '../../src/model/Source';
import type { EmulatorServer } from '../../src/emulators/startEmulatorServer';

/**
 * The one contract every source kind keeps, run against each kind's emulator: what the feed
 * relies on, and nothing more.
 */
export interface SourceContractFixture {
  /** Pointed at the emulator with the credential it accepts. */
  readonly source: Source;
  /** The same, with a credential the emulator refuses. */
  readonly wrongCredentialSource: Source;
  /** Every event the emulator holds, as the mapping gives it. */
  readonly expected: readonly AuditEvent[];
  readonly emulator: EmulatorServer;
  close(): Promise<void>;
}

export async function listAll(
  source: Source,
  query: ListQuery,
): Promise<{ events: AuditEvent[]; pages: number }> {
  const events: AuditEvent[] = [];
  let continuation: string | null = null;
  let pages = 0;
  do {
    const page = await source.list(query, continuation);
    pages += 1;
    if (page.events.length > source.maxPageSize) throw new Error('page larger than maxPageSize');
    events.push(...page.events);
    continuation = page.next;
    if (pages > 10_000) throw new Error('no end to the pages');
  } while (continuation !== null);
  return { events, pages };
}

const byOrder = (order: SortOrder) => (a: AuditEvent, b: AuditEvent) =>
  order === 'asc' ? a.occurredAtMs - b.occurredAtMs : b.occurredAtMs - a.occurredAtMs;

const keyOf = (event: AuditEvent) => `${event.occurredAtMs}|${event.nativeId}`;

export function describeSourceContract(
  kind: string,
  setup: () => Promise<SourceContractFixture>,
): void {
  describe(`the ${kind} source contract`, () => {
    let fixture: SourceContractFixture;
    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(async () => {
      await fixture.close();
    });

    it('holds a dataset with bursts of same-timestamp events to test against', () => {
      expect(fixture.expected.length).toBeGreaterThan(50);
      const counts = new Map<number, number>();
      for (const event of fixture.expected)
        counts.set(event.occurredAtMs, (counts.get(event.occurredAtMs) ?? 0) + 1);
      expect(Math.max(...counts.values())).toBeGreaterThan(1);
    });

    for (const order of ['asc', 'desc'] as const) {
      it(`lists every event of a window exactly once, ordered ${order}, across small pages`, async () => {
        const sorted = [...fixture.expected].sort((a, b) => a.occurredAtMs - b.occurredAtMs);
        const sinceMs = (sorted[Math.floor(sorted.length / 4)] as AuditEvent).occurredAtMs;
        const beforeMs = (sorted[Math.floor((sorted.length * 3) / 4)] as AuditEvent).occurredAtMs;
        const query: ListQuery = { order, sinceMs, beforeMs, pageSize: 1 };
        const { events, pages } = await listAll(fixture.source, query);
        expect(pages).toBeGreaterThan(1);
        const inside = events.filter((e) => e.occurredAtMs >= sinceMs && e.occurredAtMs < beforeMs);
        const want = fixture.expected.filter(
          (e) => e.occurredAtMs >= sinceMs && e.occurredAtMs < beforeMs,
        );
        expect(inside.map(keyOf).sort()).toEqual(want.map(keyOf).sort());
        expect(new Set(inside.map(keyOf)).size).toBe(inside.length);
        expect([...events].sort(byOrder(order)).map((e) => e.occurredAtMs)).toEqual(
          events.map((e) => e.occurredAtMs),
        );
      });
    }

    it('returns pages no larger than asked for, and the whole dataset with the largest pages', async () => {
      const first = await fixture.source.list(
        {
          order: 'desc',
          sinceMs: 0,
          beforeMs: 8_000_000_000_000,
          pageSize: fixture.source.maxPageSize,
        },
        null,
      );
      expect(first.events.length).toBeLessThanOrEqual(fixture.source.maxPageSize);
      const { events } = await listAll(fixture.source, {
        order: 'desc',
        sinceMs: 0,
        beforeMs: 8_000_000_000_000,
        pageSize: fixture.source.maxPageSize,
      });
      expect(events.map(keyOf).sort()).toEqual(fixture.expected.map(keyOf).sort());
    });

    it('gets each event by its id, equal to the listed one', async () => {
      for (const event of fixture.expected.slice(0, 5)) {
        await expect(fixture.source.get(event.nativeId, event.occurredAtMs)).resolves.toEqual(
          event,
        );
      }
    });

    it('gets null for an id the upstream does not know', async () => {
      const event = fixture.expected[0] as AuditEvent;
      const unknown = /^\d+$/.test(event.nativeId)
        ? '999999999'
        : 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0';
      await expect(fixture.source.get(unknown, event.occurredAtMs)).resolves.toBeNull();
    });

    it('reports a refused credential as SOURCE_AUTH_FAILED naming the source', async () => {
      const failure = await fixture.wrongCredentialSource
        .list({ order: 'desc', sinceMs: 0, beforeMs: 8_000_000_000_000, pageSize: 10 }, null)
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(failure).toBeInstanceOf(AuditgraphError);
      expect((failure as AuditgraphError).code).toBe('SOURCE_AUTH_FAILED');
      expect((failure as AuditgraphError).details.sourceId).toBe(fixture.wrongCredentialSource.id);
    });
  });
}
