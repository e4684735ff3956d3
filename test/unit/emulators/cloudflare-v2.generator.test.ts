import { DEFAULT_CLOUDFLARE_ACCOUNT_ID } from '../../../src/emulators/cloudflare-shared/cloudflareEmulatorDefaults';
import { generateCloudflareV2Records } from '../../../src/emulators/cloudflare-v2/generateCloudflareV2Records';
import { createRandom } from '../../../src/emulators/dataset/createRandom';
import { createPeople } from '../../../src/emulators/dataset/people';
import { cloudflareV2RecordSchema } from '../../../src/providers/cloudflare-v2/cloudflareV2Wire';

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 3, 1) };

function generate(seed: number) {
  const random = createRandom(seed);
  const people = createPeople(random.fork('people'));
  return { people, records: generateCloudflareV2Records(random.fork('v2'), people, WINDOW, 1500) };
}

describe('generateCloudflareV2Records', () => {
  const { people, records } = generate(31);

  it('generates the count asked for, in the wire shape, sorted, inside the window', () => {
    expect(records).toHaveLength(1500);
    for (const record of records) expect(cloudflareV2RecordSchema.parse(record)).toEqual(record);
    const times = records.map((r) => Date.parse(r.action.time));
    expect(times).toEqual(times.slice().sort((a, b) => a - b));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(WINDOW.fromMs);
    expect(Math.max(...times)).toBeLessThan(WINDOW.toMs);
  });

  it('is the same for a seed and different for another', () => {
    expect(generate(31).records).toEqual(records);
    expect(generate(32).records).not.toEqual(records);
  });

  it('gives every log a unique 32-hex id and a ray id', () => {
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    expect(records.every((r) => /^[0-9a-f]{32}$/.test(r.id))).toBe(true);
    const rays = records.filter((r) => r.raw?.cf_ray_id !== undefined);
    expect(rays.every((r) => /^[0-9a-f]{16}$/.test(r.raw?.cf_ray_id ?? ''))).toBe(true);
  });

  it('speaks the v2 vocabulary', () => {
    expect(new Set(records.map((r) => r.action.type))).toEqual(
      new Set(['create', 'update', 'delete', 'view']),
    );
    expect(new Set(records.map((r) => r.action.result))).toEqual(new Set(['success', 'failure']));
    expect(new Set(records.map((r) => r.actor?.type))).toEqual(
      new Set(['user', 'account', 'system', 'cloudflare_admin']),
    );
    expect(new Set(records.map((r) => r.actor?.context))).toEqual(
      new Set(['dash', 'api_token', undefined]),
    );
    expect(records.every((r) => r.account?.id === DEFAULT_CLOUDFLARE_ACCOUNT_ID)).toBe(true);
    for (const record of records.filter((r) => r.action.result === 'failure')) {
      expect(record.raw?.status_code).toBeGreaterThanOrEqual(400);
    }
    expect(records.some((r) => r.zone === undefined)).toBe(true);
  });

  it('has the company people act under their email, ids and tokens', () => {
    const users = records.filter((r) => r.actor?.type === 'user');
    expect(users.length / records.length).toBeGreaterThan(0.8);
    for (const record of users) {
      const person = people.find((p) => p.email === record.actor?.email);
      expect(person?.cloudflareActorId).toBe(record.actor?.id);
      if (record.actor?.context === 'api_token') {
        expect(record.actor.token_id).toBe(person?.cloudflareTokenId);
        expect(record.actor.token_name).toBe(person?.cloudflareTokenName);
      }
    }
  });

  it('has bursts of one second, some larger than the smallest pages', () => {
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.action.time, (counts.get(r.action.time) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1).length).toBeGreaterThan(10);
    expect(Math.max(...counts.values())).toBeGreaterThan(20);
  });
});
