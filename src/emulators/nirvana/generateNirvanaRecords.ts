import type {
  NirvanaAuditLogActorWire,
  NirvanaAuditLogWire,
} from '../../providers/nirvana/NirvanaAuditLogWire';
import type { Random } from '../dataset/createRandom';
import { generateActivity } from '../dataset/generateActivity';
import { pickWeighted } from '../dataset/pickWeighted';
import type { Person } from '../dataset/people';

type ResourceType = 'vm' | 'volume' | 'vpc' | 'firewall_rule' | 'api_key';

interface Operation {
  readonly action: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly weight: number;
  /** The status of a successful call (Nirvana answers compute changes with 202 Accepted). */
  readonly status: number;
  /** The resource it acts on; `creates` mints a new one, otherwise an existing one is picked. */
  readonly resource: ResourceType;
  readonly creates?: boolean;
  /** Whether the entry names its target (the API's own example leaves a deleted key's out). */
  readonly targeted?: boolean;
  readonly path: (id: string, parent: string) => string;
}

const OPERATIONS: readonly Operation[] = [
  {
    action: 'vm.created',
    method: 'POST',
    weight: 6,
    status: 202,
    resource: 'vm',
    creates: true,
    path: () => '/v1/compute/vms',
  },
  {
    action: 'vm.updated',
    method: 'PATCH',
    weight: 6,
    status: 202,
    resource: 'vm',
    path: (id) => `/v1/compute/vms/${id}`,
  },
  {
    action: 'vm.restarted',
    method: 'POST',
    weight: 3,
    status: 202,
    resource: 'vm',
    path: (id) => `/v1/compute/vms/${id}/restart`,
  },
  {
    action: 'vm.deleted',
    method: 'DELETE',
    weight: 3,
    status: 202,
    resource: 'vm',
    path: (id) => `/v1/compute/vms/${id}`,
  },
  {
    action: 'volume.created',
    method: 'POST',
    weight: 4,
    status: 202,
    resource: 'volume',
    creates: true,
    path: () => '/v1/compute/volumes',
  },
  {
    action: 'volume.attached',
    method: 'POST',
    weight: 3,
    status: 202,
    resource: 'volume',
    path: (id) => `/v1/compute/volumes/${id}/attach`,
  },
  {
    action: 'volume.detached',
    method: 'POST',
    weight: 2,
    status: 202,
    resource: 'volume',
    path: (id) => `/v1/compute/volumes/${id}/detach`,
  },
  {
    action: 'volume.deleted',
    method: 'DELETE',
    weight: 2,
    status: 202,
    resource: 'volume',
    path: (id) => `/v1/compute/volumes/${id}`,
  },
  {
    action: 'vpc.created',
    method: 'POST',
    weight: 2,
    status: 202,
    resource: 'vpc',
    creates: true,
    path: () => '/v1/networking/vpcs',
  },
  {
    action: 'vpc.updated',
    method: 'PATCH',
    weight: 3,
    status: 202,
    resource: 'vpc',
    path: (id) => `/v1/networking/vpcs/${id}`,
  },
  {
    action: 'vpc.deleted',
    method: 'DELETE',
    weight: 1,
    status: 202,
    resource: 'vpc',
    path: (id) => `/v1/networking/vpcs/${id}`,
  },
  {
    action: 'firewall_rule.created',
    method: 'POST',
    weight: 4,
    status: 202,
    resource: 'firewall_rule',
    creates: true,
    path: (_id, vpc) => `/v1/networking/vpcs/${vpc}/firewall_rules`,
  },
  {
    action: 'firewall_rule.updated',
    method: 'PATCH',
    weight: 2,
    status: 202,
    resource: 'firewall_rule',
    path: (id, vpc) => `/v1/networking/vpcs/${vpc}/firewall_rules/${id}`,
  },
  {
    action: 'firewall_rule.deleted',
    method: 'DELETE',
    weight: 2,
    status: 202,
    resource: 'firewall_rule',
    path: (id, vpc) => `/v1/networking/vpcs/${vpc}/firewall_rules/${id}`,
  },
  {
    action: 'api_key.created',
    method: 'POST',
    weight: 1,
    status: 201,
    resource: 'api_key',
    creates: true,
    path: () => '/v1/api_keys',
  },
  {
    action: 'api_key.deleted',
    method: 'DELETE',
    weight: 1,
    status: 204,
    resource: 'api_key',
    targeted: false,
    path: (id) => `/v1/api_keys/${id}`,
  },
];

