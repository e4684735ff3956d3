import type {
  Actor,
  ActorType,
  AuditEvent,
  AuditOutcome,
  Json,
  RequestInfo,
  Resource,
  SourceRef,
} from '../../model/AuditEvent';
import { present } from '../shared/present';
import { toCloudflareCategory } from '../cloudflare-shared/toCloudflareCategory';
import { toCloudflareOccurredAtMs } from '../cloudflare-shared/toCloudflareOccurredAtMs';
import type { CloudflareV2RecordWire } from './cloudflareV2Wire';

/**
 * One Cloudflare v2 audit log as an AuditEvent (design.md §2). v2 states the most of any kind:
 * who (with the token used), the HTTP request behind the change, the resource with its product,
 * the account and zone, and whether the action succeeded. It has no before/after values.
 */
export function toCloudflareV2AuditEvent(
  record: CloudflareV2RecordWire,
  source: SourceRef,
): AuditEvent {
  const ip = present(record.actor?.ip_address);
  return {
    sourceId: source.id,
    kind: source.kind,
    provider: 'CLOUDFLARE',
    nativeId: record.id,
    occurredAtMs: toCloudflareOccurredAtMs(record.action.time, source),
    action: record.action.type,
    category: toCloudflareCategory(record.action.type),
    outcome: toOutcome(record.action.result),
    description: present(record.action.description),
    actor: toActor(record.actor, ip),
    resource: toResource(record.resource),
    request: toRequest(record.raw, ip),
    changes: null,
    metadata: toMetadata(record),
    // The record was parsed from JSON, so it is JSON.
    raw: record as unknown as Json,
  };
}

/** `actor.type` as an ActorType; the pushdown of `actorTypes` sends this table's inverse. */
export const CLOUDFLARE_V2_ACTOR_TYPES: Readonly<Record<string, ActorType>> = {
  user: 'USER',
  account: 'ACCOUNT',
  cloudflare_admin: 'PROVIDER_ADMIN',
  system: 'SYSTEM',
};

function toActor(actor: CloudflareV2RecordWire['actor'], ip: string | null): Actor | null {
  if (actor === undefined || actor === null) return null;
  const id = present(actor.id);
  const email = present(actor.email);
  const tokenId = present(actor.token_id);
  const tokenName = present(actor.token_name);
  const typeName = present(actor.type);
  const type =
    typeName !== null && Object.hasOwn(CLOUDFLARE_V2_ACTOR_TYPES, typeName)
      ? (CLOUDFLARE_V2_ACTOR_TYPES[typeName] as ActorType)
      : null;
  const token = tokenId === null && tokenName === null ? null : { id: tokenId, name: tokenName };
  if (id === null && email === null && ip === null && type === null && token === null) return null;
  return { id, type, name: null, email, token, ip };
}

/** `action.result` as an outcome; the pushdown of `outcome` sends this table's inverse. */
export const CLOUDFLARE_V2_RESULTS: Readonly<Record<string, AuditOutcome>> = {
  success: 'SUCCESS',
  failure: 'FAILURE',
};

function toOutcome(result: string | null | undefined): AuditOutcome {
  return typeof result === 'string' && Object.hasOwn(CLOUDFLARE_V2_RESULTS, result)
    ? (CLOUDFLARE_V2_RESULTS[result] as AuditOutcome)
    : 'UNKNOWN';
}

function toResource(resource: CloudflareV2RecordWire['resource']): Resource | null {
  const id = present(resource?.id);
  const type = present(resource?.type);
  const product = present(resource?.product);
  if (id === null && type === null && product === null) return null;
  return { id, type, name: null, product };
}

function toRequest(raw: CloudflareV2RecordWire['raw'], ip: string | null): RequestInfo | null {
  const request: RequestInfo = {
    ip,
    method: present(raw?.method),
    path: present(raw?.uri),
    statusCode: raw?.status_code ?? null,
    userAgent: present(raw?.user_agent),
    rayId: present(raw?.cf_ray_id),
  };
  return Object.values(request).every((value) => value === null) ? null : request;
}

/** The record's account and zone: where the action happened, beside the resource it touched. */
function toMetadata(record: CloudflareV2RecordWire): Json {
  const metadata: Record<string, Json> = {};
  if (record.account !== undefined && record.account !== null) {
    metadata['account'] = { id: record.account.id ?? null, name: record.account.name ?? null };
  }
  if (record.zone !== undefined && record.zone !== null) {
    metadata['zone'] = { id: record.zone.id ?? null, name: record.zone.name ?? null };
  }
  return Object.keys(metadata).length === 0 ? null : metadata;
}
