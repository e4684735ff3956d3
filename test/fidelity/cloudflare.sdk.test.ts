import Cloudflare from 'cloudflare';
import type { CloudflareV1RecordWire } from '../../src/providers/cloudflare-v1/cloudflareV1Wire';
import type { CloudflareV2RecordWire } from '../../src/providers/cloudflare-v2/cloudflareV2Wire';
import { generateCloudflareV1Records } from '../../src/emulators/cloudflare-v1/generateCloudflareV1Records';
import {
  startCloudflareV1Emulator,
  type CloudflareV1Emulator,
} from '../../src/emulators/cloudflare-v1/startCloudflareV1Emulator';
import { generateCloudflareV2Records } from '../../src/emulators/cloudflare-v2/generateCloudflareV2Records';
import {
  startCloudflareV2Emulator,
  type CloudflareV2Emulator,
} from '../../src/emulators/cloudflare-v2/startCloudflareV2Emulator';
import { createRandom } from '../../src/emulators/dataset/createRandom';
import { createPeople } from '../../src/emulators/dataset/people';

/**
 * The official `cloudflare` SDK pointed at the v1 and v2 emulators through its `baseURL` option,
 * authenticated with the emulator's credential, used as a client would use it. Every record the
 * SDK returns is compared with the emulator's own store, field for field.
 */

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 4) };
const random = createRandom(20260901);
const people = createPeople(random.fork('people'));

function createClient(emulator: { url: string; token: string }): Cloudflare {
  return new Cloudflare({
    apiToken: emulator.token,
    baseURL: `${emulator.url}/client/v4`,
    maxRetries: 0,
  });
}

const ids = (records: readonly { id?: string }[]) => records.map((record) => record.id);

