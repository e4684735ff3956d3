import {
  DEFAULT_CLOUDFLARE_ACCOUNT_ID,
  DEFAULT_CLOUDFLARE_TOKEN,
} from '../../../src/emulators/cloudflare-shared/cloudflareEmulatorDefaults';
import { generateCloudflareV1Records } from '../../../src/emulators/cloudflare-v1/generateCloudflareV1Records';
import {
  startCloudflareV1Emulator,
  type CloudflareV1Emulator,
} from '../../../src/emulators/cloudflare-v1/startCloudflareV1Emulator';
import { createRandom } from '../../../src/emulators/dataset/createRandom';
import { createPeople } from '../../../src/emulators/dataset/people';
import {
  cloudflareV1ListResponseSchema,
  type CloudflareV1RecordWire,
} from '../../../src/providers/cloudflare-v1/cloudflareV1Wire';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const ACCOUNT = DEFAULT_CLOUDFLARE_ACCOUNT_ID;
const PATH = `/client/v4/accounts/${ACCOUNT}/audit_logs`;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function log(
  id: string,
  atMs: number,
  fields: Partial<CloudflareV1RecordWire> = {},
): CloudflareV1RecordWire {
  return {
    id,
    action: { type: 'change_setting', result: true },
    actor: { id: 'alice', email: 'alice@example.com', ip: '203.0.113.7', type: 'user' },
    interface: 'API',
    metadata: { zone_name: 'example.com' },
    owner: { id: ACCOUNT },
    resource: { id: 'zone1', type: 'zone' },
    when: iso(atMs),
    ...fields,
  };
}

const RECORDS: CloudflareV1RecordWire[] = [
  log('l0', T0, {
    action: { type: 'login', result: true },
    actor: { id: 'alice', email: 'Alice@Example.com', ip: '203.0.113.7', type: 'user' },
    owner: { id: 'alice' },
    metadata: {},
  }),
  log('l1', T0 + 1000, {
    actor: { id: 'bob', email: 'bob@example.com', ip: '198.51.100.5', type: 'user' },
  }),
  log('l2', T0 + 2000, {
    action: { type: 'add', result: true },
    actor: { id: 'bob', email: 'bob@example.com', ip: '2001:db8::5', type: 'user' },
    metadata: { zone_name: 'example.net' },
  }),
  log('b1', T0 + 5000, { action: { type: 'delete', result: true } }),
  log('b2', T0 + 5000, { action: { type: 'delete', result: true } }),
  log('b3', T0 + 5000, { action: { type: 'delete', result: true } }),
  log('l6', T0 + 6000, { action: { type: 'logout', result: true }, owner: { id: 'alice' } }),
  log('n1', T0 + 86_400_000, { actor: { type: 'Cloudflare' }, metadata: null }),
];

let emulator: CloudflareV1Emulator;

