import { headerOf } from '../shared/headerOf';
import type { EmulatorRequest, EmulatorResponse } from '../startEmulatorServer';
import { cloudflareFailure } from './cloudflareFailure';

/**
 * Cloudflare's two ways to authenticate: `Authorization: Bearer <API token>`, or the global API
 * key as `X-Auth-Email` + `X-Auth-Key`. The emulator accepts its token in either. Codes and
 * statuses are the ones the live API answers with (third-party reports; see UNCONFIRMED.md).
 */
export function authenticateCloudflare(
  request: EmulatorRequest,
  token: string,
): EmulatorResponse | null {
  const authorization = headerOf(request, 'authorization');
  const authKey = headerOf(request, 'x-auth-key');
  const authEmail = headerOf(request, 'x-auth-email');

  if (authorization !== undefined) {
    const match = /^Bearer ([A-Za-z0-9_-]+)$/.exec(authorization.trim());
    if (!match) {
      return cloudflareFailure(400, {
        code: 6003,
        message: 'Invalid request headers',
        error_chain: [{ code: 6111, message: 'Invalid format for Authorization header' }],
      });
    }
    if (match[1] !== token)
      return cloudflareFailure(403, { code: 9109, message: 'Invalid access token' });
    return null;
  }

  if (authKey !== undefined || authEmail !== undefined) {
    const chain = [];
    if (authEmail === undefined || !/^[^@\s]+@[^@\s]+$/.test(authEmail)) {
      chain.push({ code: 6102, message: 'Invalid format for X-Auth-Email header' });
    }
    if (authKey === undefined || !/^[A-Za-z0-9_-]+$/.test(authKey)) {
      chain.push({ code: 6103, message: 'Invalid format for X-Auth-Key header' });
    }
    if (chain.length > 0) {
      return cloudflareFailure(400, {
        code: 6003,
        message: 'Invalid request headers',
        error_chain: chain,
      });
    }
    if (authKey !== token) {
      return cloudflareFailure(403, { code: 9103, message: 'Unknown X-Auth-Key or X-Auth-Email' });
    }
    return null;
  }

  return cloudflareFailure(400, {
    code: 9106,
    message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers',
  });
}
