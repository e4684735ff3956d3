import { createRandom } from '../../../src/emulators/dataset/createRandom';
import { createPeople } from '../../../src/emulators/dataset/people';
import { generateFastlyRecords } from '../../../src/emulators/fastly/generateFastlyRecords';
import {
  DEFAULT_FASTLY_TOKEN,
  startFastlyEmulator,
  type FastlyEmulator,
} from '../../../src/emulators/fastly/startFastlyEmulator';
import {
  fastlyEventResponseSchema,
  fastlyEventsResponseSchema,
  type FastlyRecordWire,
} from '../../../src/providers/fastly/fastlyWire';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function event(
  id: string,
  atMs: number,
  attributes: Partial<FastlyRecordWire['attributes']> = {},
): FastlyRecordWire {
  return {
    id,
    type: 'event',
    attributes: {
      customer_id: 'CUST1',
      description: `event ${id}`,
      event_type: 'version.activate',
      ip: '198.51.100.23',
      metadata: {},
      service_id: 'SVC1',
      user_id: 'USER1',
      token_id: null,
      created_at: iso(atMs),
      admin: false,
      ...attributes,
    },
  };
}

/**
 * Ten events, one a second from T0 except a burst of three at T0 + 5 s, and one the next day;
 * services, users, tokens and event types vary so each filter picks a known few.
 */
const RECORDS: FastlyRecordWire[] = [
  event('e0', T0, { event_type: 'user.login', service_id: null }),
  event('e1', T0 + 1000, { service_id: 'SVC2' }),
  event('e2', T0 + 2000, { user_id: 'USER2', token_id: 'TOK2' }),
  event('e3', T0 + 3000, { customer_id: 'CUST2' }),
  event('e4', T0 + 4000, { event_type: 'service.create' }),
  event('b1', T0 + 5000, { token_id: 'TOK1' }),
  event('b2', T0 + 5000, { token_id: 'TOK1' }),
  event('b3', T0 + 5000, { token_id: 'TOK1' }),
  event('e6', T0 + 6000, { service_id: 'SVC2', user_id: 'USER2' }),
  event('n1', T0 + 86_400_000, { event_type: 'invoice.payment', user_id: null, ip: null }),
];

let emulator: FastlyEmulator;

beforeAll(async () => {
  emulator = await startFastlyEmulator({ records: RECORDS });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.knobs.shuffleTies = false;
});

interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
}

