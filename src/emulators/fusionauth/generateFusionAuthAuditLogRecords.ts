import type { Json } from '../../model/AuditEvent';
import type { AuditLogWire } from '../../providers/fusionauth-audit-log/AuditLogWire';
import type { Random } from '../dataset/createRandom';
import type { Person } from '../dataset/people';
import { generateFusionAuthInstants } from './generateFusionAuthInstants';

interface Entity {
  readonly id: string;
  readonly name: string;
  readonly settings: { readonly [key: string]: Json };
}

type Noun =
  | 'application'
  | 'group'
  | 'tenant'
  | 'identity provider'
  | 'email template'
  | 'lambda'
  | 'webhook'
  | 'theme';

/** The ways the admin UI or an API caller says who changed something and why. */
const API_KEY_REASONS = [
  'Terraform provider (infra repo)',
  'CI deploy key',
  'SCIM provisioning sync',
];
const UI_REASON = 'FusionAuth User Interface';

interface Change {
  readonly message: string;
  readonly oldValue?: Json;
  readonly newValue?: Json;
  /** System-wide changes belong to no tenant. */
  readonly global?: boolean;
}

/**
 * FusionAuth Audit Log entries as the API returns them. The admin UI writes "<Verb> the <noun>
 * with Id [<id>] and name [<name>]" with the old and new values; API callers write their own
 * lines. Both placements of `newValue`/`oldValue`/`reason` that FusionAuth's documents show occur
 * (top level, and under `data`), values are JSON strings or objects, some entries carry no change
 * at all, and most carry the tenant they belong to. `insertUser` is mostly an email, sometimes a
 * display name. Ids increase with time; `insertInstant` is in epoch milliseconds with bursts.
 */
export function generateFusionAuthAuditLogRecords(
  random: Random,
  people: readonly Person[],
  window: { readonly fromMs: number; readonly toMs: number },
  count: number,
  firstId = 1,
): AuditLogWire[] {
  const setupRandom = random.fork('fusionauth-audit-setup');
  const tenants = [
    { id: setupRandom.uuid(), name: 'Default' },
    { id: setupRandom.uuid(), name: 'Customers' },
  ];
  const entities = createEntities(setupRandom, tenants);
  // A bulk save in the admin UI writes several entries within one millisecond.
  const times = generateFusionAuthInstants(random, {
    window,
    count,
    maxBurst: 15,
    shareChance: 0.2,
  });

  const records: AuditLogWire[] = [];
  let burst: { second: number; person: Person; reason: string | null } | null = null;
  for (let index = 0; index < times.length; index += 1) {
    const insertInstant = times[index] as number;
    const second = Math.floor(insertInstant / 1000);
    // One burst is one person's bulk change, through one channel.
    if (burst === null || burst.second !== second) {
      burst = {
        second,
        person: random.pick(people),
        reason: random.chance(0.15)
          ? null
          : random.chance(0.7)
            ? UI_REASON
            : random.pick(API_KEY_REASONS),
      };
    }
    const change = createChange(random, entities, people);
    const asText = random.chance(0.5);
    const encode = (value: Json): Json => (asText ? JSON.stringify(value) : value);
    const placed: { [key: string]: Json } = {
      ...(change.oldValue === undefined ? {} : { oldValue: encode(change.oldValue) }),
      ...(change.newValue === undefined ? {} : { newValue: encode(change.newValue) }),
      ...(burst.reason === null ? {} : { reason: burst.reason }),
    };
    const underData = random.chance(0.45) && Object.keys(placed).length > 0;
    records.push({
      id: firstId + index,
      insertInstant,
      insertUser: random.chance(0.85) ? burst.person.email : burst.person.name,
      message: change.message,
      ...(underData
        ? { data: random.chance(0.2) ? { ...placed, source: 'admin-ui' } : placed }
        : placed),
      ...(change.global === true ? {} : { tenantId: random.pick(tenants).id }),
    });
  }
  return records;
}

