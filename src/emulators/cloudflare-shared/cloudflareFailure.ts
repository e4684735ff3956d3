import type { EmulatorResponse } from '../startEmulatorServer';

export interface CloudflareMessage {
  readonly code: number;
  readonly message: string;
  readonly error_chain?: readonly CloudflareMessage[];
}

/** The v4 failure envelope (api-response-common-failure): one shape for every 4xx. */
export function cloudflareFailure(status: number, error: CloudflareMessage): EmulatorResponse {
  return {
    status,
    body: { success: false, errors: [error], messages: [], result: null },
  };
}

/** Our own code for every parameter error: Cloudflare documents none for these endpoints. */
const INVALID_PARAMETER_CODE = 1004;

export function cloudflareBadParameter(message: string): EmulatorResponse {
  return cloudflareFailure(400, { code: INVALID_PARAMETER_CODE, message });
}

export function cloudflareNoRoute(): EmulatorResponse {
  return cloudflareFailure(404, { code: 7003, message: 'No route for the URI' });
}

/**
 * The account in the path: a malformed id does not route, another well-formed account is one
 * the credential may not see. null when it is the emulator's account.
 */
export function checkCloudflareAccount(
  requested: string | undefined,
  accountId: string,
  path: string,
): EmulatorResponse | null {
  if (requested === accountId) return null;
  if (requested === undefined || !/^[0-9a-f]{32}$/.test(requested)) {
    return cloudflareFailure(404, {
      code: 7003,
      message: `Could not route to ${path}, perhaps your object identifier is invalid?`,
    });
  }
  return cloudflareFailure(403, { code: 10000, message: 'Authentication error' });
}

/**
 * Every Cloudflare response carries `x-ratelimit-limit` and `x-ratelimit-remaining` (changelog
 * 2025-09-03). The emulator never limits on its own (tests inject 429s as faults), so nothing is
 * ever used up.
 */
export function withCloudflareHeaders(response: EmulatorResponse): EmulatorResponse {
  return {
    ...response,
    headers: { 'x-ratelimit-limit': '1200', 'x-ratelimit-remaining': '1200', ...response.headers },
  };
}
