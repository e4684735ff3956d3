import type { Random } from '../dataset/createRandom';
import { generateActivity } from '../dataset/generateActivity';
import type { Person } from '../dataset/people';

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
const BURSTS = { burstShare: 0.05, maxBurst: 30 } as const;

export interface CloudflareActivityOptions {
  readonly people: readonly Person[];
  readonly zones: readonly CloudflareZone[];
  readonly window: { readonly fromMs: number; readonly toMs: number };
  readonly count: number;
}

/** How one version writes the account's acts, `at` being the second (ISO 8601) they happen in. */
export interface CloudflareActs<R> {
  /** An act alone in its second. */
  readonly single: (at: string) => R;
  /** A Terraform apply: `person`'s token changing `size` DNS records of `zone` in one second. */
  readonly apply: (at: string, person: Person, zone: CloudflareZone, size: number) => R[];
}

/** The account's activity over a window: single acts, and now and then a Terraform apply. */
export function generateCloudflareActivity<R>(
  random: Random,
  { people, zones, window, count }: CloudflareActivityOptions,
  acts: CloudflareActs<R>,
): R[] {
  return generateActivity(random, { ...window, count, ...BURSTS }, (at, size) =>
    size > 1 ? acts.apply(at, random.pick(people), random.pick(zones), size) : [acts.single(at)],
  );
}
