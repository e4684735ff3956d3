import fc from 'fast-check';
import { connectSource, type CreateSource } from './connectSource';
import { listAll, listPages } from './describeSourceContract';
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
  SourceRef,
} from '../../src/model/AuditEvent';
import {
  isFullyPushed,
  isSentUpstream,
  PUSHABLE_FIELDS,
  type PushableField,
} from '../../src/model/EventFilter';
import type { ListPage, ListQuery, SortOrder, Source } from '../../src/model/Source';

/**
 * The filter-pushdown suite of one source kind, run against its emulator over a generated dataset.
 * A kind's pushdown file is a table of what is particular to it; this proves, for the kind's row
 * of the pushdown table:
 *  - every field the row lists reaches the emulator as what it documents, with the value mapped
 *    right, on every page of a chain, and the upstream then answers every event the feed's
 *    matcher picks from the whole mapped dataset, and no other where the row says it is exact;
 *  - a field the plan keeps residual sends nothing;
 *  - a filter no event can match is answered without asking the upstream;
 *  - any filter of up to two fields, traversed through the feed over this one source, gives
 *    exactly the brute-force answer (a fast-check property);
 *  - pushing a filter costs fewer upstream events per feed page than leaving it to the feed.
 */

export interface StartedSource {
  readonly source: Source;
  readonly emulator: EmulatorServer;
  close(): Promise<void>;
}

/** What one list request sends as its filter, in the form the cases spell it out. */
export type SentFilter = (request: RecordedRequest) => Readonly<Record<string, unknown>>;

export interface PushedCase {
  /** The test's title: what is sent as what. */
  readonly title: string;
  /** Sets fields the plan sends upstream, to values that occur in the dataset. */
  readonly filter: EventFilterInput;
  /** What every list request of the chain sends for it. */
  readonly sends: Readonly<Record<string, unknown>>;
}

export interface ResidualCase {
  readonly title: string;
  /** Sets fields the plan keeps residual. */
  readonly filter: EventFilterInput;
  /** Fields beside them that the plan sends, and what they send: all that goes upstream. */
  readonly beside?: Omit<PushedCase, 'title'>;
}

export interface UnaskedCase {
  readonly title: string;
  /** A filter no event can match. */
  readonly filter: EventFilterInput;
}

export interface MeasuredCase {
  readonly title: string;
  /** A filter the kind pushes, matching under a quarter of the measured dataset. */
  readonly filter: EventFilterInput;
  /** It matches less than two feed pages' worth: the saving must show even so. */
  readonly rare?: boolean;
}

export interface PushdownSuite<E extends EmulatorServer, R> {
  readonly source: SourceRef;
  /** The dataset the emulator holds, in the upstream's shape, and as the kind's mapping gives it. */
  readonly records: readonly R[];
  readonly events: readonly AuditEvent[];
  /** The sources' clock: after every event, and inside the upstream's retention. */
  readonly nowMs: number;
  readonly startEmulator: (records: readonly R[]) => Promise<E>;
  /** The same with the emulator's quirk option on, for kinds that have one. */
  readonly startQuirkyEmulator?: (records: readonly R[]) => Promise<E>;
  /** The API's base path on the emulator (Cloudflare's `/client/v4`); none by default. */
  readonly basePath?: string;
  readonly createSource: CreateSource<E>;
  /** What a request sends as its filter (see queryParamsOf, queryParamsBut, bodyCriteriaOf). */
  readonly sentFilter: SentFilter;
  readonly pushed: readonly PushedCase[];
  readonly residual: readonly ResidualCase[];
  readonly unasked?: readonly UnaskedCase[];
  /** A dataset of a few thousand events, and filters the kind pushes, to measure. */
  readonly measurement: {
    readonly records: readonly R[];
    readonly events: readonly AuditEvent[];
    readonly cases: readonly MeasuredCase[];
    /** The upstream serves small pages, so the feed alone also needs more requests. */
    readonly fewerRequests?: boolean;
  };
  /** How many filters the property tries (kept small: each is a full traversal). */
  readonly propertyRuns?: number;
}

