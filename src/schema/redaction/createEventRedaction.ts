import { createHmac, hkdfSync } from 'node:crypto';
import { hasPersonalData, redactPersonalText } from '../../feed/redactPersonalText';
import type {
  AccessToken,
  Actor,
  AuditEvent,
  Changes,
  Json,
  RequestInfo,
  Resource,
} from '../../model/AuditEvent';

/**
 * An AuditEvent as one client sees it, field by field: the GraphQL field resolvers read every
 * field through one of these, so an event looks the same whichever field returned it
 * (`auditEvents`, `auditEvent`, `node`, `_entities`).
 */
export interface EventView {
  readonly nativeId: (event: AuditEvent) => string;
  readonly action: (event: AuditEvent) => string;
  readonly description: (event: AuditEvent) => string | null;
  readonly actor: (event: AuditEvent) => Actor | null;
  readonly resource: (event: AuditEvent) => Resource | null;
  readonly request: (event: AuditEvent) => RequestInfo | null;
  readonly changes: (event: AuditEvent) => Changes | null;
  readonly metadata: (event: AuditEvent) => Json;
  readonly raw: (event: AuditEvent) => Json;
  /** The paths of the fields this view changed, in the order of the schema. */
  readonly redacted: (event: AuditEvent) => readonly string[];
  /**
   * Who acted, as one string (the ACTOR key of auditEventCounts): the email (lower-cased), else
   * the id, else the name; redacted by the rule of this view; empty without an actor.
   */
  readonly actorKey: (event: AuditEvent) => string;
  /** An actor resolved by its entity key, which knows only its source. */
  readonly actorOf: (sourceId: string, actor: Actor) => Actor;
  /** A resource resolved by its entity key. */
  readonly resourceOf: (sourceId: string, resource: Resource) => Resource;
}

/** What a client with the pii permission sees: the event as auditgraph read it. */
export const UNREDACTED_VIEW: EventView = {
  nativeId: (event) => event.nativeId,
  action: (event) => event.action,
  description: (event) => event.description,
  actor: (event) => event.actor,
  resource: (event) => event.resource,
  request: (event) => event.request,
  changes: (event) => event.changes,
  metadata: (event) => event.metadata,
  raw: (event) => event.raw,
  redacted: () => [],
  actorKey: (event) =>
    event.actor === null
      ? ''
      : (event.actor.email?.toLowerCase() ?? event.actor.id ?? event.actor.name ?? ''),
  actorOf: (_sourceId, actor) => actor,
  resourceOf: (_sourceId, resource) => resource,
};

/** How a pseudonym reads: visibly redacted, and distinct for distinct values. */
const PSEUDONYM_PREFIX = '[redacted:';
const PSEUDONYM_BYTES = 12;

/**
 * What a client without the pii permission sees. One rule, for every string a provider sent:
 * email and IP addresses in it are not shown.
 *
 * - Text (action, description, names, types, the request's method, path and user agent, every
 *   string and key of metadata): each address reads `[redacted]`.
 * - Identifiers (the event's `nativeId`, actor and token ids, resource id, ray id): an id with an
 *   address in it is replaced whole by a pseudonym, `[redacted:…]`, an HMAC of the source and
 *   the value under a key derived from the server's secret. The same id reads the same in every
 *   event and for every client, and different ids differ, so a client can still group by it and
 *   tell resources apart, yet cannot learn the value (nor filter on it).
 * - The actor's email and IP address and the request's IP address are null; `changes` and `raw`
 *   are null, since they hold whatever the provider recorded.
 *
 * `redacted` lists exactly the fields that came out different; a field that was null to begin
 * with is absent, not redacted. The global id, entity keys and cursors are sealed
 * (model/createSealer.ts), so they show nothing to anyone.
 */
