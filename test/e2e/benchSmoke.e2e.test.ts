import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Row {
  readonly section: string;
  readonly measure: string;
  readonly value: number | null;
}

/** What every run must measure; the smoke mode checks the harness works, not the timings. */
const SECTIONS = [
  'setup',
  'overhead (concurrency 1)',
  'throughput (concurrency 32)',
  'depth (first: 50)',
  'upstream requests per page (first: 50)',
  'batching',
  'memory (gateway process)',
];

describe('npm run bench:smoke', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditgraph-bench-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures every row with a number, writes them to the results file, and finds every ratio the regression guard holds to the committed results', async () => {
    const out = join(dir, 'results.json');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join('bench', 'run.ts'), '--smoke', '--check', '--out', out],
      { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`bench:smoke exited ${code}:\n${output}`);

    const results = JSON.parse(readFileSync(out, 'utf8')) as {
      mode: string;
      rows: Row[];
      failures: string[];
    };
    expect(results.mode).toBe('smoke');
    expect(results.failures).toEqual([]);
    expect(new Set(results.rows.map((row) => row.section))).toEqual(new Set(SECTIONS));
    for (const row of results.rows) {
      expect({ ...row, finite: Number.isFinite(row.value) }).toMatchObject({ finite: true });
    }
    const value = (measure: string) => results.rows.find((row) => row.measure === measure)?.value;
    expect(value('ftv1 trace returned')).toBe(1);
    expect(value('failed requests')).toBe(0);
    expect(value('events (six sources)')).toBe(3000);
    expect(output).toContain('Regression guard against bench/results.json (smoke');
    expect(output).not.toContain('CHECK');
  }, 90_000);
});
