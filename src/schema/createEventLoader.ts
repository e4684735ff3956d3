import DataLoader from 'dataloader';
import type { Feed } from '../feed/Feed';
import type { AuditEvent } from '../model/AuditEvent';
import type { Principal } from '../model/Principal';
import type { ListOptions } from '../model/Source';

/**
 * Events by global id for one GraphQL request: the ids asked for in one tick (the router's
 * `_entities` representations, several `auditEvent` fields) become one `feed.readEvents` call,
 * read in batches per source, and an id asked for twice is read once.
 */
export interface EventLoader {
  load(id: string, principal: Principal): Promise<AuditEvent | null>;
}

export function createEventLoader(feed: Feed, options: ListOptions): EventLoader {
  // One loader per principal: what an id resolves to depends on who asks (a source it may not
  // read is null), so answers are never shared between principals.
  const loaders = new Map<Principal, DataLoader<string, AuditEvent | null>>();
  return {
    load: (id, principal) => {
      let loader = loaders.get(principal);
      if (loader === undefined) {
        loader = new DataLoader((ids) => feed.readEvents(ids, options, principal));
        loaders.set(principal, loader);
      }
      return loader.load(id);
    },
  };
}
