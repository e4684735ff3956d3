import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import { createFeed } from '../../../src/feed/createFeed';
import { normalizeFilter } from '../../../src/feed/eventFilter';
import { compareEventsInOrder } from '../../../src/feed/eventKey';
import type { AuditEvent } from '../../../src/model/AuditEvent';
import { AuditgraphError } from '../../../src/model/errors';
import type { Source } from '../../../src/model/Source';
import { createMemorySource, makeEvent } from '../../support/createMemorySource';

const NOW = 1_772_500_000_000;
const DEADLINE_MS = 1_000;
const FILTER = normalizeFilter({});

function events(sourceId: string, count: number, stepMs: number): AuditEvent[] {
  return Array.from({ length: count }, (_, i) =>
    makeEvent({
      sourceId,
      nativeId: `${sourceId}-${String(i).padStart(4, '0')}`,
      occurredAtMs: NOW - 500 - i * stepMs,
    }),
  );
}

/**
 * A source that, while `hung`, answers nothing until the request's deadline has passed (the
 * clock is moved there) and then fails with SOURCE_TIMEOUT, as the HTTP client does.
 */
function withHang(source: Source, clock: { now: number }): Source & { hung: boolean } {
  const wrapped = {
    ...source,
    hung: false,
    list: (...args: Parameters<Source['list']>) => {
      const deadlineAt = args[2]?.deadlineAt;
      if (wrapped.hung && deadlineAt !== undefined) {
        clock.now = deadlineAt;
        return Promise.reject(
          new AuditgraphError('SOURCE_TIMEOUT', `source ${source.id} did not answer in time`, {
            sourceId: source.id,
          }),
        );
      }
      return source.list(...args);
    },
  };
  return wrapped;
}

describe('a page that runs out of time', () => {
  it('ends short where a healthy source must read on, instead of failing it with the hung one', async () => {
    const clock = { now: NOW };
    // `a` answers 10 events a read, so a page of 25 needs three of its reads.
    const a = createMemorySource({ id: 'a', maxPageSize: 10, events: events('a', 60, 1_000) });
    const bEvents = events('b', 30, 2_000);
    const b = withHang(createMemorySource({ id: 'b', maxPageSize: 10, events: bEvents }), clock);
    const feed = createFeed({
      sources: [a, b],
      cursorCodec: createCursorCodec('deadline-cut-test-secret-0123'),
      now: () => clock.now,
      maxFirst: 100,
    });
    const read = (after: string | null) =>
      feed.readPage({
        first: 25,
        after,
        filter: FILTER,
        order: 'desc',
        deadlineAt: clock.now + DEADLINE_MS,
      });

    b.hung = true;
    const short = await read(null);
    const outcome = (id: string) => short.sources.find((each) => each.source.id === id);
    expect(outcome('b')).toMatchObject({ state: 'TIMED_OUT' });
    // The healthy source is not reported for the other's hang, and read nothing past the deadline.
    expect(outcome('a')).toMatchObject({ state: 'OK', error: null });
    expect(a.requests).toHaveLength(1);
    // What the one read made certain, in order, and a cursor that goes on from there.
    expect(short.edges.length).toBeGreaterThan(0);
    expect(short.edges.length).toBeLessThan(25);
    expect(short.hasNextPage).toBe(true);

    // Once the hung source answers again, the traversal goes on without a gap or a repeat.
    b.hung = false;
    const delivered = short.edges.map((edge) => edge.event);
    let after = short.endCursor;
    while (after !== null) {
      const page = await read(after);
      delivered.push(...page.edges.map((edge) => edge.event));
      after = page.hasNextPage ? page.endCursor : null;
    }
    expect(delivered.filter((event) => event.sourceId === 'a')).toHaveLength(60);
    // `b`'s events the first page passed while it hung are reported missed, not delivered.
    const bDelivered = delivered.filter((event) => event.sourceId === 'b');
    expect(bDelivered).toEqual(
      [...bEvents].sort(compareEventsInOrder('desc')).slice(30 - bDelivered.length),
    );
    expect(delivered).toEqual([...delivered].sort(compareEventsInOrder('desc')));
  });
});