function createEntities(
  random: Random,
  tenants: readonly { readonly id: string; readonly name: string }[],
): Record<Noun, Entity[]> {
  const make = (name: string, settings: Entity['settings']): Entity => ({
    id: random.uuid(),
    name,
    settings,
  });
  const application = (name: string, requireRegistration: boolean, timeToLiveInSeconds: number) =>
    make(name, {
      oauthConfiguration: { requireRegistration },
      jwtConfiguration: { timeToLiveInSeconds },
    });
  return {
    application: [
      application('Pied Piper Web', true, 3600),
      application('Admin Portal', true, 900),
      application('Mobile App', false, 86400),
      application('Support Desk', true, 3600),
    ],
    group: [
      make('Admins', { roles: ['admin'] }),
      make('Billing', { roles: ['billing'] }),
      make('Support', { roles: ['support', 'viewer'] }),
    ],
    tenant: tenants.map((tenant) => ({
      id: tenant.id,
      name: tenant.name,
      settings: {
        passwordValidationRules: { minLength: 12 },
        failedAuthenticationConfiguration: { tooManyAttempts: 5 },
      },
    })),
    'identity provider': [
      make('Okta Workforce', { enabled: true, debug: false }),
      make('Google Workspace', { enabled: true, debug: true }),
    ],
    'email template': [
      make('Forgot Password', { defaultSubject: 'Reset your password' }),
      make('Email Verification', { defaultSubject: 'Verify your email' }),
    ],
    lambda: [make('Populate JWT claims', { debug: false, enabled: true })],
    webhook: [make('CRM sync', { connectTimeout: 1000, readTimeout: 2000 })],
    theme: [make('Pied Piper', { defaultMessages: 'en' })],
  };
}

function tweak(random: Random, settings: Entity['settings']): { before: Json; after: Json } {
  const keys = Object.keys(settings);
  const key = random.pick(keys);
  const value = settings[key] as Json;
  const after: Json =
    typeof value === 'boolean'
      ? !value
      : typeof value === 'number'
        ? value * 2
        : Array.isArray(value)
          ? [...(value as readonly Json[]), 'auditor']
          : typeof value === 'object' && value !== null
            ? Object.fromEntries(
                Object.entries(value).map(([k, v]) => [
                  k,
                  typeof v === 'number' ? v + 60 : typeof v === 'boolean' ? !v : v,
                ]),
              )
            : `${String(value)} (updated)`;
  return { before: { [key]: value }, after: { [key]: after } };
}

function createChange(
  random: Random,
  entities: Record<Noun, Entity[]>,
  people: readonly Person[],
): Change {
  const roll = random.next();
  if (roll < 0.45) {
    const noun = random.pick(Object.keys(entities) as Noun[]);
    const entity = random.pick(entities[noun]);
    const { before, after } = tweak(random, entity.settings);
    const withValues = random.chance(0.9);
    return {
      message: `Updated the ${noun} with Id [${entity.id}] and name [${entity.name}]`,
      ...(withValues ? { oldValue: before, newValue: after } : {}),
    };
  }
  if (roll < 0.6) {
    const person = random.pick(people);
    return {
      message: `Created the user with Id [${person.fusionAuthUserId}] and name [${person.email}]`,
      newValue: { email: person.email, fullName: person.name, active: true },
    };
  }
  if (roll < 0.68) {
    const person = random.pick(people);
    return {
      message: `Updated the user with Id [${person.fusionAuthUserId}] and name [${person.email}]`,
      oldValue: { active: true },
      newValue: { active: false },
    };
  }
  if (roll < 0.76) {
    const noun = random.pick(['group', 'webhook', 'email template'] as const);
    const entity = random.pick(entities[noun]);
    return {
      message: `Deleted the ${noun} with Id [${entity.id}] and name [${entity.name}]`,
      ...(random.chance(0.7) ? { oldValue: { name: entity.name, ...entity.settings } } : {}),
    };
  }
  if (roll < 0.82) {
    return {
      message: `Created the API key with Id [${random.uuid()}]`,
      ...(random.chance(0.5) ? { newValue: { description: random.pick(API_KEY_REASONS) } } : {}),
    };
  }
  if (roll < 0.88) return { message: 'Rotated signing key' };
  if (roll < 0.93) {
    return {
      message: 'Updated the system configuration',
      oldValue: { auditLogConfiguration: { delete: { enabled: false } } },
      newValue: { auditLogConfiguration: { delete: { enabled: true, numberOfDaysToRetain: 365 } } },
      global: true,
    };
  }
  if (roll < 0.97) {
    const person = random.pick(people);
    return {
      message: `Deleted the user with Id [${person.fusionAuthUserId}] and name [${person.email}]`,
    };
  }
  const person = random.pick(people);
  return { message: `Reset the password of the user with Id [${person.fusionAuthUserId}]` };
}
