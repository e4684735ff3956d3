import fc from 'fast-check';
import { capabilitiesOf, planKindPushdown } from './planKindPushdown';
import type { EmulatorServer, RecordedRequest } from '../../src/emulators/startEmulatorServer';
import { createCursorCodec } from '../../src/feed/createCursorCodec';
import { createFeed } from '../../src/feed/createFeed';
import type { FeedPage } from '../../src/feed/Feed';
import {
  createEventMatcher,
  normalizeFilter,
  type EventFilter,
  type EventFilterInput,
} from '../../src/feed/eventFilter';
import { compareEventsInOrder } from '../../src/feed/eventKey';
import type {
  ActorType,
  AuditCategory,
  AuditEvent,
  AuditOutcome,
  Provider,
  SourceKind,
} from '../../src/model/AuditEvent';
import { isSentUpstream, PUSHABLE_FIELDS, type PushableField } from '../../src/model/EventFilter';
import type { ListPage, ListQuery, SortOrder, Source } from '../../src/model/Source';
import { listAll } from './describeSourceContract';

/**
 * The filter-pushdown suite of one source kind, run against its emulator over a generated dataset
 * (the Fastly and Cloudflare kinds use it; it belongs beside describeSourceContract once the
 * other kinds adopt it). It proves, for the kind's row of the pushdown table:
 *  - every field the row lists reaches the emulator as its documented parameter, with the value
 *    mapped right, on every page of a chain, and the upstream then answers exactly the events
 *    the feed's matcher picks from the whole mapped dataset;
 *  - a field the plan keeps residual sends no parameter;
 *  - any filter of up to two fields, traversed through the feed over this one source, gives
 *    exactly the brute-force answer (a fast-check property);
 *  - pushing a filter costs fewer upstream requests or events per feed page than leaving it to
 *    the feed.
 */

export interface StartedSource {
  readonly source: Source;
  readonly emulator: EmulatorServer;
  close(): Promise<void>;
}

export interface PushedCase {
  /** The test's title: what is sent as what. */
  readonly title: string;
  /** Sets exactly one pushable field, to values that occur in the dataset. */
  readonly filter: EventFilterInput;
  /** Every list request of the chain carries exactly these values under these keys. */
  readonly params: Readonly<Record<string, readonly string[]>>;
}

export interface ResidualCase {
  readonly title: string;
  /** Sets exactly one pushable field, which the plan keeps residual. */
  readonly filter: EventFilterInput;
}

export interface PushdownSuite {
  readonly kind: SourceKind;
  readonly sourceId: string;
  /** The dataset the emulator holds, as the kind's mapping gives it. */
  readonly events: readonly AuditEvent[];
  /** The feed's clock: after every event, and inside the upstream's retention. */
  readonly nowMs: number;
  /** Every filter parameter the adapter may send (none of them for a residual field). */
  readonly filterKeys: readonly string[];
  /** Starts the kind's emulator over the dataset, and a source on it. */
  readonly start: () => Promise<StartedSource>;
  /** The same with the emulator's quirk option on, for kinds that have one. */
  readonly startQuirky?: () => Promise<StartedSource>;
  readonly pushed: readonly PushedCase[];
  readonly residual: readonly ResidualCase[];
  /** A dataset of a few thousand events, and one filter the kind pushes, to measure. */
  readonly measurement: {
    readonly start: () => Promise<StartedSource>;
    readonly events: readonly AuditEvent[];
    readonly filter: EventFilterInput;
  };
  /** How many filters the property tries (kept small: each is a full traversal). */
  readonly propertyRuns?: number;
}

const SECRET = 'pushdown-suite-secret-0123456789abcdef';
const HOUR_MS = 3_600_000;
const ACTOR_TYPES: readonly ActorType[] = [
  'USER',
  'API_KEY',
  'ACCOUNT',
  'SYSTEM',
  'PROVIDER_ADMIN',
];
const CATEGORIES: readonly AuditCategory[] = [
  'CREATE',
  'READ',
  'UPDATE',
  'DELETE',
  'AUTH',
  'OTHER',
];
const OUTCOMES: readonly AuditOutcome[] = ['SUCCESS', 'FAILURE', 'UNKNOWN'];
const PROVIDERS: readonly Provider[] = ['FASTLY', 'CLOUDFLARE', 'FUSIONAUTH', 'NIRVANA'];
/** A value no dataset holds, so that lists also name what is not there. */
const ABSENT = 'not-in-the-dataset';