/** The suite's sources, for a kind's own tests beside it; started before the first test. */
export interface PushdownSources {
  readonly plain: StartedSource;
  /** On the emulator with its quirk on; only for kinds that have one. */
  readonly quirky: StartedSource;
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

export const idsOf = (events: readonly AuditEvent[]) => events.map((event) => event.nativeId);
export const sortedIds = (events: readonly AuditEvent[]) => idsOf(events).sort();

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

/** A request's filter: the query parameters of these keys. */
export const queryParamsOf =
  (keys: readonly string[]): SentFilter =>
  (request) =>
    filterParamsOf(request, keys);

/** A request's filter: every query parameter but those of time, order and paging. */
export const queryParamsBut =
  (paging: readonly string[]): SentFilter =>
  (request) =>
    filterParamsOf(
      request,
      [...new Set(request.query.keys())].filter((key) => !paging.includes(key)),
    );

/** A request's filter: the members of a JSON body's object (`search`) but time and paging. */
export const bodyCriteriaOf =
  (member: string, paging: readonly string[]): SentFilter =>
  (request) => {
    const criteria = (request.body as Record<string, Record<string, unknown>>)[member] ?? {};
    return Object.fromEntries(Object.entries(criteria).filter(([key]) => !paging.includes(key)));
  };

export interface Traversal {
  readonly events: readonly AuditEvent[];
  readonly pages: readonly FeedPage[];
}

/** Every page of a feed over the one source, from the first to the last, none with an error. */
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
    // No error means the state OK too: the feed gives another state only with an error.
    expect(page.sources.map((outcome) => outcome.error)).toEqual(page.sources.map(() => null));
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
  readonly requests: number;
  readonly maxRequestsPerPage: number;
  readonly eventsRead: number;
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
    requests,
    maxRequestsPerPage: Math.max(...perPage),
    eventsRead: counting.read(),
    delivered: events,
  };
}

/** Prints a measurement when asked (`PUSHDOWN_REPORT=1`), for the record of what pushdown saves. */
function report(what: string, datasetSize: number, pushed: PushdownCost, residual: PushdownCost) {
  if (process.env['PUSHDOWN_REPORT'] === undefined) return;
  const line = (name: string, cost: PushdownCost) =>
    `  ${name}: ${cost.delivered.length} events in ${cost.pages} pages; ${cost.requests} requests, ` +
    `${(cost.requests / cost.pages).toFixed(2)} a page (max ${cost.maxRequestsPerPage}); ` +
    `${cost.eventsRead} events read, ${Math.round(cost.eventsRead / cost.pages)} a page\n`;
  process.stdout.write(
    `${what}, ${datasetSize} events, first 50\n${line('pushed  ', pushed)}${line('residual', residual)}`,
  );
}

/** Each distinct non-null value, sorted; the absent marker when there is none. */
function distinct(values: readonly (string | null | undefined)[]): string[] {
  const found = [...new Set(values.filter((v): v is string => v !== null && v !== undefined))];
  return found.length === 0 ? [ABSENT] : found.sort();
}

/**
 * A list filter: mostly one value (what single-value APIs push), else up to three, at times a
 * value the dataset lacks (`misses`: for a closed set of values, none), alone or beside others;
 * now and then none (which matches nothing).
 */
function listOf<T extends string>(pool: readonly T[], misses: readonly T[]): fc.Arbitrary<T[]> {
  const values = [...pool, ...misses];
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<T[]>([]) },
    { weight: 5, arbitrary: fc.constantFrom<T>(...pool).map((value) => [value]) },
    ...(misses.length === 0
      ? []
      : [{ weight: 1, arbitrary: fc.constantFrom<T>(...misses).map((value) => [value]) }]),
    {
      weight: 4,
      arbitrary: fc.uniqueArray(fc.constantFrom<T>(...values), { minLength: 1, maxLength: 3 }),
    },
  );
}

/** A list of values the dataset holds, a value it lacks, and these near misses. */
const openListOf = (values: readonly (string | null | undefined)[], ...nearMisses: string[]) =>
  listOf(distinct(values), [ABSENT, ...nearMisses]);

/** The same text in other cases: the filters on emails and text are case-insensitive. */
function caseVariants(value: string): string[] {
  const capitalized = value.replace(
    /(^|[^a-z])([a-z])/g,
    (_m, before: string, letter: string) => `${before}${letter.toUpperCase()}`,
  );
  return [value, value.toUpperCase(), capitalized];
}

