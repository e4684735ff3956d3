import { existsSync } from 'node:fs';
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { request } from 'undici';
import type { ExportEnd, ExportSourceEnd } from './export/ExportEnd';
import { EXPORT_FORMATS, exportFormat } from './export/exportFormats';
import type { ExportFormatName } from './export/exportFormats';
import type { ExportedEvent } from './export/ExportPage';

/**
 * `npm run export` (`node dist/main.js export`): a client of `GET /export` that writes an export
 * to a file and resumes it when rerun. It always reads NDJSON with checkpoints and writes the
 * format asked for itself, so that a CSV export resumes as well as an NDJSON one: after each
 * page it has written and synced, it records the server's checkpoint cursor and the file's length
 * in a state file beside the output (`FILE.export-state.json`). A rerun of the same command cuts
 * the file back to that length and asks for the rest after that cursor, so a run killed at any
 * point leaves, once rerun, every event in the file exactly once.
 */

export const EXPORT_USAGE = `usage: export [--url URL] [--format ndjson|csv] [--since TIME] [--before TIME]
              [--filter JSON] [--order desc|asc] [--out FILE]
  --url URL       where auditgraph listens (default http://127.0.0.1:4000)
  --format        ndjson (default) or csv
  --since TIME    oldest event: an ISO 8601 time, or a span back from now such as 30d, 12h, 15m
  --before TIME   events before this time (the same forms)
  --filter JSON   any other AuditEventFilter fields, as JSON
  --order         desc (newest first, the default) or asc
  --out FILE      write to FILE, resumably (a rerun of the same command resumes); default stdout
  the credential, an API key or a JWT, is read from AUDITGRAPH_TOKEN (never from the command line,
  where other users of the machine could read it)`;

export const TOKEN_VARIABLE = 'AUDITGRAPH_TOKEN';
const DEFAULT_URL = 'http://127.0.0.1:4000';

/** Exit codes: the export is complete; it is not (a source failed); the command is wrong. */
export const EXPORT_EXIT = { complete: 0, failed: 1, usage: 2, incomplete: 3 } as const;

interface ExportArguments {
  readonly url: string;
  readonly format: ExportFormatName;
  readonly since: string | null;
  readonly before: string | null;
  readonly filter: string | null;
  readonly order: 'desc' | 'asc';
}

/** What the state file holds: the command it belongs to, and how far the file has got. */
interface ExportState {
  readonly version: 1;
  readonly arguments: ExportArguments;
  /** The filter sent, `since` and `before` resolved once: a rerun must send the same one. */
  readonly filter: Record<string, unknown>;
  /** Resume after this; null: from the start. */
  readonly cursor: string | null;
  /** The file's length at the cursor: what a rerun keeps. */
  readonly bytes: number;
  readonly events: number;
  /** The export reached its end (complete or not): a rerun has nothing to ask for. */
  readonly ended: boolean;
  readonly complete: boolean;
  readonly sources: readonly ExportSourceEnd[];
  /** The newest and oldest event times written, for the progress line. */
  readonly covered: { readonly first: string; readonly last: string } | null;
}

export interface ExportCliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly now?: () => number;
}

class UsageError extends Error {}

/** Runs the CLI; resolves to its exit code. */
export async function runExport(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: ExportCliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const say = (line: string) => io.stderr.write(`auditgraph export: ${line}\n`);
  let parsed: { args: ExportArguments; out: string | null };
  try {
    parsed = readArguments(argv);
  } catch (error) {
    if (error instanceof UsageError && error.message === 'help') {
      io.stdout.write(`${EXPORT_USAGE}\n`);
      return EXPORT_EXIT.complete;
    }
    say(error instanceof Error ? error.message : String(error));
    io.stderr.write(`${EXPORT_USAGE}\n`);
    return EXPORT_EXIT.usage;
  }
  const { args, out } = parsed;
  const now = io.now ?? Date.now;
  const token = env[TOKEN_VARIABLE] ?? null;

  let state: ExportState;
  try {
    state = out === null ? freshState(args, now) : await loadState(out, args, now);
  } catch (error) {
    if (error instanceof UsageError) {
      say(error.message);
      return EXPORT_EXIT.usage;
    }
    throw error;
  }
  if (state.ended) {
    say(`${out ?? 'the export'} is already ${describeEnd(state)}; nothing to resume`);
    return state.complete ? EXPORT_EXIT.complete : EXPORT_EXIT.incomplete;
  }
  // The state goes first: a run stopped before its first page still leaves a file it can resume.
  if (out !== null && !existsSync(stateFile(out))) await saveState(out, state);
  const file = out === null ? null : await openOutput(out, state.bytes);
  try {
    return await stream(args, state, token, file, io, say, now);
  } finally {
    await file?.handle.close();
  }
}