const idsOf = (events: readonly AuditEvent[]) => events.map((event) => event.nativeId);
const sortedIds = (events: readonly AuditEvent[]) => idsOf(events).sort();

/** The pushable fields a filter sets. */
export function fieldsOf(filter: EventFilter): PushableField[] {
  return PUSHABLE_FIELDS.filter((field) => filter[field] !== null);
}

/** The query of a whole dataset: an hour of margin on either side. */
export function wholeQuery(
  events: readonly AuditEvent[],
  filter: EventFilter,
  order: SortOrder,
  pageSize: number,
): ListQuery {
  const times = events.map((event) => event.occurredAtMs);
  return {
    order,
    sinceMs: Math.min(...times) - HOUR_MS,
    beforeMs: Math.max(...times) + HOUR_MS,
    pageSize,
    filter,
  };
}

/** The filter parameters of one request: the given keys with their values, in order. */
export function filterParamsOf(
  request: RecordedRequest,
  keys: readonly string[],
): Record<string, string[]> {
  const params: Record<string, string[]> = {};
  for (const key of keys) {
    const values = request.query.getAll(key);
    if (values.length > 0) params[key] = values;
  }
  return params;
}

export interface Traversal {
  readonly events: readonly AuditEvent[];
  readonly pages: readonly FeedPage[];
}

/** Every page of a feed over the one source, from the first to the last. */
export async function traverse(
  source: Source,
  options: {
    readonly filter: EventFilter;
    readonly order: SortOrder;
    readonly first: number;
    readonly nowMs: number;
    readonly budget?: number;
    readonly pushdown?: boolean;
  },
): Promise<Traversal> {
  const feed = createFeed({
    sources: [source],
    cursorCodec: createCursorCodec(SECRET),
    now: () => options.nowMs,
    maxFirst: 100,
    ...(options.budget === undefined ? {} : { maxUpstreamPagesPerSource: options.budget }),
    ...(options.pushdown === undefined ? {} : { pushdown: options.pushdown }),
  });
  const events: AuditEvent[] = [];
  const pages: FeedPage[] = [];
  let after: string | null = null;
  for (;;) {
    if (pages.length > 5_000) throw new Error('the traversal did not end');
    const page: FeedPage = await feed.readPage({
      first: options.first,
      after,
      filter: options.filter,
      order: options.order,
    });
    pages.push(page);
    events.push(...page.edges.map((edge) => edge.event));
    if (!page.hasNextPage) break;
    after = page.endCursor;
  }
  return { events, pages };
}

/** A source that counts the events its upstream pages carried. */
function countingEventsRead(source: Source): { source: Source; read: () => number } {
  let read = 0;
  return {
    source: {
      ...source,
      async list(query, continuation, options): Promise<ListPage> {
        const page = await source.list(query, continuation, options);
        read += page.events.length;
        return page;
      },
    },
    read: () => read,
  };
}

export interface PushdownCost {
  readonly pages: number;
  readonly requestsPerPage: number;
  readonly maxRequestsPerPage: number;
  readonly eventsReadPerPage: number;
  readonly delivered: readonly AuditEvent[];
}

/** What one traversal with `first: 50` costs upstream, page by page. */
export async function measureCost(
  started: StartedSource,
  filter: EventFilter,
  nowMs: number,
  pushdown: boolean,
): Promise<PushdownCost> {
  const counting = countingEventsRead(started.source);
  started.emulator.resetRequests();
  const { events, pages } = await traverse(counting.source, {
    filter,
    order: 'desc',
    first: 50,
    nowMs,
    pushdown,
  });
  const perPage = pages.map((page) => page.sources[0]?.upstreamRequests ?? 0);
  const requests = perPage.reduce((sum, n) => sum + n, 0);
  expect(started.emulator.requests).toHaveLength(requests);
  return {
    pages: pages.length,
    requestsPerPage: requests / pages.length,
    maxRequestsPerPage: Math.max(...perPage),
    eventsReadPerPage: counting.read() / pages.length,
    delivered: events,
  };
}

