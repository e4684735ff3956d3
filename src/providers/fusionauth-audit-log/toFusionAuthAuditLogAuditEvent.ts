import type {
  Actor,
  AuditCategory,
  AuditEvent,
  Changes,
  Json,
  Resource,
  SourceRef,
} from '../../model/AuditEvent';
import { COMMON_VERB_CATEGORIES, toCategoryOfVerb } from '../shared/toCategoryOfVerb';
import type { AuditLogWire } from './AuditLogWire';
import { toFusionAuthEventIdentity } from '../fusionauth-shared/toFusionAuthEventIdentity';

/*
 * A FusionAuth Audit Log entry as an AuditEvent (design.md §2).
 *
 * FusionAuth has no action field: an entry is a free-text `message` written by the admin UI
 * ("Updated the application with Id [3c21…] and name [Pied Piper]") or by whoever calls
 * `POST /api/system/audit-log`. Choices, so that nothing is invented:
 * - `action` is the message's leading text, before its first bracketed value, without the
 *   connecting words that introduce that value ("Updated the application"). It drops the ids and
 *   names, so one kind of change has one action; a message without brackets is its own action
 *   ("Rotated signing key").
 * - `category` follows the action's first word (Created → CREATE, Updated → UPDATE, …), else OTHER.
 * - `outcome` is UNKNOWN: an audit entry records a change made, never whether it failed.
 * - `actor` is `insertUser`: an email when it looks like one, else a name; FusionAuth gives no id.
 * - `resource` comes from "the <noun> with Id [<id>] (and name [<name>])" when the message has it;
 *   the type is the noun in snake case ("API key" → `api_key`).
 * - `changes` are `oldValue`/`newValue`, top level first, else under `data`; a string holding a
 *   JSON object or array is parsed (FusionAuth often stores them so), any other value is kept.
 * - `metadata` holds `reason` (top level, else under `data`) and `tenantId`, each when present.
 */

const CATEGORY_BY_VERB: Readonly<Record<string, AuditCategory>> = {
  ...COMMON_VERB_CATEGORIES,
  registered: 'CREATE',
  duplicated: 'CREATE',
  regenerated: 'UPDATE',
  activated: 'UPDATE',
  deactivated: 'UPDATE',
  locked: 'UPDATE',
  unlocked: 'UPDATE',
  reset: 'UPDATE',
  reindexed: 'UPDATE',
  purged: 'DELETE',
  downloaded: 'READ',
  searched: 'READ',
  impersonated: 'AUTH',
  logged: 'AUTH',
  authenticated: 'AUTH',
};

/** Words that only introduce the bracketed value that follows them. */
const TRAILING_CONNECTORS = /(?:\s+(?:with|and|for|of|to|from|by|in|on|id|name|named|email))+$/i;

/** "the <noun> with Id [<id>] and name [<name>]"; the noun is the last "the …" before the id. */
const RESOURCE =
  /(?:\bthe\s+((?:(?!\bthe\s)[A-Za-z0-9 ])+?)\s+)?with\s+Id\s+\[([^\]]+)\](?:\s+and\s+name\s+\[([^\]]*)\])?/i;

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function toFusionAuthAuditLogAction(message: string): string {
  const bracket = message.indexOf('[');
  const head = (bracket < 0 ? message : message.slice(0, bracket))
    .trim()
    .replace(TRAILING_CONNECTORS, '')
    .replace(/[\s.:,;]+$/, '');
  return head === '' ? message.trim() : head;
}

export function toFusionAuthAuditLogCategory(action: string): AuditCategory {
  const verb = /^\S+/.exec(action)?.[0].toLowerCase() ?? '';
  return toCategoryOfVerb(CATEGORY_BY_VERB, verb);
}

export function toFusionAuthAuditLogResource(message: string): Resource | null {
  const match = RESOURCE.exec(message);
  if (match === null) return null;
  const [, noun, id, name] = match;
  return {
    id: id ?? null,
    type: noun === undefined ? null : noun.trim().toLowerCase().replace(/\s+/g, '_'),
    name: name ?? null,
    product: null,
  };
}

function toActor(insertUser: string | null | undefined): Actor | null {
  if (insertUser === null || insertUser === undefined || insertUser.trim() === '') return null;
  const isEmail = EMAIL.test(insertUser);
  return {
    id: null,
    type: 'USER',
    name: isEmail ? null : insertUser,
    email: isEmail ? insertUser : null,
    token: null,
    ip: null,
  };
}

type PlacedField = 'newValue' | 'oldValue' | 'reason';

/** A field from the top level, else from `data`; undefined when neither holds a value. */
function readPlaced(record: AuditLogWire, field: PlacedField): Json | undefined {
  const top = record[field];
  if (top !== undefined && top !== null) return top;
  const nested = record.data?.[field];
  return nested === undefined || nested === null ? undefined : nested;
}

function parseJsonText(value: Json): Json {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return value;
  try {
    // JSON.parse yields JSON values only.
    return JSON.parse(text) as Json;
  } catch {
    return value;
  }
}

function toChanges(record: AuditLogWire): Changes | null {
  const before = readPlaced(record, 'oldValue');
  const after = readPlaced(record, 'newValue');
  if (before === undefined && after === undefined) return null;
  return {
    before: before === undefined ? null : parseJsonText(before),
    after: after === undefined ? null : parseJsonText(after),
  };
}

function toMetadata(record: AuditLogWire): Json {
  const reason = readPlaced(record, 'reason');
  const tenantId = record.tenantId ?? undefined;
  if (reason === undefined && tenantId === undefined) return null;
  return {
    ...(reason === undefined ? {} : { reason }),
    ...(tenantId === undefined ? {} : { tenantId }),
  };
}

export function toFusionAuthAuditLogAuditEvent(
  record: AuditLogWire,
  source: SourceRef,
): AuditEvent {
  const action = toFusionAuthAuditLogAction(record.message);
  return {
    ...toFusionAuthEventIdentity(record, source),
    action,
    category: toFusionAuthAuditLogCategory(action),
    outcome: 'UNKNOWN',
    description: record.message,
    actor: toActor(record.insertUser),
    resource: toFusionAuthAuditLogResource(record.message),
    request: null,
    changes: toChanges(record),
    metadata: toMetadata(record),
    raw: record satisfies Json,
  };
}
