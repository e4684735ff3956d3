import type { Actor, ActorType, Resource } from '../model/AuditEvent';
import { createSealer } from '../model/createSealer';

/**
 * The keys of the Actor and Resource entities. An actor's identity in a source can be its email
 * (FusionAuth records users by email, Cloudflare sometimes uses it as the id), so a key must not
 * show it: a key is the identity sealed with a server secret, deterministically, so that the same
 * actor of the same source has the same key in every event and for every client, and only
 * auditgraph can read it back.
 *
 * Sealing is deterministic authenticated encryption (createSealer.ts): equal identities give
 * equal keys, anything else gives unrelated keys, and a forged or altered key fails
 * authentication. What a client can learn from keys is which events share an actor or a
 * resource, never who or what it is.
 */
export interface EntityKeyCodec {
  actorKey(sourceId: string, actor: Actor): string;
  resourceKey(sourceId: string, resource: Resource): string;
  /**
   * The Actor a key holds: its type and the first of id, email or name it was made from, the
   * rest null. Null for anything that is not an Actor key this server made.
   */
  openActorKey(key: string): OpenedKey<Actor> | null;
  /**
   * The Resource a key holds: its type and id (its name when it has no id), the rest null. Null
   * for anything that is not a Resource key this server made.
   */
  openResourceKey(key: string): OpenedKey<Resource> | null;
}

/** What a key holds: the entity's source, and the entity as far as the key knows it. */
export interface OpenedKey<T> {
  readonly sourceId: string;
  readonly entity: T;
}

const MAX_KEY_LENGTH = 2_048;
const ACTOR_TYPES: readonly ActorType[] = [
  'USER',
  'API_KEY',
  'ACCOUNT',
  'SYSTEM',
  'PROVIDER_ADMIN',
];

export function createEntityKeyCodec(secret: string | Uint8Array): EntityKeyCodec {
  // Keys of its own, derived apart from the cursors' and event ids' from the one secret.
  const sealer = createSealer(secret, 'auditgraph entity keys v1', {
    maxSealedLength: MAX_KEY_LENGTH,
  });
  const seal = (value: readonly unknown[]): string => sealer.sealJson(value);
  const open = (key: string, type: string): readonly unknown[] | null => {
    const value = sealer.openJsonArray(key);
    return value !== null && value[0] === type ? value : null;
  };

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
        entity: {
          id: field === 'id' ? identity : null,
          type,
          name: field === 'name' ? identity : null,
          email: field === 'email' ? identity : null,
          token: null,
          ip: null,
        },
      };
    },
    openResourceKey: (key) => {
      const value = open(key, 'Resource');
      if (value === null || value.length !== 5) return null;
      const [, sourceId, type, id, name] = value;
      if (typeof sourceId !== 'string' || !isNullableString(type)) return null;
      if (!isNullableString(id) || !isNullableString(name)) return null;
      return { sourceId, entity: { id, type, name, product: null } };
    },
  };
}

function isActorType(value: unknown): value is ActorType | null {
  return value === null || ACTOR_TYPES.includes(value as ActorType);
}

function isNullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}
