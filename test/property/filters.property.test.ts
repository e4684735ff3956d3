import fc from 'fast-check';
import { planKindPushdown } from '../support/planKindPushdown';
import { createCursorCodec } from '../../src/feed/createCursorCodec';
import type { FeedPage } from '../../src/feed/Feed';
import { createFeed } from '../../src/feed/createFeed';
import type { EventFilterInput } from '../../src/feed/eventFilter';
import { createEventMatcher, normalizeFilter } from '../../src/feed/eventFilter';
import { compareEventsInOrder } from '../../src/feed/eventKey';
import type {
  ActorType,
  AuditCategory,
  AuditEvent,
  AuditOutcome,
  SourceKind,
} from '../../src/model/AuditEvent';
import type { SortOrder } from '../../src/model/Source';
import { createMemorySource, makeEvent } from '../support/createMemorySource';

const NOW = 1_772_500_000_000;
const BASE = NOW - 30_000;

const ACTIONS = ['create', 'update', 'delete', 'view', 'vm.created', 'Error'];
const CATEGORIES: AuditCategory[] = ['CREATE', 'READ', 'UPDATE', 'DELETE', 'AUTH', 'OTHER'];
const OUTCOMES: AuditOutcome[] = ['SUCCESS', 'FAILURE', 'UNKNOWN'];
const ACTOR_TYPES: ActorType[] = ['USER', 'API_KEY', 'ACCOUNT', 'SYSTEM', 'PROVIDER_ADMIN'];
const EMAILS = ['ana@example.com', 'Bo@Example.com', 'cy@example.com'];
const IPS = ['192.0.2.1', '192.0.2.200', '198.51.100.7', '2001:db8::1'];
const WORDS = ['Rotated key', 'Updated zone', 'Deleted VM', 'webhook failed'];

/** Each source id stands for a kind, so every row of the pushdown table takes part. */
const KINDS: Readonly<Record<string, SourceKind>> = {
  cf1: 'cloudflare-v1',
  cf2: 'cloudflare-v2',
  fastly: 'fastly',
  fae: 'fusionauth-event-log',
  faa: 'fusionauth-audit-log',
  nv: 'nirvana',
};

const eventArbitrary = fc.record({
  nativeId: fc.string({
    minLength: 1,
    maxLength: 3,
    unit: fc.constantFrom('a', 'b', 'c', '1', '2'),
  }),
  second: fc.integer({ min: 0, max: 25 }),
  action: fc.constantFrom(...ACTIONS),
  category: fc.constantFrom(...CATEGORIES),
  outcome: fc.constantFrom(...OUTCOMES),
  actor: fc.option(
    fc.record({
      id: fc.option(fc.constantFrom('u1', 'u2', 'k9'), { nil: null }),
      type: fc.option(fc.constantFrom(...ACTOR_TYPES), { nil: null }),
      email: fc.option(fc.constantFrom(...EMAILS), { nil: null }),
      ip: fc.option(fc.constantFrom(...IPS), { nil: null }),
    }),
    { nil: null },
  ),
  resource: fc.option(
    fc.record({
      id: fc.option(fc.constantFrom('r1', 'r2'), { nil: null }),
      type: fc.option(fc.constantFrom('zone', 'vm'), { nil: null }),
    }),
    { nil: null },
  ),
  description: fc.option(fc.constantFrom(...WORDS), { nil: null }),
});

const FILTER_FIELDS = {
  actions: fc.subarray(ACTIONS, { minLength: 1, maxLength: 2 }),
  categories: fc.subarray(CATEGORIES, { minLength: 1 }),
  outcome: fc.constantFrom(...OUTCOMES),
  actorIds: fc.subarray(['u1', 'u2', 'k9'], { minLength: 1 }),
  actorEmails: fc.subarray(
    EMAILS.map((e) => e.toUpperCase()),
    { minLength: 1 },
  ),
  actorTypes: fc.subarray(ACTOR_TYPES, { minLength: 1, maxLength: 2 }),
  resourceTypes: fc.subarray(['zone', 'vm'], { minLength: 1 }),
  resourceIds: fc.subarray(['r1', 'r2'], { minLength: 1 }),
  ipAddress: fc.constantFrom('192.0.2.1', '192.0.2.0/24', '2001:db8::/32', '198.51.100.7'),
  text: fc.constantFrom('rotat', 'ZONE', 'vm', 'upd', 'error'),
  sinceMs: fc.integer({ min: BASE, max: BASE + 5_000 }),
  beforeMs: fc.integer({ min: BASE + 5_000, max: BASE + 30_000 }),
};

