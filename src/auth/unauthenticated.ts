import { AuditgraphError } from '../model/errors';

/** Why a request was not let in. */
export type AuthenticationFailure = 'missing' | 'malformed' | 'invalid' | 'expired';

/**
 * The error for a request without a valid credential (HTTP 401). The message says what to fix and
 * never repeats the credential, nor which part of it was wrong: that would help a forger.
 */
export function unauthenticated(failure: AuthenticationFailure): AuditgraphError {
  return new AuditgraphError('UNAUTHENTICATED', toMessage(failure));
}

function toMessage(failure: AuthenticationFailure): string {
  switch (failure) {
    case 'missing':
      return 'this request needs a credential: an API key or a JWT, as "Authorization: Bearer <token>"';
    case 'malformed':
      return 'the Authorization header must be "Bearer <token>"';
    case 'invalid':
      return 'the bearer token is not valid';
    case 'expired':
      return 'the bearer token has expired';
  }
}