async function call(path: string, key: string | null = DEFAULT_FASTLY_TOKEN): Promise<Answer> {
  const response = await fetch(`${emulator.url}${path}`, {
    headers: key === null ? {} : { 'Fastly-Key': key },
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: text === '' ? null : (JSON.parse(text) as unknown),
  };
}

async function list(search: string): Promise<ReturnType<typeof fastlyEventsResponseSchema.parse>> {
  const answer = await call(`/events?${search}`);
  expect(answer.status).toBe(200);
  return fastlyEventsResponseSchema.parse(answer.body);
}

const ids = (page: { data: readonly FastlyRecordWire[] }) => page.data.map((r) => r.id);

describe('the Fastly emulator', () => {
  describe('authentication', () => {
    it.each([
      ['no Fastly-Key', null],
      ['a wrong Fastly-Key', 'nope'],
    ])('answers 401 with the Fastly error body to %s', async (_how, key) => {
      const answer = await call('/events', key);
      expect(answer).toEqual({
        status: 401,
        contentType: 'application/json',
        body: { msg: 'Provided credentials are missing or invalid' },
      });
    });
  });

  describe('GET /events', () => {
    it('answers a JSON:API document: data, links and meta, oldest first by default', async () => {
      const answer = await call('/events');
      expect(answer.status).toBe(200);
      expect(answer.contentType).toBe('application/vnd.api+json');
      const body = fastlyEventsResponseSchema.parse(answer.body);
      expect(ids(body)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'b1', 'b2', 'b3', 'e6', 'n1']);
      expect(body.data[0]).toEqual(RECORDS[0]);
      expect(body.meta).toEqual({
        current_page: 1,
        per_page: 20,
        record_count: 10,
        total_pages: 1,
      });
      expect(Object.keys(body.links ?? {}).sort()).toEqual(['first', 'last']);
    });

    it('sorts newest first with sort=-created_at', async () => {
      const body = await list('sort=-created_at');
      expect(ids(body)).toEqual(['n1', 'e6', 'b3', 'b2', 'b1', 'e4', 'e3', 'e2', 'e1', 'e0']);
    });

    it('pages by number, with absolute links that keep the query and have no next on the last page', async () => {
      const first = await list('filter[service_id]=SVC1&page[size]=3');
      expect(ids(first)).toEqual(['e2', 'e3', 'e4']);
      expect(first.meta).toEqual({ current_page: 1, per_page: 3, record_count: 7, total_pages: 3 });
      expect(first.links).toEqual({
        first: `${emulator.url}/events?filter[service_id]=SVC1&page[number]=1&page[size]=3`,
        last: `${emulator.url}/events?filter[service_id]=SVC1&page[number]=3&page[size]=3`,
        next: `${emulator.url}/events?filter[service_id]=SVC1&page[number]=2&page[size]=3`,
      });
      const collected = [...ids(first)];
      let next = first.links?.next;
      let last = first;
      while (typeof next === 'string') {
        const answer = await fetch(next, { headers: { 'Fastly-Key': DEFAULT_FASTLY_TOKEN } });
        last = fastlyEventsResponseSchema.parse(await answer.json());
        collected.push(...ids(last));
        next = last.links?.next;
      }
      expect(collected).toEqual(['e2', 'e3', 'e4', 'b1', 'b2', 'b3', 'n1']);
      expect(last.links?.prev).toBe(
        `${emulator.url}/events?filter[service_id]=SVC1&page[number]=2&page[size]=3`,
      );
      expect(last.links?.next).toBeUndefined();
    });

    it('answers a page past the end with no data and no next link', async () => {
      const body = await list('page[number]=5&page[size]=5');
      expect(body.data).toEqual([]);
      expect(body.meta).toMatchObject({ current_page: 5, record_count: 10, total_pages: 2 });
      expect(body.links?.next).toBeUndefined();
      expect(body.links?.prev).toContain('page[number]=4');
    });

    it('reads percent-encoded brackets as raw ones', async () => {
      const raw = await list(
        'filter[created_at][gte]=2026-03-02T09:00:05Z&page[size]=2&page[number]=2',
      );
      const encoded = await list(
        'filter%5Bcreated_at%5D%5Bgte%5D=2026-03-02T09:00:05Z&page%5Bsize%5D=2&page%5Bnumber%5D=2',
      );
      expect(ids(encoded)).toEqual(ids(raw));
      expect(ids(raw)).toEqual(['b3', 'e6']);
    });

    it.each([
      ['filter[event_type]=service.create', ['e4']],
      ['filter[service_id]=SVC2', ['e1', 'e6']],
      ['filter[user_id]=USER2', ['e2', 'e6']],
      ['filter[token_id]=TOK1', ['b1', 'b2', 'b3']],
      ['filter[customer_id]=CUST2', ['e3']],
      ['filter[user_id]=USER2&filter[service_id]=SVC2', ['e6']],
      ['filter[event_type]=token.create', []],
      ['filter[user_id]=', ['e0', 'e1', 'e2', 'e3', 'e4', 'b1', 'b2', 'b3', 'e6', 'n1']],
      ['filter[user_id]=USER1&filter[user_id]=USER2', ['e2', 'e6']],
    ])('filters with %s', async (search, expected) => {
      expect(ids(await list(search))).toEqual(expected);
    });

    it.each([
      ['filter[created_at][gt]=2026-03-02T09:00:05Z', ['e6', 'n1']],
      ['filter[created_at][gte]=2026-03-02T09:00:05Z', ['b1', 'b2', 'b3', 'e6', 'n1']],
      ['filter[created_at][lt]=2026-03-02T09:00:05Z', ['e0', 'e1', 'e2', 'e3', 'e4']],
      [
        'filter[created_at][lte]=2026-03-02T09:00:05Z',
        ['e0', 'e1', 'e2', 'e3', 'e4', 'b1', 'b2', 'b3'],
      ],
      [
        'filter[created_at][gte]=2026-03-02T09:00:04.500Z&filter[created_at][lt]=2026-03-02T09:00:06Z',
        ['b1', 'b2', 'b3'],
      ],
      [
        'filter[created_at][gte]=2026-03-02T10:00:04%2B01:00&filter[created_at][lte]=2026-03-02T09:00:05Z',
        ['e4', 'b1', 'b2', 'b3'],
      ],
      [
        'filter[created_at][gt]=2026-03-02T09:00:01Z&filter[created_at][gte]=2026-03-02T09:00:01Z&filter[created_at][lt]=2026-03-02T09:00:03Z',
        ['e2'],
      ],
      ['filter[created_at][gte]=2026-03-03', ['n1']],
      ['filter[created_at]=2026-03-02', ['e0', 'e1', 'e2', 'e3', 'e4', 'b1', 'b2', 'b3', 'e6']],
      ['filter[created_at]=2026-03-02T09:00:05Z', ['b1', 'b2', 'b3']],
    ])('filters by time with %s', async (search, expected) => {
      expect(ids(await list(search))).toEqual(expected);
    });

    it.each([
      ['page[size]=0', 'page[size]'],
      ['page[size]=101', 'page[size]'],
      ['page[size]=ten', 'page[size]'],
      ['page[number]=0', 'page[number]'],
      ['page[number]=1.5', 'page[number]'],
      ['sort=name', 'sort'],
      ['filter[created_at][gte]=yesterday', 'filter[created_at][gte]'],
      ['filter[created_at][gte]=2026-02-30', 'filter[created_at][gte]'],
      ['filter[created_at][eq]=2026-03-02', 'filter[created_at][eq]'],
      ['filter[colour]=red', 'filter[colour]'],
    ])('refuses %s with a 400 naming the parameter', async (search, parameter) => {
      const answer = await call(`/events?${search}`);
      expect(answer.status).toBe(400);
      expect(answer.contentType).toBe('application/json');
      expect(answer.body).toEqual({
        msg: 'Bad Request',
        detail: expect.stringContaining(parameter) as string,
      });
    });

    it('accepts the largest page it allows and ignores unknown parameters', async () => {
      const body = await list('page[size]=100&include=user');
      expect(body.meta?.per_page).toBe(100);
    });
  });

  describe('GET /events/{id}', () => {
    it('answers the event in a JSON:API document', async () => {
      const answer = await call('/events/b2');
      expect(answer.status).toBe(200);
      expect(answer.contentType).toBe('application/vnd.api+json');
      expect(fastlyEventResponseSchema.parse(answer.body)).toEqual({ data: RECORDS[6] });
    });

    it('answers 404 with a Fastly error body for an unknown id', async () => {
      expect(await call('/events/zzz')).toEqual({
        status: 404,
        contentType: 'application/json',
        body: { msg: 'Record not found', detail: "Couldn't find Event 'zzz'" },
      });
    });
  });

  it('answers 404 on an unknown path', async () => {
    expect(await call('/services')).toMatchObject({ status: 404, body: { msg: 'Not Found' } });
  });
});

