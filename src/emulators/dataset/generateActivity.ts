import { toIsoSeconds } from '../../providers/shared/toIsoSeconds';
import type { Random } from './createRandom';
import { generateTimestamps, type TimestampOptions } from './generateTimestamps';
import { groupTimestamps } from './groupTimestamps';

/**
 * An account's activity over a window on an API that writes whole seconds (Fastly, Cloudflare,
 * Nirvana): sorted times with bursts, each second written by `act` as one act of `size` records
 * at `at` (ISO 8601, whole seconds) — a burst is one Terraform apply or CI deploy, not unrelated
 * events that happen to share a second.
 */
export function generateActivity<R>(
  random: Random,
  options: Omit<TimestampOptions, 'precision'>,
  act: (at: string, size: number) => readonly R[],
): R[] {
  const times = generateTimestamps(random, { ...options, precision: 'second' });
  return groupTimestamps(times).flatMap(({ atMs, count }) => act(toIsoSeconds(atMs), count));
}
