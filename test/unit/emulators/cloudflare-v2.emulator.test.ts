import {
  DEFAULT_CLOUDFLARE_ACCOUNT_ID,
  DEFAULT_CLOUDFLARE_TOKEN,
} from '../../../src/emulators/cloudflare-shared/cloudflareEmulatorDefaults';
import { generateCloudflareV2Records } from '../../../src/emulators/cloudflare-v2/generateCloudflareV2Records';
import {
  startCloudflareV2Emulator,
  type CloudflareV2Emulator,
} from '../../../src/emulators/cloudflare-v2/startCloudflareV2Emulator';
import { createRandom } from '../../../src/emulators/dataset/createRandom';
import { createPeople } from '../../../src/emulators/dataset/people';
import {
  cloudflareV2ListResponseSchema,
  type CloudflareV2RecordWire,
} from '../../../src/providers/cloudflare-v2/cloudflareV2Wire';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const PATH = `/client/v4/accounts/${DEFAULT_CLOUDFLARE_ACCOUNT_ID}/logs/audit`;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const ALL_TIME = 'since=2026-01-01&before=2027-01-01';

function log(
  id: string,
  atMs: number,
  fields: {
    action?: Partial<NonNullable<CloudflareV2RecordWire['action']>>;
    actor?: CloudflareV2RecordWire['actor'];
    raw?: CloudflareV2RecordWire['raw'];
    resource?: CloudflareV2RecordWire['resource'];
    zone?: CloudflareV2RecordWire['zone'];
  } = {},
): CloudflareV2RecordWire {
  return {
    id,
    account: { id: DEFAULT_CLOUDFLARE_ACCOUNT_ID, name: 'Example Corp' },
    action: {
      description: 'Update DNS Record',
      result: 'success',
      type: 'update',
      ...fields.action,
      time: iso(atMs),
    },
    actor: fields.actor ?? {
      id: 'alice',
      context: 'dash',
      email: 'alice@example.com',
      ip_address: '203.0.113.7',
      type: 'user',
    },
    raw: fields.raw ?? {
      cf_ray_id: `ray-${id}`,
      method: 'PATCH',
      status_code: 200,
      uri: '/zones/z1/dns_records/r1',
      user_agent: 'curl/8.9.1',
    },
    resource: fields.resource ?? {
      id: 'r1',
      product: 'dns_records',
      scope: 'zones',
      type: 'dns_record',
    },
    zone: 'zone' in fields ? fields.zone : { id: 'z1', name: 'example.com' },
  };
}

const RECORDS: CloudflareV2RecordWire[] = [
  log('v0', T0, {
    action: { type: 'view', description: 'View Zone' },
    raw: { method: 'GET', status_code: 200 },
  }),
  log('v1', T0 + 1000, {
    action: { type: 'create', result: 'failure' },
    actor: {
      id: 'bob',
      context: 'api_token',
      email: 'Bob@Example.com',
      ip_address: '198.51.100.5',
      token_id: 'tok1',
      token_name: 'terraform',
      type: 'user',
    },
    raw: { method: 'POST', status_code: 403 },
  }),
  log('v2', T0 + 2000, {
    action: { type: 'delete' },
    actor: {
      id: DEFAULT_CLOUDFLARE_ACCOUNT_ID,
      context: 'api_token',
      ip_address: '2001:db8::5',
      token_id: 'tok2',
      type: 'account',
    },
    resource: { id: 'bucket', product: 'r2', scope: 'accounts', type: 'bucket' },
    zone: null,
  }),
  log('b1', T0 + 5000),
  log('b2', T0 + 5000),
  log('b3', T0 + 5000),
  log('v6', T0 + 6000, { actor: { type: 'system' }, zone: { id: 'z2', name: 'example.net' } }),
  log('n1', T0 + 86_400_000, {
    resource: { id: 'member', product: 'members', scope: 'memberships', type: 'member' },
  }),
];

let emulator: CloudflareV2Emulator;

beforeAll(async () => {
  emulator = await startCloudflareV2Emulator({ records: RECORDS });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.knobs.shuffleTies = false;
});

const BEARER = { Authorization: `Bearer ${DEFAULT_CLOUDFLARE_TOKEN}` };

async function call(search: string, headers: Record<string, string> = BEARER) {
  const response = await fetch(`${emulator.url}${PATH}?${search}`, { headers });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as unknown,
  };
}

async function list(search: string) {
  const answer = await call(search);
  expect(answer.status).toBe(200);
  return cloudflareV2ListResponseSchema.parse(answer.body);
}

const ids = (body: { result: readonly CloudflareV2RecordWire[] }) => body.result.map((r) => r.id);

