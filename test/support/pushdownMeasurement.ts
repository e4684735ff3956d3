import fc from 'fast-check';
import { createCursorCodec } from '../../src/feed/createCursorCodec';
import type { FeedPage } from '../../src/feed/Feed';
import { createFeed } from '../../src/feed/createFeed';
import type { EventFilter, EventFilterInput } from '../../src/feed/eventFilter';
import type { AuditEvent } from '../../src/model/AuditEvent';
import type { SortOrder, Source } from '../../src/model/Source';

/** A full feed traversal over one source, every page checked to have kept the source OK. */
export async function traverseFeed(
  source: Source,
  filter: EventFilter,
  options: { order: SortOrder; first: number; nowMs: number; budget?: number },
): Promise<FeedPage[]> {
  const feed = createFeed({
    sources: [source],
    cursorCodec: createCursorCodec('pushdown-traversal-test-secret'),
    now: () => options.nowMs,
    maxFirst: 100,
    ...(options.budget === undefined ? {} : { maxUpstreamPagesPerSource: options.budget }),
  });
  const pages: FeedPage[] = [];
  let after: string | null = null;
  do {
    const page: FeedPage = await feed.readPage({
      first: options.first,
      after,
      filter,
      order: options.order,
    });
    expect(page.sources.filter((status) => status.state !== 'OK')).toEqual([]);
    pages.push(page);
    after = page.hasNextPage ? page.endCursor : null;
    if (pages.length > 5_000) throw new Error('the traversal did not end');
  } while (after !== null);
  return pages;
}

export const deliveredBy = (pages: readonly FeedPage[]): AuditEvent[] =>
  pages.flatMap((page) => page.edges.map((edge) => edge.event));

/** A full traversal in feed pages of 50 over `source`, counting what it cost upstream. */
export async function measureTraversal(
  source: Source,
  filter: EventFilter,
  nowMs: number,
): Promise<Measurement> {
  let rows = 0;
  const counting: Source = {
    ...source,
    list: async (query, continuation, options) => {
      const page = await source.list(query, continuation, options);
      rows += page.events.length;
      return page;
    },
  };
  const pages = await traverseFeed(counting, filter, { order: 'desc', first: 50, nowMs });
  const perPage = pages.map((page) => page.sources[0]?.upstreamRequests ?? 0);
  return {
    events: deliveredBy(pages).length,
    pages: pages.length,
    requests: perPage.reduce((sum, n) => sum + n, 0),
    maxRequestsPerPage: Math.max(...perPage),
    rows,
  };
}

/** What one full traversal cost upstream, for comparing pushed and residual filters. */
export interface Measurement {
  readonly events: number;
  readonly pages: number;
  readonly requests: number;
  readonly maxRequestsPerPage: number;
  /** Upstream entries read, matching or not. */
  readonly rows: number;
}

/** Prints the measurement when asked (`PUSHDOWN_REPORT=1`), for the record of what pushdown saves. */
export function report(
  what: string,
  datasetSize: number,
  pushed: Measurement,
  residual: Measurement,
): void {
  if (process.env.PUSHDOWN_REPORT === undefined) return;
  const line = (name: string, m: Measurement) =>
    `  ${name}: ${m.events} events in ${m.pages} pages; ${m.requests} requests, ` +
    `${(m.requests / m.pages).toFixed(2)} a page (max ${m.maxRequestsPerPage}); ` +
    `${m.rows} rows read, ${Math.round(m.rows / m.pages)} a page\n`;
  process.stdout.write(
    `${what}, ${datasetSize} events\n${line('pushed  ', pushed)}${line('residual', residual)}`,
  );
}

/**
 * Zero to two of the 14 filter fields, each with values the dataset holds (and one near miss per
 * field), emails in either case, addresses also as ranges and in their IPv4-mapped IPv6 form,
 * text cut from the events' own descriptions and actions.
 */
export function filterArbitrary(
  events: readonly AuditEvent[],
  sourceId: string,
): fc.Arbitrary<EventFilterInput> {
  const distinct = <T>(values: readonly (T | null | undefined)[]): T[] => [
    ...new Set(values.filter((v): v is T => v !== null && v !== undefined)),
  ];
  const oneOrTwo = <T>(values: readonly (T | null | undefined)[], nearMiss: T) => {
    const pool = distinct([...values, nearMiss]);
    return fc.subarray(pool, { minLength: 1, maxLength: Math.min(2, pool.length) });
  };
  const times = events.map((event) => event.occurredAtMs);
  const ips = distinct(events.flatMap((event) => [event.actor?.ip, event.request?.ip]));
  const ipv4s = ips.filter((ip) => /^[\d.]+$/.test(ip));
  const texts = distinct(events.flatMap((event) => [event.action, event.description]));
  const fields = {
    sinceMs: fc.constantFrom(...times).chain((t) => fc.constantFrom(t, t + 1)),
    beforeMs: fc.constantFrom(...times).chain((t) => fc.constantFrom(t, t + 1)),
    sourceIds: fc.constant([sourceId]),
    providers: fc.subarray(['FUSIONAUTH', 'NIRVANA', 'FASTLY'] as const, { minLength: 1 }),
    actions: oneOrTwo(
      events.map((e) => e.action),
      'information',
    ),
    categories: oneOrTwo(
      events.map((e) => e.category),
      'AUTH',
    ),
    outcome: fc.constantFrom('SUCCESS' as const, 'FAILURE' as const, 'UNKNOWN' as const),
    actorIds: oneOrTwo(
      events.map((e) => e.actor?.id),
      'no-such-actor',
    ),
    actorEmails: oneOrTwo(
      events.map((e) => e.actor?.email),
      'nobody@example.invalid',
    ).chain((emails) =>
      fc.constantFrom(
        emails,
        emails.map((email) => email.toUpperCase()),
      ),
    ),
    actorTypes: oneOrTwo(
      events.map((e) => e.actor?.type),
      'SYSTEM' as const,
    ),
    resourceTypes: oneOrTwo(
      events.map((e) => e.resource?.type),
      'no_such_type',
    ),
    resourceIds: oneOrTwo(
      events.map((e) => e.resource?.id),
      'no-such-id',
    ),
    ipAddress: fc.constantFrom(
      '192.0.2.1',
      '2001:db8::1',
      ...ips,
      ...ipv4s.map((ip) => `${ip.split('.').slice(0, 3).join('.')}.0/24`),
      ...ipv4s.map((ip) => `::FFFF:${ip}`),
    ),
    text: fc
      .tuple(fc.constantFrom(...texts), fc.nat(), fc.integer({ min: 3, max: 14 }), fc.boolean())
      .map(([text, start, length, upper]) => {
        const from = start % Math.max(1, text.length - 2);
        const piece = text.slice(from, from + length);
        return upper ? piece.toUpperCase() : piece;
      }),
  } satisfies Record<keyof EventFilterInput, fc.Arbitrary<unknown>>;
  return fc
    .uniqueArray(fc.constantFrom(...(Object.keys(fields) as (keyof typeof fields)[])), {
      maxLength: 2,
    })
    .chain(
      (chosen) =>
        fc.record(
          Object.fromEntries(chosen.map((field) => [field, fields[field]])),
        ) as fc.Arbitrary<EventFilterInput>,
    );
}
