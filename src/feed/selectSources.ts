import { AuditgraphError, badUserInput } from '../model/errors';
import type { Principal } from '../model/Principal';
import { ANONYMOUS_PRINCIPAL, canReadSource } from '../model/Principal';
import type { Source } from '../model/Source';
import type { EventFilter } from './eventFilter';

/**
 * The sources of a page: those the principal may read that the filter selects, in configuration
 * order. A principal limited to some sources gets the same FORBIDDEN for a source it may not read
 * and for one that does not exist, so that it cannot learn which other sources are configured; a
 * principal that may read them all is told it named an unknown source.
 */
export function selectSources(
  sources: readonly Source[],
  filter: EventFilter,
  principal: Principal,
): Source[] {
  for (const id of filter.sourceIds ?? []) {
    const known = sources.some((source) => source.id === id);
    if (principal.sourceIds !== null) {
      if (!principal.sourceIds.has(id) || !known) {
        throw new AuditgraphError('FORBIDDEN', `you may not read source ${JSON.stringify(id)}`);
      }
    } else if (!known) {
      throw badUserInput(`filter.sources names an unknown source: ${JSON.stringify(id)}`);
    }
  }
  return readableSources(sources, principal).filter(
    (source) =>
      (filter.sourceIds === null || filter.sourceIds.includes(source.id)) &&
      (filter.providers === null || filter.providers.includes(source.provider)),
  );
}

/** The configured sources the principal may read, in configuration order. */
export function readableSources(
  sources: readonly Source[],
  principal: Principal = ANONYMOUS_PRINCIPAL,
): readonly Source[] {
  return principal.sourceIds === null
    ? sources
    : sources.filter((source) => canReadSource(principal, source.id));
}
