import { AuditgraphError } from '../../model/errors';

/**
 * The error of an upstream that answered with something its API does not promise. `what` says
 * what it did (`sent a record whose time is not …`) and must never quote the payload: a message
 * reaches clients and logs, and a payload may hold anything.
 */
export function sourceBadResponse(
  sourceId: string,
  what: string,
  cause?: unknown,
): AuditgraphError {
  return new AuditgraphError('SOURCE_BAD_RESPONSE', `source ${sourceId} ${what}`, {
    sourceId,
    ...(cause === undefined ? {} : { cause }),
  });
}
