import { isLoopbackHost } from '../config/isLoopbackHost';

/**
 * Whether a request without credentials is served, as the anonymous principal: only by the demo,
 * and there only on a loopback host unless the operator allowed it. Live mode never serves one.
 */
export function isUnauthenticatedAllowed(settings: {
  readonly mode: 'demo' | 'live';
  readonly host: string;
  readonly auth: { readonly allowUnauthenticated: boolean };
}): boolean {
  if (settings.mode === 'live') return false;
  return settings.auth.allowUnauthenticated || isLoopbackHost(settings.host);
}
