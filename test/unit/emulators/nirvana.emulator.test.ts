import { createRandom } from '../../../src/emulators/dataset/createRandom';
import { createPeople } from '../../../src/emulators/dataset/people';
import { generateNirvanaRecords } from '../../../src/emulators/nirvana/generateNirvanaRecords';
import {
  startNirvanaEmulator,
  type NirvanaEmulator,
} from '../../../src/emulators/nirvana/startNirvanaEmulator';
import {
  nirvanaAuditLogListWireSchema,
  type NirvanaAuditLogListWire,
  type NirvanaAuditLogWire,
} from '../../../src/providers/nirvana/NirvanaAuditLogWire';
import { parseRfc3339 } from '../../../src/providers/nirvana/parseRfc3339';

const KEY = 'test-nirvana-key';
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function entry(
  index: number,
  ms: number,
  fields: Partial<NirvanaAuditLogWire> = {},
): NirvanaAuditLogWire {
  return {
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    action: 'vm.updated',
    actor: { id: 'user-1', name: 'Alice Smith', type: 'user' },
    client_ip: '203.0.113.9',
    created_at: iso(ms),
    method: 'PATCH',
    path: `/v1/compute/vms/vm-${index}`,
    status_code: 202,
    user_agent: 'nirvana-cli/1.98.1',
    target: { id: `vm-${index}`, type: 'vm' },
    ...fields,
  };
}

/** 25 entries in one second (a Terraform apply), and a few around it. */
const RECORDS: NirvanaAuditLogWire[] = [
  entry(1, T0 - 1000, {
    action: 'vpc.created',
    method: 'POST',
    path: '/v1/networking/vpcs',
    target: { id: 'vpc-1', type: 'vpc' },
  }),
  ...Array.from({ length: 25 }, (_, i) => entry(2 + i, T0)),
  entry(27, T0 + 1000, {
    action: 'api_key.deleted',
    actor: { id: 'ak_1', name: null, type: 'api_key' },
    client_ip: '198.51.100.4',
    method: 'DELETE',
    path: '/v1/api_keys/ak_9',
    status_code: 204,
    target: null,
  }),
  entry(28, T0 + 2000, {
    action: 'vm.created',
    method: 'POST',
    path: '/v1/Compute/VMs',
    status_code: 422,
  }),
  entry(29, T0 + 3000, { created_at: '2026-03-02T09:00:03.250Z', status_code: 404 }),
];

let emulator: NirvanaEmulator;

beforeAll(async () => {
  emulator = await startNirvanaEmulator({ records: RECORDS, apiKey: KEY });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.knobs.shuffleTies = true;
});

interface Answer {
  readonly status: number;
  readonly json: unknown;
}

