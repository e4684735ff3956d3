import type { Random } from '../dataset/createRandom';
import type { Person } from '../dataset/people';
import type { CloudflareV2RecordWire } from '../../providers/cloudflare-v2/cloudflareV2Wire';
import {
  DEFAULT_CLOUDFLARE_ACCOUNT_ID,
  DEFAULT_CLOUDFLARE_ACCOUNT_NAME,
} from '../cloudflare-shared/cloudflareEmulatorDefaults';
import {
  createCloudflareZones,
  generateCloudflareActivity,
  type CloudflareZone as Zone,
} from '../cloudflare-shared/cloudflareDataset';

export interface CloudflareV2GenerateOptions {
  readonly accountId?: string;
  readonly accountName?: string;
}

/**
 * A Cloudflare account's v2 audit log over a time window: the company's people browsing and
 * changing zones in the dashboard, Terraform tokens creating batches of DNS records in one second,
 * Workers and R2 deploys, an account-owned CI token, and the rarer acts of Cloudflare's automation
 * and staff. Every record carries the HTTP request behind it, as v2 does.
 */
export function generateCloudflareV2Records(
  random: Random,
  people: readonly Person[],
  window: { readonly fromMs: number; readonly toMs: number },
  count: number,
  options: CloudflareV2GenerateOptions = {},
): CloudflareV2RecordWire[] {
  if (people.length === 0) throw new Error('generateCloudflareV2Records needs at least one person');
  const account = {
    id: options.accountId ?? DEFAULT_CLOUDFLARE_ACCOUNT_ID,
    name: options.accountName ?? DEFAULT_CLOUDFLARE_ACCOUNT_NAME,
  };
  const zones = createCloudflareZones(random);
  const ciToken = { id: random.hex(32), name: 'ci-deploy' };
  return generateCloudflareActivity<CloudflareV2RecordWire>(
    random,
    { people, zones, window, count },
    {
      single: (time) => single(random, people, zones, account, ciToken, time),
      apply: (time, person, zone, size) => {
        const by = byPerson(random, person, 'api_token');
        return Array.from({ length: size }, () =>
          toRecord(random, account, time, by, dnsRecordChange(random, zone, 'create')),
        );
      },
    },
  );
}

interface Account {
  readonly id: string;
  readonly name: string;
}

type ActorWire = NonNullable<CloudflareV2RecordWire['actor']>;
type ResourceWire = NonNullable<CloudflareV2RecordWire['resource']>;

/** What one request did, before who sent it and when. */
interface Change {
  readonly type: 'create' | 'update' | 'delete' | 'view';
  readonly description: string;
  readonly method: string;
  readonly uri: string;
  readonly resource: ResourceWire;
  readonly zone: Zone | null;
}

const TERRAFORM = 'terraform-provider-cloudflare/5.9.0';
const CI_ADDRESS = '203.0.113.250';

/** Who sent a request, and with what client. */
interface By {
  readonly actor: ActorWire;
  readonly userAgent: string;
}

/** A person's request: from the dashboard, or through their own API token (Terraform, CI). */
function byPerson(random: Random, person: Person, context: 'dash' | 'api_token'): By {
  const viaToken = context === 'api_token';
  return {
    actor: {
      id: person.cloudflareActorId,
      context,
      email: person.email,
      ip_address: viaToken && random.chance(0.5) ? CI_ADDRESS : random.pick(person.ips),
      ...(viaToken
        ? { token_id: person.cloudflareTokenId, token_name: person.cloudflareTokenName }
        : {}),
      type: 'user',
    },
    userAgent: viaToken ? TERRAFORM : person.userAgent,
  };
}

function single(
  random: Random,
  people: readonly Person[],
  zones: readonly Zone[],
  account: Account,
  ciToken: { id: string; name: string },
  time: string,
): CloudflareV2RecordWire {
  const person = random.pick(people);
  const zone = random.pick(zones);
  const roll = random.next();
  const dash = byPerson(random, person, 'dash');
  const by = random.chance(0.6) ? dash : byPerson(random, person, 'api_token');
  const emit = (who: By, change: Change) => toRecord(random, account, time, who, change);
  if (roll < 0.25) return emit(dash, view(random, zone, account));
  if (roll < 0.5) return emit(by, zoneSetting(random, zone));
  if (roll < 0.7) {
    return emit(by, dnsRecordChange(random, zone, random.pick(['create', 'update', 'delete'])));
  }
  if (roll < 0.8) return emit(by, workerOrBucket(random, account));
  if (roll < 0.85) return emit(dash, member(random, people, account));
  if (roll < 0.93) return emit(accountToken(account, ciToken), workerOrBucket(random, account));
  if (roll < 0.98) return automation(random, account, zone, time);
  return emit(staff(random, person), zoneSetting(random, zone));
}

/** A token the account owns, not a person: CI deploying Workers. */
function accountToken(account: Account, token: { id: string; name: string }): By {
  return {
    actor: {
      id: account.id,
      context: 'api_token',
      ip_address: CI_ADDRESS,
      token_id: token.id,
      token_name: token.name,
      type: 'account',
    },
    userAgent: 'wrangler/4.20.0',
  };
}

/** Cloudflare staff acting on the account from the dashboard. */
function staff(random: Random, person: Person): By {
  return {
    actor: {
      id: random.hex(32),
      context: 'dash',
      email: 'support@cloudflare.com',
      ip_address: '198.41.129.166',
      type: 'cloudflare_admin',
    },
    userAgent: person.userAgent,
  };
}

