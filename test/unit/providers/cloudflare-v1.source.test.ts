import { startCloudflareV1Emulator } from '../../../src/emulators/cloudflare-v1/startCloudflareV1Emulator';
import type { AuditgraphError } from '../../../src/model/errors';
import type { ListQuery } from '../../../src/model/Source';
import type { CloudflareV1RecordWire } from '../../../src/providers/cloudflare-v1/cloudflareV1Wire';
import { createCloudflareV1Source } from '../../../src/providers/cloudflare-v1/createCloudflareV1Source';
import { failureOf, useSourceTestKit } from '../../support/sourceTestKit';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const TOKEN = 'cf-v1-unit-token';
const ACCOUNT = '0123456789abcdef0123456789abcdef';

function log(id: string, atMs: number): CloudflareV1RecordWire {
  return {
    id,
    action: { type: 'change_setting', result: true },
    actor: { id: 'actor', email: 'ops@example.com', ip: '203.0.113.7', type: 'user' },
    when: new Date(atMs).toISOString().replace('.000Z', 'Z'),
  };
}

/** One log a second from T0, with a burst of three at T0 + 5 s. */
const RECORDS: CloudflareV1RecordWire[] = [
  ...[0, 1, 2, 3, 4].map((s) => log(`00000000-0000-4000-8000-00000000000${s}`, T0 + s * 1000)),
  log('burst-a', T0 + 5000),
  log('burst-b', T0 + 5000),
  log('burst-c', T0 + 5000),
  ...[6, 7, 8, 9].map((s) => log(`00000000-0000-4000-8000-00000000000${s}`, T0 + s * 1000)),
];

const WHOLE: ListQuery = { order: 'desc', sinceMs: T0, beforeMs: T0 + 60_000, pageSize: 100 };

const kit = useSourceTestKit({
  startEmulator: () =>
    startCloudflareV1Emulator({ records: RECORDS, token: TOKEN, accountId: ACCOUNT }),
  basePath: '/client/v4',
  sourceId: 'cf-v1-unit',
  createSource: (http) =>
    createCloudflareV1Source(
      { id: 'cf-v1-unit', token: TOKEN, accountId: ACCOUNT },
      { http, now: () => T0 },
    ),
});
const { lastRequest, respondOnce } = kit;

