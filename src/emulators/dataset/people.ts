import type { Random } from './createRandom';

/**
 * The people of the demo company. The same person acts across every provider, under the ids each
 * provider gives them, so a query by email or actor finds one person's trail everywhere.
 */
export interface Person {
  readonly name: string;
  readonly email: string;
  /** Addresses this person works from (documentation ranges, RFC 5737). */
  readonly ips: readonly string[];
  readonly userAgent: string;
  readonly fastlyUserId: string;
  readonly fastlyTokenId: string;
  readonly cloudflareActorId: string;
  readonly cloudflareTokenId: string;
  readonly cloudflareTokenName: string;
  readonly nirvanaUserId: string;
  readonly fusionAuthUserId: string;
}

const FIRST_NAMES = [
  'Alice',
  'Bilal',
  'Chen',
  'Dana',
  'Emeka',
  'Farah',
  'Goran',
  'Hana',
  'Ines',
  'Jonas',
  'Keiko',
  'Luca',
];
const LAST_NAMES = [
  'Smith',
  'Okafor',
  'Nguyen',
  'Kowalski',
  'Haddad',
  'Silva',
  'Larsen',
  'Moreau',
  'Tanaka',
  'Petrov',
];
const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'terraform-provider-cloudflare/5.9.0',
  'curl/8.9.1',
  'nirvana-cli/1.98.1',
];
const TOKEN_NAMES = ['terraform', 'ci-deploy', 'dns-sync', 'laptop', 'grafana'];

export function createPeople(random: Random, count = 10): Person[] {
  const people: Person[] = [];
  const used = new Set<string>();
  while (people.length < count) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const email = `${first}.${last}@example.com`.toLowerCase();
    if (used.has(email)) continue;
    used.add(email);
    const ipCount = random.int(1, 2);
    const ips: string[] = [];
    for (let i = 0; i < ipCount; i += 1) {
      ips.push(`${random.pick(['192.0.2', '198.51.100', '203.0.113'])}.${random.int(1, 254)}`);
    }
    people.push({
      name: `${first} ${last}`,
      email,
      ips,
      userAgent: random.pick(USER_AGENTS),
      fastlyUserId: random.string(22),
      fastlyTokenId: random.string(22),
      cloudflareActorId: random.hex(32),
      cloudflareTokenId: random.hex(32),
      cloudflareTokenName: random.pick(TOKEN_NAMES),
      nirvanaUserId: random.uuid(),
      fusionAuthUserId: random.uuid(),
    });
  }
  return people;
}
