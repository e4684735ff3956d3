/**
 * How the viewer talks to auditgraph: the same public API any client uses. Queries are plain
 * POSTs of JSON to `/graphql` (what Apollo's CSRF guard expects); the credential, when the
 * server needs one, goes in the Authorization header and lives in session storage only, never
 * in the URL, so a shared link carries the view and not the key.
 */

const TOKEN_KEY = 'auditgraph.viewer.token';

export function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage disabled: the key is asked for again on each load
  }
}

export function saveToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // storage disabled: nothing to keep
  }
}

export function authorizationHeaders(): Record<string, string> {
  const token = readToken();
  return token === null ? {} : { authorization: `Bearer ${token}` };
}

/** One error as the server gave it: its message and `extensions.code`. */
export interface ApiErrorItem {
  readonly message: string;
  readonly code: string;
  /** The filter field it names (`ipAddress`), read from the message `filter.ipAddress …`. */
  readonly field: string | null;
  readonly sourceId: string | null;
}

/** A request the server refused as a whole (HTTP error, or errors and no data). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly items: readonly ApiErrorItem[],
  ) {
    super(items.map((item) => `${item.code}: ${item.message}`).join('; ') || `HTTP ${status}`);
    this.name = 'ApiError';
  }

  get unauthenticated(): boolean {
    return this.status === 401 || this.items.some((item) => item.code === 'UNAUTHENTICATED');
  }
}

interface RawError {
  readonly message?: unknown;
  readonly extensions?: { readonly code?: unknown; readonly sourceId?: unknown };
}

/** Finds the filter field an error is about: `filter.since`, `"filter.ipAddress"`, `at "filter.text"`. */
export function fieldOf(message: string): string | null {
  return /filter\.([A-Za-z]+)/.exec(message)?.[1] ?? null;
}

export function toErrorItem(raw: RawError): ApiErrorItem {
  const message = typeof raw.message === 'string' ? raw.message : 'Unknown error';
  const code = typeof raw.extensions?.code === 'string' ? raw.extensions.code : 'UNKNOWN';
  const sourceId = raw.extensions?.sourceId;
  return {
    message,
    code,
    field: fieldOf(message),
    sourceId: typeof sourceId === 'string' ? sourceId : null,
  };
}

export interface GraphqlAnswer<T> {
  readonly data: T;
  /** Errors beside data: a source that failed, reported while the others answered. */
  readonly errors: readonly ApiErrorItem[];
}

export async function graphql<T>(
  query: string,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<GraphqlAnswer<T>> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...authorizationHeaders(),
    },
    body: JSON.stringify({ query, variables }),
    ...(signal === undefined ? {} : { signal }),
  });
  const body = (await response.json().catch(() => null)) as {
    data?: T | null;
    errors?: RawError[];
  } | null;
  const errors = (body?.errors ?? []).map(toErrorItem);
  if (body?.data === null || body?.data === undefined || !response.ok) {
    throw new ApiError(response.status, errors);
  }
  return { data: body.data, errors };
}

/** The errors of a JSON error answer (`/export`'s: `{ errors: [{ message, extensions }] }`). */
export async function readHttpError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { errors?: RawError[] };
    return new ApiError(response.status, (body.errors ?? []).map(toErrorItem));
  } catch {
    return new ApiError(response.status, []);
  }
}
