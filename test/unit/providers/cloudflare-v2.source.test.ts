import { startCloudflareV2Emulator } from '../../../src/emulators/cloudflare-v2/startCloudflareV2Emulator';
import type { ListPage, ListQuery } from '../../../src/model/Source';
import type { CloudflareV2RecordWire } from '../../../src/providers/cloudflare-v2/cloudflareV2Wire';
import { createCloudflareV2Source } from '../../../src/providers/cloudflare-v2/createCloudflareV2Source';
import { failureOf, useSourceTestKit } from '../../support/sourceTestKit';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
const TOKEN = 'cf-v2-unit-token';
const ACCOUNT = '0123456789abcdef0123456789abcdef';

function log(id: string, atMs: number): CloudflareV2RecordWire {
  return {
    id,
    action: {
      time: new Date(atMs).toISOString().replace('.000Z', 'Z'),
      type: 'update',
      result: 'success',
    },
    actor: { id: 'actor', email: 'ops@example.com', type: 'user' },
  };
}

const hex = (n: number) => n.toString(16).padStart(32, '0');

/** One log a second from T0, with a burst of three at T0 + 5 s. */
const RECORDS: CloudflareV2RecordWire[] = [
  ...[0, 1, 2, 3, 4].map((s) => log(hex(s), T0 + s * 1000)),
  log(hex(0xa1), T0 + 5000),
  log(hex(0xa2), T0 + 5000),
  log(hex(0xa3), T0 + 5000),
  ...[6, 7, 8, 9].map((s) => log(hex(s), T0 + s * 1000)),
];

const WHOLE: ListQuery = { order: 'desc', sinceMs: T0, beforeMs: T0 + 60_000, pageSize: 100 };

const kit = useSourceTestKit({
  startEmulator: () =>
    startCloudflareV2Emulator({ records: RECORDS, token: TOKEN, accountId: ACCOUNT }),
  basePath: '/client/v4',
  sourceId: 'cf-v2-unit',
  createSource: (http) =>
    createCloudflareV2Source(
      { id: 'cf-v2-unit', token: TOKEN, accountId: ACCOUNT },
      { http, now: () => NOW },
    ),
});
const { lastRequest, respondOnce } = kit;

/** The upstream cursor inside a continuation (which also pins the chain's window). */
function upstreamCursorOf(next: string | null | undefined): string | undefined {
  return next == null ? undefined : (JSON.parse(next) as string[])[2];
}

async function listAll(query: ListQuery): Promise<ListPage[]> {
  const pages: ListPage[] = [];
  let continuation: string | null = null;
  do {
    const page: ListPage = await kit.source.list(query, continuation);
    pages.push(page);
    continuation = page.next;
  } while (continuation !== null && pages.length < 100);
  return pages;
}

