import type { Random } from '../dataset/createRandom';
import { generateActivity } from '../dataset/generateActivity';
import type { Person } from '../dataset/people';
import type { FastlyRecordWire } from '../../providers/fastly/fastlyWire';

/**
 * A Fastly account's event log over a time window: the company's people logging in, editing and
 * activating service versions (a CI token applying a whole change in one second), managing
 * tokens and users, and events no person causes (billing, certificate mail, Fastly staff).
 */
export function generateFastlyRecords(
  random: Random,
  people: readonly Person[],
  window: { readonly fromMs: number; readonly toMs: number },
  count: number,
): FastlyRecordWire[] {
  if (people.length === 0) throw new Error('generateFastlyRecords needs at least one person');
  const account: Account = {
    customerId: random.string(22),
    services: random
      .shuffle(SERVICE_NAMES)
      .slice(0, 4)
      .map((name) => ({ id: random.string(22), name, version: random.int(3, 60) })),
    staffUserId: random.string(22),
  };
  return generateActivity(random, { ...window, count, ...BURSTS }, (at, size) => {
    const events =
      size > 1
        ? burstOfChanges(random, people, account, size)
        : [singleEvent(random, people, account)];
    return events.map((event) => toRecord(random, account, at, event));
  });
}

interface Service {
  readonly id: string;
  readonly name: string;
  version: number;
}

interface Account {
  readonly customerId: string;
  readonly services: readonly Service[];
  /** Fastly staff acting on the account (`admin: true`). */
  readonly staffUserId: string;
}

/** An event before it gets its id, time and account. */
interface Draft {
  readonly eventType: string;
  readonly description: string;
  readonly metadata: Readonly<Record<string, string | number | boolean | null>>;
  readonly serviceId: string | null;
  readonly userId: string | null;
  readonly tokenId: string | null;
  readonly ip: string | null;
  readonly admin: boolean;
}

/** About 40% of events in bursts of 2..30 in one second: larger than Fastly's default page. */
const BURSTS = { burstShare: 0.05, maxBurst: 30 } as const;
const SERVICE_NAMES = ['www', 'api', 'assets', 'images', 'checkout', 'docs'];
const BACKENDS = ['origin-primary', 'origin-eu', 'storage-bucket', 'legacy-app'];
const HEADERS = ['Strict-Transport-Security', 'X-Request-Id', 'Cache-Control', 'Vary'];
const VCLS = ['main', 'routing', 'edge-auth'];
const DOMAINS = ['www.example.com', 'api.example.com', 'cdn.example.net', 'img.example.org'];
const LABELS = {
  backend: 'Backend',
  header: 'Header',
  vcl: 'VCL',
  domain: 'Domain',
  healthcheck: 'Healthcheck',
  logging: 'Logging endpoint',
  gzip: 'Gzip rule',
} as const;
/** A CI runner's address: changes applied by a token come from there, not from a desk. */
const CI_ADDRESS = '203.0.113.250';

/** Who acts in one go: a person at a desk, or that person's token in CI. */
interface Actor {
  readonly userId: string;
  readonly tokenId: string | null;
  readonly ip: string;
}

function personAt(random: Random, person: Person): Actor {
  const ip = random.pick(person.ips);
  // The go-fastly recording shows `ip` as a repeated list; keep a few such values.
  return {
    userId: person.fastlyUserId,
    tokenId: null,
    ip: random.chance(0.08) ? `${ip}, ${ip}` : ip,
  };
}

function tokenOf(person: Person): Actor {
  return { userId: person.fastlyUserId, tokenId: person.fastlyTokenId, ip: CI_ADDRESS };
}

/** A whole service change in one second: clone, edits, activate — what `terraform apply` does. */
function burstOfChanges(
  random: Random,
  people: readonly Person[],
  account: Account,
  size: number,
): Draft[] {
  const person = random.pick(people);
  const actor = random.chance(0.7) ? tokenOf(person) : personAt(random, person);
  const service = random.pick(account.services);
  const drafts = [versionEvent(service, actor, 'version.clone')];
  for (let i = 0; i < size - 2; i += 1) drafts.push(configEvent(random, service, actor));
  drafts.push(versionEvent(service, actor, 'version.activate'));
  return drafts;
}

function singleEvent(random: Random, people: readonly Person[], account: Account): Draft {
  const person = random.pick(people);
  const roll = random.next();
  if (roll < 0.2) return sessionEvent(random, person);
  if (roll < 0.55) {
    const service = random.pick(account.services);
    const actor = random.chance(0.4) ? tokenOf(person) : personAt(random, person);
    return random.chance(0.3)
      ? versionEvent(
          service,
          actor,
          random.pick(['version.create', 'version.activate', 'version.lock']),
        )
      : configEvent(random, service, actor);
  }
  if (roll < 0.65) return tokenEvent(random, person);
  if (roll < 0.75) return userEvent(random, person, people);
  if (roll < 0.8) return serviceEvent(random, account, personAt(random, person));
  if (roll < 0.93) return systemEvent(random, account);
  return staffEvent(random, account);
}

function sessionEvent(random: Random, person: Person): Draft {
  const actor = personAt(random, person);
  const roll = random.next();
  const [eventType, description] =
    roll < 0.75
      ? ['user.login', `User ${person.email} logged in`]
      : roll < 0.88
        ? ['user.logout', `User ${person.email} logged out`]
        : roll < 0.97
          ? ['user.login_failure', `Failed login attempt for ${person.email}`]
          : ['two_factor_auth.enable', `Two-factor authentication was enabled for ${person.email}`];
  return user(actor, eventType, description, {});
}

