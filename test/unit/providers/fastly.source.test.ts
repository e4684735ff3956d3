import { settleAuditEvent } from '../../../src/model/lazyAuditEvent';
import { startFastlyEmulator } from '../../../src/emulators/fastly/startFastlyEmulator';
import type { ListQuery } from '../../../src/model/Source';
import { createFastlySource } from '../../../src/providers/fastly/createFastlySource';
import type { FastlyRecordWire } from '../../../src/providers/fastly/fastlyWire';
import { failureOf, useSourceTestKit } from '../../support/sourceTestKit';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const TOKEN = 'fastly-test-token';

function event(id: string, atMs: number, eventType = 'version.activate'): FastlyRecordWire {
  return {
    id,
    type: 'event',
    attributes: {
      created_at: new Date(atMs).toISOString().replace('.000Z', 'Z'),
      event_type: eventType,
      customer_id: 'CUSTOMER',
      service_id: 'SERVICE',
      user_id: 'USER',
    },
  };
}

/** One event a second from T0, with a burst of three at T0 + 5 s. */
const RECORDS: FastlyRecordWire[] = [
  ...[0, 1, 2, 3, 4].map((s) => event(`ev${s}`, T0 + s * 1000)),
  event('burstA', T0 + 5000),
  event('burstB', T0 + 5000),
  event('burstC', T0 + 5000),
  ...[6, 7, 8, 9].map((s) => event(`ev${s}`, T0 + s * 1000)),
];

const WHOLE: ListQuery = { order: 'asc', sinceMs: T0, beforeMs: T0 + 60_000, pageSize: 100 };

const kit = useSourceTestKit({
  startEmulator: () => startFastlyEmulator({ records: RECORDS, token: TOKEN }),
  sourceId: 'fastly-unit',
  createSource: (http) =>
    createFastlySource({ id: 'fastly-unit', token: TOKEN }, { http, now: () => T0 }),
});
const { respondOnce } = kit;
const lastQuery = () => kit.lastRequest().query;

