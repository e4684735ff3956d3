import type { Random } from '../dataset/createRandom';
import type { Person } from '../dataset/people';
import type { CloudflareV1RecordWire } from '../../providers/cloudflare-v1/cloudflareV1Wire';
import { DEFAULT_CLOUDFLARE_ACCOUNT_ID } from '../cloudflare-shared/cloudflareEmulatorDefaults';
import {
  createCloudflareZones,
  generateCloudflareActivity,
  type CloudflareZone as Zone,
} from '../cloudflare-shared/cloudflareDataset';

export interface CloudflareV1GenerateOptions {
  /** The account owning the logs (`owner.id`); the emulators' default account otherwise. */
  readonly accountId?: string;
}

/**
 * A Cloudflare account's v1 audit log over a time window: the company's people logging in to the
 * dashboard, changing zone settings, DNS records and rules (a Terraform token changing a batch
 * of records in one second), and the rarer acts of Cloudflare staff and automation.
 */
export function generateCloudflareV1Records(
  random: Random,
  people: readonly Person[],
  window: { readonly fromMs: number; readonly toMs: number },
  count: number,
  options: CloudflareV1GenerateOptions = {},
): CloudflareV1RecordWire[] {
  if (people.length === 0) throw new Error('generateCloudflareV1Records needs at least one person');
  const accountId = options.accountId ?? DEFAULT_CLOUDFLARE_ACCOUNT_ID;
  const zones = createCloudflareZones(random);
  const staff = { id: random.hex(32), email: 'support@cloudflare.com', ip: '198.41.129.166' };
  const records = generateCloudflareActivity<CloudflareV1RecordWire>(
    random,
    { people, zones, window, count },
    {
      single: (when) => single(random, people, zones, staff, when),
      apply: (when, person, zone, size) =>
        Array.from({ length: size }, () => ({
          ...dnsChange(random, zone),
          ...common(random, person, 'API', when),
        })),
    },
  );
  for (const record of records) record.owner = { id: ownerOf(record, accountId) };
  return records;
}

/** What an action changed, before who did it and when. */
type Body = Pick<
  CloudflareV1RecordWire,
  'action' | 'metadata' | 'newValue' | 'oldValue' | 'resource'
>;

function single(
  random: Random,
  people: readonly Person[],
  zones: readonly Zone[],
  staff: { id: string; email: string; ip: string },
  when: string,
): CloudflareV1RecordWire {
  const person = random.pick(people);
  const zone = random.pick(zones);
  const roll = random.next();
  if (roll < 0.2) return { ...session(random, person), ...common(random, person, 'UI', when) };
  const via = random.chance(0.5) ? 'UI' : 'API';
  if (roll < 0.5) return { ...zoneSetting(random, zone), ...common(random, person, via, when) };
  if (roll < 0.7) return { ...dnsChange(random, zone), ...common(random, person, via, when) };
  if (roll < 0.85) return { ...ruleChange(random, zone), ...common(random, person, via, when) };
  if (roll < 0.92)
    return { ...memberChange(random, people), ...common(random, person, 'UI', when) };
  if (roll < 0.97) {
    // Automation: certificate renewals; no address, no email.
    return {
      id: random.uuid(),
      action: { type: 'change_setting', result: true },
      actor: { id: random.hex(32), type: 'Cloudflare' },
      metadata: { name: 'certificate_renewal', zone_name: zone.name },
      resource: { id: random.hex(32), type: 'ssl_certificate' },
      when,
    };
  }
  return {
    ...zoneSetting(random, zone),
    id: random.uuid(),
    actor: { ...staff, type: 'admin' },
    interface: 'UI',
    when,
  };
}

function common(
  random: Random,
  person: Person,
  via: 'UI' | 'API',
  when: string,
): Pick<CloudflareV1RecordWire, 'id' | 'actor' | 'interface' | 'when'> {
  return {
    id: random.uuid(),
    actor: {
      id: person.cloudflareActorId,
      email: person.email,
      ip: random.pick(person.ips),
      type: 'user',
    },
    interface: via,
    when,
  };
}

