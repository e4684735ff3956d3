/**
 * Who is asking: the client a request was authenticated as, and what it may read. Built once per
 * request by the HTTP layer (src/auth), read by the feed and the resolvers; it never holds the
 * credential itself.
 */
export interface Principal {
  /** An API key's configured id, a JWT's subject, or `anonymous` in the demo. Safe to log. */
  readonly id: string;
  /** How the request proved who it is. */
  readonly via: 'api-key' | 'jwt' | 'none';
  /** The source ids it may read; null: every configured source. */
  readonly sourceIds: ReadonlySet<string> | null;
  /** May see personal data: actor emails, IP addresses, `raw` and `changes`. */
  readonly pii: boolean;
}

/** The principal of an unauthenticated request, which only the loopback demo allows. */
export const ANONYMOUS_PRINCIPAL: Principal = {
  id: 'anonymous',
  via: 'none',
  sourceIds: null,
  pii: true,
};

export function canReadSource(principal: Principal, sourceId: string): boolean {
  return principal.sourceIds === null || principal.sourceIds.has(sourceId);
}