describe('createCloudflareV2Source', () => {
  it('describes itself as a Cloudflare source serving pages of up to 1000', () => {
    expect(kit.source).toMatchObject({
      id: 'cf-v2-unit',
      kind: 'cloudflare-v2',
      provider: 'CLOUDFLARE',
      maxPageSize: 1000,
    });
  });

  it('sends both required bounds widened to whole seconds, the order, the limit and a bearer token', async () => {
    await kit.source.list(
      { order: 'asc', sinceMs: T0 + 1300, beforeMs: T0 + 4700, pageSize: 7 },
      null,
    );
    const request = lastRequest();
    expect(request.path).toBe(`/client/v4/accounts/${ACCOUNT}/logs/audit`);
    expect(request.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(Object.fromEntries(request.query)).toEqual({
      since: '2026-03-02T09:00:00Z',
      before: '2026-03-02T09:00:05Z',
      direction: 'asc',
      limit: '7',
    });
  });

  it('raises a start older than the 18-month retention to it', async () => {
    await kit.source.list({ ...WHOLE, sinceMs: 0 }, null);
    const since = Date.parse(lastRequest().query.get('since') ?? '');
    expect(since).toBeGreaterThanOrEqual(Date.UTC(2024, 8, 10, 12, 0, 0));
    expect(since).toBeLessThan(Date.UTC(2024, 8, 10, 13, 0, 0));
  });

  it('makes no request for a window entirely older than the retention, or empty', async () => {
    const old = Date.UTC(2024, 0, 1);
    expect(await kit.source.list({ ...WHOLE, sinceMs: old - 1000, beforeMs: old }, null)).toEqual({
      events: [],
      next: null,
      total: 0,
    });
    expect(await kit.source.list({ ...WHOLE, beforeMs: WHOLE.sinceMs }, null)).toMatchObject({
      events: [],
      next: null,
    });
    expect(kit.emulator.requests).toHaveLength(0);
  });

  it('keeps the events at the very start of the window, which "since" may exclude', async () => {
    const page = await kit.source.list({ ...WHOLE, sinceMs: T0 + 5000, beforeMs: T0 + 6000 }, null);
    expect(page.events.map((e) => e.nativeId).sort()).toEqual([hex(0xa1), hex(0xa2), hex(0xa3)]);
  });

  it('follows the upstream cursor to the end and reports no total', async () => {
    const pages = await listAll({ ...WHOLE, pageSize: 5 });
    expect(pages).toHaveLength(3);
    expect(pages.at(-1)?.next).toBeNull();
    expect(pages.flatMap((p) => p.events)).toHaveLength(RECORDS.length);
    expect(pages.every((p) => p.total === null)).toBe(true);
    const cursors = kit.emulator.requests.map((r) => r.query.get('cursor'));
    expect(cursors).toEqual([
      null,
      upstreamCursorOf(pages[0]?.next),
      upstreamCursorOf(pages[1]?.next),
    ]);
  });

  it('keeps the window of a cursor chain fixed while the clock moves', async () => {
    let now = NOW;
    const moving = createCloudflareV2Source(
      { id: 'cf-v2-unit', token: TOKEN, accountId: ACCOUNT },
      { http: kit.http, now: () => now },
    );
    // Unbounded below: the window starts at the retention limit, which moves with the clock.
    const query: ListQuery = { ...WHOLE, sinceMs: 0, pageSize: 5 };
    const first = await moving.list(query, null);
    now += 3_000;
    const second = await moving.list(query, first.next);
    expect(second.events).toHaveLength(5);
    const [a, b] = kit.emulator.requests;
    expect(b?.query.get('since')).toBe(a?.query.get('since'));
    expect(b?.query.get('before')).toBe(a?.query.get('before'));
  });

  it.each<[string, unknown]>([
    ['the cursor is empty', { cursor: '', count: '1' }],
    ['there is no cursor', { count: '1' }],
    ['there is no result_info', undefined],
  ])('stops when %s', async (_how, resultInfo) => {
    respondOnce({ success: true, errors: [], result: [RECORDS[0]], result_info: resultInfo });
    expect((await kit.source.list(WHOLE, null)).next).toBeNull();
  });

  it('stops at an empty page even when it carries a cursor', async () => {
    respondOnce({
      success: true,
      errors: [],
      result: [],
      result_info: { count: '0', cursor: 'more' },
    });
    expect(await kit.source.list(WHOLE, null)).toEqual({ events: [], next: null, total: null });
  });

  it.each([
    ['"1"', '1'],
    ['1', 1],
  ])('reads result_info.count given as %s', async (_how, count) => {
    respondOnce({
      success: true,
      errors: [],
      result: [RECORDS[0]],
      result_info: { count, cursor: 'c' },
    });
    expect(upstreamCursorOf((await kit.source.list(WHOLE, null)).next)).toBe('c');
  });

  it('refuses an empty continuation, before any request', async () => {
    expect((await failureOf(kit.source.list(WHOLE, ''))).code).toBe('BAD_USER_INPUT');
    expect(kit.emulator.requests).toHaveLength(0);
  });

  it('passes on the refusal of a cursor the upstream does not know', async () => {
    const forged = JSON.stringify(['2026-03-02T08:59:59Z', '2026-03-02T09:01:00Z', 'forged']);
    expect((await failureOf(kit.source.list(WHOLE, forged))).code).toBe('SOURCE_BAD_RESPONSE');
  });

  it('refuses a continuation it did not make, before any request', async () => {
    expect((await failureOf(kit.source.list(WHOLE, 'forged'))).code).toBe('BAD_USER_INPUT');
    expect(kit.emulator.requests).toHaveLength(0);
  });

  it.each<[string, unknown]>([
    [
      'a log without an id',
      { success: true, result: [{ action: { type: 'view', time: '2026-03-02T09:00:00Z' } }] },
    ],
    ['a log without a time', { success: true, result: [{ id: 'x', action: { type: 'view' } }] }],
    [
      'a log whose time is SECRET',
      { success: true, result: [{ id: 'x', action: { type: 'view', time: 'SECRET' } }] },
    ],
    [
      'a status code that is text',
      { success: true, result: [{ ...RECORDS[0], raw: { status_code: 'SECRET' } }] },
    ],
    ['a cursor that is a number', { success: true, result: [], result_info: { cursor: 5 } }],
    ['no success flag', { result: [] }],
  ])('refuses a payload with %s as SOURCE_BAD_RESPONSE naming the source', async (_name, body) => {
    respondOnce(body);
    const failure = await failureOf(kit.listSettled(WHOLE, null));
    expect(failure).toMatchObject({
      code: 'SOURCE_BAD_RESPONSE',
      details: { sourceId: 'cf-v2-unit' },
    });
    expect(failure.message).toContain('cf-v2-unit');
    expect(failure.message).not.toContain('SECRET');
  });

  it('reports a refused token as SOURCE_AUTH_FAILED without the token in the message', async () => {
    const wrong = createCloudflareV2Source(
      { id: 'cf-v2-wrong', token: 'WRONG-TOKEN-VALUE', accountId: ACCOUNT },
      { http: kit.http, now: () => NOW },
    );
    const failure = await failureOf(wrong.list(WHOLE, null));
    expect(failure.code).toBe('SOURCE_AUTH_FAILED');
    expect(failure.message).not.toContain('WRONG-TOKEN-VALUE');
  });

  it('gets a log with the id filter in a window around its known time', async () => {
    const id = hex(3);
    await expect(kit.source.get(id, T0 + 3000)).resolves.toMatchObject({ nativeId: id });
    expect(Object.fromEntries(lastRequest().query)).toEqual({
      since: '2026-03-02T08:00:02Z',
      before: '2026-03-02T10:00:03Z',
      id,
    });
  });

  it('gets a log of unknown time over the whole retention', async () => {
    await expect(kit.source.get(hex(7), null)).resolves.toMatchObject({ nativeId: hex(7) });
    const query = lastRequest().query;
    expect(Date.parse(query.get('since') ?? '')).toBeLessThan(Date.UTC(2024, 8, 11));
    expect(Date.parse(query.get('before') ?? '')).toBeGreaterThan(NOW);
  });

  it('gets null for an unknown id, and for a time older than the retention', async () => {
    await expect(kit.source.get('f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0', T0)).resolves.toBeNull();
    kit.emulator.resetRequests();
    await expect(kit.source.get(hex(1), Date.UTC(2020, 0, 1))).resolves.toBeNull();
    expect(kit.emulator.requests).toHaveLength(0);
  });
});
