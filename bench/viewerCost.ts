/**
 * `npm run bench:viewer`: what the viewer costs a person in front of it, against the simplest
 * thing they could do instead. Starts the demo (9,000 events over 30 days) and auditgraph in
 * this process, builds the viewer, and drives Debian's Chromium (CHROMIUM_PATH) on loopback:
 *
 * - first rows: from navigation to the first row on screen, against one `auditEvents(first:
 *   100)` POST with the same fields and JSON.parse;
 * - the whole demo: scrolling to the end until all 9,000 events are loaded, against the same
 *   pages fetched one after another by a plain loop;
 * - scrolling with every event loaded: frame times while the list scrolls 120 px per frame, and
 *   how many rows are in the page.
 *
 * Options: --runs <n> (default 3; medians are reported).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildViewer } from '../scripts/buildViewer';
import { startAuditgraph } from '../src/startAuditgraph';
import { launchBrowser } from '../test/support/browser';
import { DEMO_CONFIG } from '../test/support/demoConfig';
import { EVENT_ROWS, scrollToLoad } from '../test/support/viewerPage';
import { percentile } from './stats';

const EVENT_FIELDS = `id nativeId occurredAt provider action category outcome description
  source { id kind provider } actor { key id type name email ip token { id name } }
  resource { key id type name product } request { ip method path statusCode userAgent rayId }
  changes { before after } metadata raw redacted`;

const median = (values: readonly number[]) => percentile([...values], 50);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
  const runs = Number(values.runs);
  const directory = await mkdtemp(path.join(tmpdir(), 'auditgraph-viewer-bench-'));
  const built = await buildViewer(directory);
  const app = await startAuditgraph(
    { ...DEMO_CONFIG },
    { log: () => undefined, viewerDirectory: directory },
  );
  const browser = await launchBrowser();
  const samples = {
    firstRowsMs: [] as number[],
    firstPageDirectMs: [] as number[],
    allEventsMs: [] as number[],
    allEventsDirectMs: [] as number[],
    frameMedianMs: [] as number[],
    frameP95Ms: [] as number[],
    rowsInPage: [] as number[],
    events: 0,
  };
  try {
    for (let run = 0; run < runs; run += 1) {
      // The plain client: POST, JSON.parse, next cursor, nothing else.
      let after: string | null = null;
      let events = 0;
      const started = performance.now();
      for (let page = 0; ; page += 1) {
        const response = await fetch(`${app.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query: `query ($after: String) { auditEvents(first: 100, after: $after) {
              edges { node { ${EVENT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
            variables: { after },
          }),
        });
        const body = JSON.parse(await response.text()) as {
          data: {
            auditEvents: {
              edges: unknown[];
              pageInfo: { hasNextPage: boolean; endCursor: string };
            };
          };
        };
        if (page === 0) samples.firstPageDirectMs.push(performance.now() - started);
        events += body.data.auditEvents.edges.length;
        if (!body.data.auditEvents.pageInfo.hasNextPage) break;
        after = body.data.auditEvents.pageInfo.endCursor;
      }
      samples.allEventsDirectMs.push(performance.now() - started);
      samples.events = events;

      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const navigated = performance.now();
      await page.goto(`${app.url}/viewer?range=all`);
      await page.locator(EVENT_ROWS).first().waitFor();
      samples.firstRowsMs.push(performance.now() - navigated);
      await scrollToLoad(page);
      samples.allEventsMs.push(performance.now() - navigated);
      const frames = await page.locator('[role="listbox"]').evaluate(async (element) => {
        const times: number[] = [];
        element.scrollTop = 0;
        let last = performance.now();
        for (let frame = 0; frame < 400; frame += 1) {
          await new Promise((resolve) => requestAnimationFrame(resolve));
          const now = performance.now();
          times.push(now - last);
          last = now;
          element.scrollTop += 120;
        }
        return { times, rows: element.querySelectorAll('[data-event-id]').length };
      });
      samples.frameMedianMs.push(percentile(frames.times, 50));
      samples.frameP95Ms.push(percentile(frames.times, 95));
      samples.rowsInPage.push(frames.rows);
      await context.close();
    }
  } finally {
    await browser.close();
    await app.close();
    await rm(directory, { recursive: true, force: true });
  }
  const bundle = built.files.reduce(
    (sum, file) => ({ bytes: sum.bytes + file.bytes, gzipBytes: sum.gzipBytes + file.gzipBytes }),
    { bytes: 0, gzipBytes: 0 },
  );
  const report = {
    runs,
    events: samples.events,
    bundleBytes: bundle.bytes,
    bundleGzipBytes: bundle.gzipBytes,
    firstRowsMs: Math.round(median(samples.firstRowsMs)),
    firstPageDirectMs: Math.round(median(samples.firstPageDirectMs)),
    allEventsMs: Math.round(median(samples.allEventsMs)),
    allEventsDirectMs: Math.round(median(samples.allEventsDirectMs)),
    scrollFrameMedianMs: Number(median(samples.frameMedianMs).toFixed(1)),
    scrollFrameP95Ms: Number(median(samples.frameP95Ms).toFixed(1)),
    rowsInPage: Math.max(...samples.rowsInPage),
  };
  console.log(JSON.stringify(report, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
