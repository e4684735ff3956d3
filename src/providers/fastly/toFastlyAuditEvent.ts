import type {
  Actor,
  ActorType,
  AuditCategory,
  AuditEvent,
  AuditOutcome,
  Json,
  SourceRef,
} from '../../model/AuditEvent';
import { parseIsoTimestampMs } from '../shared/parseIsoTimestampMs';
import { present } from '../shared/present';
import { sourceBadResponse } from '../shared/sourceBadResponse';
import type { FastlyRecordWire } from './fastlyWire';

/**
 * One Fastly event as an AuditEvent (design.md §2). Fastly states who (a user, their token, or
 * Fastly itself), where from, and on which service; it states no outcome except in the names of
 * its failure events, and no before/after values.
 */
export function toFastlyAuditEvent(record: FastlyRecordWire, source: SourceRef): AuditEvent {
  const attributes = record.attributes;
  const ip = firstAddress(attributes.ip);
  const serviceId = present(attributes.service_id);
  return {
    sourceId: source.id,
    kind: source.kind,
    provider: 'FASTLY',
    nativeId: record.id,
    occurredAtMs: toFastlyOccurredAtMs(attributes.created_at, source),
    action: attributes.event_type,
    category: toFastlyCategory(attributes.event_type),
    outcome: toFastlyOutcome(attributes.event_type),
    description: present(attributes.description),
    actor: toActor(record, ip),
    resource:
      serviceId === null ? null : { id: serviceId, type: 'service', name: null, product: null },
    request:
      ip === null
        ? null
        : { ip, method: null, path: null, statusCode: null, userAgent: null, rayId: null },
    changes: null,
    metadata: attributes.metadata ?? null,
    // The record was parsed from JSON, so it is JSON.
    raw: record as unknown as Json,
  };
}

function toActor(record: FastlyRecordWire, ip: string | null): Actor | null {
  const { admin, user_id, token_id } = record.attributes;
  const userId = present(user_id);
  const tokenId = present(token_id);
  // `admin`: "Indicates if event was performed by Fastly" — Fastly staff, whoever the user id is.
  const type: ActorType | null =
    admin === true ? 'PROVIDER_ADMIN' : userId !== null ? 'USER' : null;
  if (type === null && tokenId === null && ip === null) return null;
  return {
    id: userId,
    type,
    name: null,
    email: null,
    token: tokenId === null ? null : { id: tokenId, name: null },
    ip,
  };
}

const AUTH_EVENTS: ReadonlySet<string> = new Set([
  'user.login',
  'user.login_failure',
  'user.logout',
  'two_factor_auth.enable',
  'two_factor_auth.disable',
]);

/** By the verb that ends the event type (`version.activate` → `activate`). */
const CATEGORY_BY_VERB: Readonly<Record<string, AuditCategory>> = {
  create: 'CREATE',
  clone: 'CREATE',
  copy: 'CREATE',
  copy_destination: 'CREATE',
  delete: 'DELETE',
  destroy: 'DELETE',
  update: 'UPDATE',
  upsert: 'UPDATE',
  activate: 'UPDATE',
  deactivate: 'UPDATE',
  enable: 'UPDATE',
  disable: 'UPDATE',
  lock: 'UPDATE',
  unlock: 'UPDATE',
  move: 'UPDATE',
  move_source: 'UPDATE',
  move_destination: 'UPDATE',
  password_update: 'UPDATE',
  contact_update: 'UPDATE',
  configuration_set_update: 'UPDATE',
  pricing: 'UPDATE',
  deploy: 'UPDATE',
  deploy_failure: 'UPDATE',
  verify: 'UPDATE',
};

export function toFastlyCategory(eventType: string): AuditCategory {
  if (AUTH_EVENTS.has(eventType)) return 'AUTH';
  const verb = eventType.slice(eventType.lastIndexOf('.') + 1);
  return Object.hasOwn(CATEGORY_BY_VERB, verb)
    ? (CATEGORY_BY_VERB[verb] as AuditCategory)
    : 'OTHER';
}

/** Fastly records what happened; only its failure events (`user.login_failure`…) say it failed. */
export function toFastlyOutcome(eventType: string): AuditOutcome {
  const verb = eventType.slice(eventType.lastIndexOf('.') + 1);
  return /(^|_)(failure|failed)(_|$)/.test(verb) ? 'FAILURE' : 'UNKNOWN';
}

/** The time of an event, as the feed places it. */
export function toFastlyOccurredAtMs(createdAt: string, source: SourceRef): number {
  const ms = parseIsoTimestampMs(createdAt);
  if (ms === null) {
    throw sourceBadResponse(
      source.id,
      'sent an event whose created_at is not an ISO 8601 timestamp',
    );
  }
  return ms;
}

/**
 * The client's address: real `ip` values can be a comma-separated list (`"73.93.140.51,
 * 73.93.140.51"`), whose first entry is the client as in X-Forwarded-For.
 */
function firstAddress(ip: string | null | undefined): string | null {
  return present(ip?.split(',')[0]?.trim());
}
