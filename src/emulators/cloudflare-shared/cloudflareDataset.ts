/** What the generated v1 and v2 logs of the demo account share. */

/** The demo company's zones (documentation names, RFC 2606). */
export const CLOUDFLARE_ZONE_NAMES: readonly string[] = [
  'example.com',
  'example.net',
  'shop.example.com',
  'status.example.org',
];

/** `2026-03-02T09:14:31Z`: the whole-second form of every Cloudflare example. */
export function toIsoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
