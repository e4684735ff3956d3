import { redactPersonalText } from '../../feed/redactPersonalText';
import type {
  Actor,
  AuditEvent,
  Changes,
  Json,
  RequestInfo,
  Resource,
} from '../../model/AuditEvent';

/**
 * How each field of an AuditEvent that can hold personal data looks to a client without the pii
 * permission. The GraphQL field resolvers of AuditEvent use these, so an event is redacted the
 * same way whichever field returned it (`auditEvents`, `auditEvent`, `node`, `_entities`), and
 * `redactedPaths` derives its list from the very same functions, so it cannot disagree with them.
 *
 * - actor: `email` and `ip` are null; `id` and `name` are null when they are the email
 *   (FusionAuth records the user's email as the actor) or, for `id`, hold an email or IP address;
 *   a `name` that holds one otherwise has it replaced by `[redacted]`.
 * - request: `ip` is null; email and IP addresses in `path` read `[redacted]`.
 * - resource: email and IP addresses in `name` read `[redacted]` (FusionAuth names a user by email).
 * - description and metadata (its string values and keys): email and IP addresses read
 *   `[redacted]`.
 * - changes and raw: null, since they hold whatever the provider recorded.
 */
export const redactField = {
  description: (event: AuditEvent): string | null => redactNullableText(event.description),
  actor: (event: AuditEvent): Actor | null =>
    event.actor === null ? null : redactActor(event.actor),
  resource: (event: AuditEvent): Resource | null =>
    event.resource === null ? null : redactResource(event.resource),
  request: (event: AuditEvent): RequestInfo | null =>
    event.request === null
      ? null
      : { ...withText(event.request, 'path', redactNullableText(event.request.path)), ip: null },
  changes: (): Changes | null => null,
  metadata: (event: AuditEvent): Json => redactJson(event.metadata),
  raw: (): Json => null,
} as const;

/**
 * The paths of the fields `redactField` changed for this event, in the order of the schema:
 * empty when the event holds no personal data. A field that was null to begin with is absent, not
 * redacted, and is not listed.
 */
export function redactedPaths(event: AuditEvent): string[] {
  const paths: string[] = [];
  if (redactField.description(event) !== event.description) paths.push('description');
  const actor = redactField.actor(event);
  if (event.actor !== null && actor !== null) {
    for (const key of ['id', 'name', 'email', 'ip'] as const) {
      if (actor[key] !== event.actor[key]) paths.push(`actor.${key}`);
    }
  }
  if (event.resource !== null && redactField.resource(event)?.name !== event.resource.name) {
    paths.push('resource.name');
  }
  const request = redactField.request(event);
  if (event.request !== null && request !== null) {
    for (const key of ['ip', 'path'] as const) {
      if (request[key] !== event.request[key]) paths.push(`request.${key}`);
    }
  }
  if (event.changes !== null) paths.push('changes');
  // redactJson returns its argument itself when it finds nothing to redact.
  if (redactField.metadata(event) !== event.metadata) paths.push('metadata');
  if (event.raw !== null) paths.push('raw');
  return paths;
}

/** An actor as a client without the pii permission sees it (also when resolved by its key). */
export function redactActor(actor: Actor): Actor {
  const email = actor.email?.toLowerCase() ?? null;
  const isEmail = (value: string | null) => value !== null && value.toLowerCase() === email;
  const name = isEmail(actor.name) ? null : redactNullableText(actor.name);
  // An id with an email or address in it is no id once part of it is hidden.
  const id =
    isEmail(actor.id) || (actor.id !== null && redactPersonalText(actor.id) !== actor.id)
      ? null
      : actor.id;
  return { ...actor, id, name, email: null, ip: null };
}

/** A resource as a client without the pii permission sees it (also when resolved by its key). */
export function redactResource(resource: Resource): Resource {
  return withText(resource, 'name', redactNullableText(resource.name));
}

function redactNullableText(text: string | null): string | null {
  return text === null ? null : redactPersonalText(text);
}

/** The object itself when the field is unchanged, else a copy with the new value. */
function withText<T extends object, K extends keyof T>(object: T, key: K, value: T[K]): T {
  return object[key] === value ? object : { ...object, [key]: value };
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
