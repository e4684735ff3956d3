import fc from 'fast-check';
import { createCursorCodec } from '../../src/feed/createCursorCodec';
import type { FeedPage } from '../../src/feed/Feed';
import { createFeed } from '../../src/feed/createFeed';
import { EMPTY_FILTER } from '../../src/feed/eventFilter';
import { createEventIdCodec } from '../../src/model/globalId';
import { isValidNativeId } from '../../src/model/nativeId';
import type { SortOrder } from '../../src/model/Source';
import { createMemorySource, makeEvent } from '../support/createMemorySource';

const NOW = 1_772_500_000_000;
const SECRET = 'upstream-ids-property-secret-0123';

/** Ids as a careless or hostile upstream could send them. */
const upstreamId = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ minLength: 1, maxLength: 300, unit: 'binary' }),
  fc.string({ minLength: 1, maxLength: 300, unit: 'grapheme' }),
  fc.string({ minLength: 250, maxLength: 260, unit: fc.constantFrom('"', '\\', '€', '😀', 'a') }),
  fc.json().filter((text) => text.length > 0),
  fc.string({
    minLength: 1,
    maxLength: 30,
    unit: fc.constantFrom('.', ',', '[', ']', '"', '\u0000', '\ud800', '/', ':'),
  }),
  fc.constant('x'.repeat(5_000)),
);

const sourceArbitrary = (id: string) =>
  fc.record({
    id: fc.constant(id),
    maxPageSize: fc.integer({ min: 1, max: 5 }),
    events: fc.uniqueArray(
      fc.record({ nativeId: upstreamId, second: fc.integer({ min: 0, max: 6 }) }),
      { selector: (e) => e.nativeId, minLength: 1, maxLength: 12 },
    ),
  });

describe('cursors over whatever ids the upstreams send', () => {
  it('never hands out a cursor or an event id that auditgraph refuses back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(sourceArbitrary('alpha'), sourceArbitrary('beta')),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom<SortOrder>('asc', 'desc'),
        async (specs, first, order) => {
          const sources = specs.map((spec) =>
            createMemorySource({
              id: spec.id,
              maxPageSize: spec.maxPageSize,
              events: spec.events.map((e) =>
                makeEvent({
                  sourceId: spec.id,
                  nativeId: e.nativeId,
                  occurredAtMs: NOW - 10_000 + e.second * 1000,
                }),
              ),
            }),
          );
          const eventIds = createEventIdCodec(SECRET);
          const feed = createFeed({
            sources,
            cursorCodec: createCursorCodec(SECRET, { now: () => NOW, maxSources: 2 }),
            eventIds,
            now: () => NOW,
            maxFirst: 100,
          });
          let after: string | null = null;
          for (let pages = 0; pages < 100; pages += 1) {
            // Every cursor handed out is taken back: a refusal here would throw.
            const page: FeedPage = await feed.readPage({
              first,
              after,
              filter: EMPTY_FILTER,
              order,
            });
            for (const edge of page.edges) {
              expect(isValidNativeId(edge.event.nativeId)).toBe(true);
              const id = eventIds.encode(edge.event);
              expect(eventIds.decode(id)).toEqual({
                sourceId: edge.event.sourceId,
                nativeId: edge.event.nativeId,
                occurredAtMs: edge.event.occurredAtMs,
              });
              await feed.readPage({ first, after: edge.cursor, filter: EMPTY_FILTER, order });
            }
            // A source holding an id auditgraph does not accept fails visibly, never silently.
            for (const outcome of page.sources) {
              const spec = specs.find((s) => s.id === outcome.source.id)!;
              const hasBadId = spec.events.some((e) => !isValidNativeId(e.nativeId));
              if (outcome.state !== 'OK') {
                expect(hasBadId).toBe(true);
                expect(outcome.error?.code).toBe('SOURCE_BAD_RESPONSE');
              }
            }
            if (!page.hasNextPage || page.endCursor === null) return;
            after = page.endCursor;
          }
          throw new Error('the traversal did not end');
        },
      ),
      { numRuns: 150 },
    );
  });
});
