import type { Random } from '../dataset/createRandom';
import { generateTimestamps } from '../dataset/generateTimestamps';

export interface FusionAuthInstantOptions {
  readonly window: { readonly fromMs: number; readonly toMs: number };
  readonly count: number;
  /** Largest burst in one second (generateTimestamps' default otherwise). */
  readonly maxBurst?: number;
  /** The chance that an entry of a burst shares the millisecond of the one before. */
  readonly shareChance: number;
  /** Make at least one pair share a millisecond, so such ties are always in the data. */
  readonly alwaysShare?: boolean;
}

/**
 * Sorted `insertInstant`s (ms) of FusionAuth log entries: bursts within one second, some of
 * whose entries fall in the same millisecond as the one before, as when a bulk save or a volley
 * of webhook failures is logged at once.
 */
export function generateFusionAuthInstants(
  random: Random,
  options: FusionAuthInstantOptions,
): number[] {
  const { window, count, maxBurst, shareChance } = options;
  const times = generateTimestamps(random, {
    fromMs: window.fromMs,
    toMs: window.toMs,
    count,
    precision: 'ms',
    ...(maxBurst === undefined ? {} : { maxBurst }),
  });
  let shared = false;
  for (let i = 1; i < times.length; i += 1) {
    const before = times[i - 1] as number;
    const current = times[i] as number;
    if (Math.floor(before / 1000) === Math.floor(current / 1000) && random.chance(shareChance)) {
      times[i] = before;
    }
    shared ||= times[i] === before;
  }
  if (options.alwaysShare === true && !shared && times.length >= 2) times[1] = times[0] as number;
  return times;
}