/** Each distinct non-null value, sorted; the absent marker when there is none. */
function distinct(values: readonly (string | null | undefined)[]): string[] {
  const found = [...new Set(values.filter((v): v is string => v !== null && v !== undefined))];
  return found.length === 0 ? [ABSENT] : found.sort();
}

/**
 * A list filter: mostly one value (what single-value APIs push), else up to three, at times one
 * the dataset lacks (`withAbsent`), now and then none (which matches nothing).
 */
function listOf<T extends string>(pool: readonly T[], withAbsent = true): fc.Arbitrary<T[]> {
  const values = withAbsent ? [...pool, ABSENT as T] : pool;
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<T[]>([]) },
    { weight: 5, arbitrary: fc.constantFrom<T>(...pool).map((value) => [value]) },
    {
      weight: 4,
      arbitrary: fc.uniqueArray(fc.constantFrom<T>(...values), { minLength: 1, maxLength: 3 }),
    },
  );
}

/** The same text in other cases: the filters on emails and text are case-insensitive. */
function caseVariants(value: string): string[] {
  const capitalized = value.replace(
    /(^|[^a-z])([a-z])/g,
    (_m, before: string, letter: string) => `${before}${letter.toUpperCase()}`,
  );
  return [value, value.toUpperCase(), capitalized];
}

/** Values for each of the 14 filter fields, drawn from the dataset itself. */
function filterFieldArbitraries(
  events: readonly AuditEvent[],
  sourceId: string,
): Record<string, fc.Arbitrary<unknown>> {
  const addresses = distinct(
    events.flatMap((event) =>
      [event.actor?.ip, event.request?.ip].flatMap((ip) =>
        (ip ?? '').split(',').map((part) => part.trim() || null),
      ),
    ),
  );
  const ranges = addresses
    .filter((address) => /^\d+\.\d+\.\d+\.\d+$/.test(address))
    .flatMap((address) => [
      `${address}/32`,
      `${address.split('.').slice(0, 3).join('.')}.0/24`,
      `${address.split('.').slice(0, 2).join('.')}.0.0/16`,
    ]);
  const words = distinct(
    events.flatMap((event) =>
      [event.action, event.description ?? ''].flatMap((text) =>
        text.split(/\s+/).filter((word) => word.length >= 3),
      ),
    ),
  ).slice(0, 200);
  const times = events.map((event) => event.occurredAtMs);
  const minMs = Math.min(...times);
  const maxMs = Math.max(...times);
  const instant = fc.oneof(
    fc.constantFrom(...times),
    fc.integer({ min: minMs - 1_000, max: maxMs + 1_000 }),
  );
  return {
    sinceMs: instant,
    beforeMs: instant,
    sourceIds: fc.constant([sourceId]),
    providers: fc.subarray([...PROVIDERS], { minLength: 1 }),
    actions: listOf(distinct(events.map((event) => event.action))),
    categories: listOf(CATEGORIES, false),
    outcome: fc.constantFrom(...OUTCOMES),
    actorIds: listOf(distinct(events.map((event) => event.actor?.id))),
    actorEmails: listOf(distinct(events.map((event) => event.actor?.email)).flatMap(caseVariants)),
    actorTypes: listOf(ACTOR_TYPES, false),
    resourceTypes: listOf(distinct(events.map((event) => event.resource?.type))),
    resourceIds: listOf(distinct(events.map((event) => event.resource?.id))),
    ipAddress: fc.constantFrom(
      ...addresses.filter((address) => address !== ABSENT),
      ...ranges,
      '2001:db8::/32',
      '::ffff:192.0.2.1',
    ),
    text: fc.constantFrom(...words.flatMap(caseVariants), 'zz-none'),
  };
}

