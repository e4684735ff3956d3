import type { Random } from './createRandom';

/** One of `items`, each as likely as its share of the weights; throws when there is none. */
export function pickWeighted<T extends { readonly weight: number }>(
  random: Random,
  items: readonly T[],
): T {
  const last = items.at(-1);
  if (last === undefined) throw new Error('pick from an empty list');
  let roll = random.next() * items.reduce((sum, item) => sum + item.weight, 0);
  for (const item of items) {
    roll -= item.weight;
    if (roll < 0) return item;
  }
  return last;
}