/**
 * Values for each of the 14 filter fields, drawn from the dataset itself, beside near misses:
 * emails and text in other cases, addresses also as ranges and in their IPv4-mapped IPv6 form,
 * text as whole words or as any piece of an action or a description.
 */
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
  ).filter((address) => address !== ABSENT);
  const ipv4s = addresses.filter((address) => /^\d+\.\d+\.\d+\.\d+$/.test(address));
  const ranges = ipv4s.flatMap((address) => [
    `${address}/32`,
    `${address.split('.').slice(0, 3).join('.')}.0/24`,
    `${address.split('.').slice(0, 2).join('.')}.0.0/16`,
  ]);
  const mapped = ipv4s.flatMap((address) => [`::ffff:${address}`, `::FFFF:${address}`]);
  const texts = distinct(events.flatMap((event) => [event.action, event.description]));
  const words = distinct(
    texts.flatMap((text) => text.split(/\s+/).filter((word) => word.length >= 3)),
  ).slice(0, 200);
  const piece = fc
    .tuple(fc.constantFrom(...texts), fc.nat(), fc.integer({ min: 3, max: 14 }), fc.boolean())
    .map(([text, start, length, upper]) => {
      const from = start % Math.max(1, text.length - 2);
      const cut = text.slice(from, from + length);
      return upper ? cut.toUpperCase() : cut;
    });
  const times = events.map((event) => event.occurredAtMs);
  const instant = fc.oneof(
    fc.constantFrom(...times),
    fc.constantFrom(...times).map((time) => time + 1),
    fc.integer({ min: Math.min(...times) - 1_000, max: Math.max(...times) + 1_000 }),
  );
  return {
    sinceMs: instant,
    beforeMs: instant,
    sourceIds: fc.constant([sourceId]),
    providers: fc.subarray([...PROVIDERS], { minLength: 1 }),
    // `information`: an event-log type in the wrong case.
    actions: openListOf(
      events.map((event) => event.action),
      'information',
    ),
    categories: listOf(CATEGORIES, []),
    outcome: fc.constantFrom(...OUTCOMES),
    actorIds: openListOf(events.map((event) => event.actor?.id)),
    // An address-shaped miss, which an API that takes only addresses is sent.
    actorEmails: openListOf(
      events.flatMap((event) => caseVariants(event.actor?.email ?? '')).filter(Boolean),
      'nobody@example.invalid',
    ),
    actorTypes: listOf(ACTOR_TYPES, []),
    resourceTypes: openListOf(events.map((event) => event.resource?.type)),
    resourceIds: openListOf(events.map((event) => event.resource?.id)),
    ipAddress: fc.constantFrom(
      ...addresses,
      ...ranges,
      ...mapped,
      '192.0.2.1',
      '::ffff:192.0.2.1',
      '2001:db8::1',
      '2001:db8::/32',
    ),
    text: fc.oneof(fc.constantFrom(...words.flatMap(caseVariants), 'zz-none'), piece),
  };
}

/**
 * Zero to two of the 14 filter fields at a time: enough to narrow, few enough to still match.
 * The fields of the kind's row are drawn three times as often, since they are what is on trial.
 */
function filterArbitrary(
  source: SourceRef,
  events: readonly AuditEvent[],
): fc.Arbitrary<EventFilterInput> {
  const fields = filterFieldArbitraries(events, source.id);
  const row = Object.keys(capabilitiesOf(source.kind));
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
    )
    .map(inOrder);
}

/** A window the wrong way round is a client's error, not a filter: the two ends in order. */
function inOrder(filter: EventFilterInput): EventFilterInput {
  const { sinceMs, beforeMs } = filter;
  return sinceMs != null && beforeMs != null && sinceMs > beforeMs
    ? { ...filter, sinceMs: beforeMs, beforeMs: sinceMs }
    : filter;
}

/** `it.each` over the cases, by their titles; nothing for a kind with none. */
function eachCase<C extends { readonly title: string }>(
  cases: readonly C[] | undefined,
  title: string,
  test: (testCase: C) => Promise<void>,
): void {
  if (cases === undefined || cases.length === 0) return;
  it.each(cases.map((c) => [c.title, c] as const))(title, (_title, testCase) => test(testCase));
}