/** Zero to two filter fields at a time: enough to narrow, few enough that events still match. */
const filterArbitrary: fc.Arbitrary<EventFilterInput> = fc
  .uniqueArray(fc.constantFrom(...(Object.keys(FILTER_FIELDS) as (keyof typeof FILTER_FIELDS)[])), {
    maxLength: 2,
  })
  .chain(
    (fields) =>
      fc.record(
        Object.fromEntries(fields.map((field) => [field, FILTER_FIELDS[field]])),
      ) as fc.Arbitrary<EventFilterInput>,
  );

const scenarioArbitrary = fc.record({
  sources: fc
    .uniqueArray(fc.constantFrom(...Object.keys(KINDS)), { minLength: 1, maxLength: 6 })
    .chain((ids) =>
      fc.tuple(
        ...ids.map((id) =>
          fc.record({
            id: fc.constant(id),
            maxPageSize: fc.integer({ min: 1, max: 5 }),
            paging: fc.constantFrom('offset' as const, 'cursor' as const),
            events: fc.uniqueArray(eventArbitrary, { selector: (e) => e.nativeId, maxLength: 35 }),
          }),
        ),
      ),
    ),
  filter: filterArbitrary,
  first: fc.integer({ min: 1, max: 6 }),
  order: fc.constantFrom<SortOrder>('asc', 'desc'),
  budget: fc.constantFrom(1, 3, 20),
  pushdown: fc.boolean(),
});

describe('filters, pushed down or applied by the feed, against a brute-force model', () => {
  it('deliver exactly the matching events of every source, in order, for any filter', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const sources = scenario.sources.map((s) => {
          const kind = KINDS[s.id]!;
          return createMemorySource({
            id: s.id,
            kind,
            maxPageSize: s.maxPageSize,
            paging: s.paging,
            events: s.events.map((e) =>
              makeEvent({
                sourceId: s.id,
                kind,
                nativeId: e.nativeId,
                occurredAtMs: BASE + e.second * 1000,
                action: e.action,
                category: e.category,
                outcome: e.outcome,
                description: e.description,
                actor: e.actor === null ? null : { ...e.actor, name: null, token: null },
                resource: e.resource === null ? null : { ...e.resource, name: null, product: null },
              }),
            ),
          });
        });
        const feed = createFeed({
          sources,
          cursorCodec: createCursorCodec('filter-property-secret-0123456789'),
          now: () => NOW,
          maxFirst: 100,
          maxUpstreamPagesPerSource: scenario.budget,
          pushdown: scenario.pushdown,
        });
        const filter = normalizeFilter(scenario.filter);
        const delivered: AuditEvent[] = [];
        let after: string | null = null;
        for (let i = 0; ; i += 1) {
          if (i > 3_000) throw new Error('the traversal did not end');
          const page: FeedPage = await feed.readPage({
            first: scenario.first,
            after,
            filter,
            order: scenario.order,
          });
          delivered.push(...page.edges.map((e) => e.event));
          if (!page.hasNextPage) break;
          after = page.endCursor;
        }
        const matches = createEventMatcher(filter);
        const expected = sources
          .flatMap((s) => s.events)
          .filter(matches)
          .sort(compareEventsInOrder(scenario.order));
        expect(delivered.map((e) => `${e.sourceId}/${e.nativeId}`)).toEqual(
          expected.map((e) => `${e.sourceId}/${e.nativeId}`),
        );
      }),
      { numRuns: Number(process.env.FILTER_PROPERTY_RUNS ?? 200) },
    );
  });

  it('sends upstream only what the pushdown table allows, and exactly the fields it plans', () => {
    const filter = normalizeFilter({
      actions: ['update'],
      outcome: 'UNKNOWN',
      ipAddress: '192.0.2.0/24',
      text: 'zone',
    });
    expect(planKindPushdown('cloudflare-v2', filter)).toEqual({
      actions: 'pushed',
      outcome: 'residual',
      ipAddress: 'residual',
      text: 'residual',
    });
    expect(planKindPushdown('cloudflare-v1', filter)).toEqual({
      actions: 'pushed',
      outcome: 'residual',
      ipAddress: 'pushed',
      text: 'residual',
    });
    expect(planKindPushdown('fusionauth-audit-log', filter)).toEqual({
      actions: 'residual',
      outcome: 'residual',
      ipAddress: 'residual',
      text: 'narrowed',
    });
    expect(
      planKindPushdown('nirvana', normalizeFilter({ actions: ['a', 'b'], outcome: 'FAILURE' })),
    ).toEqual({ actions: 'residual', outcome: 'pushed' });
  });
});
