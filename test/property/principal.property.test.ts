import fc from 'fast-check';
import { createCursorCodec } from '../../src/feed/createCursorCodec';
import type { FeedPage } from '../../src/feed/Feed';
import { createFeed } from '../../src/feed/createFeed';
import { createEventMatcher, normalizeFilter } from '../../src/feed/eventFilter';
import { compareEventsInOrder } from '../../src/feed/eventKey';
import type { AuditEvent, SourceKind } from '../../src/model/AuditEvent';
import type { Principal } from '../../src/model/Principal';
import type { SortOrder } from '../../src/model/Source';
import { hasPersonalData } from '../../src/feed/redactPersonalText';
import { createMemorySource, makeEvent } from '../support/createMemorySource';

const NOW = 1_772_500_000_000;
const BASE = NOW - 30_000;

/** Each source id stands for a kind, so text is narrowed upstream (FusionAuth) or not. */
const KINDS: Readonly<Record<string, SourceKind>> = {
  cf2: 'cloudflare-v2',
  fastly: 'fastly',
  fae: 'fusionauth-event-log',
  faa: 'fusionauth-audit-log',
  nv: 'nirvana',
};
const DESCRIPTIONS = [
  'User [ana@example.com] failed login',
  'Login from 192.0.2.7 by bo@example.com',
  'Rotated key',
  'Webhook to 2001:db8::1 failed',
];
const TEXTS = ['ana@', 'example', '192.0.2', '[redacted]', 'failed', 'login from [redacted] by'];

const eventArbitrary = fc.record({
  nativeId: fc.string({ minLength: 1, maxLength: 3, unit: fc.constantFrom('a', 'b', '1', '2') }),
  second: fc.integer({ min: 0, max: 25 }),
  action: fc.constantFrom('update', 'login', 'Error'),
  actorId: fc.option(fc.constantFrom('u1', 'u2'), { nil: null }),
  description: fc.option(fc.constantFrom(...DESCRIPTIONS), { nil: null }),
});

const scenarioArbitrary = fc.record({
  sources: fc
    .uniqueArray(fc.constantFrom(...Object.keys(KINDS)), { minLength: 1, maxLength: 5 })
    .chain((ids) =>
      fc.tuple(
        ...ids.map((id) =>
          fc.record({
            id: fc.constant(id),
            maxPageSize: fc.integer({ min: 1, max: 5 }),
            events: fc.uniqueArray(eventArbitrary, { selector: (e) => e.nativeId, maxLength: 25 }),
          }),
        ),
      ),
    ),
  readable: fc.option(fc.subarray(Object.keys(KINDS)), { nil: null }),
  pii: fc.boolean(),
  filter: fc.record(
    {
      text: fc.constantFrom(...TEXTS),
      actions: fc.subarray(['update', 'login', 'Error'], { minLength: 1 }),
      actorIds: fc.subarray(['u1', 'u2'], { minLength: 1 }),
    },
    { requiredKeys: [] },
  ),
  first: fc.integer({ min: 1, max: 6 }),
  order: fc.constantFrom<SortOrder>('asc', 'desc'),
  pushdown: fc.boolean(),
});

describe("a principal's traversal, against a brute-force model", () => {
  it('delivers exactly the matching events of the sources it may read, as it sees them, in order', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const sources = scenario.sources.map((s) =>
          createMemorySource({
            id: s.id,
            kind: KINDS[s.id]!,
            maxPageSize: s.maxPageSize,
            events: s.events.map((e) =>
              makeEvent({
                sourceId: s.id,
                kind: KINDS[s.id]!,
                nativeId: e.nativeId,
                occurredAtMs: BASE + e.second * 1000,
                action: e.action,
                description: e.description,
                actor:
                  e.actorId === null
                    ? null
                    : {
                        id: e.actorId,
                        type: 'USER',
                        name: null,
                        email: null,
                        token: null,
                        ip: null,
                      },
              }),
            ),
          }),
        );
        const principal: Principal = {
          id: 'p',
          via: 'api-key',
          sourceIds: scenario.readable === null ? null : new Set(scenario.readable),
          pii: scenario.pii,
        };
        const feed = createFeed({
          sources,
          cursorCodec: createCursorCodec('principal-property-secret-0123456789'),
          now: () => NOW,
          maxFirst: 100,
          pushdown: scenario.pushdown,
        });
        const filter = normalizeFilter(scenario.filter);
        // Without pii, a text holding an address is a probe of personal data: refused, unread.
        if (!scenario.pii && filter.text !== null && hasPersonalData(filter.text)) {
          await expect(
            feed.readPage({
              first: scenario.first,
              after: null,
              filter,
              order: scenario.order,
              principal,
            }),
          ).rejects.toMatchObject({ code: 'FORBIDDEN' });
          expect(sources.every((source) => source.requests.length === 0)).toBe(true);
          return;
        }
        const readable = (id: string) =>
          scenario.readable === null || scenario.readable.includes(id);
        const delivered: AuditEvent[] = [];
        let after: string | null = null;
        for (let i = 0; ; i += 1) {
          if (i > 1_000) throw new Error('the traversal did not end');
          const page: FeedPage = await feed.readPage({
            first: scenario.first,
            after,
            filter,
            order: scenario.order,
            principal,
          });
          expect(page.sources.every((outcome) => readable(outcome.source.id))).toBe(true);
          delivered.push(...page.edges.map((e) => e.event));
          if (!page.hasNextPage) break;
          after = page.endCursor;
        }
        for (const source of sources) {
          if (!readable(source.id)) expect(source.requests).toHaveLength(0);
        }
        const matches = createEventMatcher(filter, { redactedText: !scenario.pii });
        const expected = sources
          .filter((source) => readable(source.id))
          .flatMap((source) => source.events)
          .filter(matches)
          .sort(compareEventsInOrder(scenario.order));
        expect(delivered.map((e) => `${e.sourceId}/${e.nativeId}`)).toEqual(
          expected.map((e) => `${e.sourceId}/${e.nativeId}`),
        );
      }),
      { numRuns: Number(process.env.PRINCIPAL_PROPERTY_RUNS ?? 150) },
    );
  });
});
