/**
 * `npm run bench -- --check`: the regression guard. A run's ratios (auditgraph against the
 * minimal fan-out, measured in the same minutes, so the machine's speed cancels out) are held to
 * the ones committed in bench/results.json; one more than 15 % worse fails the run. Raw times
 * are not guarded: they move with the machine.
 */

export interface ResultRow {
  readonly section: string;
  readonly measure: string;
  readonly value: number | null;
}

export interface GuardedRatio {
  readonly section: string;
  /** A measure's name; `{depthPage}` stands for the depth section's page number. */
  readonly measure: string;
  readonly better: 'higher' | 'lower';
}

export const GUARDED_RATIOS: readonly GuardedRatio[] = [
  {
    section: 'throughput (concurrency 32)',
    measure: 'standalone / minimal fan-out',
    better: 'higher',
  },
  {
    section: 'throughput (concurrency 32)',
    measure: 'subgraph (ftv1) / minimal fan-out',
    better: 'higher',
  },
  {
    section: 'throughput (concurrency 32)',
    measure: 'standalone gateway CPU / minimal fan-out CPU',
    better: 'lower',
  },
  {
    section: 'throughput (concurrency 32)',
    measure: 'subgraph (ftv1) gateway CPU / minimal fan-out CPU',
    better: 'lower',
  },
  {
    section: 'overhead (concurrency 1)',
    measure: 'standalone p50 / minimal fan-out p50',
    better: 'lower',
  },
  {
    section: 'overhead (concurrency 1)',
    measure: 'subgraph (ftv1) p50 / minimal fan-out p50',
    better: 'lower',
  },
  { section: 'depth (first: 50)', measure: 'page {depthPage} / page 1 time', better: 'lower' },
];

export interface RatioCheck {
  readonly section: string;
  readonly measure: string;
  readonly better: 'higher' | 'lower';
  readonly baseline: number;
  readonly current: number;
  /** How much worse the current value is, as a share of the baseline (negative: better). */
  readonly worse: number;
  readonly ok: boolean;
}

export interface CheckOutcome {
  readonly checks: readonly RatioCheck[];
  /** What could not be compared: a ratio missing or not a number in either run. */
  readonly problems: readonly string[];
}

export interface CheckOptions {
  /** The largest share by which a ratio may be worse; default 0.15. */
  readonly tolerance?: number;
  /** The depth section's page in each run (the smoke run reads fewer pages). */
  readonly baselineDepthPage: number;
  readonly currentDepthPage: number;
  /**
   * The sections the current run measured; ratios of the others are not compared. Null: every
   * section.
   */
  readonly sections: ReadonlySet<string> | null;
  /**
   * Only check that every guarded ratio is there in both runs, without judging the values: the
   * smoke run's tiny sizes are not comparable with a full run's.
   */
  readonly presenceOnly?: boolean;
}

export function checkResults(
  baseline: readonly ResultRow[],
  current: readonly ResultRow[],
  options: CheckOptions,
): CheckOutcome {
  const tolerance = options.tolerance ?? 0.15;
  const find = (rows: readonly ResultRow[], section: string, measure: string) =>
    rows.find((row) => row.section === section && row.measure === measure)?.value;
  const checks: RatioCheck[] = [];
  const problems: string[] = [];
  for (const guarded of GUARDED_RATIOS) {
    if (options.sections !== null && !options.sections.has(guarded.section)) continue;
    const named = (page: number) => guarded.measure.replace('{depthPage}', String(page));
    const base = find(baseline, guarded.section, named(options.baselineDepthPage));
    const now = find(current, guarded.section, named(options.currentDepthPage));
    const label = `${guarded.section} | ${named(options.currentDepthPage)}`;
    if (typeof base !== 'number' || !Number.isFinite(base) || base <= 0) {
      problems.push(`${label}: no baseline value in the committed results`);
      continue;
    }
    if (typeof now !== 'number' || !Number.isFinite(now)) {
      problems.push(`${label}: this run has no value`);
      continue;
    }
    if (options.presenceOnly === true) continue;
    const worse = guarded.better === 'higher' ? (base - now) / base : (now - base) / base;
    checks.push({
      section: guarded.section,
      measure: named(options.currentDepthPage),
      better: guarded.better,
      baseline: base,
      current: now,
      worse,
      ok: worse <= tolerance,
    });
  }
  return { checks, problems };
}