function session(random: Random, person: Person): Body {
  const type = random.chance(0.85) ? 'login' : 'logout';
  return {
    action: { type, result: type === 'logout' || random.chance(0.9) },
    metadata: {},
    resource: { id: person.cloudflareActorId, type: 'user' },
  };
}

const SETTINGS = [
  {
    name: 'security_level',
    type: 'firewall',
    values: ['essentially_off', 'low', 'medium', 'high'],
  },
  { name: 'ssl', type: 'ssl', values: ['off', 'flexible', 'full', 'strict'] },
  { name: 'min_tls_version', type: 'ssl', values: ['1.0', '1.1', '1.2', '1.3'] },
  { name: 'always_use_https', type: 'ssl', values: ['off', 'on'] },
  { name: 'cache_level', type: 'cache', values: ['basic', 'simplified', 'aggressive'] },
] as const;

function zoneSetting(random: Random, zone: Zone): Body {
  const setting = random.pick(SETTINGS);
  const [oldValue, newValue] = random.shuffle(setting.values);
  return {
    action: { type: 'change_setting', result: random.chance(0.97) },
    metadata: {
      name: setting.name,
      type: setting.type,
      value: newValue ?? null,
      zone_name: zone.name,
    },
    newValue: newValue ?? '',
    oldValue: oldValue ?? '',
    resource: { id: zone.id, type: 'zone' },
  };
}

function dnsChange(random: Random, zone: Zone): Body {
  const name = `${random.pick(['www', 'api', 'mail', 'status', 'cdn', 'app'])}.${zone.name}`;
  const type = random.pick(['A', 'AAAA', 'CNAME', 'TXT'] as const);
  const content = () =>
    type === 'A'
      ? `203.0.113.${random.int(1, 254)}`
      : type === 'AAAA'
        ? `2001:db8::${random.int(1, 65535).toString(16)}`
        : type === 'CNAME'
          ? `lb-${random.int(1, 9)}.example.net`
          : `v=spf1 include:_spf.example.com ~all`;
  const record = (value: string) =>
    JSON.stringify({ content: value, proxied: type !== 'TXT', ttl: 1 });
  const action = random.pick(['add', 'change_setting', 'change_setting', 'delete'] as const);
  const before = content();
  const after = content();
  return {
    action: { type: action, result: true },
    metadata: { name, type, content: action === 'delete' ? before : after, zone_name: zone.name },
    ...(action === 'add' ? {} : { oldValue: record(before) }),
    ...(action === 'delete' ? {} : { newValue: record(after) }),
    resource: { id: random.hex(32), type: 'dns_record' },
  };
}

function ruleChange(random: Random, zone: Zone): Body {
  const type = random.pick(['firewall_rule', 'page_rule', 'worker_script', 'rate_limit'] as const);
  const action = random.pick(['add', 'change_setting', 'delete'] as const);
  return {
    action: { type: action, result: random.chance(0.95) },
    metadata: { zone_name: zone.name, description: `${type.replace('_', ' ')} for ${zone.name}` },
    resource: { id: random.hex(32), type },
  };
}

function memberChange(random: Random, people: readonly Person[]): Body {
  const member = random.pick(people);
  const action = random.chance(0.7) ? 'add' : 'delete';
  return {
    action: { type: action, result: true },
    metadata: { email: member.email, roles: ['Administrator Read Only'] },
    resource: { id: member.cloudflareActorId, type: 'account_member' },
  };
}

/** Sessions are user-level logs, owned by the user; everything else by the account. */
function ownerOf(record: CloudflareV1RecordWire, accountId: string): string {
  const type = record.action.type;
  return (type === 'login' || type === 'logout') && record.actor?.id ? record.actor.id : accountId;
}