describe('cloudflare SDK against the v1 emulator (client.auditLogs.list)', () => {
  let emulator: CloudflareV1Emulator;
  let client: Cloudflare;
  const records = generateCloudflareV1Records(random.fork('cloudflare-v1'), people, WINDOW, 130);
  /** Oldest first, as the store keeps them and `direction=asc` without tie shuffling answers. */
  const ascending = (): CloudflareV1RecordWire[] => [...emulator.records];

  beforeAll(async () => {
    emulator = await startCloudflareV1Emulator({ records });
    client = createClient(emulator);
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    emulator.resetRequests();
    emulator.knobs.shuffleTies = false;
  });

  it('reads one page on the documented path with the bearer token, records unchanged', async () => {
    const page = await client.auditLogs.list({
      account_id: emulator.accountId,
      direction: 'asc',
      per_page: 25,
    });

    expect(page.result).toEqual(ascending().slice(0, 25));
    expect(page.result_info).toEqual({ page: 1, per_page: 25, count: 25, total_count: 130 });
    const request = emulator.requests.at(-1)!;
    expect(request.path).toBe(`/client/v4/accounts/${emulator.accountId}/audit_logs`);
    expect(request.headers['authorization']).toBe(`Bearer ${emulator.token}`);
    expect(request.query.toString()).toBe('direction=asc&per_page=25');
  });

  it('sends nested filters dot-encoded (qs allowDots) and the emulator applies them', async () => {
    const sinceMs = WINDOW.fromMs + 3_600_000;
    const sample = ascending().find(
      (record) => record.actor?.email && record.actor.ip && Date.parse(record.when) > sinceMs,
    )!;
    const email = sample.actor!.email!;
    const actionType = sample.action.type;

    const page = await client.auditLogs.list({
      account_id: emulator.accountId,
      actor: { email, ip: sample.actor!.ip! },
      action: { type: actionType },
      since: new Date(sinceMs).toISOString(),
      before: '2026-03-05',
      direction: 'asc',
    });

    const query = emulator.requests.at(-1)!.query;
    expect(query.get('actor.email')).toBe(email);
    expect(query.get('actor.ip')).toBe(sample.actor!.ip);
    expect(query.get('action.type')).toBe(actionType);
    const expected = ascending().filter(
      (record) =>
        record.actor?.email === email &&
        record.actor.ip === sample.actor!.ip &&
        record.action.type === actionType &&
        Date.parse(record.when) > sinceMs,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(page.result)).toEqual(ids(expected));
  });

  it('finds one log by id and by zone.name', async () => {
    const withZone = ascending().find((record) => zoneName(record) !== null)!;
    const byId = await client.auditLogs.list({ account_id: emulator.accountId, id: withZone.id });
    expect(byId.result).toEqual([withZone]);

    const byZone = await client.auditLogs.list({
      account_id: emulator.accountId,
      zone: { name: zoneName(withZone)! },
      direction: 'asc',
      per_page: 1000,
    });
    expect(emulator.requests.at(-1)!.query.get('zone.name')).toBe(zoneName(withZone));
    expect(ids(byZone.result)).toEqual(
      ids(ascending().filter((record) => zoneName(record) === zoneName(withZone))),
    );
  });

  it('serialises hide_user_logs as the boolean the emulator accepts', async () => {
    const page = await client.auditLogs.list({
      account_id: emulator.accountId,
      hide_user_logs: true,
      per_page: 1000,
    });
    expect(emulator.requests.at(-1)!.query.get('hide_user_logs')).toBe('true');
    const userLevel = (record: CloudflareV1RecordWire) =>
      record.owner?.id !== undefined && record.owner?.id === record.actor?.id;
    expect(page.result.length).toBe(ascending().filter((record) => !userLevel(record)).length);
  });

  it('auto-pages with page+1 until an empty page and sees every record exactly once', async () => {
    emulator.knobs.shuffleTies = true;
    const seen: string[] = [];
    for await (const record of client.auditLogs.list({
      account_id: emulator.accountId,
      direction: 'asc',
      per_page: 40,
    })) {
      seen.push(record.id!);
    }
    expect([...seen].sort()).toEqual(ids(ascending()).sort());
    // 130 records in pages of 40: four pages, then the empty fifth that ends the SDK's loop.
    expect(emulator.requests.map((request) => request.query.get('page'))).toEqual([
      null,
      '2',
      '3',
      '4',
      '5',
    ]);
  });

  it('authenticates with the global API key form (X-Auth-Email + X-Auth-Key)', async () => {
    const keyClient = new Cloudflare({
      apiEmail: 'ops@example.com',
      apiKey: emulator.token,
      baseURL: `${emulator.url}/client/v4`,
      maxRetries: 0,
    });
    const page = await keyClient.auditLogs.list({ account_id: emulator.accountId, per_page: 1 });
    expect(page.result).toHaveLength(1);
    expect(emulator.requests.at(-1)!.headers['x-auth-key']).toBe(emulator.token);
  });

  it('surfaces the v4 failure envelope as typed SDK errors', async () => {
    const wrong = new Cloudflare({
      apiToken: 'not-the-token',
      baseURL: `${emulator.url}/client/v4`,
      maxRetries: 0,
    });
    await expect(wrong.auditLogs.list({ account_id: emulator.accountId })).rejects.toMatchObject({
      constructor: Cloudflare.PermissionDeniedError,
      status: 403,
      errors: [{ code: 9109, message: 'Invalid access token' }],
    });
    await expect(
      client.auditLogs.list({ account_id: emulator.accountId, per_page: 5000 }),
    ).rejects.toMatchObject({ constructor: Cloudflare.BadRequestError, status: 400 });
  });
});