export function createEventRedaction(secret: string | Uint8Array): EventView {
  const key = Buffer.from(hkdfSync('sha256', secret, '', 'auditgraph pseudonyms v1', 32));

  const pseudonym = (sourceId: string, value: string): string =>
    `${PSEUDONYM_PREFIX}${createHmac('sha256', key)
      .update(`${sourceId}\u0000${value}`)
      .digest()
      .subarray(0, PSEUDONYM_BYTES)
      .toString('base64url')}]`;
  const identifier = (sourceId: string, value: string): string =>
    hasPersonalData(value) ? pseudonym(sourceId, value) : value;
  const nullableIdentifier = (sourceId: string, value: string | null) =>
    value === null ? null : identifier(sourceId, value);

  const actorOf = (sourceId: string, actor: Actor): Actor => ({
    id: nullableIdentifier(sourceId, actor.id),
    type: actor.type,
    name: redactNullableText(actor.name),
    email: null,
    token: actor.token === null ? null : redactToken(sourceId, actor.token),
    ip: null,
  });
  const redactToken = (sourceId: string, token: AccessToken): AccessToken => {
    const id = nullableIdentifier(sourceId, token.id);
    const name = redactNullableText(token.name);
    return id === token.id && name === token.name ? token : { id, name };
  };
  const resourceOf = (sourceId: string, resource: Resource): Resource => ({
    id: nullableIdentifier(sourceId, resource.id),
    type: redactNullableText(resource.type),
    name: redactNullableText(resource.name),
    product: redactNullableText(resource.product),
  });
  const requestOf = (sourceId: string, request: RequestInfo): RequestInfo => ({
    ip: null,
    method: redactNullableText(request.method),
    path: redactNullableText(request.path),
    statusCode: request.statusCode,
    userAgent: redactNullableText(request.userAgent),
    rayId: nullableIdentifier(sourceId, request.rayId),
  });

  const view: EventView = {
    nativeId: (event) => identifier(event.sourceId, event.nativeId),
    action: (event) => redactPersonalText(event.action),
    description: (event) => redactNullableText(event.description),
    actor: (event) => (event.actor === null ? null : actorOf(event.sourceId, event.actor)),
    resource: (event) =>
      event.resource === null ? null : resourceOf(event.sourceId, event.resource),
    request: (event) => (event.request === null ? null : requestOf(event.sourceId, event.request)),
    changes: () => null,
    metadata: (event) => redactJson(event.metadata),
    raw: () => null,
    redacted: (event) => {
      const paths: string[] = [];
      const note = (path: string, before: unknown, after: unknown) => {
        if (before !== after) paths.push(path);
      };
      note('nativeId', event.nativeId, view.nativeId(event));
      note('action', event.action, view.action(event));
      note('description', event.description, view.description(event));
      if (event.actor !== null) {
        const actor = actorOf(event.sourceId, event.actor);
        for (const field of ['id', 'name', 'email', 'ip'] as const) {
          note(`actor.${field}`, event.actor[field], actor[field]);
        }
        if (event.actor.token !== null && actor.token !== null) {
          note('actor.token.id', event.actor.token.id, actor.token.id);
          note('actor.token.name', event.actor.token.name, actor.token.name);
        }
      }
      if (event.resource !== null) {
        const resource = resourceOf(event.sourceId, event.resource);
        for (const field of ['id', 'type', 'name', 'product'] as const) {
          note(`resource.${field}`, event.resource[field], resource[field]);
        }
      }
      if (event.request !== null) {
        const request = requestOf(event.sourceId, event.request);
        for (const field of ['ip', 'method', 'path', 'userAgent', 'rayId'] as const) {
          note(`request.${field}`, event.request[field], request[field]);
        }
      }
      note('changes', event.changes, null);
      // redactJson returns its argument itself when it finds nothing to redact.
      note('metadata', event.metadata, view.metadata(event));
      note('raw', event.raw, null);
      return paths;
    },
    // An email becomes the pseudonym an id holding it would: the same for every event of the
    // source, and nothing of the address.
    actorKey: ({ sourceId, actor }) =>
      actor === null
        ? ''
        : actor.email !== null
          ? pseudonym(sourceId, actor.email)
          : actor.id !== null
            ? identifier(sourceId, actor.id)
            : redactPersonalText(actor.name ?? ''),
    actorOf,
    resourceOf,
  };
  return view;
}

function redactNullableText(text: string | null): string | null {
  return text === null ? null : redactPersonalText(text);
}

/**
 * Email and IP addresses in every string of a JSON value, keys included, read `[redacted]`. The
 * value itself comes back when nothing in it changed. Keys that become equal after redaction keep
 * the last value: nothing personal survives, which is the point.
 */
export function redactJson(value: Json): Json {
  if (typeof value === 'string') return redactPersonalText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = value as readonly Json[];
    const redacted = items.map(redactJson);
    return redacted.every((item, index) => item === items[index]) ? items : redacted;
  }
  const record = value as { readonly [key: string]: Json };
  let changed = false;
  const entries = Object.entries(record).map(([key, item]): [string, Json] => {
    const redactedKey = redactPersonalText(key);
    const redactedItem = redactJson(item);
    if (redactedKey !== key || redactedItem !== item) changed = true;
    return [redactedKey, redactedItem];
  });
  return changed ? Object.fromEntries(entries) : record;
}
