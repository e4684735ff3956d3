import type { KindCapabilities } from '../shared/pushdown';
import { oneValue, pushedOneValue } from '../shared/pushdown';
import { toCanonicalIpAddress } from '../shared/toCanonicalIpAddress';
import type { PushdownEncoders, QueryParam } from '../shared/toPushdownParams';
import { toSingleParam } from '../shared/toPushdownParams';

/**
 * Cloudflare v1 types `actor.email` as an email address and refuses anything else with a 400, so
 * only address-shaped values are sent (a stricter shape than any server is likely to demand: one
 * `@`, no spaces, a dot in the domain). Another value cannot match an address anyway, but the
 * feed finds that out itself rather than failing the source.
 */
const isEmailAddress = (value: string | undefined) =>
  value !== undefined && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value);

export const CLOUDFLARE_V1_CAPABILITIES: KindCapabilities = {
  actions: pushedOneValue('actions', 'action.type'),
  actorEmails: {
    level: 'pushed',
    upstream: 'actor.email',
    when: (f) => oneValue(f.actorEmails) && isEmailAddress(f.actorEmails?.[0]),
    condition: 'one value shaped like an email address',
  },
  // An address goes in the form a server prints it, should v1 compare addresses as text; a
  // zone has no such form, and the feed ignores it when it compares.
  ipAddress: {
    level: 'pushed',
    upstream: 'actor.ip (an address in canonical form, or a CIDR range)',
    when: (f) => f.ipAddress !== null && !f.ipAddress.includes('%'),
    condition: 'an address or a CIDR range, without a zone',
  },
};

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
