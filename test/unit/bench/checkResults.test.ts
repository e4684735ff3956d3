import { checkResults, GUARDED_RATIOS, type ResultRow } from '../../../bench/checkResults';

/** A run holding every guarded ratio at `value`, with the depth section at `depthPage`. */
function run(value: number, depthPage = 1000): ResultRow[] {
  return GUARDED_RATIOS.map((guarded) => ({
    section: guarded.section,
    measure: guarded.measure.replace('{depthPage}', String(depthPage)),
    value,
  }));
}

function withValue(rows: ResultRow[], measure: string, value: number | null): ResultRow[] {
  return rows.map((row) => (row.measure === measure ? { ...row, value } : row));
}

const OPTIONS = { baselineDepthPage: 1000, currentDepthPage: 1000, sections: null };
const THROUGHPUT = 'standalone / minimal fan-out';
const CPU = 'standalone gateway CPU / minimal fan-out CPU';

describe('checkResults', () => {
  it('passes a run equal to the baseline, checking every guarded ratio', () => {
    const outcome = checkResults(run(1), run(1), OPTIONS);
    expect(outcome.problems).toEqual([]);
    expect(outcome.checks).toHaveLength(GUARDED_RATIOS.length);
    expect(outcome.checks.every((check) => check.ok && check.worse === 0)).toBe(true);
  });

  it('fails a ratio where higher is better once it falls more than 15 %', () => {
    const baseline = run(1);
    const slower = checkResults(baseline, withValue(run(1), THROUGHPUT, 0.8), OPTIONS);
    const failed = slower.checks.filter((check) => !check.ok);
    expect(failed.map((check) => check.measure)).toEqual([THROUGHPUT]);
    expect(failed[0]!.worse).toBeCloseTo(0.2);
    // 14 % worse is within the tolerance; a faster run is no failure however far it moves.
    expect(checkResults(baseline, withValue(run(1), THROUGHPUT, 0.86), OPTIONS).checks).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ ok: false })]),
    );
    expect(
      checkResults(baseline, withValue(run(1), THROUGHPUT, 3), OPTIONS).checks.every(
        (check) => check.ok,
      ),
    ).toBe(true);
  });

  it('fails a ratio where lower is better once it rises more than 15 %', () => {
    const outcome = checkResults(run(2), withValue(run(2), CPU, 2.4), OPTIONS);
    expect(outcome.checks.filter((check) => !check.ok).map((check) => check.measure)).toEqual([
      CPU,
    ]);
    expect(
      checkResults(run(2), withValue(run(2), CPU, 0.5), OPTIONS).checks.every((check) => check.ok),
    ).toBe(true);
  });

  it('honours a tolerance of its own', () => {
    const current = withValue(run(1), THROUGHPUT, 0.93);
    expect(checkResults(run(1), current, { ...OPTIONS, tolerance: 0.05 }).checks).toEqual(
      expect.arrayContaining([expect.objectContaining({ measure: THROUGHPUT, ok: false })]),
    );
  });

  it('reports a ratio missing from either run as a problem, not as a pass', () => {
    const missing = run(1).filter((row) => row.measure !== THROUGHPUT);
    expect(checkResults(missing, run(1), OPTIONS).problems).toEqual([
      `throughput (concurrency 32) | ${THROUGHPUT}: no baseline value in the committed results`,
    ]);
    expect(checkResults(run(1), withValue(run(1), CPU, null), OPTIONS).problems).toEqual([
      `throughput (concurrency 32) | ${CPU}: this run has no value`,
    ]);
  });

  it('names the depth ratio by each run’s page, and skips sections the run did not measure', () => {
    const smokeDepth = checkResults(run(1), run(1, 20), { ...OPTIONS, currentDepthPage: 20 });
    expect(smokeDepth.problems).toEqual([]);
    expect(smokeDepth.checks.map((check) => check.measure)).toContain('page 20 / page 1 time');

    const onlyThroughput = checkResults(run(1), withValue(run(1), 'page 1000 / page 1 time', 9), {
      ...OPTIONS,
      sections: new Set(['throughput (concurrency 32)']),
    });
    expect(new Set(onlyThroughput.checks.map((check) => check.section))).toEqual(
      new Set(['throughput (concurrency 32)']),
    );
  });

  it('in presence-only mode (the smoke run) judges no value but still reports what is missing', () => {
    const presence = { ...OPTIONS, presenceOnly: true };
    expect(checkResults(run(1), withValue(run(1), THROUGHPUT, 0.01), presence)).toEqual({
      checks: [],
      problems: [],
    });
    expect(
      checkResults(run(1), withValue(run(1), THROUGHPUT, null), presence).problems,
    ).toHaveLength(1);
  });
});
