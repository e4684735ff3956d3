import type { Random } from '../dataset/createRandom';

/** What the generated v1 and v2 logs of the demo account share. */

/** The demo company's zones (documentation names, RFC 2606). */
const CLOUDFLARE_ZONE_NAMES: readonly string[] = [
  'example.com',
  'example.net',
  'shop.example.com',
  'status.example.org',
];

export interface CloudflareZone {
  readonly id: string;
  readonly name: string;
}

/** The demo company's zones, each with a zone id of its own. */
export function createCloudflareZones(random: Random): CloudflareZone[] {
  return CLOUDFLARE_ZONE_NAMES.map((name) => ({ id: random.hex(32), name }));
}

/** An account's activity comes in rare bursts (a Terraform apply) of up to 30 in one second. */
export const CLOUDFLARE_BURSTS = { burstShare: 0.05, maxBurst: 30 } as const;
