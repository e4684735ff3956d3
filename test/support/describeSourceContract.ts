import type { AuditEvent, SourceKind, SourceRef } from '../../src/model/AuditEvent';
import { AuditgraphError } from '../../src/model/errors';
import type { ListPage, ListQuery, Source, SortOrder } from '../../src/model/Source';
import type { EmulatorServer } from '../../src/emulators/startEmulatorServer';
import { connectSource, type ConnectedSource, type CreateSource } from './connectSource';

/**
 * The one contract every source kind keeps, run against each kind's emulator: what the feed
 * relies on, and nothing more. A kind's contract file says only what is particular to it.
 */
export interface SourceContractSetup<R, E extends EmulatorServer> {
  readonly kind: SourceKind;
  /** The dataset the emulator holds, in the upstream's own shape. */
  readonly records: readonly R[];
  /** The kind's mapping: what its source makes of one record. */
  readonly toEvent: (record: R, source: SourceRef) => AuditEvent;
  readonly startEmulator: (records: readonly R[]) => Promise<E>;
  /** The API's base path on the emulator (Cloudflare's `/client/v4`); none by default. */
  readonly basePath?: string;
  /** The sources' clock: after every record, and inside the upstream's retention. */
  readonly nowMs: number;
  /** A source of the kind, with the emulator's credential unless it is given another. */
  readonly createSource: CreateSource<E>;
}

/** A credential no emulator accepts. */
const REFUSED_CREDENTIAL = 'not-the-credential';

interface SourceContractFixture {
  /** Pointed at the emulator with the credential it accepts. */
  readonly source: Source;
  /** The same, with a credential the emulator refuses. */
  readonly wrongCredentialSource: Source;
  /** Every event the emulator holds, as the mapping gives it. */
  readonly expected: readonly AuditEvent[];
  close(): Promise<void>;
}

async function startContractFixture<R, E extends EmulatorServer>(
  setup: SourceContractSetup<R, E>,
): Promise<SourceContractFixture> {
  const emulator = await setup.startEmulator(setup.records);
  const connect = (id: string, credential?: string): ConnectedSource =>
    connectSource(emulator, setup.createSource, {
      id,
      nowMs: setup.nowMs,
      basePath: setup.basePath,
      ...(credential === undefined ? {} : { credential }),
    });
  const accepted = connect(setup.kind);
  const refused = connect(`${setup.kind}-refused`, REFUSED_CREDENTIAL);
  return {
    source: accepted.source,
    wrongCredentialSource: refused.source,
    expected: setup.records.map((record) =>
      setup.toEvent(record, { id: setup.kind, kind: setup.kind }),
    ),
    close: async () => {
      await Promise.all([accepted.close(), refused.close()]);
      await emulator.close();
    },
  };
}

/** Every page of one query chain, from the first to the one with no continuation. */
export async function listPages(source: Source, query: ListQuery): Promise<ListPage[]> {
  const pages: ListPage[] = [];
  let continuation: string | null = null;
  do {
    const page: ListPage = await source.list(query, continuation);
    if (page.events.length > source.maxPageSize) throw new Error('page larger than maxPageSize');
    pages.push(page);
    continuation = page.next;
    if (pages.length > 10_000) throw new Error('no end to the pages');
  } while (continuation !== null);
  return pages;
}

export async function listAll(
  source: Source,
  query: ListQuery,
): Promise<{ events: AuditEvent[]; pages: number }> {
  const pages = await listPages(source, query);
  return { events: pages.flatMap((page) => page.events), pages: pages.length };
}

const byOrder = (order: SortOrder) => (a: AuditEvent, b: AuditEvent) =>
  order === 'asc' ? a.occurredAtMs - b.occurredAtMs : b.occurredAtMs - a.occurredAtMs;

const keyOf = (event: AuditEvent) => `${event.occurredAtMs}|${event.nativeId}`;

export function describeSourceContract<R, E extends EmulatorServer>(
  setup: SourceContractSetup<R, E>,
): void {
  describe(`the ${setup.kind} source contract`, () => {
    let fixture: SourceContractFixture;
    beforeAll(async () => {
      fixture = await startContractFixture(setup);
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