/** Every id along the cursor chain of a query. */
async function chain(search: string): Promise<{ ids: string[]; requests: number }> {
  const collected: string[] = [];
  let cursor: string | null | undefined = null;
  let requests = 0;
  do {
    const body = await list(cursor ? `${search}&cursor=${encodeURIComponent(cursor)}` : search);
    requests += 1;
    collected.push(...ids(body));
    cursor = body.result_info?.cursor;
  } while (cursor && requests < 1000);
  return { ids: collected, requests };
}

function badRequest(message: string) {
  return {
    success: false,
    errors: [{ code: 1004, message: expect.stringContaining(message) as unknown as string }],
    messages: [],
    result: null,
  };
}

describe('the Cloudflare v2 emulator', () => {
  it('refuses a wrong token with 403 and a missing one with 400, in the failure envelope', async () => {
    const wrong = await call(ALL_TIME, { Authorization: 'Bearer wrong' });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatchObject({ success: false, errors: [{ code: 9109 }] });
    const missing = await call(ALL_TIME, {});
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ success: false, errors: [{ code: 9106 }] });
  });

  it('answers another account with 403', async () => {
    const response = await fetch(
      `${emulator.url}/client/v4/accounts/${'e'.repeat(32)}/logs/audit?${ALL_TIME}`,
      {
        headers: BEARER,
      },
    );
    expect(response.status).toBe(403);
  });

  it('answers the documented envelope, newest first, with count as a string and no cursor at the end', async () => {
    const answer = await call(ALL_TIME);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-ratelimit-limit')).toBe('1200');
    expect(answer.body).toEqual({
      success: true,
      errors: [],
      result: [...RECORDS].reverse().map((r) => expect.objectContaining({ id: r.id }) as unknown),
      result_info: { count: '8' },
    });
    expect((answer.body as { result: unknown[] }).result[0]).toEqual(RECORDS[7]);
  });

  it('pages with a cursor, which it omits on the last page', async () => {
    const first = await list(`${ALL_TIME}&limit=3&direction=asc`);
    expect(ids(first)).toEqual(['v0', 'v1', 'v2']);
    expect(first.result_info).toEqual({
      count: '3',
      cursor: expect.any(String),
    });
    expect(await chain(`${ALL_TIME}&limit=3&direction=asc`)).toEqual({
      ids: ['v0', 'v1', 'v2', 'b1', 'b2', 'b3', 'v6', 'n1'],
      requests: 3,
    });
    const exact = await list(`${ALL_TIME}&limit=8`);
    expect(exact.result_info).toEqual({ count: '8' });
  });

  it('lets the limit change along a chain, but not the query', async () => {
    const search = `${ALL_TIME}&limit=2&direction=asc`;
    const cursor = (await list(search)).result_info?.cursor ?? '';
    const next = await list(
      `${ALL_TIME}&limit=5&direction=asc&cursor=${encodeURIComponent(cursor)}`,
    );
    expect(ids(next)).toEqual(['v2', 'b1', 'b2', 'b3', 'v6']);
    for (const changed of [
      `${ALL_TIME}&limit=2&direction=desc`,
      `since=2026-01-02&before=2027-01-01&limit=2&direction=asc`,
      `${search}&action_type=update`,
    ]) {
      const answer = await call(`${changed}&cursor=${encodeURIComponent(cursor)}`);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(badRequest('cursor'));
    }
  });

  it.each([
    ['garbage', 'not-a-cursor'],
    ['tampered', 'TAMPER'],
  ])('refuses a %s cursor with a 400', async (_how, value) => {
    const search = `${ALL_TIME}&limit=2`;
    const real = (await list(search)).result_info?.cursor ?? '';
    const cursor = value === 'TAMPER' ? `x${real.slice(1)}` : value;
    expect(await call(`${search}&cursor=${encodeURIComponent(cursor)}`)).toMatchObject({
      status: 400,
      body: badRequest('cursor'),
    });
  });

  it('continues a chain past events inserted meanwhile, without repeating or skipping any', async () => {
    const search = `${ALL_TIME}&limit=3&direction=asc`;
    const first = await list(search);
    emulator.insert(log('i0', T0 + 500));
    emulator.insert(log('i9', T0 + 7000));
    try {
      const rest = await list(
        `${search}&cursor=${encodeURIComponent(first.result_info?.cursor ?? '')}`,
      );
      expect([...ids(first), ...ids(rest)]).toEqual(['v0', 'v1', 'v2', 'b1', 'b2', 'b3']);
      expect((await chain(search)).ids).toContain('i0');
    } finally {
      // The store has no delete: rebuild the emulator for the tests that follow.
      await emulator.close();
      emulator = await startCloudflareV2Emulator({ records: RECORDS });
      emulator.knobs.shuffleTies = false;
    }
  });

  it.each([
    ['since=2026-03-02T09:00:05Z&before=2027-01-01', ['v6', 'n1']],
    ['since=2026-03-02T09:00:04.5Z&before=2026-03-02T09:00:06Z', ['b1', 'b2', 'b3']],
    ['since=2026-03-02T09:00:04.999Z&before=2026-03-02T09:00:05.001Z', ['b1', 'b2', 'b3']],
    ['since=2026-03-02T09:00:05Z&before=2026-03-02T09:00:05Z', []],
    ['since=2026-03-02T10:00:01%2B01:00&before=2026-03-02T09:00:05Z', ['v2']],
    ['since=2026-03-03&before=2026-03-04', ['n1']],
  ])('takes since and before as exclusive bounds: %s', async (search, expected) => {
    expect(ids(await list(`${search}&direction=asc`))).toEqual(expected);
  });

  it.each([
    ['action_type=delete&action_type=create', ['v1', 'v2']],
    ['action_type.not=update', ['v0', 'v1', 'v2']],
    ['action_type.not=update&action_type.not=view', ['v1', 'v2']],
    ['action_result=failure', ['v1']],
    ['actor_email=bob@example.COM', ['v1']],
    ['actor_email=bob@example.com', ['v1']],
    ['actor_email.not=alice@example.com', ['v1', 'v2', 'v6']],
    ['actor_type=account&actor_type=system', ['v2', 'v6']],
    ['actor_context=api_token', ['v1', 'v2']],
    ['actor_id=bob', ['v1']],
    ['actor_ip_address=198.51.100.0/24', ['v1']],
    ['actor_ip_address=2001:db8::5', ['v2']],
    ['actor_ip_address.not=203.0.113.7', ['v1', 'v2', 'v6']],
    ['actor_token_id=tok2', ['v2']],
    ['actor_token_name=terraform', ['v1']],
    ['id=b2&id=v0', ['v0', 'b2']],
    ['audit_log_id=b3', ['b3']],
    ['id.not=b1&id.not=b2&id.not=b3', ['v0', 'v1', 'v2', 'v6', 'n1']],
    ['raw_cf_ray_id=ray-b1', ['b1']],
    ['raw_method=get', ['v0']],
    ['raw_status_code=403', ['v1']],
    ['raw_status_code.not=200', ['v1']],
    ['raw_uri=/zones/z1/dns_records/r1', ['v2', 'b1', 'b2', 'b3', 'v6', 'n1']],
    ['resource_id=bucket', ['v2']],
    ['resource_product=members', ['n1']],
    ['resource_scope=accounts', ['v2']],
    ['resource_type=dns_record&zone_name=example.net', ['v6']],
    ['zone_id=z2', ['v6']],
    ['zone_name.not=example.com', ['v2', 'v6']],
    ['account_name=Example Corp&action_type=create', ['v1']],
    ['product_category=developer_platform', ['v2']],
    ['product_category=dns&action_type=view', ['v0']],
    ['actor_email=a@x.com,bob@example.com', []],
  ])('filters with %s', async (search, expected) => {
    const body = await list(`${ALL_TIME}&direction=asc&${search.replace(/ /g, '%20')}`);
    expect(ids(body)).toEqual(expected);
  });

  it.each([
    ['before=2027-01-01', 'since is required'],
    ['since=2026-01-01', 'before is required'],
    ['since=yesterday&before=2027-01-01', 'since'],
    ['since=2026-01-01&before=2026-13-01', 'before'],
    ['since=2026-02-01&before=2026-01-01', 'since'],
    [`${ALL_TIME}&limit=0`, 'limit'],
    [`${ALL_TIME}&limit=1001`, 'limit'],
    [`${ALL_TIME}&limit=ten`, 'limit'],
    [`${ALL_TIME}&direction=sideways`, 'direction'],
    [`${ALL_TIME}&action_type=login`, 'action_type'],
    [`${ALL_TIME}&action_type=create,view`, 'action_type'],
    [`${ALL_TIME}&actor_type.not=robot`, 'actor_type.not'],
    [`${ALL_TIME}&action_result=ok`, 'action_result'],
    [`${ALL_TIME}&actor_context=ssh`, 'actor_context'],
    [`${ALL_TIME}&resource_scope=planet`, 'resource_scope'],
    [`${ALL_TIME}&raw_status_code=OK`, 'raw_status_code'],
    [`${ALL_TIME}&actor_ip_address=not-an-ip`, 'actor_ip_address'],
    [`${ALL_TIME}&product_category=astrology`, 'product_category'],
  ])('refuses %s with a 400 in the failure envelope', async (search, message) => {
    expect(await call(search)).toMatchObject({ status: 400, body: badRequest(message) });
  });
});

