import { BlockList, isIP } from 'node:net';

/**
 * A filter on an IP address: one address, or a CIDR range of either family. Returns the test,
 * or null when `text` is neither.
 */
export function parseIpFilter(text: string): ((ip: string) => boolean) | null {
  const [address = '', prefix, ...rest] = text.trim().split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return null;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  if (prefix === undefined) {
    list.addAddress(address, type);
  } else {
    const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
    if (bits < 0 || bits > (family === 4 ? 32 : 128)) return null;
    list.addSubnet(address, bits, type);
  }
  return (ip) => {
    const candidate = isIP(ip);
    if (candidate === 0) return false;
    return list.check(ip, candidate === 4 ? 'ipv4' : 'ipv6');
  };
}
