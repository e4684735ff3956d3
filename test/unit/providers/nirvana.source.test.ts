import { startNirvanaEmulator } from '../../../src/emulators/nirvana/startNirvanaEmulator';
import type { ListQuery } from '../../../src/model/Source';
import { createNirvanaSource } from '../../../src/providers/nirvana/createNirvanaSource';
import type { NirvanaAuditLogWire } from '../../../src/providers/nirvana/NirvanaAuditLogWire';
import { toNirvanaAuditEvent } from '../../../src/providers/nirvana/toNirvanaAuditEvent';
import { failureOf, useSourceTestKit } from '../../support/sourceTestKit';

const KEY = 'nv-secret-api-key';
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const record = (index: number, ms: number): NirvanaAuditLogWire => ({
  id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  action: 'vm.updated',
  actor: { id: 'u1', name: 'Alice Smith', type: 'user' },
  client_ip: '203.0.113.9',
  created_at: iso(ms),
  method: 'PATCH',
  path: `/v1/compute/vms/vm-${index}`,
  status_code: 202,
  user_agent: 'nirvana-cli/1.98.1',
  target: { id: `vm-${index}`, type: 'vm' },
});

/** One entry a second from T0−1 s to T0+30 s, and a burst of 12 at T0+10 s. */
const RECORDS: NirvanaAuditLogWire[] = [
  ...Array.from({ length: 32 }, (_, i) => record(i, T0 + (i - 1) * 1000)),
  ...Array.from({ length: 12 }, (_, i) => record(100 + i, T0 + 10_000)),
];

const query = (fields: Partial<ListQuery> = {}): ListQuery => ({
  order: 'asc',
  sinceMs: T0,
  beforeMs: T0 + 20_000,
  pageSize: 10,
  ...fields,
});

const kit = useSourceTestKit({
  startEmulator: () => startNirvanaEmulator({ records: RECORDS, apiKey: KEY }),
  sourceId: 'nirvana',
  createSource: (http) =>
    createNirvanaSource({ id: 'nirvana', apiKey: KEY }, { http, now: () => T0 }),
});
const { respondOnce } = kit;

const sent = (index = 0) => {
  const request = kit.emulator.requests[index];
  if (request === undefined) throw new Error(`no request ${index}`);
  return Object.fromEntries(request.query);
};