describe('the Fastly emulator over a generated month', () => {
  const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 8) };
  let big: FastlyEmulator;
  let records: FastlyRecordWire[];

  beforeAll(async () => {
    const random = createRandom(7);
    records = generateFastlyRecords(
      random.fork('fastly'),
      createPeople(random.fork('people')),
      WINDOW,
      800,
    );
    big = await startFastlyEmulator({ records, token: 'k' });
  });
  afterAll(async () => {
    await big.close();
  });

  /** The largest burst: its second, and how many events share it. */
  function largestBurst(): { at: string; size: number } {
    const counts = new Map<string, number>();
    for (const r of records)
      counts.set(r.attributes.created_at, (counts.get(r.attributes.created_at) ?? 0) + 1);
    const [at, size] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    return { at, size };
  }

  async function page(search: string): Promise<string[]> {
    const response = await fetch(`${big.url}/events?${search}`, { headers: { 'Fastly-Key': 'k' } });
    return fastlyEventsResponseSchema.parse(await response.json()).data.map((r) => r.id);
  }

  it('has bursts larger than the default page', () => {
    expect(largestBurst().size).toBeGreaterThan(20);
  });

  it('orders a burst differently for different queries, and the same along the pages of one', async () => {
    big.knobs.shuffleTies = true;
    const { at, size } = largestBurst();
    const burstQuery = (extra: string) =>
      `filter[created_at][gte]=${at}&filter[created_at][lte]=${at}${extra}`;
    const whole = await page(burstQuery('&page[size]=100'));
    const paged: string[] = [];
    for (let n = 1; n <= Math.ceil(size / 4); n += 1)
      paged.push(...(await page(burstQuery(`&page[size]=4&page[number]=${n}`))));
    expect(paged).toEqual(whole);
    expect(new Set(whole).size).toBe(size);
    const other = await page(burstQuery('&sort=created_at&page[size]=100'));
    expect(other.slice().sort()).toEqual(whole.slice().sort());
    expect(other).not.toEqual(whole);
    expect(await page(burstQuery('&page[size]=100'))).toEqual(whole);
  });

  it('orders a burst by id without the shuffle knob', async () => {
    big.knobs.shuffleTies = false;
    const { at } = largestBurst();
    const asc = await page(`filter[created_at]=${at}&page[size]=100`);
    expect(asc).toEqual(asc.slice().sort());
    const desc = await page(`filter[created_at]=${at}&page[size]=100&sort=-created_at`);
    expect(desc).toEqual(asc.slice().reverse());
  });

  it('finds an inserted event in its place and keeps the store sorted', async () => {
    big.knobs.shuffleTies = false;
    const inserted = event('inserted0000000000000x', WINDOW.fromMs + 3_600_000);
    big.insert(inserted);
    const times = big.records.map((r) => Date.parse(r.attributes.created_at));
    expect(times).toEqual(times.slice().sort((a, b) => a - b));
    expect(await page(`filter[created_at]=${inserted.attributes.created_at}`)).toContain(
      inserted.id,
    );
    expect(() => big.insert(inserted)).toThrow();
  });
});

describe('the Fastly emulator with omitMeta', () => {
  let bare: FastlyEmulator;
  beforeAll(async () => {
    bare = await startFastlyEmulator({ records: RECORDS, omitMeta: true });
    bare.knobs.shuffleTies = false;
  });
  afterAll(async () => {
    await bare.close();
  });

  async function bareList(search: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${bare.url}/events?${search}`, {
      headers: { 'Fastly-Key': DEFAULT_FASTLY_TOKEN },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  it('answers without meta, as the 2019 recording did, and with links as always', async () => {
    const first = await bareList('page[size]=4');
    expect(Object.keys(first).sort()).toEqual(['data', 'links']);
    expect(ids(fastlyEventsResponseSchema.parse(first))).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(first['links']).toEqual({
      first: expect.stringContaining('page[number]=1') as unknown,
      last: expect.stringContaining('page[number]=3') as unknown,
      next: expect.stringContaining('page[number]=2') as unknown,
    });
    const last = await bareList('page[size]=4&page[number]=3');
    expect(Object.keys(last).sort()).toEqual(['data', 'links']);
    expect(last['links']).not.toHaveProperty('next');
  });
});