function versionEvent(service: Service, actor: Actor, eventType: string): Draft {
  let number = service.version;
  let description: string;
  switch (eventType) {
    case 'version.clone':
      service.version += 1;
      number = service.version;
      description = `Version ${number - 1} was cloned to version ${number}`;
      break;
    case 'version.create':
      service.version += 1;
      number = service.version;
      description = `Version ${number} was created`;
      break;
    case 'version.activate':
      description = `Version ${number} was activated`;
      break;
    default:
      description = `Version ${number} was locked`;
  }
  return {
    ...user(actor, eventType, description, {
      version_number: number,
      service_id: service.id,
      number,
    }),
    serviceId: service.id,
  };
}

function configEvent(random: Random, service: Service, actor: Actor): Draft {
  const version = service.version;
  const [object, name] = random.pick([
    ['backend', random.pick(BACKENDS)],
    ['header', random.pick(HEADERS)],
    ['vcl', random.pick(VCLS)],
    ['domain', random.pick(DOMAINS)],
    ['healthcheck', 'origin-health'],
    ['logging', 'bigquery-access-logs'],
    ['gzip', 'text-compression'],
  ] as const);
  const verb = random.pick(['create', 'update', 'update', 'update', 'delete'] as const);
  const past = verb === 'create' ? 'created' : verb === 'update' ? 'updated' : 'deleted';
  const label = LABELS[object];
  return {
    ...user(actor, `${object}.${verb}`, `${label} ${name} was ${past} in version ${version}`, {
      name,
      version_number: version,
    }),
    serviceId: service.id,
  };
}

function tokenEvent(random: Random, person: Person): Draft {
  const actor = personAt(random, person);
  const name = random.pick(['terraform', 'ci-deploy', 'purge-bot', 'laptop']);
  return random.chance(0.6)
    ? user(actor, 'token.create', `Token ${name} was created`, {
        token_name: name,
        scope: 'global',
      })
    : user(actor, 'token.destroy', `Token ${name} was deleted`, { token_name: name });
}

function userEvent(random: Random, person: Person, people: readonly Person[]): Draft {
  const actor = personAt(random, person);
  const other = random.pick(people);
  switch (random.int(0, 3)) {
    case 0:
      return user(actor, 'invitation.sent', `Invitation sent to ${other.email}`, {
        email: other.email,
      });
    case 1:
      return user(actor, 'user.update', `User ${other.email} was updated`, { role: 'engineer' });
    case 2:
      return user(actor, 'user.password_update', `Password updated for ${person.email}`, {});
    default:
      return user(actor, 'invitation.accept', `${person.email} accepted an invitation`, {});
  }
}

function serviceEvent(random: Random, account: Account, actor: Actor): Draft {
  const service = random.pick(account.services);
  return random.chance(0.5)
    ? {
        ...user(actor, 'service.purge_all', `All objects of ${service.name} were purged`, {}),
        serviceId: service.id,
      }
    : {
        ...user(actor, 'service.update', `Service ${service.name} was updated`, {
          name: service.name,
        }),
        serviceId: service.id,
      };
}

/** Events without a person: billing and certificate mail. */
function systemEvent(random: Random, account: Account): Draft {
  const none = { userId: null, tokenId: null, ip: null, admin: false, serviceId: null } as const;
  switch (random.int(0, 2)) {
    case 0:
      return {
        ...none,
        eventType: 'invoice.payment',
        description: `Invoice ${random.int(100000, 999999)} was paid`,
        metadata: { amount_cents: random.int(5000, 900000), currency: 'USD' },
      };
    case 1: {
      const domain = random.pick(DOMAINS);
      return {
        ...none,
        eventType: 'tls.certificate.expiration_email',
        description: `Certificate expiration email sent for ${domain}`,
        metadata: { domain },
      };
    }
    default: {
      const service = random.pick(account.services);
      return {
        ...none,
        eventType: 'tls.subscription.dns_check_email',
        description: `DNS check email sent for ${service.name}`,
        metadata: {},
      };
    }
  }
}

/** Fastly's own staff acting on the account. */
function staffEvent(random: Random, account: Account): Draft {
  const feature = random.pick(['image_optimizer', 'websockets', 'http3']);
  return {
    eventType: random.pick(['customer_feature.create', 'customer_feature.delete']),
    description: `Feature ${feature} was changed by Fastly support`,
    metadata: { feature },
    serviceId: null,
    userId: account.staffUserId,
    tokenId: null,
    ip: null,
    admin: true,
  };
}

function user(
  actor: Actor,
  eventType: string,
  description: string,
  metadata: Draft['metadata'],
): Draft {
  return {
    eventType,
    description,
    metadata,
    serviceId: null,
    userId: actor.userId,
    tokenId: actor.tokenId,
    ip: actor.ip,
    admin: false,
  };
}

function toRecord(
  random: Random,
  account: Account,
  createdAt: string,
  draft: Draft,
): FastlyRecordWire {
  // Key order of the go-fastly recording; account-level events carry null ids (UNCONFIRMED.md).
  return {
    id: random.string(22),
    type: 'event',
    attributes: {
      customer_id: account.customerId,
      description: draft.description,
      event_type: draft.eventType,
      ip: draft.ip,
      metadata: { ...draft.metadata },
      service_id: draft.serviceId,
      user_id: draft.userId,
      token_id: draft.tokenId,
      created_at: createdAt,
      admin: draft.admin,
    },
  };
}