describe('createNirvanaSource', () => {
  it('describes itself', () => {
    expect(kit.source).toMatchObject({
      id: 'nirvana',
      kind: 'nirvana',
      provider: 'NIRVANA',
      maxPageSize: 100,
    });
  });

  it('asks with a Bearer key, the sort, the limit and the window in whole seconds', async () => {
    await kit.source.list(
      query({ order: 'desc', sinceMs: T0 + 1500, beforeMs: T0 + 3001, pageSize: 25 }),
      null,
    );
    expect(kit.emulator.requests[0]?.path).toBe('/v1/audit_logs');
    expect(kit.emulator.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent()).toEqual({
      limit: '25',
      sort: 'created_at:desc',
      created_at_min: iso(T0 + 1000),
      created_at_max: iso(T0 + 3000),
    });
  });

  it('asks up to the whole second at or after the last wanted instant', async () => {
    await kit.source.list(query({ sinceMs: T0, beforeMs: T0 + 3000 }), null);
    expect(sent()).toMatchObject({ created_at_min: iso(T0), created_at_max: iso(T0 + 3000) });
    kit.emulator.resetRequests();
    await kit.source.list(query({ sinceMs: T0 - 1, beforeMs: T0 + 2999 }), null);
    expect(sent()).toMatchObject({
      created_at_min: iso(T0 - 1000),
      created_at_max: iso(T0 + 3000),
    });
  });

  it.each([
    [1, '10'],
    [10, '10'],
    [57, '57'],
    [100, '100'],
    [1000, '100'],
  ])('asks for %i events as limit %s', async (pageSize, limit) => {
    await kit.source.list(query({ pageSize }), null);
    expect(sent().limit).toBe(limit);
  });

  it('pages with the upstream cursor and the same parameters, through ties, to a null next', async () => {
    const seen: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const page = await kit.source.list(query(), next);
      seen.push(...page.events.map((event) => event.nativeId));
      // The widened window: the 21 entries of T0..T0+20 s, both ends included, and the burst.
      expect(page.total).toBe(33);
      next = page.next;
      pages += 1;
    } while (next !== null);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(33);
    const times = seen.map((id) => RECORDS.find((r) => r.id === id)!.created_at);
    expect(times).toEqual([...times].sort());
    const [first, ...rest] = kit.emulator.requests.map((request) => {
      const params = Object.fromEntries(request.query);
      delete params.cursor;
      return params;
    });
    for (const params of rest) expect(params).toEqual(first);
    expect(sent(1).cursor).toEqual(expect.any(String));
  });

  it('maps the entries as the mapping does', async () => {
    const page = await kit.listSettled(query({ sinceMs: T0 + 2000, beforeMs: T0 + 3000 }), null);
    // The entry at T0+3 s lies outside the query: the whole-second bound lets it in for the feed to drop.
    expect(page.events).toEqual([
      toNirvanaAuditEvent(RECORDS[3]!, { id: 'nirvana', kind: 'nirvana' }),
      toNirvanaAuditEvent(RECORDS[4]!, { id: 'nirvana', kind: 'nirvana' }),
    ]);
  });

  it.each([
    [
      'an empty next_cursor',
      {
        items: [RECORDS[0]],
        pagination: { next_cursor: '', previous_cursor: null, total_count: 9 },
      },
      null,
      9,
    ],
    [
      'a cursor on an empty page',
      { items: [], pagination: { next_cursor: 'abc', previous_cursor: null, total_count: 9 } },
      null,
      9,
    ],
    [
      'a cursor after a page',
      {
        items: [RECORDS[0]],
        pagination: { next_cursor: 'abc', previous_cursor: null, total_count: 9 },
      },
      'abc',
      9,
    ],
    [
      'no total_count',
      { items: [RECORDS[0]], pagination: { next_cursor: null, previous_cursor: null } },
      null,
      null,
    ],
  ])('reads %s', async (_case, body, next, total) => {
    respondOnce(body);
    const page = await kit.source.list(query(), null);
    expect(page.next).toBe(next);
    expect(page.total).toBe(total);
  });

  it.each([
    ['a created_at that is not RFC 3339', { ...RECORDS[0], created_at: 'leaked-secret-value' }],
    ['an id that is a number', { ...RECORDS[0], id: 1234 }],
    [
      'an actor without an id',
      { ...RECORDS[0], actor: { name: 'leaked-secret-value', type: 'user' } },
    ],
  ])('reports an entry with %s as SOURCE_BAD_RESPONSE, echoing nothing', async (_case, item) => {
    respondOnce({
      items: [item],
      pagination: { next_cursor: null, previous_cursor: null, total_count: 1 },
    });
    const error = await failureOf(kit.listSettled(query(), null));
    expect(error.code).toBe('SOURCE_BAD_RESPONSE');
    expect(error.details.sourceId).toBe('nirvana');
    expect(error.message).not.toContain('leaked-secret-value');
    expect(error.message).not.toContain(kit.emulator.url);
  });

  it('reports a refused key as SOURCE_AUTH_FAILED, without the key', async () => {
    const wrong = createNirvanaSource(
      { id: 'nirvana', apiKey: 'wrong-key' },
      { http: kit.http, now: () => T0 },
    );
    const error = await failureOf(wrong.list(query(), null));
    expect(error.code).toBe('SOURCE_AUTH_FAILED');
    expect(error.message).not.toContain('wrong-key');
  });

  it('reports a cursor the upstream refuses as SOURCE_BAD_RESPONSE', async () => {
    const first = await kit.source.list(query({ order: 'desc' }), null);
    const error = await failureOf(kit.source.list(query({ order: 'asc' }), first.next));
    expect(error.code).toBe('SOURCE_BAD_RESPONSE');
    expect(error.details.upstreamStatus).toBe(400);
  });

  it('gets one entry by id, mapped as listed', async () => {
    const event = await kit.source.get(RECORDS[5]!.id, null);
    expect(kit.emulator.requests[0]?.path).toBe(`/v1/audit_logs/${RECORDS[5]!.id}`);
    expect(event).toEqual(toNirvanaAuditEvent(RECORDS[5]!, { id: 'nirvana', kind: 'nirvana' }));
  });

  it('gets null for an unknown id, and for an empty one without asking', async () => {
    await expect(kit.source.get('f0f0f0f0-0000-4000-8000-000000000000', null)).resolves.toBeNull();
    await expect(kit.source.get('', null)).resolves.toBeNull();
    expect(kit.emulator.requests).toHaveLength(1);
  });

  it('escapes an id into one path segment', async () => {
    await expect(kit.source.get('a/../b?x=1', null)).resolves.toBeNull();
    expect(kit.emulator.requests[0]?.path).toBe('/v1/audit_logs/a/../b?x=1');
    expect(kit.emulator.requests[0]?.query.get('x')).toBeNull();
  });

  it('reports a retrieval of the wrong shape as SOURCE_BAD_RESPONSE', async () => {
    respondOnce({ items: [] });
    expect((await failureOf(kit.source.get(RECORDS[5]!.id, null))).code).toBe(
      'SOURCE_BAD_RESPONSE',
    );
  });
});