function readArguments(argv: readonly string[]): { args: ExportArguments; out: string | null } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        url: { type: 'string' },
        format: { type: 'string' },
        since: { type: 'string' },
        before: { type: 'string' },
        filter: { type: 'string' },
        order: { type: 'string' },
        out: { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) throw new UsageError('help');
  if (values.token !== undefined)
    throw new UsageError(`--token is not taken: set ${TOKEN_VARIABLE} instead`);
  const format = values.format ?? 'ndjson';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  const order = values.order ?? 'desc';
  if (order !== 'desc' && order !== 'asc') throw new UsageError('--order must be desc or asc');
  const url = values.url ?? DEFAULT_URL;
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new UsageError('--url must be an http or https URL');
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:')
    throw new UsageError('--url must be an http or https URL');
  if (parsedUrl.username !== '' || parsedUrl.password !== '')
    throw new UsageError(`--url must not hold a credential: set ${TOKEN_VARIABLE} instead`);
  if (values.filter !== undefined) readFilter(values.filter);
  for (const name of ['since', 'before'] as const) {
    const value = values[name];
    if (value !== undefined) toTime(value, name, Date.now());
  }
  return {
    args: {
      url: url.replace(/\/+$/, ''),
      format: format as ExportFormatName,
      since: values.since ?? null,
      before: values.before ?? null,
      filter: values.filter ?? null,
      order,
    },
    out: values.out ?? null,
  };
}

function readFilter(text: string): Record<string, unknown> {
  let filter: unknown;
  try {
    filter = JSON.parse(text);
  } catch {
    throw new UsageError('--filter must be an AuditEventFilter as JSON');
  }
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter))
    throw new UsageError('--filter must be a JSON object (an AuditEventFilter)');
  return filter as Record<string, unknown>;
}

const SPAN = /^(\d{1,6})(m|h|d)$/;
const SPAN_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** An ISO 8601 time as given, or a span back from now (`30d`) as the ISO time it names. */
function toTime(value: string, name: string, nowMs: number): string {
  const span = SPAN.exec(value);
  if (span !== null) {
    const [, count, unit] = span as unknown as [string, string, keyof typeof SPAN_MS];
    return new Date(nowMs - Number(count) * SPAN_MS[unit]).toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value)))
    throw new UsageError(`--${name} must be an ISO 8601 time or a span such as 30d, 12h or 15m`);
  return value;
}

function freshState(args: ExportArguments, now: () => number): ExportState {
  const filter = args.filter === null ? {} : readFilter(args.filter);
  for (const name of ['since', 'before'] as const) {
    const value = args[name];
    if (value === null) continue;
    if (name in filter) throw new UsageError(`--${name} and --filter's ${name} are both given`);
    filter[name] = toTime(value, name, now());
  }
  return {
    version: 1,
    arguments: args,
    filter,
    cursor: null,
    bytes: 0,
    events: 0,
    ended: false,
    complete: false,
    sources: [],
    covered: null,
  };
}

const stateFile = (out: string) => `${out}.export-state.json`;

/** The state of a rerun, or a fresh one; a file that is not this command's export is refused. */
async function loadState(
  out: string,
  args: ExportArguments,
  now: () => number,
): Promise<ExportState> {
  const path = stateFile(out);
  if (!existsSync(path)) {
    if (existsSync(out))
      throw new UsageError(
        `${out} exists and was not written by an export that can resume; choose another --out or remove it`,
      );
    return freshState(args, now);
  }
  let state: ExportState;
  try {
    state = JSON.parse(await readFile(path, 'utf8')) as ExportState;
  } catch {
    throw new UsageError(`${path} is not an export's state; remove it and ${out} to start again`);
  }
  if (state.version !== 1 || JSON.stringify(state.arguments) !== JSON.stringify(args)) {
    throw new UsageError(
      `${out} holds another export (${JSON.stringify(state.arguments)}); rerun that command to resume it, or choose another --out`,
    );
  }
  if (!existsSync(out))
    throw new UsageError(`${out} is gone but its state is not; remove ${path} to start again`);
  return state;
}

interface Output {
  readonly handle: FileHandle;
  readonly path: string;
}

/** The output file cut back to what the state vouches for. */
async function openOutput(path: string, bytes: number): Promise<Output> {
  const handle = await open(path, bytes === 0 ? 'w' : 'r+', 0o600);
  await handle.truncate(bytes);
  return { handle, path };
}