describe('createCloudflareV1Source', () => {
  it('describes itself as a Cloudflare source serving pages of up to 1000', () => {
    expect(kit.source).toMatchObject({
      id: 'cf-v1-unit',
      kind: 'cloudflare-v1',
      provider: 'CLOUDFLARE',
      maxPageSize: 1000,
    });
  });

  it('refuses to be built without an account', () => {
    expect(() =>
      createCloudflareV1Source(
        { id: 'x', token: TOKEN, accountId: ' ' },
        { http: kit.http, now: () => T0 },
      ),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }) as AuditgraphError);
  });

  it('pushes the window down widened to whole seconds, asks for the order, sends a bearer token', async () => {
    await kit.source.list(
      { order: 'asc', sinceMs: T0 + 1300, beforeMs: T0 + 4700, pageSize: 7 },
      null,
    );
    const request = lastRequest();
    expect(request.path).toBe(`/client/v4/accounts/${ACCOUNT}/audit_logs`);
    expect(request.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(Object.fromEntries(request.query)).toEqual({
      since: '2026-03-02T09:00:00Z',
      before: '2026-03-02T09:00:05Z',
      direction: 'asc',
      per_page: '7',
      page: '1',
    });
  });

  it('keeps the events at the very start of the window, which "since" may exclude', async () => {
    const page = await kit.source.list({ ...WHOLE, sinceMs: T0 + 5000, beforeMs: T0 + 6000 }, null);
    expect(page.events.map((e) => e.nativeId).sort()).toEqual(['burst-a', 'burst-b', 'burst-c']);
  });

  it.each([
    [5000, '1000'],
    [0, '1'],
    [Number.POSITIVE_INFINITY, '1000'],
  ])('asks for a page size of %p as per_page=%s', async (pageSize, expected) => {
    await kit.source.list({ ...WHOLE, pageSize }, null);
    expect(lastRequest().query.get('per_page')).toBe(expected);
  });

  it('follows page numbers, stops at the short page, and reports no total', async () => {
    const query = { ...WHOLE, pageSize: 5 };
    const pages = [];
    let continuation: string | null = null;
    do {
      const page = await kit.source.list(query, continuation);
      pages.push(page);
      continuation = page.next;
    } while (continuation !== null);
    expect(pages.map((p) => p.next)).toEqual(['2', '3', null]);
    expect(pages.flatMap((p) => p.events)).toHaveLength(RECORDS.length);
    expect(pages.every((p) => p.total === null)).toBe(true);
  });

  it('stops at an empty page', async () => {
    const query = { ...WHOLE, pageSize: 6 };
    const second = await kit.source.list(query, '2');
    expect(second.events).toHaveLength(6);
    expect(second.next).toBe('3');
    const third = await kit.source.list(query, '3');
    expect(third).toEqual({ events: [], next: null, total: null });
  });

  it('keeps going after a full page of the size the upstream says it serves', async () => {
    respondOnce({
      success: true,
      errors: [],
      messages: [],
      result: [RECORDS[1], RECORDS[0]],
      result_info: { page: 1, per_page: 2, count: 2, total_count: 9 },
    });
    expect((await kit.source.list({ ...WHOLE, pageSize: 50 }, null)).next).toBe('2');
  });

  it('reads an envelope without result_info', async () => {
    respondOnce({ success: true, errors: [], messages: [], result: [RECORDS[0]] });
    expect(await kit.source.list({ ...WHOLE, pageSize: 1 }, null)).toMatchObject({ next: '2' });
  });

  it.each<[string, unknown]>([
    [
      'success false',
      { success: false, errors: [{ code: 1000, message: 'x' }], messages: [], result: null },
    ],
    ['no result', { success: true, errors: [], messages: [] }],
    [
      'a log without an id',
      { success: true, result: [{ action: { type: 'add' }, when: '2026-03-02T09:00:00Z' }] },
    ],
    [
      'a log without an action type',
      { success: true, result: [{ id: 'x', action: {}, when: '2026-03-02T09:00:00Z' }] },
    ],
    [
      'a log whose time is SECRET',
      { success: true, result: [{ id: 'x', action: { type: 'add' }, when: 'SECRET' }] },
    ],
  ])('refuses a payload with %s as SOURCE_BAD_RESPONSE naming the source', async (_name, body) => {
    respondOnce(body);
    const failure = await failureOf(kit.listSettled(WHOLE, null));
    expect(failure).toMatchObject({
      code: 'SOURCE_BAD_RESPONSE',
      details: { sourceId: 'cf-v1-unit' },
    });
    expect(failure.message).toContain('cf-v1-unit');
    expect(failure.message).not.toContain('SECRET');
  });

  it('refuses a page that is not in the order it asked for', async () => {
    respondOnce({ success: true, result: [RECORDS[0], RECORDS[1]] });
    expect((await failureOf(kit.source.list(WHOLE, null))).code).toBe('SOURCE_BAD_RESPONSE');
  });

  it('reports a refused token as SOURCE_AUTH_FAILED without the token in the message', async () => {
    const wrong = createCloudflareV1Source(
      { id: 'cf-v1-wrong', token: 'WRONG-TOKEN-VALUE', accountId: ACCOUNT },
      { http: kit.http, now: () => T0 },
    );
    const failure = await failureOf(wrong.list(WHOLE, null));
    expect(failure.code).toBe('SOURCE_AUTH_FAILED');
    expect(failure.message).not.toContain('WRONG-TOKEN-VALUE');
  });

  it('gets a log with the id filter, in a window around its time when it is known', async () => {
    const id = RECORDS[3]?.id ?? '';
    await expect(kit.source.get(id, T0 + 3000)).resolves.toMatchObject({ nativeId: id });
    expect(Object.fromEntries(lastRequest().query)).toEqual({
      id,
      since: '2026-03-02T08:00:02Z',
      before: '2026-03-02T10:00:03Z',
    });
    await expect(kit.source.get(id, null)).resolves.toMatchObject({ nativeId: id });
    expect(Object.fromEntries(lastRequest().query)).toEqual({ id });
  });

  it('gets null for an unknown id, and for a log the upstream returns under another id', async () => {
    await expect(kit.source.get('f0f0f0f0-0000-4000-8000-000000000000', null)).resolves.toBeNull();
    respondOnce({ success: true, result: [RECORDS[0]] });
    await expect(kit.source.get('another-id', null)).resolves.toBeNull();
  });
});
