import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether only this machine can reach `host`: `localhost`, 127.0.0.0/8 or ::1 (in any notation,
 * bracketed or not, IPv4-mapped too). `0.0.0.0` and `::` listen on every interface: not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (/^localhost\.?$/i.test(bare)) return true;
  switch (isIP(bare)) {
    case 4:
      return LOOPBACK.check(bare, 'ipv4');
    case 6:
      return LOOPBACK.check(bare, 'ipv6');
    default:
      return false;
  }
}