/**
 * Zero to two of the 14 filter fields at a time: enough to narrow, few enough to still match.
 * The fields of the kind's row are drawn three times as often, since they are what is on trial.
 */
function filterArbitrary(
  kind: SourceKind,
  events: readonly AuditEvent[],
  sourceId: string,
): fc.Arbitrary<EventFilterInput> {
  const fields = filterFieldArbitraries(events, sourceId);
  const row = Object.keys(capabilitiesOf(kind));
  const weighted = Object.keys(fields).flatMap((field) =>
    row.includes(field) ? [field, field, field] : [field],
  );
  return fc
    .uniqueArray(fc.constantFrom(...weighted), { maxLength: 2 })
    .chain(
      (chosen) =>
        fc.record(
          Object.fromEntries(chosen.map((field) => [field, fields[field] ?? fc.constant(null)])),
        ) as fc.Arbitrary<EventFilterInput>,
    );
}

export function describePushdownSuite(suite: PushdownSuite): void {
  const { kind, events, nowMs } = suite;
  const row = capabilitiesOf(kind);
  const expectedFor = (filter: EventFilter, order: SortOrder) =>
    events.filter(createEventMatcher(filter)).sort(compareEventsInOrder(order));

  describe(`${kind} filter pushdown, against its emulator`, () => {
    let plain: StartedSource;
    let quirky: StartedSource | null = null;
    beforeAll(async () => {
      plain = await suite.start();
      quirky = (await suite.startQuirky?.()) ?? null;
    });
    afterAll(async () => {
      await plain.close();
      await quirky?.close();
    });
    beforeEach(() => {
      plain.emulator.resetRequests();
      quirky?.emulator.resetRequests();
    });

    it('has a case for every field of its row in the pushdown table', () => {
      const covered = new Set(
        suite.pushed.flatMap((c) => fieldsOf(normalizeFilter(c.filter)).map(String)),
      );
      expect([...covered].sort()).toEqual(Object.keys(row).sort());
    });

    it.each(suite.pushed.map((c) => [c.title, c] as const))(
      'sends %s, on every page, and the upstream answers exactly the matching events',
      async (_title, pushedCase) => {
        const filter = normalizeFilter(pushedCase.filter);
        const [field, ...others] = fieldsOf(filter);
        expect(others).toEqual([]);
        expect(isSentUpstream(planKindPushdown(kind, filter), field as PushableField)).toBe(true);
        const expected = expectedFor(filter, 'asc');
        expect(expected.length).toBeGreaterThan(1);

        // Small pages, so the chain runs to several requests that must all carry the filter.
        const pageSize = Math.ceil(expected.length / 3);
        const listed = await listAll(plain.source, wholeQuery(events, filter, 'asc', pageSize));
        const requests = plain.emulator.requests;
        expect(requests.length).toBeGreaterThan(1);
        for (const request of requests) {
          expect(filterParamsOf(request, suite.filterKeys)).toEqual(pushedCase.params);
        }
        const matches = createEventMatcher(filter);
        expect(sortedIds(listed.events.filter(matches))).toEqual(sortedIds(expected));
        if (row[field as PushableField]?.level === 'pushed') {
          // Pushed means exact: the upstream sent nothing for the feed to drop.
          expect(sortedIds(listed.events)).toEqual(sortedIds(expected));
        }
      },
    );

    it.each(suite.residual.map((c) => [c.title, c] as const))(
      'keeps %s with the feed: no parameter for it',
      async (_title, residualCase) => {
        const filter = normalizeFilter(residualCase.filter);
        const [field, ...others] = fieldsOf(filter);
        expect(others).toEqual([]);
        expect(planKindPushdown(kind, filter)[field as PushableField]).toBe('residual');

        const listed = await listAll(plain.source, wholeQuery(events, filter, 'desc', 1000));
        expect(plain.emulator.requests.length).toBeGreaterThan(0);
        for (const request of plain.emulator.requests) {
          expect(filterParamsOf(request, suite.filterKeys)).toEqual({});
        }
        const matches = createEventMatcher(filter);
        expect(sortedIds(listed.events.filter(matches))).toEqual(
          sortedIds(expectedFor(filter, 'desc')),
        );
      },
    );

    it('delivers exactly the matching events, in order, for any filter of up to two fields', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            filter: filterArbitrary(kind, events, suite.sourceId),
            order: fc.constantFrom<SortOrder>('asc', 'desc'),
            first: fc.integer({ min: 10, max: 100 }),
            budget: fc.constantFrom(2, 20),
            quirk: fc.boolean(),
          }),
          async ({ filter: input, order, first, budget, quirk }) => {
            const filter = normalizeFilter(input);
            const started = quirk && quirky !== null ? quirky : plain;
            const { events: delivered, pages } = await traverse(started.source, {
              filter,
              order,
              first,
              nowMs,
              budget,
            });
            for (const page of pages) {
              for (const outcome of page.sources) expect(outcome.error).toBeNull();
            }
            expect(idsOf(delivered)).toEqual(idsOf(expectedFor(filter, order)));
          },
        ),
        { numRuns: Number(process.env['PUSHDOWN_PROPERTY_RUNS'] ?? suite.propertyRuns ?? 30) },
      );
    });

    it('reads far fewer upstream events per feed page when it pushes a filter than when the feed applies it', async () => {
      const { measurement } = suite;
      const filter = normalizeFilter(measurement.filter);
      const matching = measurement.events.filter(createEventMatcher(filter)).length;
      expect(matching).toBeGreaterThan(100);
      expect(matching).toBeLessThan(measurement.events.length / 4);
      const started = await measurement.start();
      try {
        const pushed = await measureCost(started, filter, nowMs, true);
        const residual = await measureCost(started, filter, nowMs, false);
        expect(idsOf(pushed.delivered)).toEqual(idsOf(residual.delivered));
        expect(pushed.delivered).toHaveLength(matching);
        // An exact upstream filter reads about a page's worth per page: one request, two where
        // a page ends inside a group of same-second events. The feed alone reads the largest
        // pages the upstream serves; with large pages that can be as few requests, never as few
        // events.
        expect(pushed.requestsPerPage).toBeLessThanOrEqual(2);
        expect(pushed.eventsReadPerPage).toBeLessThan(residual.eventsReadPerPage / 2);
        if (process.env['PUSHDOWN_REPORT'] !== undefined) {
          const line = (name: string, cost: PushdownCost) =>
            `${kind} ${name}: ${cost.pages} pages, ${cost.requestsPerPage.toFixed(2)} requests/page ` +
            `(max ${cost.maxRequestsPerPage}), ${cost.eventsReadPerPage.toFixed(0)} events read/page`;
          process.stdout.write(
            `${kind} ${JSON.stringify(measurement.filter)} over ${measurement.events.length} events, ` +
              `${matching} matching, first 50\n${line('pushed  ', pushed)}\n${line('residual', residual)}\n`,
          );
        }
      } finally {
        await started.close();
      }
    });
  });
}

/** The distinct values of one field of a dataset, most frequent first (ties by value). */
export function byFrequency(values: readonly (string | null | undefined)[]): string[] {
  const counts = new Map<string, number>();
  for (const value of values) {
    if (value !== null && value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1))
    .map(([value]) => value);
}

/** The value that makes up the share of `values` closest to `share` (0..1). */
export function valueNearShare(
  values: readonly (string | null | undefined)[],
  share: number,
): string {
  const counts = new Map<string, number>();
  for (const value of values) {
    if (value !== null && value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  const target = share * values.length;
  const [best] = [...counts.entries()].sort(
    ([a, m], [b, n]) => Math.abs(m - target) - Math.abs(n - target) || (a < b ? -1 : 1),
  );
  if (best === undefined) throw new Error('no value to pick');
  return best[0];
}

/** `Alice.Smith@Example.com`: how people type their address, which a mapping keeps verbatim. */
export function capitalizeEmail(email: string): string {
  return email.replace(
    /(^|[.@])([a-z])/g,
    (_m, before: string, letter: string) => `${before}${letter.toUpperCase()}`,
  );
}