/** Written to a temporary file, then renamed over the old state: never half a state. */
async function saveState(out: string, state: ExportState): Promise<void> {
  const path = stateFile(out);
  await writeFile(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

function describeEnd(state: Pick<ExportState, 'complete' | 'sources' | 'events'>): string {
  if (state.complete) return `complete (${state.events} events)`;
  const failed = state.sources
    .filter((source) => source.state !== 'OK' || source.missed > 0)
    .map(
      (source) =>
        `${source.id} ${source.state}${source.code === null ? '' : ` (${source.code})`}${source.missed > 0 ? `, ${source.missed} missed` : ''}`,
    );
  return `incomplete (${state.events} events; ${failed.join('; ') || 'not every source answered'})`;
}

interface ErrorBody {
  readonly errors?: readonly {
    readonly message?: string;
    readonly extensions?: { readonly code?: string };
  }[];
}

async function stream(
  args: ExportArguments,
  initial: ExportState,
  token: string | null,
  file: Output | null,
  io: ExportCliIo,
  say: (line: string) => void,
  now: () => number,
): Promise<number> {
  let state = initial;
  const format = exportFormat(args.format);
  const query = new URLSearchParams({
    format: 'ndjson',
    checkpoints: 'true',
    orderBy: args.order === 'asc' ? 'OCCURRED_AT_ASC' : 'OCCURRED_AT_DESC',
    ...(Object.keys(state.filter).length === 0 ? {} : { filter: JSON.stringify(state.filter) }),
    ...(state.cursor === null ? {} : { after: state.cursor }),
  });
  let response;
  try {
    response = await request(`${args.url}/export?${query.toString()}`, {
      method: 'GET',
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
  } catch (error) {
    say(`cannot reach ${args.url}: ${error instanceof Error ? error.message : String(error)}`);
    return EXPORT_EXIT.failed;
  }
  if (response.statusCode !== 200) {
    const text = await response.body.text();
    let body: ErrorBody = {};
    try {
      body = JSON.parse(text) as ErrorBody;
    } catch {
      // Not auditgraph's JSON error: the status says what there is to say.
    }
    const [first] = body.errors ?? [];
    say(
      `${response.statusCode} ${first?.extensions?.code ?? 'HTTP_ERROR'}: ${first?.message ?? 'the server refused the export'}`,
    );
    return response.statusCode >= 400 && response.statusCode < 500
      ? EXPORT_EXIT.usage
      : EXPORT_EXIT.failed;
  }

  const progress = createProgress(io, state, now);
  // The text of the events since the last checkpoint, in the output's format.
  let pending: string[] = state.bytes === 0 ? [format.start()] : [];
  let pendingEvents = 0;
  let covered = state.covered;
  const write = async (text: string): Promise<void> => {
    if (file === null) {
      if (!io.stdout.write(text))
        await new Promise<void>((resolve) => io.stdout.once('drain', () => resolve()));
      return;
    }
    const buffer = Buffer.from(text, 'utf8');
    await file.handle.write(buffer, 0, buffer.length, state.bytes);
    state = { ...state, bytes: state.bytes + buffer.length };
  };
  /** Writes what is pending, syncs it, then moves the state on to `at`. */
  const commit = async (at: Partial<ExportState>): Promise<void> => {
    const text = pending.join('');
    pending = [];
    if (text !== '') await write(text);
    await file?.handle.datasync();
    state = { ...state, ...at, events: state.events + pendingEvents, covered };
    pendingEvents = 0;
    if (file !== null) await saveState(file.path, state);
    progress.update(state);
  };

  let rest = '';
  let end: ExportEnd | null = null;
  // A chunk may end inside a character: the decoder keeps its first bytes for the next chunk.
  const decoder = new StringDecoder('utf8');
  const page: ExportedEvent[] = [];
  const flushPage = () => {
    if (page.length === 0) return;
    if (args.format === 'csv') pending.push(format.events(page));
    page.length = 0;
  };
  /** Takes one line; returns the end state when it is the `@end` line. */
  const take = async (line: string): Promise<ExportEnd | null> => {
    if (line === '') return null;
    const value = JSON.parse(line) as Record<string, unknown>;
    if ('@checkpoint' in value) {
      flushPage();
      const checkpoint = value['@checkpoint'] as Pick<ExportEnd, 'cursor' | 'sources'>;
      await commit({ cursor: checkpoint.cursor, sources: checkpoint.sources });
      return null;
    }
    if ('@end' in value) {
      flushPage();
      return value['@end'] as ExportEnd;
    }
    const occurredAt = String(value['occurredAt']);
    covered =
      covered === null ? { first: occurredAt, last: occurredAt } : { ...covered, last: occurredAt };
    pendingEvents += 1;
    // NDJSON is written as the server wrote it; CSV from the parsed event, a page at a time.
    if (args.format === 'ndjson') pending.push(`${line}\n`);
    else page.push(value);
    return null;
  };

  try {
    for await (const chunk of response.body) {
      const lines = (rest + decoder.write(chunk as Buffer)).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) end = (await take(line)) ?? end;
      progress.tick(state.events + pendingEvents, covered);
    }
    end = (await take(rest + decoder.end())) ?? end;
  } catch (error) {
    progress.stop();
    say(
      `the connection was lost (${error instanceof Error ? error.message : String(error)}); ${file === null ? 'the output is cut short' : 'rerun the same command to resume'}`,
    );
    return EXPORT_EXIT.failed;
  }
  if (end === null) {
    progress.stop();
    say(
      `the export ended without its end line; ${file === null ? 'the output is cut short' : 'rerun the same command to resume'}`,
    );
    return EXPORT_EXIT.failed;
  }
  if (end.stopped !== null && end.stopped !== undefined) {
    // Stopped before its end (the server shutting down): what is written stands, the rest waits.
    await commit({ cursor: end.cursor, sources: end.sources });
    progress.stop();
    say(
      `the server stopped the export (${end.stopped.code}: ${end.stopped.message}); ${file === null ? 'the output is cut short' : 'rerun the same command to resume'}`,
    );
    return EXPORT_EXIT.failed;
  }
  await commit({
    cursor: end.cursor,
    sources: end.sources,
    ended: true,
    complete: end.complete,
  });
  progress.stop(true);
  say(`${file === null ? 'the export' : file.path} is ${describeEnd(state)}`);
  return state.complete ? EXPORT_EXIT.complete : EXPORT_EXIT.incomplete;
}

interface Progress {
  /** Between checkpoints: the events read so far. */
  tick(events: number, covered: ExportState['covered']): void;
  /** At a checkpoint: the sources' states too. */
  update(state: ExportState): void;
  /** `ended`: the export reached its end, so the whole window is covered. */
  stop(ended?: boolean): void;
}

const SILENT_PROGRESS: Progress = { tick: () => {}, update: () => {}, stop: () => {} };

/**
 * A progress line on stderr when it is a terminal: events written, the span of time covered so
 * far (and how much of `since`..`before` that is, when the export has a `since`), the rate, and
 * each source's state. Nothing when stderr is a file or a pipe.
 */
function createProgress(io: ExportCliIo, state: ExportState, now: () => number): Progress {
  if (io.stderr.isTTY !== true) return SILENT_PROGRESS;
  const startedAt = now();
  const startEvents = state.events;
  const since =
    typeof state.filter['since'] === 'string' ? Date.parse(state.filter['since']) : null;
  const before =
    typeof state.filter['before'] === 'string' ? Date.parse(state.filter['before']) : now();
  const span = since === null ? null : Math.max(1, before - since);
  const bar = new SingleBar(
    {
      stream: io.stderr,
      format: `${span === null ? '' : '{bar} {percentage}% | '}{events} events | {covered} | {rate}/s | {sources}`,
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
    },
    Presets.shades_classic,
  );
  let sources = '';
  const values = (events: number, covered: ExportState['covered']) => {
    const seconds = Math.max(0.001, (now() - startedAt) / 1000);
    return {
      events,
      covered: covered === null ? '-' : `${covered.first} .. ${covered.last}`,
      rate: Math.round((events - startEvents) / seconds),
      sources: sources === '' ? '-' : sources,
    };
  };
  const done = (covered: ExportState['covered']) => {
    if (span === null || covered === null) return 0;
    const reached = Date.parse(covered.last);
    const first = state.arguments.order === 'asc' ? since! : before;
    return Math.min(span, Math.abs(reached - first));
  };
  bar.start(span ?? 1, 0, values(state.events, state.covered));
  return {
    tick: (events, covered) => bar.update(done(covered), values(events, covered)),
    update: (latest) => {
      sources = latest.sources.map((source) => `${source.id} ${source.state}`).join(', ');
      bar.update(done(latest.covered), values(latest.events, latest.covered));
    },
    stop: (ended = false) => {
      if (ended) bar.update(span ?? 1);
      bar.stop();
    },
  };
}