export function describePushdownSuite<E extends EmulatorServer, R>(
  suite: PushdownSuite<E, R>,
): PushdownSources {
  const { source: ref, events, nowMs } = suite;
  const kind = ref.kind;
  const row = capabilitiesOf(kind);
  const expectedFor = (filter: EventFilter, order: SortOrder) =>
    events.filter(createEventMatcher(filter)).sort(compareEventsInOrder(order));
  const start = async (
    startEmulator: (records: readonly R[]) => Promise<E>,
    records: readonly R[],
  ): Promise<StartedSource> => {
    const emulator = await startEmulator(records);
    const connected = connectSource(emulator, suite.createSource, {
      id: ref.id,
      nowMs,
      basePath: suite.basePath,
    });
    return {
      source: connected.source,
      emulator,
      close: async () => {
        await connected.close();
        await emulator.close();
      },
    };
  };

  let plain: StartedSource | null = null;
  let quirky: StartedSource | null = null;
  beforeAll(async () => {
    plain = await start(suite.startEmulator, suite.records);
    if (suite.startQuirkyEmulator) quirky = await start(suite.startQuirkyEmulator, suite.records);
  });
  afterAll(async () => {
    await plain?.close();
    await quirky?.close();
  });
  beforeEach(() => {
    plain?.emulator.resetRequests();
    quirky?.emulator.resetRequests();
  });
  const sources: PushdownSources = {
    get plain() {
      if (plain === null) throw new Error('the pushdown sources are used outside their tests');
      return plain;
    },
    get quirky() {
      if (quirky === null) throw new Error(`${kind} has no quirky emulator started`);
      return quirky;
    },
  };

  describe(`${kind} filter pushdown, against its emulator`, () => {
    it('has a case for every field of its row in the pushdown table', () => {
      const covered = new Set(
        suite.pushed.flatMap((c) => fieldsOf(normalizeFilter(c.filter)).map(String)),
      );
      expect([...covered].sort()).toEqual(Object.keys(row).sort());
    });

    /** What the upstream answers a case: exactly, where every field it sets is pushed. */
    const answers = (c: PushedCase) => {
      const filter = normalizeFilter(c.filter);
      return isFullyPushed(planKindPushdown(kind, filter), filter)
        ? 'exactly the matching events'
        : 'fewer events than it holds, every matching one among them';
    };
    if (suite.pushed.length > 0) {
      it.each(suite.pushed.map((c) => [c.title, answers(c), c] as const))(
        'sends %s, on every page, and the upstream answers %s',
        async (_title, _answers, pushedCase) => {
          const filter = normalizeFilter(pushedCase.filter);
          const plan = planKindPushdown(kind, filter);
          expect(fieldsOf(filter)).not.toEqual([]);
          expect(fieldsOf(filter).filter((field) => !isSentUpstream(plan, field))).toEqual([]);
          const expected = expectedFor(filter, 'asc');
          expect(expected.length).toBeGreaterThan(1);

          // Small pages, so the chain runs to several requests that must all carry the filter.
          const { source, emulator } = sources.plain;
          const pageSize = Math.ceil(expected.length / 3);
          const listed = await listAll(source, wholeQuery(events, filter, 'asc', pageSize));
          expect(emulator.requests.length).toBeGreaterThan(1);
          for (const request of emulator.requests) {
            expect(suite.sentFilter(request)).toEqual(pushedCase.sends);
          }
          const matches = createEventMatcher(filter);
          expect(sortedIds(listed.events.filter(matches))).toEqual(sortedIds(expected));
          // The upstream did filter: fewer events came back than the dataset holds.
          expect(listed.events.length).toBeLessThan(events.length);
          if (isFullyPushed(plan, filter)) {
            // Pushed means exact: the upstream sent nothing for the feed to drop.
            expect(sortedIds(listed.events)).toEqual(sortedIds(expected));
          }
        },
      );
    }

    eachCase(
      suite.residual,
      'keeps %s with the feed: no parameter for it',
      async (residualCase) => {
        const residual = fieldsOf(normalizeFilter(residualCase.filter));
        const beside = fieldsOf(normalizeFilter(residualCase.beside?.filter));
        const filter = normalizeFilter({ ...residualCase.filter, ...residualCase.beside?.filter });
        const plan = planKindPushdown(kind, filter);
        expect(residual).not.toEqual([]);
        expect(residual.filter((field) => plan[field] !== 'residual')).toEqual([]);
        expect(beside.filter((field) => !isSentUpstream(plan, field))).toEqual([]);

        const { source, emulator } = sources.plain;
        const listed = await listAll(source, wholeQuery(events, filter, 'desc', 1000));
        expect(emulator.requests.length).toBeGreaterThan(0);
        for (const request of emulator.requests) {
          expect(suite.sentFilter(request)).toEqual(residualCase.beside?.sends ?? {});
        }
        const matches = createEventMatcher(filter);
        expect(sortedIds(listed.events.filter(matches))).toEqual(
          sortedIds(expectedFor(filter, 'desc')),
        );
      },
    );

    eachCase(suite.unasked, 'asks nothing and answers no events for %s', async (unaskedCase) => {
      const filter = normalizeFilter(unaskedCase.filter);
      expect(expectedFor(filter, 'desc')).toEqual([]);
      const pages = await listPages(sources.plain.source, wholeQuery(events, filter, 'desc', 20));
      expect(pages).toEqual([{ events: [], next: null, total: 0 }]);
      expect(sources.plain.emulator.requests).toHaveLength(0);
    });

    it('delivers exactly the matching events, in order, for any filter of up to two fields', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            filter: filterArbitrary(ref, events),
            order: fc.constantFrom<SortOrder>('asc', 'desc'),
            first: fc.integer({ min: 10, max: 100 }),
            budget: fc.constantFrom(1, 2, 3, 20),
            quirk: fc.boolean(),
          }),
          async ({ filter: input, order, first, budget, quirk }) => {
            const filter = normalizeFilter(input);
            const started = quirk && quirky !== null ? quirky : sources.plain;
            const { events: delivered } = await traverse(started.source, {
              filter,
              order,
              first,
              nowMs,
              budget,
            });
            expect(idsOf(delivered)).toEqual(idsOf(expectedFor(filter, order)));
          },
        ),
        { numRuns: Number(process.env['PUSHDOWN_PROPERTY_RUNS'] ?? suite.propertyRuns ?? 30) },
      );
    });

    const { measurement } = suite;
    eachCase(
      measurement.cases,
      'reads far fewer upstream events per feed page when it pushes %s than when the feed applies it',
      async (measuredCase) => {
        const filter = normalizeFilter(measuredCase.filter);
        const matching = measurement.events.filter(createEventMatcher(filter)).length;
        if (measuredCase.rare === true) {
          expect(matching).toBeGreaterThan(0);
          expect(matching).toBeLessThanOrEqual(100);
        } else {
          expect(matching).toBeGreaterThan(100);
        }
        expect(matching).toBeLessThan(measurement.events.length / 4);
        const started = await start(suite.startEmulator, measurement.records);
        try {
          const pushed = await measureCost(started, filter, nowMs, true);
          const residual = await measureCost(started, filter, nowMs, false);
          report(
            `${kind} ${JSON.stringify(measuredCase.filter)}`,
            measurement.events.length,
            pushed,
            residual,
          );
          expect(idsOf(pushed.delivered)).toEqual(idsOf(residual.delivered));
          expect(pushed.delivered).toHaveLength(matching);
          // An upstream that filters reads about a page's worth per page: one request, two where
          // a page ends inside a group of same-second events (a page of 50 asks for a few more).
          // The feed alone reads the largest pages the upstream serves; with large pages that
          // can be as few requests, never as few events.
          expect(pushed.maxRequestsPerPage).toBeLessThanOrEqual(2);
          if (measurement.fewerRequests === true) {
            expect(pushed.requests).toBeLessThan(residual.requests);
          } else {
            expect(pushed.requests).toBeLessThanOrEqual(residual.requests);
          }
          expect(pushed.eventsRead).toBeLessThan(residual.eventsRead / 2);
          expect(pushed.eventsRead / pushed.pages).toBeLessThan(
            residual.eventsRead / residual.pages / 2,
          );
        } finally {
          await started.close();
        }
      },
    );
  });

  return sources;
}

/** One pushed case for each value of a closed set, titled `what VALUE as key=wire`. */
export function pushedForEach<V extends string>(
  what: string,
  key: string,
  wires: Readonly<Record<V, string>>,
  filterOf: (value: V) => EventFilterInput,
): PushedCase[] {
  return (Object.entries(wires) as [V, string][]).map(([value, wire]) => ({
    title: `${what} ${value} as ${key}=${wire}`,
    filter: filterOf(value),
    sends: { [key]: [wire] },
  }));
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

/**
 * The records with every fourth actor email as people type it (`Alice.Smith@Example.com`): a
 * pushed email filter that compared case would miss those.
 */
export function withTypedEmails<
  R extends { readonly actor?: { readonly email?: string | null | undefined } | null | undefined },
>(records: readonly R[]): R[] {
  return records.map((record, i) =>
    i % 4 === 0 && typeof record.actor?.email === 'string'
      ? { ...record, actor: { ...record.actor, email: capitalizeEmail(record.actor.email) } }
      : record,
  );
}
