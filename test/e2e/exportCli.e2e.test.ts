import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import { generateApiKey } from '../../src/auth/generateApiKey';
import { hashApiKey } from '../../src/auth/hashApiKey';
import type { Demo } from '../../src/emulators/startDemoEmulators';
import { startDemoEmulators } from '../../src/emulators/startDemoEmulators';
import { CSV_HEADER, unescapeCsvCell } from '../../src/export/exportFormats';
import { EMULATOR_RATE_LIMITS } from '../../src/providers/sourceKinds';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { runExport } from '../../src/runExport';
import { DEMO_CONFIG, DEMO_SOURCE_IDS } from '../support/demoConfig';
import { readExport } from '../support/exportClient';
import { waitFor } from '../support/tailClients';

/**
 * `npm run export` end to end: the CLI run as a process of its own (as a user runs it) against
 * auditgraph in live mode over the demo's emulators, killed with SIGKILL mid-export and rerun.
 */

const ROOT = join(__dirname, '..', '..');
const KEY = generateApiKey();
const PER_SOURCE = 1000;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('npm run export', () => {
  let demo: Demo;
  let app: Auditgraph;
  let dir: string;
  let upstream = 0;

  const start = (args: string[], env: Record<string, string> = { AUDITGRAPH_TOKEN: KEY }) =>
    spawn(process.execPath, ['--import', 'tsx', join('src', 'main.ts'), 'export', ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  /** The CLI in this process, for the cases that need no process of their own. */
  const runHere = async (
    args: string[],
    env: Record<string, string> = { AUDITGRAPH_TOKEN: KEY },
  ) => {
    let stdout = '';
    let stderr = '';
    const sink = (append: (text: string) => void) =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          append(chunk.toString());
          done();
        },
      });
    const code = await runExport(args, env, {
      stdout: sink((text) => (stdout += text)),
      stderr: sink((text) => (stderr += text)),
    });
    return { code, stdout, stderr };
  };
  const run = (args: string[], env?: Record<string, string>): Promise<Run> => {
    const child = start(args, env);
    let stdout = '';
    let stderr = '';
    // Decoded as streams, so that a character split between two chunks stays whole.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auditgraph-export-cli-'));
    demo = await startDemoEmulators({
      seed: 5,
      nowMs: Date.now() - 60_000,
      counts: Object.fromEntries(DEMO_SOURCE_IDS.map((id) => [id, PER_SOURCE])),
    });
    app = await startAuditgraph(
      {
        ...DEMO_CONFIG,
        mode: 'live',
        sources: demo.sources,
        cursorSecret: 'an-export-cli-test-cursor-secret-32',
        feed: { holdBackSeconds: 0, scanBudgetPages: 20, requestDeadlineMs: 10_000 },
        cache: { maxBytes: 0, freshnessSeconds: 300 },
        auth: {
          apiKeys: [
            { id: 'auditor', sha256: hashApiKey(KEY), sources: ['*'], permissions: ['pii'] },
          ],
          jwt: null,
          allowUnauthenticated: false,
        },
      },
      {
        log: () => {},
        rateLimits: EMULATOR_RATE_LIMITS,
        onUpstreamRequest: () => (upstream += 1),
      },
    );
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await demo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    for (const server of demo.emulators) server.knobs.latencyMs = 0;
  });

  it('writes a CSV export that, killed mid-run and rerun, holds every event exactly once, and is left alone once complete', async () => {
    const filter = JSON.stringify({ categories: ['CREATE', 'UPDATE', 'DELETE', 'AUTH'] });
    const expected = (await readExport(app.url, { filter }, KEY)).events.map((event) => event.id);
    expect(expected.length).toBeGreaterThan(2000);
    const out = join(dir, 'quarter.csv');
    const args = ['--url', app.url, '--format', 'csv', '--filter', filter, '--out', out];

    // Slow enough upstreams that the kill lands mid-export, after a checkpoint or more.
    for (const server of demo.emulators) server.knobs.latencyMs = 15;
    const child = start(args);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const state = () =>
      existsSync(`${out}.export-state.json`)
        ? JSON.parse(readFileSync(`${out}.export-state.json`, 'utf8'))
        : null;
    await waitFor('a checkpoint', () => (state()?.events ?? 0) >= 1000, 60_000);
    child.kill('SIGKILL');
    await exited;
    const killed = state();
    expect(killed.ended).toBe(false);
    expect(killed.events).toBeLessThan(expected.length);
    expect(statSync(out).size).toBeGreaterThanOrEqual(killed.bytes);

    for (const server of demo.emulators) server.knobs.latencyMs = 0;
    const resumed = await run(args);
    expect([resumed.code, resumed.stderr]).toEqual([0, expect.stringMatching(/is complete/)]);
    const parsed: string[][] = parseCsv(readFileSync(out, 'utf8'));
    const rows = parsed.map((row) => row.map(unescapeCsvCell));
    expect(rows[0]).toEqual(CSV_HEADER);
    expect(rows.slice(1).map((row) => row[0])).toEqual(expected);
    const done = state();
    expect(done).toMatchObject({ ended: true, complete: true, events: expected.length });
    expect(done.bytes).toBe(statSync(out).size);

    // A rerun of a complete export changes nothing and asks nothing upstream.
    const before = readFileSync(out);
    const requests = upstream;
    const again = await run(args);
    expect([again.code, again.stderr]).toEqual([0, expect.stringMatching(/already complete/)]);
    expect(readFileSync(out).equals(before)).toBe(true);
    expect(upstream).toBe(requests);
  }, 120_000);

  it('resumes a run killed before its first page was written', async () => {
    const out = join(dir, 'early.ndjson');
    const args = ['--url', app.url, '--filter', '{"sources": ["nirvana"]}', '--out', out];
    for (const server of demo.emulators) server.knobs.latencyMs = 5_000;
    const child = start(args);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await waitFor('the output file', () => existsSync(out), 30_000);
    child.kill('SIGKILL');
    await exited;
    expect(JSON.parse(readFileSync(`${out}.export-state.json`, 'utf8'))).toMatchObject({
      cursor: null,
      bytes: 0,
      ended: false,
    });
    for (const server of demo.emulators) server.knobs.latencyMs = 0;
    const resumed = await run(args);
    expect([resumed.code, resumed.stderr]).toEqual([0, expect.stringMatching(/is complete/)]);
    const expected = (await readExport(app.url, { filter: '{"sources": ["nirvana"]}' }, KEY))
      .events;
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).id)).toEqual(expected.map((event) => event.id));
  }, 60_000);

  it('writes NDJSON to stdout, the lines the endpoint gives, and takes --since as a span back from now', async () => {
    const result = await run(['--url', app.url, '--since', '3d', '--order', 'asc']);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const since = Date.now() - 3 * 86_400_000;
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((event) => Date.parse(event.occurredAt) >= since - 60_000)).toBe(true);
    const times = lines.map((event) => Date.parse(event.occurredAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(lines.some((event) => '@end' in event)).toBe(false);
  }, 60_000);

  it('shows a progress line on stderr when it is a terminal: events, time covered, rate and each source', async () => {
    // `script` (util-linux) runs the CLI on a pseudo-terminal of its own.
    const out = join(dir, 'progress.ndjson');
    const command = [process.execPath, '--import', 'tsx', join('src', 'main.ts'), 'export']
      .concat(['--url', app.url, '--since', '30d', '--out', out])
      .map((word) => `'${word}'`)
      .join(' ');
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', AUDITGRAPH_TOKEN: KEY, TERM: 'dumb' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let terminal = '';
    child.stdout.on('data', (chunk: Buffer) => (terminal += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(terminal).toMatch(
      /100% \| 6000 events \| \d{4}-\d\d-\d\dT[^|]+ \.\. \d{4}-[^|]+ \| \d+\/s \| /,
    );
    for (const id of DEMO_SOURCE_IDS) expect(terminal).toContain(`${id} OK`);
    expect(terminal).not.toContain(KEY);
  }, 60_000);

  it('refuses a wrong command, a wrong filter and a file that is not its own, asking nothing upstream', async () => {
    const requests = upstream;
    const cases: [string[], RegExp][] = [
      [['--format', 'xml'], /--format must be one of ndjson, csv/],
      [['--filter', '{"since": '], /--filter must be an AuditEventFilter as JSON/],
      [['--since', 'yesterday'], /--since must be an ISO 8601 time or a span/],
      [['--token', KEY], /--token is not taken: set AUDITGRAPH_TOKEN instead/],
      [['--url', 'ftp://127.0.0.1'], /--url must be an http or https URL/],
      [['--colour', 'red'], /Unknown option '--colour'/],
    ];
    for (const [args, message] of cases) {
      const result = await runHere(['--url', app.url, ...args]);
      expect([args, result.code, result.stderr]).toEqual([args, 2, expect.stringMatching(message)]);
      expect(result.stderr).not.toContain(KEY);
    }
    // The server's refusals, with their codes.
    const bad = await runHere(['--url', app.url, '--filter', '{"colour": "red"}']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/400 BAD_USER_INPUT/)]);
    const anonymous = await runHere(['--url', app.url], {});
    expect([anonymous.code, anonymous.stderr]).toEqual([
      2,
      expect.stringMatching(/401 UNAUTHENTICATED/),
    ]);
    // A file the CLI did not write, and another command's export, are not overwritten.
    const foreign = join(dir, 'notes.csv');
    writeFileSync(foreign, 'keep me\n');
    const refused = await runHere(['--url', app.url, '--out', foreign]);
    expect([refused.code, refused.stderr]).toEqual([
      2,
      expect.stringMatching(/exists and was not/),
    ]);
    expect(readFileSync(foreign, 'utf8')).toBe('keep me\n');
    expect(upstream).toBe(requests);

    const mine = join(dir, 'fastly.ndjson');
    const first = await runHere([
      '--url',
      app.url,
      '--filter',
      '{"sources": ["fastly"]}',
      '--out',
      mine,
    ]);
    expect(first.code).toBe(0);
    const other = await runHere([
      '--url',
      app.url,
      '--filter',
      '{"sources": ["nirvana"]}',
      '--out',
      mine,
    ]);
    expect([other.code, other.stderr]).toEqual([2, expect.stringMatching(/holds another export/)]);
  }, 60_000);

  it('keeps characters whole where a network chunk ends inside one', async () => {
    // 400 Nirvana events of 900 bytes of three-byte characters each: the response's chunk
    // boundaries fall inside characters.
    const nirvana = demo.emulators.find((emulator) => emulator.name === 'nirvana') as any;
    const template = structuredClone(nirvana.records[0]);
    const sinceMs = Date.now() - 10_000;
    for (let index = 0; index < 400; index += 1) {
      nirvana.insertRecord({
        ...template,
        id: `c0ffee00-0000-4000-8000-${String(index).padStart(12, '0')}`,
        created_at: new Date(sinceMs + index * 10).toISOString(),
        user_agent: `${'€'.repeat(300)} ${index}`,
      });
    }
    const filter = JSON.stringify({ sources: ['nirvana'], since: new Date(sinceMs).toISOString() });
    const expected = (await readExport(app.url, { filter }, KEY)).events;
    expect(expected).toHaveLength(400);
    const result = await run(['--url', app.url, '--filter', filter]);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual(expected);
    expect(result.stdout).not.toContain('\uFFFD');
  }, 60_000);
});
