import type { Random } from './createRandom';

export interface TimestampOptions {
  readonly fromMs: number;
  /** Exclusive. */
  readonly toMs: number;
  readonly count: number;
  /** 'second': every value on a whole second (Fastly, Cloudflare, Nirvana); 'ms': FusionAuth. */
  readonly precision: 'second' | 'ms';
  /** Share of events that belong to a burst of events in one second. */
  readonly burstShare?: number;
  /** Largest burst, in events in one second. */
  readonly maxBurst?: number;
}

/**
 * Sorted event times over a window, with bursts: a share of the events come in groups within one
 * second (on second-precision APIs, one identical timestamp), as a Terraform apply or a bulk
 * change does in a real account.
 */
export function generateTimestamps(random: Random, options: TimestampOptions): number[] {
  const { toMs, count, precision } = options;
  // Whole seconds are whole seconds of the clock, not of the window's start: second-precision
  // APIs (Fastly, Cloudflare, Nirvana) never show a fraction.
  const fromMs = Math.ceil(options.fromMs / 1000) * 1000;
  const burstShare = options.burstShare ?? 0.3;
  const maxBurst = Math.max(2, options.maxBurst ?? 25);
  const span = toMs - fromMs;
  if (span <= 1000 || count <= 0) return [];
  const out: number[] = [];
  while (out.length < count) {
    const second = fromMs + Math.floor((random.next() * (span - 1000)) / 1000) * 1000;
    const size = random.chance(burstShare)
      ? Math.min(count - out.length, random.int(2, maxBurst))
      : 1;
    for (let i = 0; i < size; i += 1) {
      out.push(precision === 'second' ? second : second + random.int(0, 999));
    }
  }
  return out.sort((a, b) => a - b);
}