async function call(path: string, authorization = `Bearer ${KEY}`): Promise<Answer> {
  const response = await fetch(`${emulator.url}${path}`, { headers: { authorization } });
  const text = await response.text();
  return { status: response.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
}

async function list(params: Record<string, string | number>): Promise<NirvanaAuditLogListWire> {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const answer = await call(`/v1/audit_logs?${query.toString()}`);
  expect(answer.status).toBe(200);
  return nirvanaAuditLogListWireSchema.parse(answer.json);
}

async function listAll(
  params: Record<string, string | number>,
): Promise<{ ids: string[]; pages: number; totals: Set<number | null | undefined> }> {
  const ids: string[] = [];
  const totals = new Set<number | null | undefined>();
  let cursor: string | null | undefined = null;
  let pages = 0;
  do {
    const page: NirvanaAuditLogListWire = await list({ ...params, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((item) => item.id));
    totals.add(page.pagination.total_count);
    cursor = page.pagination.next_cursor;
    pages += 1;
  } while (cursor && pages < 100);
  return { ids, pages, totals };
}

const idOf = (index: number) => entry(index, 0).id;

describe('the Nirvana emulator: envelope and defaults', () => {
  it('answers {items, pagination} with 10 entries, newest first, and every pagination key', async () => {
    const answer = await call('/v1/audit_logs');
    expect(answer.status).toBe(200);
    const body = answer.json as {
      items: NirvanaAuditLogWire[];
      pagination: Record<string, unknown>;
    };
    expect(Object.keys(body).sort()).toEqual(['items', 'pagination']);
    expect(Object.keys(body.pagination).sort()).toEqual([
      'next_cursor',
      'previous_cursor',
      'total_count',
    ]);
    expect(body.items).toHaveLength(10);
    expect(body.items[0]).toEqual(RECORDS[28]);
    expect(body.pagination.previous_cursor).toBeNull();
    expect(typeof body.pagination.next_cursor).toBe('string');
    expect(body.pagination.total_count).toBe(RECORDS.length);
  });

  it('answers one entry as the bare object', async () => {
    const answer = await call(`/v1/audit_logs/${idOf(27)}`);
    expect(answer).toEqual({ status: 200, json: RECORDS[26] });
  });

  it('answers an unknown id or path with 404 and an error body', async () => {
    expect(await call('/v1/audit_logs/f0f0f0f0')).toEqual({
      status: 404,
      json: { error: { code: 'not_found', message: 'audit log not found' } },
    });
    expect((await call('/v1/nothing')).status).toBe(404);
  });

  it.each([
    ['no header', ''],
    ['the bare key', KEY],
    ['another key', 'Bearer nope'],
    ['Basic auth', `Basic ${KEY}`],
  ])('refuses %s with 401', async (_case, authorization) => {
    const answer = await call('/v1/audit_logs', authorization);
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({
      error: { code: 'unauthorized', message: 'invalid or missing API key' },
    });
  });

  it('accepts the Bearer scheme in any case', async () => {
    expect((await call('/v1/audit_logs', `bearer ${KEY}`)).status).toBe(200);
  });
});

describe('the Nirvana emulator: parameter validation', () => {
  it.each([
    'limit=9',
    'limit=101',
    'limit=ten',
    'limit=10.5',
    'actor_type=robot',
    'created_at_min=yesterday',
    'created_at_max=2026-03-02',
    'status_code_min=2xx',
    'sort=created_at',
    'sort=created_at:ASC',
    'sort=id:asc',
    'sort=created_at:asc,created_at:desc',
  ])('answers %s with 400 invalid_parameter', async (query) => {
    const answer = await call(`/v1/audit_logs?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { code: 'invalid_parameter' } });
  });

  it.each([10, 100])('accepts limit %i', async (limit) => {
    expect((await list({ limit })).items).toHaveLength(Math.min(limit, RECORDS.length));
  });
});

describe('the Nirvana emulator: filters', () => {
  it.each<[Record<string, string | number>, number[]]>([
    [{ action: 'api_key.deleted' }, [27]],
    [{ actor_id: 'ak_1' }, [27]],
    [{ actor_type: 'api_key' }, [27]],
    [{ client_ip: '198.51.100.4' }, [27]],
    [{ client_ip: '198.51.100' }, []],
    [{ method: 'post' }, [1, 28]],
    [{ path: 'compute/vms/vm-2' }, [2, 20, 21, 22, 23, 24, 25, 26, 29]],
    [{ path: '/V1/COMPUTE/vms/VM-1' }, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]],
    [{ path: 'compute/VMS', status_code_min: 400 }, [28, 29]],
    [{ status_code_min: 204, status_code_max: 204 }, [27]],
    [{ status_code_min: 500 }, []],
    [{ status_code_min: 300, status_code_max: 200 }, []],
    [{ target_id: 'vpc-1' }, [1]],
    [{ target_type: 'vpc' }, [1]],
    [{ created_at_min: iso(T0 + 1000), created_at_max: iso(T0 + 2000) }, [27, 28]],
    [{ created_at_min: '2026-03-02T09:00:03.250Z' }, [29]],
    [{ created_at_min: '2026-03-02T09:00:03.251Z' }, []],
    [{ created_at_max: '2026-03-02T10:59:59+02:00' }, [1]],
    [{ action: '' }, Array.from({ length: 29 }, (_, i) => i + 1)],
  ])('filters by %p', async (filters, expected) => {
    const { ids, totals } = await listAll({ ...filters, limit: 100, sort: 'created_at:asc' });
    expect([...ids].sort()).toEqual(expected.map(idOf).sort());
    expect([...totals]).toEqual([expected.length]);
  });

  it('sorts by status code when asked, then by the time', async () => {
    const page = await list({ sort: 'status_code:desc,created_at:asc', limit: 100 });
    expect(page.items.map((item) => item.status_code).slice(0, 4)).toEqual([422, 404, 204, 202]);
  });
});

describe('the Nirvana emulator: cursor pagination', () => {
  it.each(['created_at:asc', 'created_at:desc'])(
    'walks every entry once, in order, along one chain sorted %s',
    async (sort) => {
      const { ids, pages, totals } = await listAll({ sort, limit: 10 });
      expect(pages).toBe(3);
      expect(new Set(ids).size).toBe(RECORDS.length);
      expect([...totals]).toEqual([RECORDS.length]);
      const times = ids.map((id) => parseRfc3339(RECORDS.find((r) => r.id === id)!.created_at)!);
      const sorted = [...times].sort((a, b) => (sort.endsWith('asc') ? a - b : b - a));
      expect(times).toEqual(sorted);
    },
  );

  it('ends a chain with a null next_cursor', async () => {
    const page = await list({ limit: 100 });
    expect(page.pagination.next_cursor).toBeNull();
  });

  it('keeps the order of ties along one chain, whatever the limit of each page', async () => {
    const filters = { created_at_min: iso(T0), created_at_max: iso(T0) };
    const whole = (await list({ ...filters, limit: 100 })).items.map((item) => item.id);
    const first = await list({ ...filters, limit: 10 });
    const second = await list({ ...filters, limit: 11, cursor: first.pagination.next_cursor! });
    const third = await list({ ...filters, limit: 10, cursor: second.pagination.next_cursor! });
    expect([...first.items, ...second.items, ...third.items].map((item) => item.id)).toEqual(whole);
    expect(third.pagination.next_cursor).toBeNull();
  });

  it('orders the same ties differently for different queries, and the same for the same query', async () => {
    const orders = new Set<string>();
    for (const path of ['/v1', 'compute', 'vms', '/vm', 'v1/compute/vms/vm']) {
      const page = await list({
        path,
        created_at_min: iso(T0),
        created_at_max: iso(T0),
        limit: 100,
      });
      orders.add(page.items.map((item) => item.id).join(','));
    }
    expect(orders.size).toBeGreaterThan(1);
    const again = await list({
      path: 'vms',
      created_at_min: iso(T0),
      created_at_max: iso(T0),
      limit: 100,
    });
    const once = await list({
      path: 'vms',
      created_at_min: iso(T0),
      created_at_max: iso(T0),
      limit: 100,
    });
    expect(again.items).toEqual(once.items);
  });

  it('orders ties by id when shuffleTies is off', async () => {
    emulator.knobs.shuffleTies = false;
    const page = await list({
      created_at_min: iso(T0),
      created_at_max: iso(T0),
      sort: 'created_at:asc',
      limit: 100,
    });
    const ids = page.items.map((item) => item.id);
    expect(ids).toEqual([...ids].sort());
  });

  it('refuses a cursor made for other filters or another sort, and a malformed one', async () => {
    const first = await list({ action: 'vm.updated', sort: 'created_at:asc' });
    const cursor = first.pagination.next_cursor!;
    for (const query of [
      `action=vm.created&sort=created_at:asc&cursor=${cursor}`,
      `action=vm.updated&sort=created_at:desc&cursor=${cursor}`,
      `action=vm.updated&cursor=${cursor}`,
      `sort=created_at:asc&cursor=${cursor}`,
      `action=vm.updated&sort=created_at:asc&cursor=not-a-cursor!`,
      `action=vm.updated&sort=created_at:asc&cursor=${cursor.slice(0, -3)}`,
    ]) {
      const answer = await call(`/v1/audit_logs?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ error: { code: 'invalid_cursor' } });
    }
    const same = await call(
      `/v1/audit_logs?action=vm.updated&sort=created_at:asc&limit=20&cursor=${cursor}`,
    );
    expect(same.status).toBe(200);
  });

  it('walks back with previous_cursor to the page before', async () => {
    const first = await list({ sort: 'created_at:asc' });
    const second = await list({ sort: 'created_at:asc', cursor: first.pagination.next_cursor! });
    expect(second.pagination.previous_cursor).not.toBeNull();
    const back = await list({ sort: 'created_at:asc', cursor: second.pagination.previous_cursor! });
    expect(back.items).toEqual(first.items);
    expect(back.pagination.previous_cursor).toBeNull();
    expect(back.pagination.next_cursor).not.toBeNull();
  });

  it('neither repeats nor skips an entry when entries arrive during a chain', async () => {
    const local = await startNirvanaEmulator({ records: RECORDS });
    try {
      const get = async (query: string) => {
        const response = await fetch(`${local.url}/v1/audit_logs?${query}`, {
          headers: { authorization: `Bearer ${local.apiKey}` },
        });
        return nirvanaAuditLogListWireSchema.parse(await response.json());
      };
      const first = await get('sort=created_at:asc');
      local.insertRecord(entry(100, T0 - 5000));
      local.insertRecord(entry(101, T0));
      local.insertRecord(entry(102, T0 + 10_000));
      const seen = first.items.map((item) => item.id);
      let cursor = first.pagination.next_cursor;
      while (cursor) {
        const page = await get(`sort=created_at:asc&cursor=${cursor}`);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.pagination.next_cursor;
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const record of RECORDS) expect(seen).toContain(record.id);
      expect(seen).toContain(idOf(102));
      expect(seen).not.toContain(idOf(100));
      expect(() => local.insertRecord(entry(100, T0))).toThrow();
    } finally {
      await local.close();
    }
  });
});

