import { AuditgraphError } from '../model/errors';

/** Why a deadline ended a request: the upstream was too slow, or no retry fitted any more. */
export type DeadlineReason = 'no-answer' | 'no-time-to-retry';

export function deadlineError(
  sourceId: string,
  reason: DeadlineReason,
  cause?: unknown,
): AuditgraphError {
  const message =
    reason === 'no-answer'
      ? `source ${sourceId} did not answer before the request's deadline`
      : `source ${sourceId} failed and the request's deadline left no time to try again`;
  return new AuditgraphError('SOURCE_TIMEOUT', message, {
    sourceId,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The error of a call whose caller gave up (its signal aborted). A SOURCE_TIMEOUT like a passed
 * deadline, since both mean the answer came too late for anyone to use it.
 */
export function abandonedError(sourceId: string, cause: unknown): AuditgraphError {
  return new AuditgraphError('SOURCE_TIMEOUT', `the request to source ${sourceId} was abandoned`, {
    sourceId,
    cause,
  });
}