beforeAll(async () => {
  emulator = await startCloudflareV1Emulator({ records: RECORDS });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.knobs.shuffleTies = false;
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

const BEARER = { Authorization: `Bearer ${DEFAULT_CLOUDFLARE_TOKEN}` };

async function call(path: string, headers: Record<string, string> = BEARER): Promise<Answer> {
  const response = await fetch(`${emulator.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

async function list(search: string) {
  const answer = await call(`${PATH}?${search}`);
  expect(answer.status).toBe(200);
  return cloudflareV1ListResponseSchema.parse(answer.body);
}

const ids = (body: { result: readonly CloudflareV1RecordWire[] }) => body.result.map((r) => r.id);

const failure = (code: number, message: string, extra: object = {}) => ({
  success: false,
  errors: [{ code, message, ...extra }],
  messages: [],
  result: null,
});

describe('the Cloudflare v1 emulator', () => {
  describe('authentication', () => {
    it.each<[string, Record<string, string>, number, unknown]>([
      [
        'no credential',
        {},
        400,
        failure(9106, 'Missing X-Auth-Key, X-Auth-Email or Authorization headers'),
      ],
      [
        'an Authorization header that is not a bearer token',
        { Authorization: `Token ${DEFAULT_CLOUDFLARE_TOKEN}` },
        400,
        failure(6003, 'Invalid request headers', {
          error_chain: [{ code: 6111, message: 'Invalid format for Authorization header' }],
        }),
      ],
      [
        'a wrong token',
        { Authorization: 'Bearer wrong' },
        403,
        failure(9109, 'Invalid access token'),
      ],
      [
        'a wrong global key',
        { 'X-Auth-Email': 'ops@example.com', 'X-Auth-Key': 'wrong' },
        403,
        failure(9103, 'Unknown X-Auth-Key or X-Auth-Email'),
      ],
      [
        'a malformed email with the key',
        { 'X-Auth-Email': 'ops', 'X-Auth-Key': DEFAULT_CLOUDFLARE_TOKEN },
        400,
        failure(6003, 'Invalid request headers', {
          error_chain: [{ code: 6102, message: 'Invalid format for X-Auth-Email header' }],
        }),
      ],
    ])('refuses %s in the failure envelope', async (_how, headers, status, body) => {
      const answer = await call(PATH, headers);
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual(body);
      expect(answer.headers.get('x-ratelimit-limit')).toBe('1200');
    });

    it('accepts the global-key form', async () => {
      const answer = await call(PATH, {
        'X-Auth-Email': 'ops@example.com',
        'X-Auth-Key': DEFAULT_CLOUDFLARE_TOKEN,
      });
      expect(answer.status).toBe(200);
    });
  });

  it.each([
    ['another account', `/client/v4/accounts/${'f'.repeat(32)}/audit_logs`, 403, 10000],
    ['a malformed account id', '/client/v4/accounts/nope/audit_logs', 404, 7003],
    ['an unknown path', '/client/v4/zones', 404, 7003],
  ])('answers %s in the failure envelope', async (_what, path, status, code) => {
    const answer = await call(path);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ success: false, errors: [{ code }], result: null });
  });

  describe('GET /accounts/{id}/audit_logs', () => {
    it('answers the v4 envelope with result_info, newest first, 100 a page by default', async () => {
      const answer = await call(PATH);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(answer.headers.get('x-ratelimit-remaining')).toBe('1200');
      const body = answer.body as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual([
        'errors',
        'messages',
        'result',
        'result_info',
        'success',
      ]);
      expect(body).toMatchObject({
        success: true,
        errors: [],
        messages: [],
        result_info: { page: 1, per_page: 100, count: 8, total_count: 8 },
      });
      expect(ids(cloudflareV1ListResponseSchema.parse(body))).toEqual([
        'n1',
        'l6',
        'b3',
        'b2',
        'b1',
        'l2',
        'l1',
        'l0',
      ]);
      expect((body['result'] as unknown[])[7]).toEqual(RECORDS[0]);
    });

    it('pages by page and per_page, with an empty page past the end', async () => {
      const pages = await Promise.all(
        [1, 2, 3, 4, 5].map((page) => list(`direction=asc&per_page=2&page=${page}`)),
      );
      expect(pages.map(ids)).toEqual([['l0', 'l1'], ['l2', 'b1'], ['b2', 'b3'], ['l6', 'n1'], []]);
      expect(pages[4]?.result_info).toEqual({ page: 5, per_page: 2, count: 0, total_count: 8 });
    });

    it.each([
      ['id=l2', ['l2']],
      ['action.type=delete', ['b1', 'b2', 'b3']],
      ['actor.email=ALICE@example.com', ['l0', 'b1', 'b2', 'b3', 'l6']],
      ['actor.email=alice@example.com', ['l0', 'b1', 'b2', 'b3', 'l6']],
      ['actor.ip=198.51.100.5', ['l1']],
      ['actor.ip=203.0.113.0/24', ['l0', 'b1', 'b2', 'b3', 'l6']],
      ['actor.ip=2001:db8::/32', ['l2']],
      ['zone.name=example.net', ['l2']],
      ['hide_user_logs=true', ['l1', 'l2', 'b1', 'b2', 'b3', 'n1']],
      ['hide_user_logs=false&export=false', ['l0', 'l1', 'l2', 'b1', 'b2', 'b3', 'l6', 'n1']],
      ['action.type=delete&actor.email=bob@example.com', []],
      ['action.type=', ['l0', 'l1', 'l2', 'b1', 'b2', 'b3', 'l6', 'n1']],
      ['since=2026-03-02T09:00:05Z', ['l6', 'n1']],
      ['since=2026-03-02T09:00:04.999Z', ['b1', 'b2', 'b3', 'l6', 'n1']],
      ['before=2026-03-02T09:00:05Z', ['l0', 'l1', 'l2']],
      ['before=2026-03-02T09:00:05.001Z&since=2026-03-02T09:00:02Z', ['b1', 'b2', 'b3']],
      ['since=2026-03-02T10:00:01%2B01:00&before=2026-03-02T09:00:06Z', ['l2', 'b1', 'b2', 'b3']],
      ['since=2026-03-03', ['n1']],
      ['before=2026-03-03', ['l0', 'l1', 'l2', 'b1', 'b2', 'b3', 'l6']],
    ])('filters with %s', async (search, expected) => {
      expect(ids(await list(`direction=asc&${search}`))).toEqual(expected);
    });

    it.each([
      'per_page=0',
      'per_page=1001',
      'per_page=many',
      'page=0',
      'page=-1',
      'direction=up',
      'since=yesterday',
      'before=2026-02-30',
      'actor.ip=300.1.1.1',
      'actor.ip=10.0.0.0/33',
      'actor.email=nobody',
      'hide_user_logs=yes',
      'export=true',
    ])('refuses %s with a 400 in the failure envelope', async (search) => {
      const answer = await call(`${PATH}?${search}`);
      expect(answer.status).toBe(400);
      const name = search.split('=')[0] ?? '';
      expect(answer.body).toEqual(
        failure(1004, expect.stringContaining(name) as unknown as string),
      );
    });

    it('accepts the largest page it allows', async () => {
      expect((await list('per_page=1000')).result_info).toMatchObject({ per_page: 1000 });
    });
  });
});

describe('the Cloudflare v1 emulator over a generated week', () => {
  const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 8) };
  let big: CloudflareV1Emulator;
  let records: CloudflareV1RecordWire[];

  beforeAll(async () => {
    const random = createRandom(5);
    records = generateCloudflareV1Records(
      random.fork('v1'),
      createPeople(random.fork('people')),
      WINDOW,
      800,
    );
    big = await startCloudflareV1Emulator({ records });
  });
  afterAll(async () => {
    await big.close();
  });

  function largestBurst(): { at: string; size: number } {
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.when, (counts.get(r.when) ?? 0) + 1);
    const [at, size] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    return { at, size };
  }

  async function page(search: string): Promise<string[]> {
    const response = await fetch(`${big.url}${PATH}?${search}`, { headers: BEARER });
    return ids(cloudflareV1ListResponseSchema.parse(await response.json()));
  }

  it('orders a burst differently for different queries, and the same along the pages of one', async () => {
    big.knobs.shuffleTies = true;
    const { at, size } = largestBurst();
    expect(size).toBeGreaterThan(5);
    const atMs = Date.parse(at);
    const window = `since=${iso(atMs - 1000)}&before=${iso(atMs + 1000)}`;
    const whole = await page(`${window}&per_page=1000`);
    expect(whole).toHaveLength(size);
    const paged: string[] = [];
    for (let n = 1; n <= Math.ceil(size / 3); n += 1)
      paged.push(...(await page(`${window}&per_page=3&page=${n}`)));
    expect(paged).toEqual(whole);
    const other = await page(`since=${iso(atMs - 2000)}&before=${iso(atMs + 1000)}&per_page=1000`);
    expect(other.slice().sort()).toEqual(whole.slice().sort());
    expect(other).not.toEqual(whole);
  });

  it('orders a burst by id without the shuffle knob', async () => {
    big.knobs.shuffleTies = false;
    const atMs = Date.parse(largestBurst().at);
    const window = `since=${iso(atMs - 1000)}&before=${iso(atMs + 1000)}&per_page=1000`;
    const asc = await page(`${window}&direction=asc`);
    expect(asc).toEqual(asc.slice().sort());
    expect(await page(window)).toEqual(asc.slice().reverse());
  });

  it('finds an inserted log in its place and keeps the store sorted', async () => {
    big.knobs.shuffleTies = false;
    const inserted = log('00000000-0000-4000-8000-0000000000ff', WINDOW.fromMs + 3_600_000);
    big.insert(inserted);
    const times = big.records.map((r) => Date.parse(r.when));
    expect(times).toEqual(times.slice().sort((a, b) => a - b));
    expect(await page(`id=${inserted.id}`)).toEqual([inserted.id]);
  });
});