describe('the Cloudflare v2 emulator over a generated week', () => {
  const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 8) };
  let big: CloudflareV2Emulator;
  let records: CloudflareV2RecordWire[];

  beforeAll(async () => {
    const random = createRandom(9);
    records = generateCloudflareV2Records(
      random.fork('v2'),
      createPeople(random.fork('people')),
      WINDOW,
      800,
    );
    big = await startCloudflareV2Emulator({ records });
  });
  afterAll(async () => {
    await big.close();
  });

  function largestBurst(): { atMs: number; size: number } {
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.action.time, (counts.get(r.action.time) ?? 0) + 1);
    const [at, size] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    return { atMs: Date.parse(at), size };
  }

  async function chainOn(search: string): Promise<string[]> {
    const collected: string[] = [];
    let cursor: string | null | undefined = null;
    do {
      const url: string = `${big.url}${PATH}?${search}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const body = cloudflareV2ListResponseSchema.parse(
        await (await fetch(url, { headers: BEARER })).json(),
      );
      collected.push(...ids(body));
      cursor = body.result_info?.cursor;
    } while (cursor);
    return collected;
  }

  it('orders a burst differently for different queries, and the same along one cursor chain', async () => {
    big.knobs.shuffleTies = true;
    const { atMs, size } = largestBurst();
    expect(size).toBeGreaterThan(5);
    const window = `since=${iso(atMs - 1000)}&before=${iso(atMs + 1000)}`;
    const whole = await chainOn(`${window}&limit=1000`);
    expect(whole).toHaveLength(size);
    expect(await chainOn(`${window}&limit=2`)).toEqual(whole);
    const other = await chainOn(`since=${iso(atMs - 2000)}&before=${iso(atMs + 1000)}&limit=1000`);
    expect(other.slice().sort()).toEqual(whole.slice().sort());
    expect(other).not.toEqual(whole);
  });

  it('orders a burst by id without the shuffle knob', async () => {
    big.knobs.shuffleTies = false;
    const { atMs } = largestBurst();
    const window = `since=${iso(atMs - 1000)}&before=${iso(atMs + 1000)}&limit=1000`;
    const asc = await chainOn(`${window}&direction=asc`);
    expect(asc).toEqual(asc.slice().sort());
    expect(await chainOn(window)).toEqual(asc.slice().reverse());
  });

  it('serves a 20,000-record store by binary search, quickly', async () => {
    const random = createRandom(3);
    const many = generateCloudflareV2Records(
      random,
      createPeople(random.fork('people')),
      WINDOW,
      20_000,
    );
    const large = await startCloudflareV2Emulator({ records: many });
    try {
      const started = Date.now();
      for (let i = 0; i < 50; i += 1) {
        const from = WINDOW.fromMs + i * 3_600_000;
        const response = await fetch(
          `${large.url}${PATH}?since=${iso(from)}&before=${iso(from + 3_600_000)}&limit=10`,
          {
            headers: BEARER,
          },
        );
        expect(response.status).toBe(200);
      }
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await large.close();
    }
  });
});

describe('the Cloudflare v2 emulator with emptyPageAfterLastCursor', () => {
  let quirky: CloudflareV2Emulator;
  beforeAll(async () => {
    quirky = await startCloudflareV2Emulator({ records: RECORDS, emptyPageAfterLastCursor: true });
    quirky.knobs.shuffleTies = false;
  });
  afterAll(async () => {
    await quirky.close();
  });

  async function quirkyList(search: string) {
    const response = await fetch(`${quirky.url}${PATH}?${search}`, { headers: BEARER });
    expect(response.status).toBe(200);
    return cloudflareV2ListResponseSchema.parse(await response.json());
  }

  it('gives the last page a cursor, which leads to an empty page without one', async () => {
    const search = `${ALL_TIME}&limit=4&direction=asc`;
    const first = await quirkyList(search);
    const last = await quirkyList(
      `${search}&cursor=${encodeURIComponent(first.result_info?.cursor ?? '')}`,
    );
    expect(ids(last)).toEqual(['b2', 'b3', 'v6', 'n1']);
    expect(last.result_info).toEqual({ count: '4', cursor: expect.any(String) });
    const after = await quirkyList(
      `${search}&cursor=${encodeURIComponent(last.result_info?.cursor ?? '')}`,
    );
    expect(after).toEqual({ success: true, errors: [], result: [], result_info: { count: '0' } });
  });

  it('sends no cursor when nothing matches at all', async () => {
    const body = await quirkyList(`${ALL_TIME}&actor_id=nobody`);
    expect(body.result_info).toEqual({ count: '0' });
  });
});