describe('cloudflare SDK against the v2 emulator (client.accounts.logs.audit.list)', () => {
  let emulator: CloudflareV2Emulator;
  let client: Cloudflare;
  const records = generateCloudflareV2Records(random.fork('cloudflare-v2'), people, WINDOW, 150);
  const ascending = (): CloudflareV2RecordWire[] => [...emulator.records];
  const window = { since: '2026-03-01', before: '2026-03-05' };

  beforeAll(async () => {
    emulator = await startCloudflareV2Emulator({ records });
    client = createClient(emulator);
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    emulator.resetRequests();
    emulator.knobs.shuffleTies = false;
  });

  it('reads one page on the documented path with the documented result_info', async () => {
    const page = await client.accounts.logs.audit.list({
      account_id: emulator.accountId,
      ...window,
      direction: 'asc',
      limit: 20,
    });

    expect(page.result).toEqual(ascending().slice(0, 20));
    const request = emulator.requests.at(-1)!;
    expect(request.path).toBe(`/client/v4/accounts/${emulator.accountId}/logs/audit`);
    expect(request.headers['authorization']).toBe(`Bearer ${emulator.token}`);
    expect(request.query.toString()).toBe(
      'since=2026-03-01&before=2026-03-05&direction=asc&limit=20',
    );
    // The documented `result_info` is `{count, cursor}` (count a string).
    const resultInfo: unknown = page.result_info;
    expect(resultInfo).toEqual({ count: '20', cursor: expect.any(String) });
  });

  it('stops auto-paging after one page: the SDK reads result_info.cursors.after, which the documented API does not send', async () => {
    const page = await client.accounts.logs.audit.list({
      account_id: emulator.accountId,
      ...window,
      limit: 20,
    });
    // An SDK quirk, not an emulator bug (providers.md §3): only one page is tested through
    // the pager; the documented cursor is followed by hand below.
    expect(page.hasNextPage()).toBe(false);
    expect(page.result_info.cursors).toBeUndefined();
  });

  it('follows the documented result_info.cursor through the SDK cursor param to the end', async () => {
    emulator.knobs.shuffleTies = true;
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.accounts.logs.audit.list({
        account_id: emulator.accountId,
        ...window,
        limit: 40,
        ...(cursor === undefined ? {} : { cursor }),
      });
      seen.push(...page.result.map((record) => record.id!));
      cursor = (page.result_info as { cursor?: string }).cursor;
      pages += 1;
    } while (cursor !== undefined && pages < 10);

    expect(pages).toBe(4);
    expect([...seen].sort()).toEqual(ids(ascending()).sort());
  });

  it('sends .not filters dot-encoded with repeated keys (qs allowDots, arrayFormat repeat)', async () => {
    const page = await client.accounts.logs.audit.list({
      account_id: emulator.accountId,
      ...window,
      direction: 'asc',
      limit: 1000,
      action_type: { not: ['view', 'create'] },
      raw_status_code: { not: [200] },
    });

    const query = emulator.requests.at(-1)!.query;
    expect(query.getAll('action_type.not')).toEqual(['view', 'create']);
    expect(query.getAll('raw_status_code.not')).toEqual(['200']);
    const expected = ascending().filter(
      (record) =>
        !['view', 'create'].includes(record.action.type) && record.raw?.status_code !== 200,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(page.result)).toEqual(ids(expected));
  });

  it('excludes by id and accepts repeated product_category values', async () => {
    const [first, second] = ascending();
    const page = await client.accounts.logs.audit.list({
      account_id: emulator.accountId,
      ...window,
      direction: 'asc',
      limit: 1000,
      id: { not: [first!.id, second!.id] },
      product_category: ['dns', 'security'],
    });
    const query = emulator.requests.at(-1)!.query;
    expect(query.getAll('id.not')).toEqual([first!.id, second!.id]);
    expect(query.getAll('product_category')).toEqual(['dns', 'security']);
    expect(ids(page.result)).not.toContain(first!.id);
    expect(page.result.length).toBeGreaterThan(0);
  });

  it('accepts every enum value the SDK types for actor_context.not and actor_type.not', async () => {
    const page = await client.accounts.logs.audit.list({
      account_id: emulator.accountId,
      ...window,
      limit: 1000,
      actor_context: { not: ['api'] },
      actor_type: { not: ['delegated_service'] },
    });
    // None of the generated records has these values, so nothing is filtered out.
    expect(page.result).toHaveLength(records.length);
  });

  it('rejects a request without the required window as a 400 the SDK types', async () => {
    await expect(
      client.accounts.logs.audit.list({ account_id: emulator.accountId, since: '', before: '' }),
    ).rejects.toMatchObject({ constructor: Cloudflare.BadRequestError, status: 400 });
  });
});

function zoneName(record: CloudflareV1RecordWire): string | null {
  const metadata = record.metadata as { zone_name?: unknown } | null | undefined;
  return typeof metadata?.zone_name === 'string' ? metadata.zone_name : null;
}
