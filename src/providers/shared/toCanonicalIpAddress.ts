import { isIP } from 'node:net';

const MAPPED_IPV4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * One IP address in the form servers print it, or null when the text is not one address (a
 * range, a zone, anything else): IPv4 in dotted decimal, IPv6 as RFC 5952 recommends (lower case,
 * no leading zeros, the first longest run of zero groups as `::`), and an IPv4-mapped IPv6
 * address as the IPv4 address it carries, which is how Go's `net.IP` prints one.
 *
 * The feed compares addresses as addresses; an API that compares them as text only finds the
 * form it stored, and this is the form a server most likely stored.
 */
export function toCanonicalIpAddress(text: string): string | null {
  switch (isIP(text)) {
    case 4:
      // `isIP` takes only four decimal parts without leading zeros: already canonical.
      return text;
    case 6:
      return toCanonicalIpv6(text);
    default:
      return null;
  }
}

function toCanonicalIpv6(text: string): string | null {
  if (text.includes('%')) return null;
  let host: string;
  try {
    // The WHATWG URL parser serializes IPv6 hosts in exactly the RFC 5952 form.
    host = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const mapped = MAPPED_IPV4.exec(host);
  if (mapped === null) return host;
  const high = Number.parseInt(mapped[1] ?? '0', 16);
  const low = Number.parseInt(mapped[2] ?? '0', 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
