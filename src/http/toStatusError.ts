import { AuditgraphError } from '../model/errors';

/**
 * The error of a refusal other than a 429, which the client turns into a pause instead. An
 * upstream 401/403 means auditgraph's own credential failed, never the client's.
 */
export function toStatusError(status: number, sourceId: string): AuditgraphError {
  if (status === 401 || status === 403) {
    return new AuditgraphError(
      'SOURCE_AUTH_FAILED',
      `source ${sourceId} refused the configured credential (HTTP ${status})`,
      { sourceId, upstreamStatus: status },
    );
  }
  if (status >= 500) {
    return new AuditgraphError(
      'SOURCE_UNAVAILABLE',
      `source ${sourceId} answered with a server error (HTTP ${status})`,
      { sourceId, upstreamStatus: status },
    );
  }
  return new AuditgraphError(
    'SOURCE_BAD_RESPONSE',
    `source ${sourceId} rejected the request (HTTP ${status})`,
    { sourceId, upstreamStatus: status },
  );
}
