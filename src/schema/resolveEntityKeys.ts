import type { Actor, Resource } from '../model/AuditEvent';
import { canReadSource } from '../model/Principal';
import type { AuditgraphContext } from './createContext';
import type { OpenedKey } from './createEntityKeyCodec';
import type { ActorEntity, ResourceEntity } from './entities';
import type { EventView } from './redaction/createEventRedaction';
import { UNREDACTED_VIEW } from './redaction/createEventRedaction';

/** How this client sees events: as they are with the pii permission, else redacted. */
export function viewOf(context: AuditgraphContext): EventView {
  return context.principal.pii ? UNREDACTED_VIEW : context.redaction;
}

/**
 * An Actor or Resource as an event serves it, its key sealed from the provider's original only
 * when a query reads it (sealing costs an HMAC and a cipher); null when the event has none.
 */
export function withLazyKey<T extends object>(
  seen: T | null,
  original: T | null,
  seal: (original: T) => string,
): (T & { readonly key: string }) | null {
  if (seen === null || original === null) return null;
  return {
    ...seen,
    get key() {
      return seal(original);
    },
  };
}

/** The Actor a key holds, as this client sees it, when it may read its source; else null. */
export function toActorByKey(key: string, context: AuditgraphContext): ActorEntity | null {
  return fromKey(key, context.entityKeys.openActorKey(key), context, (view, opened) =>
    view.actorOf(opened.sourceId, opened.entity),
  );
}

/** The Resource a key holds, as this client sees it, when it may read its source; else null. */
export function toResourceByKey(key: string, context: AuditgraphContext): ResourceEntity | null {
  return fromKey(key, context.entityKeys.openResourceKey(key), context, (view, opened) =>
    view.resourceOf(opened.sourceId, opened.entity),
  );
}

/**
 * What a key holds, for a client that may read its source; the same null for a key of a source
 * it may not read, of one not configured, and for a key this server did not make.
 */
function fromKey<T extends Actor | Resource>(
  key: string,
  opened: OpenedKey<T> | null,
  context: AuditgraphContext,
  see: (view: EventView, opened: OpenedKey<T>) => T,
): (T & { readonly key: string }) | null {
  if (opened === null) return null;
  if (!context.sourcesById.has(opened.sourceId)) return null;
  if (!canReadSource(context.principal, opened.sourceId)) return null;
  return { ...see(viewOf(context), opened), key };
}