function toRecord(
  random: Random,
  account: Account,
  time: string,
  by: By,
  change: Change,
): CloudflareV2RecordWire {
  const failed = change.type !== 'view' && random.chance(0.04);
  return {
    id: random.hex(32),
    account: { id: account.id, name: account.name },
    action: {
      description: change.description,
      result: failed ? 'failure' : 'success',
      time,
      type: change.type,
    },
    actor: by.actor,
    raw: {
      cf_ray_id: random.hex(16),
      method: change.method,
      status_code: failed ? random.pick([400, 403, 409]) : 200,
      uri: change.uri,
      user_agent: by.userAgent,
    },
    resource: change.resource,
    ...(change.zone === null ? {} : { zone: { id: change.zone.id, name: change.zone.name } }),
  };
}

function view(random: Random, zone: Zone, account: Account): Change {
  return random.pick<Change>([
    {
      type: 'view',
      description: 'View Zone',
      method: 'GET',
      uri: `/zones/${zone.id}`,
      resource: { id: zone.id, product: 'zones', scope: 'zones', type: 'zone' },
      zone,
    },
    {
      type: 'view',
      description: 'List DNS Records',
      method: 'GET',
      uri: `/zones/${zone.id}/dns_records?per_page=100`,
      resource: { product: 'dns_records', scope: 'zones', type: 'dns_record' },
      zone,
    },
    {
      type: 'view',
      description: 'View Audit Logs',
      method: 'GET',
      uri: `/accounts/${account.id}/logs/audit`,
      resource: { product: 'audit_logs', scope: 'accounts', type: 'audit_log' },
      zone: null,
    },
  ]);
}

const SETTINGS = [
  { id: 'security_level', values: ['low', 'medium', 'high', 'under_attack'] },
  { id: 'ssl', values: ['flexible', 'full', 'strict'] },
  { id: 'min_tls_version', values: ['1.0', '1.2', '1.3'] },
  { id: 'always_use_https', values: ['off', 'on'] },
] as const;

function zoneSetting(random: Random, zone: Zone): Change {
  const setting = random.pick(SETTINGS);
  const value = random.pick(setting.values);
  return {
    type: 'update',
    description: 'Update Zone Setting',
    method: 'PATCH',
    uri: `/zones/${zone.id}/settings/${setting.id}`,
    resource: {
      id: setting.id,
      product: 'zone_settings',
      request: { value },
      response: { id: setting.id, value, editable: true },
      scope: 'zones',
      type: 'zone_setting',
    },
    zone,
  };
}

function dnsRecordChange(random: Random, zone: Zone, type: 'create' | 'update' | 'delete'): Change {
  const id = random.hex(32);
  const name = `${random.pick(['www', 'api', 'mail', 'status', 'cdn', 'app'])}.${zone.name}`;
  const content = `203.0.113.${random.int(1, 254)}`;
  const body = { type: 'A', name, content, proxied: true, ttl: 1 };
  const resource: ResourceWire = {
    id,
    product: 'dns_records',
    ...(type === 'delete' ? {} : { request: body }),
    response: type === 'delete' ? { id } : { id, ...body },
    scope: 'zones',
    type: 'dns_record',
  };
  const [description, method] =
    type === 'create'
      ? ['Create DNS Record', 'POST']
      : type === 'update'
        ? ['Update DNS Record', 'PATCH']
        : ['Delete DNS Record', 'DELETE'];
  const uri = `/zones/${zone.id}/dns_records${type === 'create' ? '' : `/${id}`}`;
  return { type, description, method, uri, resource, zone };
}

function workerOrBucket(random: Random, account: Account): Change {
  if (random.chance(0.6)) {
    const script = random.pick(['edge-router', 'image-resizer', 'auth-gateway']);
    return {
      type: 'update',
      description: 'Upload Worker Script',
      method: 'PUT',
      uri: `/accounts/${account.id}/workers/scripts/${script}`,
      resource: { id: script, product: 'workers', scope: 'accounts', type: 'script' },
      zone: null,
    };
  }
  const bucket = random.pick(['backups', 'static-assets', 'logs-archive']);
  const type = random.chance(0.7) ? 'create' : 'delete';
  return {
    type,
    description: type === 'create' ? 'Create Bucket' : 'Delete Bucket',
    method: type === 'create' ? 'POST' : 'DELETE',
    uri: `/accounts/${account.id}/r2/buckets${type === 'create' ? '' : `/${bucket}`}`,
    resource: { id: bucket, product: 'r2', scope: 'accounts', type: 'bucket' },
    zone: null,
  };
}

function member(random: Random, people: readonly Person[], account: Account): Change {
  const invited = random.pick(people);
  const memberId = random.hex(32);
  return {
    type: 'create',
    description: 'Add Account Member',
    method: 'POST',
    uri: `/accounts/${account.id}/members`,
    resource: {
      id: memberId,
      product: 'members',
      request: { email: invited.email, roles: ['Administrator Read Only'] },
      response: { id: memberId, email: invited.email, status: 'pending' },
      scope: 'memberships',
      type: 'member',
    },
    zone: null,
  };
}

/** Cloudflare's automation renewing a certificate: no address, no request from outside. */
function automation(
  random: Random,
  account: Account,
  zone: Zone,
  time: string,
): CloudflareV2RecordWire {
  return {
    id: random.hex(32),
    account: { id: account.id, name: account.name },
    action: { description: 'Renew Certificate', result: 'success', time, type: 'update' },
    actor: { type: 'system' },
    resource: { id: random.hex(32), product: 'ssl', scope: 'zones', type: 'certificate' },
    zone: { id: zone.id, name: zone.name },
  };
}
