/** Percentiles and a fixed-duration load loop. */
import { performance } from 'node:perf_hooks';

/** The nearest-rank percentile (0 < p <= 100) of samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export async function timeOnce(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

export interface LoadResult {
  readonly completed: number;
  readonly failed: number;
  readonly seconds: number;
  readonly perSecond: number;
}

/** `concurrency` loops calling `run` until `durationMs` has passed; `onTick` every second. */
export async function runLoad(
  run: () => Promise<unknown>,
  concurrency: number,
  durationMs: number,
  onTick?: (elapsedMs: number) => Promise<void> | void,
): Promise<LoadResult> {
  const started = performance.now();
  const deadline = started + durationMs;
  let completed = 0;
  let failed = 0;
  let firstError: unknown = null;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        await run();
        completed += 1;
      } catch (error) {
        failed += 1;
        firstError ??= error;
      }
    }
  };
  let ticking = true;
  const ticker = (async () => {
    while (ticking && onTick) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (ticking) await onTick(performance.now() - started);
    }
  })();
  await Promise.all(Array.from({ length: concurrency }, worker));
  ticking = false;
  await ticker;
  const seconds = (performance.now() - started) / 1000;
  if (completed === 0 && firstError !== null) {
    throw firstError instanceof Error
      ? firstError
      : new Error('load failed with a non-Error value');
  }
  return { completed, failed, seconds, perSecond: completed / seconds };
}
