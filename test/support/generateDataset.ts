import { createRandom, type Random } from '../../src/emulators/dataset/createRandom';
import { createPeople, type Person } from '../../src/emulators/dataset/people';

/**
 * A dataset drawn from one seed, the way the emulators draw theirs: the same people act in every
 * part of it, and each part draws from a fork of its own, so the records never depend on the
 * order the parts are drawn in.
 */
export function generateDataset<T>(
  seed: number,
  generate: (random: Random, people: readonly Person[]) => T,
): T {
  const random = createRandom(seed);
  return generate(random, createPeople(random.fork('people')));
}