const FAILURE_STATUSES = [400, 403, 404, 409, 422, 429];
const AUTOMATION_AGENTS = [
  'NirvanaLabs/Go 1.60.0',
  'terraform-provider-nirvana/1.12.0',
  'NirvanaLabs/JS 1.40.0',
];
const BROWSER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const CI_ADDRESSES = ['198.51.100.200', '198.51.100.201'];

interface ApiKey {
  readonly id: string;
  readonly owner: Person;
  readonly userAgent: string;
}

/** Who acts in one burst of activity: a person, or an automation key. */
interface Caller {
  readonly actor: NirvanaAuditLogActorWire;
  readonly ip: string;
  readonly userAgent: string;
}

/**
 * Nirvana Labs audit-log entries as the API returns them: `created_at` in whole seconds (so a
 * burst — a Terraform apply — shares one timestamp), people acting under their Nirvana user ids
 * and names, automation under API keys (whose name the API leaves null), targets that exist
 * before they are changed, and some calls refused with a 4xx.
 */
export function generateNirvanaRecords(
  random: Random,
  people: readonly Person[],
  window: { readonly fromMs: number; readonly toMs: number },
  count: number,
): NirvanaAuditLogWire[] {
  const setup = random.fork('nirvana-setup');
  const apiKeys: ApiKey[] = [0, 1, 2].map(() => ({
    id: `ak_${setup.hex(8)}`,
    owner: setup.pick(people),
    userAgent: setup.pick(AUTOMATION_AGENTS),
  }));
  const live: Record<ResourceType, string[]> = {
    vm: [0, 1, 2, 3].map(() => setup.uuid()),
    volume: [0, 1, 2].map(() => setup.uuid()),
    vpc: [0, 1].map(() => setup.uuid()),
    firewall_rule: [0, 1, 2].map(() => setup.uuid()),
    api_key: apiKeys.map((key) => key.id),
  };

  // A burst (one second) is one caller's run of calls.
  return generateActivity(
    random,
    { fromMs: window.fromMs, toMs: window.toMs, count },
    (at, size) => {
      const caller = pickCaller(random, people, apiKeys);
      return Array.from({ length: size }, () => toEntry(random, live, caller, at));
    },
  );
}

/** One call `caller` made at `at`, to an existing resource of `live` or one it creates. */
function toEntry(
  random: Random,
  live: Record<ResourceType, string[]>,
  caller: Caller,
  at: string,
): NirvanaAuditLogWire {
  const operation = pickWeighted(random, OPERATIONS);
  const failed = random.chance(0.1);
  const pool = live[operation.resource];
  let id: string;
  if (operation.creates === true) {
    id = operation.resource === 'api_key' ? `ak_${random.hex(8)}` : random.uuid();
    if (!failed) pool.push(id);
  } else {
    id = pool.length > 0 ? random.pick(pool) : random.uuid();
    if (!failed && operation.action.endsWith('.deleted') && pool.length > 1) {
      pool.splice(pool.indexOf(id), 1);
    }
  }
  const parent = random.pick(live.vpc.length > 0 ? live.vpc : [random.uuid()]);
  // A refused create made nothing to name; targets are sometimes absent, sometimes null.
  const targeted = operation.targeted !== false && !(failed && operation.creates === true);
  return {
    id: random.uuid(),
    action: operation.action,
    actor: caller.actor,
    client_ip: caller.ip,
    created_at: at,
    method: operation.method,
    path: operation.path(id, parent),
    status_code: failed ? random.pick(FAILURE_STATUSES) : operation.status,
    user_agent: caller.userAgent,
    ...(targeted
      ? { target: { id, type: operation.resource } }
      : random.chance(0.5)
        ? { target: null }
        : {}),
  };
}

function pickCaller(random: Random, people: readonly Person[], apiKeys: readonly ApiKey[]): Caller {
  if (random.chance(0.35)) {
    const key = random.pick(apiKeys);
    return {
      actor: { id: key.id, name: null, type: 'api_key' },
      ip: random.chance(0.6) ? random.pick(CI_ADDRESSES) : random.pick(key.owner.ips),
      userAgent: key.userAgent,
    };
  }
  const person = random.pick(people);
  return {
    actor: { id: person.nirvanaUserId, name: person.name, type: 'user' },
    ip: random.pick(person.ips),
    userAgent: random.chance(0.5) ? BROWSER_AGENT : person.userAgent,
  };
}
