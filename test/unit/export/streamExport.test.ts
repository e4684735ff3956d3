import type {
  ExportPage,
  ExportPageRequest,
  ExportSourceStatus,
} from '../../../src/export/ExportPage';
import { exportFormat } from '../../../src/export/exportFormats';
import { streamExport } from '../../../src/export/streamExport';
import { AuditgraphError } from '../../../src/model/errors';

/** The route's reason; these exports are never aborted. */
const stopReason = () => ({ code: 'REQUEST_ABORTED', message: 'the client went away' });
const ok = (id: string): ExportSourceStatus => ({ id, state: 'OK', code: null, missed: 0 });
const page = (
  n: number,
  more: boolean,
  sources: ExportSourceStatus[] = [ok('a'), ok('b')],
): ExportPage => ({
  events: [{ id: `e${n}` }],
  endCursor: `c${n}`,
  hasNextPage: more,
  sources,
});

/** A sink that records each write and when the next page was asked for relative to it. */
function recorder() {
  const log: string[] = [];
  const write = (text: string): Promise<void> => {
    // The NDJSON start is empty.
    if (text !== '') log.push(`write ${text.trim()}`);
    return Promise.resolve();
  };
  return { log, sink: { write } };
}

describe('streamExport', () => {
  it('writes each page before reading the next, and ends complete at the end', async () => {
    const { log, sink } = recorder();
    const pages = [page(2, true), page(3, false)];
    const asked: ExportPageRequest[] = [];
    const end = await streamExport({
      readPage: (request) => {
        asked.push(request);
        log.push(`read after ${request.after}`);
        return Promise.resolve(pages.shift()!);
      },
      firstPage: page(1, true),
      after: null,
      format: exportFormat('ndjson'),
      sink,
      pageTimeoutMs: 1_000,
      checkpoints: false,
      signal: new AbortController().signal,
      stopReason,
      now: () => 5_000,
    });
    expect(log).toEqual([
      'write {"id":"e1"}',
      'read after c1',
      'write {"id":"e2"}',
      'read after c2',
      'write {"id":"e3"}',
      expect.stringMatching(/^write \{"@end"/),
    ]);
    expect(asked.map((request) => request.deadlineAt)).toEqual([6_000, 6_000]);
    expect(end).toEqual({
      cursor: 'c3',
      complete: true,
      events: 3,
      sources: [ok('a'), ok('b')],
      stopped: null,
    });
  });

  it('reports a source by its first failure, and is then not complete', async () => {
    const timedOut: ExportSourceStatus = {
      id: 'a',
      state: 'TIMED_OUT',
      code: 'SOURCE_TIMEOUT',
      missed: 0,
    };
    const open: ExportSourceStatus = {
      id: 'a',
      state: 'CIRCUIT_OPEN',
      code: 'CIRCUIT_OPEN',
      missed: 2,
    };
    const pages = [page(2, true, [open, ok('b')]), page(3, false)];
    const end = await streamExport({
      readPage: () => Promise.resolve(pages.shift()!),
      firstPage: page(1, true, [timedOut, ok('b')]),
      after: 'c0',
      format: exportFormat('ndjson'),
      sink: recorder().sink,
      pageTimeoutMs: 1_000,
      checkpoints: false,
      signal: new AbortController().signal,
      stopReason,
    });
    expect(end.complete).toBe(false);
    expect(end.sources).toEqual([{ ...timedOut, missed: 2 }, ok('b')]);
  });

  it('ends at the last written cursor when a page fails as a whole, or when the signal aborts during a page', async () => {
    const failing = await streamExport({
      readPage: () =>
        Promise.reject(new AuditgraphError('BAD_USER_INPUT', 'the cursor has expired')),
      firstPage: page(1, true),
      after: null,
      format: exportFormat('ndjson'),
      sink: recorder().sink,
      pageTimeoutMs: 1_000,
      checkpoints: false,
      signal: new AbortController().signal,
      stopReason,
    });
    expect(failing).toMatchObject({
      cursor: 'c1',
      complete: false,
      events: 1,
      stopped: { code: 'BAD_USER_INPUT', message: 'the cursor has expired' },
    });

    const controller = new AbortController();
    const { log, sink } = recorder();
    const aborted = await streamExport({
      // The page comes back after the abort, its sources cut short: it is not written.
      readPage: () => {
        controller.abort();
        return Promise.resolve(
          page(2, true, [{ id: 'a', state: 'TIMED_OUT', code: 'SOURCE_TIMEOUT', missed: 0 }]),
        );
      },
      firstPage: page(1, true),
      after: null,
      format: exportFormat('ndjson'),
      sink,
      pageTimeoutMs: 1_000,
      checkpoints: true,
      signal: controller.signal,
      stopReason: () => ({ code: 'SHUTTING_DOWN', message: 'resume elsewhere' }),
    });
    expect(aborted).toEqual({
      cursor: 'c1',
      complete: false,
      events: 1,
      sources: [ok('a'), ok('b')],
      stopped: { code: 'SHUTTING_DOWN', message: 'resume elsewhere' },
    });
    expect(log.filter((line) => line.includes('"e2"'))).toEqual([]);
    expect(log.filter((line) => line.includes('@checkpoint'))).toHaveLength(1);
  });
});
