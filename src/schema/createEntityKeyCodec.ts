import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import type { Actor, ActorType, Resource } from '../model/AuditEvent';

/**
 * The keys of the Actor and Resource entities. An actor's identity in a source can be its email
 * (FusionAuth records users by email, Cloudflare sometimes uses it as the id), so a key must not
 * show it: a key is the identity sealed with a server secret, deterministically, so that the same
 * actor of the same source has the same key in every event and for every client, and only
 * auditgraph can read it back.
 *
 * Sealing is AES-256-GCM with a synthetic IV, an HMAC of the plaintext (the SIV construction of
 * RFC 5297, with GCM for the cipher): equal identities give equal keys, anything else gives
 * unrelated keys, and a forged or altered key fails authentication. What a client can learn from
 * keys is which events share an actor or a resource, never who or what it is.
 */
export interface EntityKeyCodec {
  actorKey(sourceId: string, actor: Actor): string;
  resourceKey(sourceId: string, resource: Resource): string;
  /** Null for anything that is not an Actor key this server made. */
  openActorKey(key: string): ActorIdentity | null;
  /** Null for anything that is not a Resource key this server made. */
  openResourceKey(key: string): ResourceIdentity | null;
}

/** What an Actor key holds: its source, its type and the first of id, email or name it has. */
export interface ActorIdentity {
  readonly sourceId: string;
  readonly type: ActorType | null;
  readonly id: string | null;
  readonly email: string | null;
  readonly name: string | null;
}

/** What a Resource key holds: its source, its type, and its id (its name when it has no id). */
export interface ResourceIdentity {
  readonly sourceId: string;
  readonly type: string | null;
  readonly id: string | null;
  readonly name: string | null;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_KEY_LENGTH = 2_048;
const ACTOR_TYPES: readonly ActorType[] = [
  'USER',
  'API_KEY',
  'ACCOUNT',
  'SYSTEM',
  'PROVIDER_ADMIN',
];

export function createEntityKeyCodec(secret: string | Uint8Array): EntityKeyCodec {
  // Its own keys, derived apart from the cursors' HMAC key although both come from one secret.
  const material = Buffer.from(hkdfSync('sha256', secret, '', 'auditgraph entity keys v1', 64));
  const macKey = material.subarray(0, 32);
  const encKey = material.subarray(32);

  function seal(value: readonly unknown[]): string {
    const plaintext = Buffer.from(JSON.stringify(value));
    const iv = createHmac('sha256', macKey).update(plaintext).digest().subarray(0, IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', encKey, iv);
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  function open(key: string, type: string): unknown[] | null {
    if (key.length > MAX_KEY_LENGTH || !/^[A-Za-z0-9_-]+$/.test(key)) return null;
    const bytes = Buffer.from(key, 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', encKey, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const plaintext = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]);
      const value: unknown = JSON.parse(plaintext.toString('utf8'));
      return Array.isArray(value) && value[0] === type ? value : null;
    } catch {
      return null;
    }
  }

  return {
    actorKey: (sourceId, actor) => {
      // One identity only: the same person is one key whether an event also names them or not.
      const [field, value] =
        actor.id !== null
          ? ['id', actor.id]
          : actor.email !== null
            ? ['email', actor.email.toLowerCase()]
            : actor.name !== null
              ? ['name', actor.name]
              : [null, null];
      return seal(['Actor', sourceId, actor.type, field, value]);
    },
    resourceKey: (sourceId, resource) =>
      seal([
        'Resource',
        sourceId,
        resource.type,
        resource.id,
        resource.id === null ? resource.name : null,
      ]),
    openActorKey: (key) => {
      const value = open(key, 'Actor');
      if (value === null || value.length !== 5) return null;
      const [, sourceId, type, field, identity] = value;
      if (typeof sourceId !== 'string' || !isActorType(type)) return null;
      if (identity !== null && typeof identity !== 'string') return null;
      return {
        sourceId,
        type,
        id: field === 'id' ? identity : null,
        email: field === 'email' ? identity : null,
        name: field === 'name' ? identity : null,
      };
    },
    openResourceKey: (key) => {
      const value = open(key, 'Resource');
      if (value === null || value.length !== 5) return null;
      const [, sourceId, type, id, name] = value;
      if (typeof sourceId !== 'string' || !isNullableString(type)) return null;
      if (!isNullableString(id) || !isNullableString(name)) return null;
      return { sourceId, type, id, name };
    },
  };
}

function isActorType(value: unknown): value is ActorType | null {
  return value === null || ACTOR_TYPES.includes(value as ActorType);
}

function isNullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}
