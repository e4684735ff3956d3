/**
 * A small seeded PRNG (mulberry32): the emulators' data must be the same on every machine and
 * every run for a given seed, so tests and the demo can name what they expect.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  /** `length` characters from `alphabet`. */
  string(length: number, alphabet?: string): string;
  hex(length: number): string;
  uuid(): string;
  shuffle<T>(items: readonly T[]): T[];
  /** A new generator whose stream depends only on this one's seed and `label`. */
  fork(label: string): Random;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[int(0, items.length - 1)] as T;
  };
  const string = (length: number, alphabet = ALPHANUMERIC): string => {
    let out = '';
    for (let i = 0; i < length; i += 1) out += alphabet[int(0, alphabet.length - 1)];
    return out;
  };
  const hex = (length: number): string => string(length, '0123456789abcdef');
  return {
    next,
    int,
    pick,
    chance: (probability) => next() < probability,
    string,
    hex,
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`,
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i -= 1) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
    fork: (label) => {
      let hash = seed >>> 0;
      for (let i = 0; i < label.length; i += 1)
        hash = Math.imul(hash ^ label.charCodeAt(i), 16777619) >>> 0;
      return createRandom(hash ^ 0x9e3779b9);
    },
  };
}