describe('createFastlySource', () => {
  it('describes itself as a Fastly source with the page size it can ask for', () => {
    expect(kit.source).toMatchObject({
      id: 'fastly-unit',
      kind: 'fastly',
      provider: 'FASTLY',
      maxPageSize: 100,
    });
  });

  it('pushes the window down at whole seconds, asks for the order, and sends its key', async () => {
    await kit.source.list(
      { order: 'desc', sinceMs: T0 + 1300, beforeMs: T0 + 4700, pageSize: 7 },
      null,
    );
    expect(kit.lastRequest().headers['fastly-key']).toBe(TOKEN);
    expect(Object.fromEntries(lastQuery())).toEqual({
      'filter[created_at][gte]': '2026-03-02T09:00:01Z',
      'filter[created_at][lt]': '2026-03-02T09:00:05Z',
      sort: '-created_at',
      'page[number]': '1',
      'page[size]': '7',
    });
  });

  it('returns every event of a burst when the window starts inside its second', async () => {
    const page = await kit.source.list({ ...WHOLE, sinceMs: T0 + 5200, beforeMs: T0 + 5900 }, null);
    expect(page.events.map((e) => e.nativeId).sort()).toEqual(['burstA', 'burstB', 'burstC']);
  });

  it.each([
    [1000, '100'],
    [0, '1'],
    [2.7, '2'],
    [Number.NaN, '100'],
  ])('asks for a page size of %p as page[size]=%s', async (pageSize, expected) => {
    await kit.source.list({ ...WHOLE, pageSize }, null);
    expect(lastQuery().get('page[size]')).toBe(expected);
  });

  it('follows page numbers and stops where links.next is absent', async () => {
    const query = { ...WHOLE, pageSize: 5 };
    const first = await kit.source.list(query, null);
    const second = await kit.source.list(query, first.next);
    const third = await kit.source.list(query, second.next);
    expect([first.next, second.next, third.next]).toEqual(['2', '3', null]);
    expect(
      [...first.events, ...second.events, ...third.events].map((e) => e.nativeId),
    ).toHaveLength(RECORDS.length);
    expect(lastQuery().get('page[number]')).toBe('3');
  });

  it('reports meta.record_count as the total of the whole-second bounds it sent', async () => {
    const whole = await kit.source.list(WHOLE, null);
    expect(whole.total).toBe(RECORDS.length);
    expect(whole.totalCovers).toEqual({ sinceMs: WHOLE.sinceMs, beforeMs: WHOLE.beforeMs });
    // A bound inside a second goes down floored: the total counts that whole second.
    const cut = await kit.source.list({ ...WHOLE, sinceMs: T0 + 1 }, null);
    expect(cut.total).toBe(RECORDS.length);
    expect(cut.totalCovers).toEqual({ sinceMs: T0, beforeMs: WHOLE.beforeMs });
  });

  it('makes no request for an empty window', async () => {
    const page = await kit.source.list({ ...WHOLE, beforeMs: WHOLE.sinceMs }, null);
    expect(page).toEqual({ events: [], next: null, total: 0 });
    expect(kit.emulator.requests).toHaveLength(0);
  });

  it('refuses a continuation it did not write, before any request', async () => {
    for (const continuation of ['0', 'abc', '-1', '2.5', '']) {
      const failure = await failureOf(kit.source.list(WHOLE, continuation));
      expect(failure.code).toBe('BAD_USER_INPUT');
    }
    expect(kit.emulator.requests).toHaveLength(0);
  });

  describe('with the payloads real Fastly sends', () => {
    const fixtureBody = (links: Record<string, string>) => ({
      data: [RECORDS[0]],
      links,
    });

    it('reads a page like the go-fastly recording: no meta, only next and last links', async () => {
      respondOnce(
        fixtureBody({
          next: 'https://api.fastly.com/events?page[number]=2&page[size]=1',
          last: 'https://api.fastly.com/events?page[number]=9330&page[size]=1',
        }),
      );
      const page = await kit.source.list({ ...WHOLE, pageSize: 1 }, null);
      expect(page).toMatchObject({ next: '2', total: null });
      expect(page.events.map((e) => e.nativeId)).toEqual(['ev0']);
    });

    it('stops where links has no next, even after a full page', async () => {
      respondOnce(fixtureBody({ last: 'x' }));
      expect((await kit.source.list({ ...WHOLE, pageSize: 1 }, null)).next).toBeNull();
    });

    it.each([
      [1, '2'],
      [2, null],
    ])(
      'without links or meta, asking %p a page, continues only after a full page',
      async (pageSize, next) => {
        respondOnce({ data: [RECORDS[0]] });
        expect((await kit.source.list({ ...WHOLE, pageSize }, null)).next).toBe(next);
      },
    );

    it('follows meta page counts when there are no links', async () => {
      respondOnce({
        data: [RECORDS[0]],
        meta: { current_page: 1, total_pages: 3, per_page: 1 },
      });
      expect((await kit.source.list({ ...WHOLE, pageSize: 5 }, null)).next).toBe('2');
    });
  });

  it.each<[string, unknown]>([
    [
      'a record whose created_at is not a time',
      { data: [{ id: 'x', attributes: { created_at: 'SECRET-VALUE', event_type: 'a.b' } }] },
    ],
    ['a record without an id', { data: [{ attributes: RECORDS[0]?.attributes }] }],
    ['no data', { links: {} }],
    ['a list instead of an object', [RECORDS[0]]],
    ['a negative record count', { data: [], meta: { record_count: -1 } }],
  ])('refuses a payload with %s as SOURCE_BAD_RESPONSE naming the source', async (_name, body) => {
    respondOnce(body);
    const failure = await failureOf(kit.source.list(WHOLE, null));
    expect(failure).toMatchObject({
      code: 'SOURCE_BAD_RESPONSE',
      details: { sourceId: 'fastly-unit' },
    });
    expect(failure.message).toContain('fastly-unit');
    expect(failure.message).not.toContain('SECRET');
    expect(failure.message).not.toContain(kit.emulator.url);
  });

  it('places a record by its id and time, and refuses the rest of it when its event is read', async () => {
    respondOnce({ data: [{ id: 'x', attributes: { created_at: '2026-03-02T09:00:00Z' } }] });
    const page = await kit.source.list(WHOLE, null);
    expect(page.events.map((event) => [event.nativeId, event.occurredAtMs])).toEqual([
      ['x', Date.parse('2026-03-02T09:00:00Z')],
    ]);
    const failure = await failureOf(
      Promise.resolve().then(() => settleAuditEvent(page.events[0]!)),
    );
    expect(failure).toMatchObject({
      code: 'SOURCE_BAD_RESPONSE',
      details: { sourceId: 'fastly-unit' },
    });
    expect(failure.message).toContain('(at data.0.attributes.event_type)');
    // Read again, the same error: the record is checked once.
    expect(() => page.events[0]!.action).toThrow(failure.message);
  });

  it('refuses a page that is not in the order it asked for', async () => {
    respondOnce({ data: [RECORDS[1], RECORDS[0]] });
    const failure = await failureOf(kit.source.list(WHOLE, null));
    expect(failure.code).toBe('SOURCE_BAD_RESPONSE');
  });

  it('reports a refused key as SOURCE_AUTH_FAILED without the key in the message', async () => {
    const wrong = createFastlySource(
      { id: 'fastly-wrong', token: 'WRONG-TOKEN-VALUE' },
      { http: kit.http, now: () => T0 },
    );
    const failure = await failureOf(wrong.list(WHOLE, null));
    expect(failure.code).toBe('SOURCE_AUTH_FAILED');
    expect(failure.message).not.toContain('WRONG-TOKEN-VALUE');
  });

  it('gets an event by id from /events/{id}', async () => {
    const event = await kit.source.get('burstB', null);
    expect(event).toMatchObject({ nativeId: 'burstB', occurredAtMs: T0 + 5000 });
    expect(kit.emulator.requests.at(-1)?.path).toBe('/events/burstB');
  });

  it('gets null for an id Fastly answers 404 to', async () => {
    await expect(kit.source.get('nope', null)).resolves.toBeNull();
    expect(kit.emulator.requests.at(-1)?.path).toBe('/events/nope');
  });

  it.each(['a/b', '..', '', 'a?b'])(
    'gets null for %p without asking: no event has it',
    async (id) => {
      await expect(kit.source.get(id, null)).resolves.toBeNull();
      expect(kit.emulator.requests).toHaveLength(0);
    },
  );

  it('refuses a get answered with a payload that breaks the schema', async () => {
    respondOnce({ data: {} });
    const failure = await failureOf(kit.source.get('ev1', null));
    expect(failure.code).toBe('SOURCE_BAD_RESPONSE');
  });
});
