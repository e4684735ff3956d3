import { ApiClient, EventsApi, type Event, type ListEventsOptions } from 'fastly';
import { createRandom } from '../../src/emulators/dataset/createRandom';
import { createPeople } from '../../src/emulators/dataset/people';
import { generateFastlyRecords } from '../../src/emulators/fastly/generateFastlyRecords';
import {
  startFastlyEmulator,
  type FastlyEmulator,
} from '../../src/emulators/fastly/startFastlyEmulator';
import type { FastlyRecordWire } from '../../src/providers/fastly/fastlyWire';

/**
 * The official `fastly` SDK (fastly-js) against the Fastly emulator, used as a client would:
 * `EventsApi.listEvents` with filters and page parameters, `EventsApi.getEvent`.
 *
 * fastly-js 13 cannot be pointed elsewhere through `ApiClient.basePath`: every operation passes
 * its own server URL (`https://api.fastly.com`). Its superagent plugin hook can, so one plugin
 * moves each request to the emulator, unchanged otherwise, and records the path it was sent on.
 */

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 4) };
const FASTLY_SERVER = 'https://api.fastly.com';

const random = createRandom(20260902);
const people = createPeople(random.fork('people'));
const records = generateFastlyRecords(random.fork('fastly'), people, WINDOW, 140);

let emulator: FastlyEmulator;
let api: EventsApi;
/** Path and query exactly as the SDK put them on the wire. */
const sentPaths: string[] = [];

function createEventsApi(token: string): EventsApi {
  const client = new ApiClient();
  client.authenticate(token);
  client.plugins = [
    (request) => {
      request.url = `${emulator.url}${request.url.slice(FASTLY_SERVER.length)}`;
      request.on('response', (response) => sentPaths.push(response.req.path));
    },
  ];
  return new EventsApi(client);
}

/** The SDK's model of an event, written back as the wire record it was read from. */
function toWire(event: Event): unknown {
  const { created_at: createdAt, ...attributes } = event.attributes ?? {};
  return {
    id: event.id,
    type: event.type,
    attributes: { ...attributes, created_at: createdAt?.toISOString().replace('.000Z', 'Z') },
  };
}

const ascending = (): FastlyRecordWire[] => [...emulator.records];
const ids = (events: readonly { id?: string }[] | undefined) => (events ?? []).map((e) => e.id);

beforeAll(async () => {
  emulator = await startFastlyEmulator({ records });
  api = createEventsApi(emulator.token);
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.resetRequests();
  emulator.knobs.shuffleTies = false;
  sentPaths.length = 0;
});

describe('fastly SDK: EventsApi.listEvents', () => {
  it('reads the first page with the defaults: 20 events, oldest first, links and meta', async () => {
    const { data, response } = await api.listEventsWithHttpInfo();

    expect(data.data?.map(toWire)).toEqual(ascending().slice(0, 20));
    expect(data.meta).toEqual({ current_page: 1, per_page: 20, record_count: 140, total_pages: 7 });
    expect(data.links?.next).toBe(`${emulator.url}/events?page[number]=2&page[size]=20`);
    expect(data.links?.prev).toBeUndefined();
    expect(response.headers['content-type']).toBe('application/vnd.api+json');
    const request = emulator.requests.at(-1)!;
    expect(request.path).toBe('/events');
    expect(request.headers['fastly-key']).toBe(emulator.token);
    expect(request.headers['accept']).toBe('application/vnd.api+json');
  });

  it('sends bracketed filter and page names URL-encoded and gets the matching events', async () => {
    const sample = ascending().find(
      (record) => record.attributes.user_id && record.attributes.token_id,
    )!;
    const { user_id: userId, event_type: eventType } = sample.attributes;

    const page = await api.listEvents({
      filter_user_id: userId!,
      filter_event_type: eventType,
      filter_customer_id: sample.attributes.customer_id!,
      filter_created_at_gte: '2026-03-01',
      filter_created_at_lt: '2026-03-04T00:00:00Z',
      page_number: 1,
      page_size: 100,
    });

    expect(sentPaths.at(-1)).toContain('filter%5Buser_id%5D=');
    expect(sentPaths.at(-1)).toContain('filter%5Bcreated_at%5D%5Bgte%5D=2026-03-01');
    expect(sentPaths.at(-1)).toContain('page%5Bsize%5D=100');
    const expected = ascending().filter(
      (record) =>
        record.attributes.user_id === userId &&
        record.attributes.event_type === eventType &&
        Date.parse(record.attributes.created_at) < WINDOW.toMs,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(page.data?.map(toWire)).toEqual(expected);
  });

  it.each<
    [string, (record: FastlyRecordWire) => string | null | undefined, keyof ListEventsOptions]
  >([
    ['service_id', (record) => record.attributes.service_id, 'filter_service_id'],
    ['token_id', (record) => record.attributes.token_id, 'filter_token_id'],
  ])('filters on %s', async (_name, read, option) => {
    const wanted = ascending()
      .map(read)
      .find((value) => typeof value === 'string')!;
    const page = await api.listEvents({ [option]: wanted, page_size: 100 });
    expect(ids(page.data)).toEqual(ids(ascending().filter((record) => read(record) === wanted)));
  });

  it('reads the bare filter[created_at] date as that UTC day, newest first with sort=-created_at', async () => {
    const page = await api.listEvents({
      filter_created_at: '2026-03-02',
      sort: '-created_at',
      page_size: 100,
    });
    const day = { from: Date.UTC(2026, 2, 2), to: Date.UTC(2026, 2, 3) };
    const expected = ascending()
      .filter((record) => {
        const ms = Date.parse(record.attributes.created_at);
        return ms >= day.from && ms < day.to;
      })
      .reverse();
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(page.data)).toEqual(ids(expected));
  });

  it('pages by page[number] until links.next is absent and sees every event exactly once', async () => {
    emulator.knobs.shuffleTies = true;
    const seen: string[] = [];
    let pageNumber = 1;
    for (;;) {
      const page = await api.listEvents({ page_number: pageNumber, page_size: 30 });
      seen.push(...ids(page.data).map(String));
      expect(page.meta?.current_page).toBe(pageNumber);
      if (page.links?.next === undefined) break;
      pageNumber += 1;
    }
    expect(pageNumber).toBe(5);
    expect([...seen].sort()).toEqual(ids(ascending()).map(String).sort());
  });
});

describe('fastly SDK: EventsApi.getEvent', () => {
  it('reads one event by id, every field as stored', async () => {
    for (const record of [ascending()[0]!, ascending().at(-1)!]) {
      const response = await api.getEvent({ event_id: record.id });
      expect(toWire(response.data!)).toEqual(record);
      expect(emulator.requests.at(-1)!.path).toBe(`/events/${record.id}`);
    }
  });

  it('rejects an unknown id with the 404 body, and a wrong key with the 401 body', async () => {
    await expect(api.getEvent({ event_id: 'NoSuchEvent0000000000' })).rejects.toMatchObject({
      status: 404,
      body: { msg: 'Record not found', detail: "Couldn't find Event 'NoSuchEvent0000000000'" },
    });
    await expect(createEventsApi('wrong-key').listEvents()).rejects.toMatchObject({
      status: 401,
      body: { msg: 'Provided credentials are missing or invalid' },
    });
  });
});
