import type {
  Actor,
  ActorType,
  AuditCategory,
  AuditEvent,
  AuditOutcome,
  Json,
  RequestInfo,
  SourceRef,
} from '../../model/AuditEvent';
import { COMMON_VERB_CATEGORIES, toCategoryOfVerb } from '../shared/toCategoryOfVerb';
import type { NirvanaAuditLogWire } from './NirvanaAuditLogWire';
import { parseRfc3339 } from './parseRfc3339';

/**
 * Nirvana actions are `<resource>.<past-tense verb>` (`vm.created`, `volume.attached`); the verb
 * decides the category. Attaching, restarting and the like change an existing resource: UPDATE.
 */
const CATEGORY_BY_VERB: Readonly<Record<string, AuditCategory>> = {
  ...COMMON_VERB_CATEGORIES,
  invited: 'CREATE',
  resized: 'UPDATE',
  attached: 'UPDATE',
  detached: 'UPDATE',
  restarted: 'UPDATE',
  rebooted: 'UPDATE',
  started: 'UPDATE',
  stopped: 'UPDATE',
  assigned: 'UPDATE',
  unassigned: 'UPDATE',
  destroyed: 'DELETE',
  listed: 'READ',
  read: 'READ',
  login: 'AUTH',
  logout: 'AUTH',
  logged_in: 'AUTH',
  logged_out: 'AUTH',
  signed_in: 'AUTH',
  signed_out: 'AUTH',
  authenticated: 'AUTH',
};

export function toNirvanaCategory(action: string): AuditCategory {
  const verb = action.slice(action.lastIndexOf('.') + 1).toLowerCase();
  return toCategoryOfVerb(CATEGORY_BY_VERB, verb);
}

function toActorType(type: string): ActorType | null {
  switch (type) {
    case 'user':
      return 'USER';
    case 'api_key':
      return 'API_KEY';
    default:
      return null;
  }
}

/** The HTTP status the API answered the audited request with; none stated means we cannot tell. */
function toOutcome(statusCode: number | null | undefined): AuditOutcome {
  if (statusCode === null || statusCode === undefined) return 'UNKNOWN';
  return statusCode < 400 ? 'SUCCESS' : 'FAILURE';
}

/**
 * A Nirvana Labs audit-log entry as an AuditEvent (design.md §2). Nirvana states no description,
 * no changes and no email, so those are null. Throws when `created_at` is not RFC 3339: an event
 * without a time cannot be placed in the feed.
 */
export function toNirvanaAuditEvent(record: NirvanaAuditLogWire, source: SourceRef): AuditEvent {
  const occurredAtMs = parseRfc3339(record.created_at);
  if (occurredAtMs === null) {
    throw new Error(`audit log ${record.id} has a created_at that is not RFC 3339`);
  }
  const clientIp = record.client_ip ?? null;
  const actor: Actor | null =
    record.actor === null || record.actor === undefined
      ? null
      : {
          id: record.actor.id,
          type: toActorType(record.actor.type),
          name: record.actor.name ?? null,
          email: null,
          token: null,
          ip: clientIp,
        };
  const request: RequestInfo = {
    ip: clientIp,
    method: record.method ?? null,
    path: record.path ?? null,
    statusCode: record.status_code ?? null,
    userAgent: record.user_agent ?? null,
    rayId: null,
  };
  const hasRequest = Object.values(request).some((value) => value !== null);
  const target = record.target ?? null;
  return {
    sourceId: source.id,
    kind: source.kind,
    provider: 'NIRVANA',
    nativeId: record.id,
    occurredAtMs,
    action: record.action,
    category: toNirvanaCategory(record.action),
    outcome: toOutcome(record.status_code),
    description: null,
    actor,
    resource:
      target === null ? null : { id: target.id, type: target.type, name: null, product: null },
    request: hasRequest ? request : null,
    changes: null,
    metadata: null,
    raw: record satisfies Json,
  };
}
