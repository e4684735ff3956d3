import { DEFAULT_CLOUDFLARE_ACCOUNT_ID } from '../../../src/emulators/cloudflare-shared/cloudflareEmulatorDefaults';
import { generateCloudflareV1Records } from '../../../src/emulators/cloudflare-v1/generateCloudflareV1Records';
import { createRandom } from '../../../src/emulators/dataset/createRandom';
import { createPeople } from '../../../src/emulators/dataset/people';
import { cloudflareV1RecordSchema } from '../../../src/providers/cloudflare-v1/cloudflareV1Wire';

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 3, 1) };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function generate(seed: number, accountId?: string) {
  const random = createRandom(seed);
  const people = createPeople(random.fork('people'));
  const records = generateCloudflareV1Records(
    random.fork('v1'),
    people,
    WINDOW,
    1500,
    accountId === undefined ? {} : { accountId },
  );
  return { people, records };
}

describe('generateCloudflareV1Records', () => {
  const { people, records } = generate(21);

  it('generates the count asked for, in the wire shape, sorted, inside the window', () => {
    expect(records).toHaveLength(1500);
    for (const record of records) expect(cloudflareV1RecordSchema.parse(record)).toEqual(record);
    const times = records.map((r) => Date.parse(r.when));
    expect(times).toEqual(times.slice().sort((a, b) => a - b));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(WINDOW.fromMs);
    expect(Math.max(...times)).toBeLessThan(WINDOW.toMs);
  });

  it('is the same for a seed and different for another', () => {
    expect(generate(21).records).toEqual(records);
    expect(generate(22).records).not.toEqual(records);
  });

  it('gives every log a unique UUID', () => {
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    expect(records.every((r) => UUID.test(r.id))).toBe(true);
  });

  it('speaks the v1 vocabulary', () => {
    const actions = new Set(records.map((r) => r.action.type));
    expect([...actions].sort()).toEqual(['add', 'change_setting', 'delete', 'login', 'logout']);
    const resources = new Set(records.map((r) => r.resource?.type));
    for (const type of ['zone', 'dns_record', 'user', 'account_member'])
      expect(resources).toContain(type);
    expect(new Set(records.map((r) => r.interface))).toEqual(new Set(['API', 'UI', undefined]));
    expect(new Set(records.map((r) => r.actor?.type))).toEqual(
      new Set(['user', 'admin', 'Cloudflare']),
    );
    expect(records.some((r) => r.action.result === false)).toBe(true);
    expect(records.some((r) => typeof r.newValue === 'string' && r.newValue.startsWith('{'))).toBe(
      true,
    );
  });

  it('has the company people act under their email and Cloudflare id', () => {
    const users = records.filter((r) => r.actor?.type === 'user');
    expect(users.length / records.length).toBeGreaterThan(0.9);
    for (const record of users) {
      const person = people.find((p) => p.email === record.actor?.email);
      expect(person?.cloudflareActorId).toBe(record.actor?.id);
      expect(person?.ips).toContain(record.actor?.ip);
    }
  });

  it('owns sessions by their user and everything else by the account', () => {
    for (const record of records) {
      const session = record.action.type === 'login' || record.action.type === 'logout';
      expect(record.owner?.id).toBe(session ? record.actor?.id : DEFAULT_CLOUDFLARE_ACCOUNT_ID);
    }
    const other = generate(21, 'f'.repeat(32)).records;
    expect(other.find((r) => r.action.type === 'add')?.owner?.id).toBe('f'.repeat(32));
  });

  it('has bursts of one second, some larger than the smallest pages', () => {
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.when, (counts.get(r.when) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1).length).toBeGreaterThan(10);
    expect(Math.max(...counts.values())).toBeGreaterThan(20);
  });
});
