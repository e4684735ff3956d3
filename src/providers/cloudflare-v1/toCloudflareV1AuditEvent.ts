import type {
  Actor,
  ActorType,
  AuditEvent,
  AuditOutcome,
  Changes,
  Json,
  SourceRef,
} from '../../model/AuditEvent';
import { present } from '../shared/present';
import { toCloudflareCategory } from '../cloudflare-shared/toCloudflareCategory';
import { toCloudflareOccurredAtMs } from '../cloudflare-shared/toCloudflareOccurredAtMs';
import type { CloudflareV1RecordWire } from './cloudflareV1Wire';

/**
 * One Cloudflare v1 audit log as an AuditEvent (design.md §2). v1 states who acted and from where,
 * the resource by id and type, whether the action succeeded, and often old and new values as
 * strings; it has no description and no request details beyond the address.
 */
export function toCloudflareV1AuditEvent(
  record: CloudflareV1RecordWire,
  source: SourceRef,
): AuditEvent {
  const ip = present(record.actor?.ip);
  const resourceId = present(record.resource?.id);
  const resourceType = present(record.resource?.type);
  return {
    sourceId: source.id,
    kind: source.kind,
    provider: 'CLOUDFLARE',
    nativeId: record.id,
    occurredAtMs: toCloudflareOccurredAtMs(record.when, source),
    action: record.action.type,
    category: toCloudflareCategory(record.action.type),
    outcome: toOutcome(record.action.result),
    description: null,
    actor: toActor(record.actor, ip),
    resource:
      resourceId === null && resourceType === null
        ? null
        : { id: resourceId, type: resourceType, name: null, product: null },
    request:
      ip === null
        ? null
        : { ip, method: null, path: null, statusCode: null, userAgent: null, rayId: null },
    changes: toChanges(record.oldValue, record.newValue),
    metadata: record.metadata ?? null,
    // The record was parsed from JSON, so it is JSON.
    raw: record as unknown as Json,
  };
}

const ACTOR_TYPES: Readonly<Record<string, ActorType>> = {
  user: 'USER',
  admin: 'PROVIDER_ADMIN',
  Cloudflare: 'SYSTEM',
};

function toActor(actor: CloudflareV1RecordWire['actor'], ip: string | null): Actor | null {
  if (actor === undefined || actor === null) return null;
  const id = present(actor.id);
  const email = present(actor.email);
  const typeName = present(actor.type);
  const type =
    typeName !== null && Object.hasOwn(ACTOR_TYPES, typeName)
      ? (ACTOR_TYPES[typeName] as ActorType)
      : null;
  if (id === null && email === null && ip === null && type === null) return null;
  return { id, type, name: null, email, token: null, ip };
}

function toOutcome(result: boolean | null | undefined): AuditOutcome {
  if (result === true) return 'SUCCESS';
  if (result === false) return 'FAILURE';
  return 'UNKNOWN';
}

/** `oldValue`/`newValue` are strings, often JSON text: parsed when they parse, else kept. */
function toChanges(oldValue: Json | undefined, newValue: Json | undefined): Changes | null {
  const before = oldValue ?? null;
  const after = newValue ?? null;
  if (before === null && after === null) return null;
  return { before: parseJsonText(before), after: parseJsonText(after) };
}

/** What JSON text can start with, after white space: a failed JSON.parse costs an exception. */
const JSON_TEXT_START = /^[\s]*[{["\-0-9tfn]/;

function parseJsonText(value: Json): Json {
  if (typeof value !== 'string' || !JSON_TEXT_START.test(value)) return value;
  try {
    return JSON.parse(value) as Json;
  } catch {
    return value;
  }
}
