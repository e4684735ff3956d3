import type { Actor, Resource } from '../model/AuditEvent';

/** An Actor as the schema serves it: as the client may see it, with its entity key. */
export type ActorEntity = Actor & { readonly key: string };

/** A Resource as the schema serves it: as the client may see it, with its entity key. */
export type ResourceEntity = Resource & { readonly key: string };

/** The company's User entity, as auditgraph knows it: by its key alone. */
export interface UserEntity {
  readonly email: string;
}
