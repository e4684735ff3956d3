import { createHash } from 'node:crypto';

/** Everything about a request that can change the upstream's answer or how it is read. */
export interface RequestIdentity {
  readonly method: string;
  /** The full path, query string included. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The serialized JSON body, if any. */
  readonly body: string | undefined;
  /** Statuses returned as answers rather than errors: they change what a caller gets. */
  readonly acceptStatuses: readonly number[] | undefined;
}

/**
 * A key equal for requests that must give equal answers: the SHA-256 of the method, the path,
 * the body, the accepted statuses and every header. The headers carry the credential, and the
 * key lives in a map for as long as the request is under way, so the key is a hash: nothing a
 * heap dump or a debugger shows can be read back into a token or a query string.
 *
 * Header names are compared case-insensitively and in any order, as HTTP does.
 */
export function toRequestKey(request: RequestIdentity): string {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .sort(compareHeaders);
  const accepted = [...(request.acceptStatuses ?? [])].sort((a, b) => a - b);
  const identity = [request.method, request.path, request.body ?? null, accepted, headers];
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

function compareHeaders(
  [nameA, valueA]: readonly [string, string],
  [nameB, valueB]: readonly [string, string],
): number {
  if (nameA !== nameB) return nameA < nameB ? -1 : 1;
  if (valueA === valueB) return 0;
  return valueA < valueB ? -1 : 1;
}
