import { toCanonicalIpAddress } from '../shared/toCanonicalIpAddress';
import type { PushdownEncoders, QueryParam } from '../shared/toPushdownParams';
import { toSingleParam } from '../shared/toPushdownParams';

/**
 * The filter fields Cloudflare v1 applies for us, each one value (its filters take one). Each
 * parameter is the record field the mapping (toCloudflareV1AuditEvent) reads: `action` is
 * `action.type` (exact), `actor.email` is `actor.email` (sent lower-cased, as the filter holds
 * it: the API's case sensitivity is unconfirmed, the emulator's choice is in its UNCONFIRMED.md),
 * and both `actor.ip` and `request.ip` are `actor.ip`, which takes an address or a CIDR range.
 */
export const CLOUDFLARE_V1_FILTER_ENCODERS: PushdownEncoders = {
  actions: (filter) => toSingleParam('action.type', filter.actions),
  actorEmails: (filter) => toSingleParam('actor.email', filter.actorEmails),
  ipAddress: (filter) => toIpParam(filter.ipAddress),
};

/**
 * `actor.ip`: a range as the filter holds it (a server that takes ranges parses them), an address
 * in the form a server prints it, should v1 compare addresses as text. Nothing when the address
 * has no such form (a zone): the feed filters it.
 */
function toIpParam(ipAddress: string | null): QueryParam[] {
  if (ipAddress === null) return [];
  if (ipAddress.includes('/')) return ipAddress.includes('%') ? [] : [['actor.ip', ipAddress]];
  const canonical = toCanonicalIpAddress(ipAddress);
  return canonical === null ? [] : [['actor.ip', canonical]];
}