describe('the Nirvana emulator: client_ip', () => {
  const ADDRESSED = [
    entry(1, T0, { client_ip: '2001:db8::1' }),
    entry(2, T0, { client_ip: '2001:DB8:0:0::2' }),
    entry(3, T0, { client_ip: '::ffff:192.0.2.7' }),
    entry(4, T0, { client_ip: '192.0.2.8' }),
    entry(5, T0, { client_ip: 'unknown' }),
  ];
  let local: NirvanaEmulator;
  beforeAll(async () => {
    local = await startNirvanaEmulator({ records: ADDRESSED, apiKey: KEY });
  });
  afterAll(async () => {
    await local.close();
  });

  it.each<[string, number[]]>([
    ['2001:db8::1', [1]],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', [1]],
    ['2001:db8::2', [2]],
    ['192.0.2.7', [3]],
    ['::FFFF:c000:207', [3]],
    ['::ffff:192.0.2.8', [4]],
    ['192.0.2.9', []],
    ['unknown', [5]],
    ['UNKNOWN', []],
  ])('compares client_ip %p as an address, whatever its textual form', async (ip, expected) => {
    const query = new URLSearchParams({ client_ip: ip, limit: '100' });
    const response = await fetch(`${local.url}/v1/audit_logs?${query.toString()}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    const page = nirvanaAuditLogListWireSchema.parse(await response.json());
    expect(page.items.map((item) => item.id).sort()).toEqual(expected.map(idOf).sort());
  });
});

describe('the Nirvana emulator: the emptyPageAfterLastCursor quirk', () => {
  let local: NirvanaEmulator;
  beforeAll(async () => {
    local = await startNirvanaEmulator({
      records: RECORDS,
      apiKey: KEY,
      emptyPageAfterLastCursor: true,
    });
  });
  afterAll(async () => {
    await local.close();
  });

  async function walk(params: Record<string, string>): Promise<NirvanaAuditLogListWire[]> {
    const pages: NirvanaAuditLogListWire[] = [];
    let cursor: string | null | undefined = null;
    do {
      const query = new URLSearchParams({ ...params, ...(cursor ? { cursor } : {}) });
      const response = await fetch(`${local.url}/v1/audit_logs?${query.toString()}`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      expect(response.status).toBe(200);
      const page = nirvanaAuditLogListWireSchema.parse(await response.json());
      pages.push(page);
      cursor = page.pagination.next_cursor;
    } while (cursor && pages.length < 100);
    return pages;
  }

  it.each<[Record<string, string>, number[]]>([
    [{ limit: '10' }, [10, 10, 9, 0]],
    [{ limit: '100' }, [29, 0]],
    [{ limit: '10', created_at_min: iso(T0), created_at_max: iso(T0) }, [10, 10, 5, 0]],
    [{ limit: '10', action: 'vm.created' }, [1, 0]],
  ])(
    'hands out one more cursor after the last entries of %p, to an empty page',
    async (params, sizes) => {
      const pages = await walk(params);
      expect(pages.map((page) => page.items.length)).toEqual(sizes);
      expect(pages.at(-1)?.pagination.next_cursor).toBeNull();
      expect(new Set(pages.flatMap((page) => page.items.map((item) => item.id))).size).toBe(
        sizes.reduce((sum, n) => sum + n, 0),
      );
    },
  );

  it('answers an empty filter result with no cursor at all', async () => {
    const pages = await walk({ limit: '10', action: 'no.such' });
    expect(pages.map((page) => page.items.length)).toEqual([0]);
    expect(pages[0]?.pagination.next_cursor).toBeNull();
  });

  it('is off by default', async () => {
    const page = await list({ limit: 100 });
    expect(page.items).toHaveLength(RECORDS.length);
    expect(page.pagination.next_cursor).toBeNull();
  });
});

describe('generateNirvanaRecords', () => {
  const people = createPeople(createRandom(21));
  const window = { fromMs: T0, toMs: T0 + 3 * 86_400_000 };
  const records = generateNirvanaRecords(createRandom(8), people, window, 500);

  it('is deterministic for a seed', () => {
    expect(generateNirvanaRecords(createRandom(8), people, window, 500)).toEqual(records);
    expect(generateNirvanaRecords(createRandom(9), people, window, 500)).not.toEqual(records);
  });

  it('writes valid entries in whole seconds, sorted, with shared timestamps', () => {
    expect(records).toHaveLength(500);
    nirvanaAuditLogListWireSchema.parse({
      items: records,
      pagination: { next_cursor: null, previous_cursor: null, total_count: 500 },
    });
    expect(records.every((r) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(r.created_at))).toBe(true);
    const times = records.map((r) => parseRfc3339(r.created_at)!);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBeLessThan(times.length);
    expect(new Set(records.map((r) => r.id)).size).toBe(500);
  });

  it('has people and API keys acting, failures, and targets present, null and absent', () => {
    const userIds = new Set(people.map((person) => person.nirvanaUserId));
    const users = records.filter((r) => r.actor?.type === 'user');
    expect(users.length).toBeGreaterThan(0);
    expect(users.every((r) => userIds.has(r.actor!.id) && r.actor!.name !== null)).toBe(true);
    const keys = records.filter((r) => r.actor?.type === 'api_key');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((r) => r.actor!.name === null)).toBe(true);
    const ips = new Set(people.flatMap((person) => person.ips));
    expect(users.every((r) => ips.has(r.client_ip!))).toBe(true);
    expect(records.some((r) => r.status_code! >= 400)).toBe(true);
    expect(records.some((r) => r.target === null)).toBe(true);
    expect(records.some((r) => !('target' in r))).toBe(true);
    expect(records.some((r) => r.target?.type === 'vm')).toBe(true);
    expect([...new Set(records.map((r) => r.action))]).toEqual(
      expect.arrayContaining([
        'vm.created',
        'vm.deleted',
        'vpc.updated',
        'api_key.created',
        'volume.attached',
      ]),
    );
  });
});
