import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { AuditgraphError } from '../model/errors';
import { isAuditgraphError } from '../model/errors';

/**
 * Codes of errors of the request itself, given by Apollo Server or raised as GraphQLErrors before
 * any resolver runs (authentication, authorization): their messages are safe to show.
 */
export const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** The GraphQL `extensions` of a domain error: its code, and the source it concerns. */
export function toErrorExtensions(error: AuditgraphError): Record<string, unknown> {
  return {
    code: error.code,
    ...(error.details.sourceId === undefined ? {} : { sourceId: error.details.sourceId }),
    ...(error.details.retryAfterSeconds === undefined
      ? {}
      : { retryAfterSeconds: error.details.retryAfterSeconds }),
    ...(error.details.missed === undefined ? {} : { missed: error.details.missed }),
  };
}

/**
 * The one place domain errors become GraphQL errors. Anything unexpected is masked: its message
 * could carry an upstream URL or body, so the client sees only a code, and the log gets the cause.
 */
export function createFormatError(
  logUnexpected: (error: unknown) => void,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    const location = {
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    };
    if (isAuditgraphError(original)) {
      if (original.code === 'INTERNAL_SERVER_ERROR') logUnexpected(original);
      return { message: original.message, ...location, extensions: toErrorExtensions(original) };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
      return { message: formatted.message, ...location, extensions: { code } };
    }
    logUnexpected(original);
    return {
      message: 'Internal server error',
      ...location,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
