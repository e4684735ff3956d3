/**
 * `npm run bench`: start the demo cold, traverse all of it with `first: 100` in both orders, and
 * print the demo's size, the time taken and the upstream requests per page.
 */
import { performance } from 'node:perf_hooks';
import { startAuditgraph } from '../src/startAuditgraph';
import { DEMO_CONFIG } from '../test/support/demoConfig';
import { measurePushdown } from './pushdownRequests';

const QUERY = `query($after: String, $orderBy: AuditEventOrder) {
  auditEvents(first: 100, after: $after, orderBy: $orderBy) {
    edges { node { id occurredAt action actor { email } source { id } } }
    pageInfo { hasNextPage endCursor }
    sources { upstreamRequests }
  }
}`;

interface PageResult {
  data: {
    auditEvents: {
      edges: unknown[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      sources: { upstreamRequests: number }[];
    };
  };
}

async function traverse(url: string, orderBy: string) {
  const started = performance.now();
  const requestsPerPage: number[] = [];
  let events = 0;
  let after: string | null = null;
  for (;;) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY, variables: { after, orderBy } }),
    });
    const body = (await response.json()) as PageResult;
    const page = body.data.auditEvents;
    events += page.edges.length;
    requestsPerPage.push(page.sources.reduce((sum, s) => sum + s.upstreamRequests, 0));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { ms: performance.now() - started, events, requestsPerPage };
}

async function main() {
  const started = performance.now();
  const app = await startAuditgraph(DEMO_CONFIG, { log: () => undefined });
  const startMs = performance.now() - started;
  const total = Object.values(app.demo?.counts ?? {}).reduce((a, b) => a + b, 0);
  const rows: string[][] = [['measure', 'value']];
  rows.push(['demo events (six sources)', String(total)]);
  rows.push(['cold start: emulators + gateway ready', `${startMs.toFixed(0)} ms`]);
  for (const orderBy of ['OCCURRED_AT_DESC', 'OCCURRED_AT_ASC']) {
    const run = await traverse(app.url, orderBy);
    const sorted = [...run.requestsPerPage].sort((a, b) => a - b);
    const mean = run.requestsPerPage.reduce((a, b) => a + b, 0) / run.requestsPerPage.length;
    rows.push([`${orderBy}: events delivered`, String(run.events)]);
    rows.push([`${orderBy}: pages of 100`, String(run.requestsPerPage.length)]);
    rows.push([`${orderBy}: full traversal`, `${run.ms.toFixed(0)} ms`]);
    rows.push([
      `${orderBy}: upstream requests per page`,
      `mean ${mean.toFixed(2)}, min ${sorted[0]}, median ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted[sorted.length - 1]}`,
    ]);
  }
  await app.close();
  const width = Math.max(...rows.map((r) => r[0]!.length));
  for (const [measure, value] of rows)
    process.stdout.write(`${measure!.padEnd(width)}  ${value}\n`);

  process.stdout.write(
    `\nUpstream requests per page (first: 50), pushed down vs. filtered by the feed alone:\n`,
  );
  const table = await measurePushdown();
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  for (const row of table) {
    process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
