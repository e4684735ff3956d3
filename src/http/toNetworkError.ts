import { errors as undiciErrors } from 'undici';
import { AuditgraphError } from '../model/errors';
import { abandonedError } from './deadlineError';

/**
 * Error codes of a connection that broke: reset before or during the body, a keep-alive socket
 * the server closed at its idle timeout (undici: UND_ERR_SOCKET "other side closed"), a body cut
 * short of its Content-Length. Anything else (a bad argument, a closed pool) is not transient.
 */
const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** The error of a request that got no response from undici, in the catalogue's codes. */
export function toNetworkError(error: unknown, sourceId: string): AuditgraphError {
  if (error instanceof AuditgraphError) return error;
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return new AuditgraphError('SOURCE_TIMEOUT', `source ${sourceId} did not answer in time`, {
      sourceId,
      cause: error,
    });
  }
  // Checked by name: an abort raised in another realm (a test runner's VM) is not instanceof Error.
  if ((error as { name?: unknown } | null)?.name === 'AbortError') {
    return abandonedError(sourceId, error);
  }
  return new AuditgraphError('SOURCE_UNAVAILABLE', `source ${sourceId} could not be reached`, {
    sourceId,
    cause: error,
  });
}

export function isRetryableNetworkError(error: unknown): boolean {
  // undici wraps the socket's own error (ECONNRESET) as the cause of its SocketError.
  const cause = (error as { cause?: unknown } | null)?.cause;
  return [errorCode(error), errorCode(cause)].some(
    (code) => code !== undefined && RETRYABLE_NETWORK_CODES.has(code),
  );
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
