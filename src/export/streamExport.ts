import { isAuditgraphError } from '../model/errors';
import type { ExportEnd, ExportSourceEnd } from './ExportEnd';
import type { ExportFormat } from './exportFormats';
import type { ExportPage, ReadExportPage } from './ExportPage';

/** Where an export's text goes: a write resolves once the text may be followed by more. */
export interface ExportSink {
  write(text: string): Promise<void>;
}

export interface StreamExportOptions {
  readonly readPage: ReadExportPage;
  /** The first page, already read: bad input is answered before a byte of the export is sent. */
  readonly firstPage: ExportPage;
  /** The cursor the first page was read after (the export's `after`), or null. */
  readonly after: string | null;
  readonly format: ExportFormat;
  readonly sink: ExportSink;
  /** How long one page may wait on its upstreams; the export as a whole has no deadline. */
  readonly pageTimeoutMs: number;
  /** Write `@checkpoint` lines between pages (NDJSON; what the CLI resumes from). */
  readonly checkpoints: boolean;
  /** Aborted when the client goes away or the server stops: no page is read after it. */
  readonly signal: AbortSignal;
  /** Why the signal was aborted, for `stopped`: the server's drain or the client's leaving. */
  readonly stopReason: () => { readonly code: string; readonly message: string };
  readonly now?: () => number;
}

/**
 * An export: the feed's traversal page after page, each page's events written before the next
 * page is read, so that memory holds one page whatever the export's size and a slow client slows
 * the upstream reads instead of filling a buffer (the sink's write waits for the socket to
 * drain). Each page has its own deadline; the export has none. It ends at the traversal's end,
 * when a page fails as a whole, or when the signal is aborted, and says which with its end state.
 */
export async function streamExport(options: StreamExportOptions): Promise<ExportEnd> {
  const { format, sink, signal } = options;
  const now = options.now ?? Date.now;
  const sources = new Map<string, ExportSourceEnd>();
  let events = 0;
  let cursor = options.after;
  let page: ExportPage = options.firstPage;
  // Null until the export stops before its end; the loop ends at the end or with a reason.
  let stopped: ExportEnd['stopped'] = null;

  const record = (read: ExportPage): void => {
    for (const status of read.sources) {
      const before = sources.get(status.id);
      // A source's first failure is the one reported: it is the cause (a timeout), what follows
      // it (the circuit it opened) its consequence.
      const failure = before !== undefined && before.state !== 'OK' ? before : status;
      sources.set(status.id, {
        id: status.id,
        state: failure.state,
        code: failure.state === 'OK' ? null : failure.code,
        missed: (before?.missed ?? 0) + status.missed,
      });
    }
  };
  const progress = () => ({ cursor, sources: [...sources.values()], events });

  await sink.write(format.start());
  for (;;) {
    record(page);
    if (page.events.length > 0) await sink.write(format.events(page.events));
    events += page.events.length;
    cursor = page.endCursor ?? cursor;
    if (!page.hasNextPage) break;
    if (options.checkpoints) {
      const line = format.checkpoint(progress());
      if (line !== null) await sink.write(line);
    }
    if (signal.aborted) {
      stopped = options.stopReason();
      break;
    }
    try {
      page = await options.readPage({
        after: cursor,
        deadlineAt: now() + options.pageTimeoutMs,
        signal,
      });
    } catch (error) {
      stopped = signal.aborted
        ? options.stopReason()
        : isAuditgraphError(error)
          ? { code: error.code, message: error.message }
          : { code: 'INTERNAL_SERVER_ERROR', message: 'reading a page of the export failed' };
      break;
    }
    // A page the signal cut short reports its sources as timed out, which they were not: it is
    // dropped unwritten, and the export ends at the cursor before it.
    if (signal.aborted) {
      stopped = options.stopReason();
      break;
    }
  }
  const ended = [...sources.values()];
  const end: ExportEnd = {
    cursor,
    complete:
      stopped === null && ended.every((source) => source.state === 'OK' && source.missed === 0),
    sources: ended,
    events,
    stopped,
  };
  await sink.write(format.end(end));
  return end;
}
