import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import { buildViewer } from '../../scripts/buildViewer';
import { generateApiKey } from '../../src/auth/generateApiKey';
import { hashApiKey } from '../../src/auth/hashApiKey';
import type { Demo } from '../../src/emulators/startDemoEmulators';
import { startDemoEmulators } from '../../src/emulators/startDemoEmulators';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { hasBrowser, launchBrowser, refuseOffHost } from '../support/browser';
import { DEMO_CONFIG, postGraphql } from '../support/demoConfig';
import { unescapeCsvCell } from '../../src/export/exportFormats';
import { createEventInserter } from '../support/insertEmulatedEvent';
import { COUNTS_CHART, EVENT_ROWS, scrollToLoad } from '../support/viewerPage';
import { waitFor } from '../support/tailClients';

/**
 * The viewer (`/viewer`) in a real browser against the demo, with every request that leaves
 * loopback refused. Each case checks what the page shows against what the public API answers
 * for the same question. Screenshots go to test-output/viewer (or VIEWER_SCREENSHOTS_DIR).
 * CI installs Debian's chromium; on a machine without it these tests are reported as skipped.
 */
const describeInBrowser = hasBrowser ? describe : describe.skip;
const SCREENSHOTS =
  process.env.VIEWER_SCREENSHOTS_DIR ??
  path.resolve(__dirname, '..', '..', 'test-output', 'viewer');
const HOUR = 3_600_000;

describe('the viewer test setup', () => {
  it('has a browser to test the viewer with when running in CI', () => {
    if (process.env.CI === 'true') expect(hasBrowser).toBe(true);
  });
});

interface Opened {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Requests the page tried to send off loopback (all refused). */
  readonly refused: string[];
  /** Uncaught exceptions, and console errors (a CSP violation is one). */
  readonly problems: string[];
  /** The POSTs of `/graphql` the page sent, by operation name. */
  readonly operations: string[];
}

describeInBrowser('the viewer in a browser with no internet access', () => {
  let app: Auditgraph;
  let browser: Browser;
  let viewerDirectory: string;
  let upstreamRequests = 0;
  const opened: Opened[] = [];

  beforeAll(async () => {
    viewerDirectory = await mkdtemp(path.join(tmpdir(), 'auditgraph-viewer-'));
    await buildViewer(viewerDirectory);
    await mkdir(SCREENSHOTS, { recursive: true });
    app = await startAuditgraph(
      {
        ...DEMO_CONFIG,
        tail: { pollIntervalMs: 200, maxSubscriptionsPerClient: 5, maxSubscriptions: 5 },
      },
      {
        log: () => undefined,
        viewerDirectory,
        onUpstreamRequest: () => {
          upstreamRequests += 1;
        },
      },
    );
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const { context, refused, problems } of opened.splice(0)) {
      await context.close();
      expect(refused).toEqual([]);
      expect(problems).toEqual([]);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (viewerDirectory !== undefined) await rm(viewerDirectory, { recursive: true, force: true });
  });

  async function open(
    search = '',
    options: { width?: number; height?: number; dark?: boolean; origin?: string } = {},
  ): Promise<Opened> {
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
      colorScheme: options.dark === true ? 'dark' : 'light',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const problems: string[] = [];
    const operations: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // A 4xx the page asked for (a refused filter) is logged by the browser; that is expected.
      // Anything else, a CSP refusal above all, is a problem.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(`console: ${message.text()}`);
      }
    });
    const refused = await refuseOffHost(context, (url, body) => {
      if (url.pathname === '/graphql' && body !== null) {
        operations.push(/query (\w+)/.exec(body)?.[1] ?? '?');
      }
    });
    const result = { page, context, refused, problems, operations };
    opened.push(result);
    await page.goto(`${options.origin ?? app.url}/viewer${search}`);
    return result;
  }

  /** The rendered rows, top to bottom, as [id, occurredAt, sourceId]. */
  function renderedRows(page: Page): Promise<[string, string, string][]> {
    return page.$$eval(EVENT_ROWS, (rows) =>
      rows
        .map((row) => ({
          top: row.getBoundingClientRect().top,
          value: [
            row.getAttribute('data-event-id') ?? '',
            row.getAttribute('data-occurred-at') ?? '',
            row.getAttribute('data-source-id') ?? '',
          ] as [string, string, string],
        }))
        .sort((a, b) => a.top - b.top)
        .map((row) => row.value),
    );
  }

  /**
   * Every row, top to bottom, by scrolling the list as a user would: to the end until the list
   * has loaded `atLeast` rows or says there are no more (scrolling near the end is what loads
   * the next page), then from the top again, a screen at a time, reading the rows in view. The
   * list is virtualised, so only the rows near the view exist at any time.
   */
  async function scrollThrough(page: Page, atLeast = Infinity): Promise<string[]> {
    await scrollToLoad(page, atLeast);
    const list = page.locator('[role="listbox"]');
    return list.evaluate(async (element) => {
      const seen = new Map<number, string>();
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      element.scrollTop = 0;
      for (;;) {
        await frame();
        await frame();
        for (const row of element.querySelectorAll('[data-event-id]')) {
          seen.set(Number(row.id.replace('event-', '')), row.getAttribute('data-event-id') ?? '');
        }
        const before = element.scrollTop;
        // A screen and 10 rows: the list renders 12 rows beyond each edge of the view.
        element.scrollTop = before + element.clientHeight + 10 * 36;
        if (element.scrollTop === before) break;
      }
      return [...seen.entries()].sort(([a], [b]) => a - b).map(([, id]) => id);
    });
  }

  async function apiIds(filter: Record<string, unknown>, count: number): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    while (ids.length < count) {
      const answer = await postGraphql(
        app.url,
        `query ($after: String, $filter: AuditEventFilter) {
          auditEvents(first: 100, after: $after, filter: $filter) {
            edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after, filter },
      );
      const page = answer.data!.auditEvents;
      ids.push(...page.edges.map((edge: any) => edge.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return ids.slice(0, count);
  }

  const screenshot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });

  it('serves the page with a strict CSP and shows the newest events first, as the API orders them', async () => {
    const response = await fetch(`${app.url}/viewer`);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const { page } = await open();
    await page.locator(EVENT_ROWS).first().waitFor();
    const rows = await renderedRows(page);
    expect(rows.length).toBeGreaterThan(10);
    const times = rows.map(([, occurredAt]) => occurredAt);
    expect([...times].sort().reverse()).toEqual(times);
    // The demo holds far more than a screen of events in the last 7 days: the newest are the
    // same, whatever the window's far end.
    expect(rows.map(([id]) => id)).toEqual(await apiIds({}, rows.length));
    // Time in local time, UTC on hover.
    const time = page.locator(`${EVENT_ROWS} .c-time`).first();
    expect(await time.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC$/);
    await page.locator('[data-source-id][data-state="OK"]').first().waitFor();
    expect(await page.locator('.chips [data-state="OK"]').count()).toBe(6);
    await screenshot(page, 'timeline');
  });

  it('loads the next page as the list scrolls, and shows no event twice', async () => {
    const { page, operations } = await open();
    await page.locator(EVENT_ROWS).first().waitFor();
    const ids = await scrollThrough(page, 350);
    expect(ids.length).toBeGreaterThanOrEqual(350);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations.filter((name) => name === 'ViewerPage').length).toBeGreaterThanOrEqual(4);
    expect(ids).toEqual(await apiIds({}, ids.length));
    // Virtualised: however many are loaded, only those near the view are in the page.
    expect(await page.locator(EVENT_ROWS).count()).toBeLessThan(80);
  });

  it('moves nothing on screen when the chart or the next page arrives', async () => {
    const { page } = await open();
    // Where each row in the page is on screen, by id.
    const rowTops = () =>
      page.$$eval(EVENT_ROWS, (rows) =>
        Object.fromEntries(
          rows.map((row) => [row.getAttribute('data-event-id'), row.getBoundingClientRect().top]),
        ),
      );
    await page.locator(EVENT_ROWS).first().waitFor();
    const first = await rowTops();
    await page.locator(`${COUNTS_CHART}[data-drawn="true"]`).waitFor();
    expect(await rowTops()).toEqual(first);

    // Hold the next page until the rows in view have been measured.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let asked!: () => void;
    const nextPageAsked = new Promise<void>((resolve) => (asked = resolve));
    await page.route('**/graphql', async (route) => {
      const body = route.request().postData() ?? '';
      if (body.includes('ViewerPage') && /"after":"/.test(body)) {
        asked();
        await released;
      }
      await route.fallback();
    });
    const list = page.locator('[role="listbox"]');
    await list.evaluate((element) => {
      element.scrollTop = element.scrollHeight - element.clientHeight;
    });
    await nextPageAsked;
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    const before = await rowTops();
    expect(Object.keys(before).length).toBeGreaterThan(10);
    release();
    await page.waitForFunction(
      () => Number(document.querySelector('[role="listbox"]')?.getAttribute('data-rows')) > 100,
    );
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    const after = await rowTops();
    for (const [id, top] of Object.entries(before)) expect([id, after[id]]).toEqual([id, top]);
  });

  it('keeps 9,000 events of the whole demo scrollable, each once, with few rows in the page', async () => {
    const { page } = await open('?range=all');
    await page.locator(EVENT_ROWS).first().waitFor();
    const ids = await scrollThrough(page);
    const total = await postGraphql(
      app.url,
      '{ auditEventCounts(by: SOURCE, first: 10) { buckets { count } exact } }',
    );
    const expected = total.data!.auditEventCounts.buckets.reduce(
      (sum: number, bucket: { count: number }) => sum + bucket.count,
      0,
    );
    expect(expected).toBeGreaterThan(8_000);
    expect(ids.length).toBe(expected);
    expect(new Set(ids).size).toBe(expected);
    expect(await page.locator(EVENT_ROWS).count()).toBeLessThan(80);
  });

  it('narrows the rows to the sources chosen, and keeps the choice in the URL', async () => {
    const { page } = await open();
    await page.locator(EVENT_ROWS).first().waitFor();
    await page.locator('#f-sources').click();
    for (const id of [
      'fastly',
      'cloudflare-v1',
      'cloudflare-v2',
      'fusionauth-event-log',
      'nirvana',
    ]) {
      await page.locator(`.choice input[value="${id}"]`).uncheck();
    }
    await page.waitForFunction(() => location.search.includes('sources=fusionauth-audit-log'));
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[role="listbox"] [data-event-id]')];
      return (
        rows.length > 0 &&
        rows.every((row) => row.getAttribute('data-source-id') === 'fusionauth-audit-log')
      );
    });
    const rows = await renderedRows(page);
    expect(rows.map(([id]) => id)).toEqual(
      await apiIds({ sources: ['fusionauth-audit-log'] }, rows.length),
    );
    expect(await page.locator('.chips [data-source-id]').count()).toBe(1);
    // The same view from its link.
    const shared = await open(new URL(page.url()).search);
    await shared.page.locator(EVENT_ROWS).first().waitFor();
    expect(await renderedRows(shared.page)).toEqual(rows);
  });

  it('draws the counts per hour stacked by source, with the API total, and a click narrows the range', async () => {
    const before = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
    const since = before - 24 * HOUR;
    const search = `?range=custom&since=${new Date(since).toISOString()}&before=${new Date(before).toISOString()}`;
    const { page } = await open(search);
    const chart = page.locator(COUNTS_CHART);
    await page.locator(`${COUNTS_CHART}[data-total]`).waitFor();
    expect(await chart.getAttribute('data-bucket')).toBe('hour');
    expect(await chart.getAttribute('data-buckets')).toBe('24');
    const counts = await postGraphql(
      app.url,
      'query ($filter: AuditEventFilter) { auditEventCounts(by: SOURCE, filter: $filter, first: 10) { buckets { count } } }',
      { filter: { since: new Date(since).toISOString(), before: new Date(before).toISOString() } },
    );
    const expected = counts.data!.auditEventCounts.buckets.reduce(
      (sum: number, bucket: { count: number }) => sum + bucket.count,
      0,
    );
    expect(Number(await chart.getAttribute('data-total'))).toBe(expected);
    // Bars were drawn: the canvas holds pixels of more than one colour.
    await page.locator(`${COUNTS_CHART}[data-drawn="true"]`).waitFor();
    const colours = await page.locator(`${COUNTS_CHART} canvas`).evaluate((canvas) => {
      const element = canvas as HTMLCanvasElement;
      const context = element.getContext('2d')!;
      const { data } = context.getImageData(0, 0, element.width, element.height);
      const seen = new Set<string>();
      for (let i = 0; i < data.length; i += 4 * 7) {
        if (data[i + 3]! > 200) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
      }
      return seen.size;
    });
    expect(colours).toBeGreaterThan(6);
    await screenshot(page, 'chart');

    // Click across the plot, low down where every non-empty bar is, until one narrows the view.
    const box = (await chart.boundingBox())!;
    const start = page.url();
    for (let x = 0.08; x < 0.8 && page.url() === start; x += 0.02) {
      await page.mouse.click(box.x + box.width * x, box.y + box.height * 0.8);
    }
    await page.waitForFunction((from) => location.href !== from, start);
    const narrowed = new URL(page.url()).searchParams;
    const from = Date.parse(narrowed.get('since')!);
    const to = Date.parse(narrowed.get('before')!);
    expect(to - from).toBe(HOUR);
    expect(from).toBeGreaterThanOrEqual(since);
    expect(to).toBeLessThanOrEqual(before);
    await page.waitForFunction(
      (bucket) =>
        document.querySelector('[data-chart="counts"]')?.getAttribute('data-buckets') === '1' &&
        [...document.querySelectorAll('[role="listbox"] [data-event-id]')].every((row) => {
          const at = Date.parse(row.getAttribute('data-occurred-at') ?? '');
          return at >= bucket.from && at < bucket.to;
        }),
      { from, to },
    );
  });

  it('opens an event in the side panel from the keyboard, and Escape gives focus back', async () => {
    const { page } = await open();
    await page.locator(EVENT_ROWS).first().waitFor();
    await page.locator('[role="listbox"]').focus();
    for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const rows = await renderedRows(page);
    const third = rows[2]![0];
    const panel = page.locator('.panel');
    await panel.waitFor();
    expect(await panel.getAttribute('data-panel-event-id')).toBe(third);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H2');
    // Everything the API holds for it, the provider's record included.
    const event = await postGraphql(
      app.url,
      'query ($id: ID!) { auditEvent(id: $id) { nativeId action } }',
      {
        id: third,
      },
    );
    await expect(panel.textContent()).resolves.toContain(event.data!.auditEvent.nativeId);
    await expect(panel.textContent()).resolves.toContain('Provider record (raw)');
    await screenshot(page, 'side-panel');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('listbox');
  });

  it('shows the server’s code beside a field it refuses, and asks no source for it', async () => {
    const { page } = await open();
    await page.locator(EVENT_ROWS).first().waitFor();
    // Once the first page and the chart's counts are in, nothing more is asked of the sources.
    await page.locator(`${COUNTS_CHART}[data-total]`).waitFor();
    await page.waitForLoadState('networkidle');
    const upstreamBefore = upstreamRequests;
    await page.locator('#f-ip').fill('203.0.113.0/33');
    await page.locator('#f-ip').press('Enter');
    const error = page.locator('[data-field="ip"] .field-error');
    await error.waitFor();
    expect(await error.getAttribute('data-code')).toBe('BAD_USER_INPUT');
    await expect(error.textContent()).resolves.toContain('CIDR');
    expect(upstreamRequests - upstreamBefore).toBe(0);
    // The rest of the page is still there, and a good value clears the error.
    await page.locator('#f-ip').fill('');
    await page.locator('#f-ip').press('Enter');
    await error.waitFor({ state: 'detached' });
    await page.locator(EVENT_ROWS).first().waitFor();
  });

  it('follows the tail when Live is on: an event inserted upstream appears at the top', async () => {
    const { page } = await open('?sources=fastly');
    await page.locator(EVENT_ROWS).first().waitFor();
    const topBefore = (await renderedRows(page))[0]![0];
    await page.locator('button[data-live]').click();
    await waitFor('the subscription', () => app.tail.stats().subscriptions === 1);
    const at = Date.now();
    const insert = createEventInserter(app.demo!);
    insert('fastly', at);
    insert('fastly', at + 1_000);
    await page.waitForFunction(
      (previous) => {
        const rows = [...document.querySelectorAll('[role="listbox"] [data-event-id]')].sort(
          (a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top,
        );
        return rows[2]?.getAttribute('data-event-id') === previous;
      },
      topBefore,
      { timeout: 30_000 },
    );
    const rows = await renderedRows(page);
    const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
    expect(rows.slice(0, 2).map(([, occurredAt]) => occurredAt)).toEqual([
      seconds(at + 1_000),
      seconds(at),
    ]);
    expect(new Set(rows.map(([id]) => id)).size).toBe(rows.length);
    await page.locator('button[data-live]').click();
    await waitFor('the subscription to end', () => app.tail.stats().subscriptions === 0);
  });

  it('exports the view through /export: the file holds exactly the rows shown, in order', async () => {
    const before = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
    const since = before - 6 * HOUR;
    const { page } = await open(
      `?range=custom&since=${new Date(since).toISOString()}&before=${new Date(before).toISOString()}`,
    );
    await page.locator(EVENT_ROWS).first().waitFor();
    const ids = await scrollThrough(page);
    expect(ids.length).toBeGreaterThan(20);
    for (const format of ['ndjson', 'csv'] as const) {
      await page.locator('select[aria-label="Export format"]').selectOption(format);
      const download = page.waitForEvent('download');
      await page.locator('[data-action="export"]').click();
      const file = await (await download).path();
      const text = await readFile(file, 'utf8');
      const exported =
        format === 'ndjson'
          ? text
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line) as { id?: string })
              .filter((record) => record.id !== undefined)
              .map((record) => record.id!)
          : parse<{ id: string }>(text, { columns: true }).map((record) =>
              unescapeCsvCell(record.id),
            );
      expect(exported).toEqual(ids);
    }
  });

  it('a source that fails shows as FAILED with its message, and the others still answer', async () => {
    const nirvana = app.demo!.emulators.find((emulator) => emulator.name === 'nirvana')!;
    nirvana.knobs.faults.push({ fault: { type: 'status', status: 503 }, times: 1_000 });
    try {
      const { page } = await open();
      const chip = page.locator('.chips [data-source-id="nirvana"]');
      // Every chip is set from the same answer: once nirvana's is, all are.
      await page.locator('.chips [data-source-id="nirvana"]:not([data-state="PENDING"])').waitFor();
      expect(await chip.getAttribute('data-state')).not.toBe('OK');
      await expect(chip.textContent()).resolves.toMatch(/\w/);
      expect(await page.locator('.chips [data-state="OK"]').count()).toBe(5);
      await page.locator(EVENT_ROWS).first().waitFor();
      const sources = new Set((await renderedRows(page)).map(([, , source]) => source));
      expect(sources.has('nirvana')).toBe(false);
      expect(sources.size).toBeGreaterThan(1);
      // The chart draws the sources that answered and names the one it could not count.
      await page.locator(`${COUNTS_CHART}[data-drawn="true"]`).waitFor();
      await expect(page.locator('.chart-note').textContent()).resolves.toMatch(
        /Not counted: nirvana\./,
      );
      await screenshot(page, 'failed-source');
    } finally {
      nirvana.knobs.faults.length = 0;
    }
  });

  it('reads at 1280×800 in dark and on a narrow screen, where the panel covers the list', async () => {
    const dark = await open('', { dark: true });
    await dark.page.locator(EVENT_ROWS).first().waitFor();
    expect(await dark.page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const background = await dark.page.evaluate(
      () => getComputedStyle(document.body).backgroundColor,
    );
    expect(background).toBe('rgb(20, 23, 28)');
    await screenshot(dark.page, 'timeline-dark');

    const narrow = await open('', { width: 390, height: 844 });
    // A tap selects the row and shows it; on a narrow screen the panel covers the list.
    await narrow.page.locator(EVENT_ROWS).first().click();
    const panel = (await narrow.page.locator('.panel').boundingBox())!;
    expect(panel.width).toBeGreaterThan(380);
    // Nothing wider than the screen.
    expect(
      await narrow.page.evaluate(() => document.documentElement.scrollWidth),
    ).toBeLessThanOrEqual(390);
    await screenshot(narrow.page, 'narrow-panel');
  });
});

describeInBrowser('the viewer against a server that needs a key', () => {
  let demo: Demo;
  let app: Auditgraph;
  let browser: Browser;
  let viewerDirectory: string;
  const withoutPii = generateApiKey();

  beforeAll(async () => {
    viewerDirectory = await mkdtemp(path.join(tmpdir(), 'auditgraph-viewer-'));
    await buildViewer(viewerDirectory);
    await mkdir(SCREENSHOTS, { recursive: true });
    demo = await startDemoEmulators({ seed: 3, nowMs: Date.now() });
    app = await startAuditgraph(
      {
        ...DEMO_CONFIG,
        mode: 'live',
        sources: demo.sources,
        cursorSecret: 'a-viewer-test-cursor-secret-of-32-chars',
        auth: {
          apiKeys: [
            { id: 'support', sha256: hashApiKey(withoutPii), sources: ['*'], permissions: [] },
          ],
          jwt: null,
          allowUnauthenticated: false,
        },
      },
      { log: () => undefined, viewerDirectory },
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await demo?.close();
    if (viewerDirectory !== undefined) await rm(viewerDirectory, { recursive: true, force: true });
  });

  it('asks for a key once, keeps it out of the URL, and shows a client without pii its redactions', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    const authorizations = new Set<string>();
    page.on('request', (request) => {
      const header = request.headers()['authorization'];
      if (request.url().includes('/graphql')) authorizations.add(header ?? 'none');
    });
    await page.goto(`${app.url}/viewer`);
    const dialog = page.locator('dialog.key-dialog');
    await dialog.waitFor();
    await page.locator('#key-input').fill('not-the-key');
    await page.locator('#key-input').press('Enter');
    await page.locator('dialog.key-dialog .field-error').waitFor();
    await page.locator('#key-input').fill(withoutPii);
    await page.locator('#key-input').press('Enter');
    await page.locator(EVENT_ROWS).first().waitFor();
    expect(page.url()).not.toContain(withoutPii);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(1);
    expect(authorizations.has(`Bearer ${withoutPii}`)).toBe(true);

    // Redacted as the API redacts for this key: rows say so, and no address shows.
    await page.waitForFunction(
      () => document.querySelectorAll('[role="listbox"] [data-redacted]').length > 0,
    );
    await page.locator('[data-notice="redacted"]').waitFor();
    const text = await page.locator('[role="listbox"]').textContent();
    expect(text).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
    const row = page.locator('[role="listbox"] [data-redacted]').first();
    const redacted = (await row.getAttribute('data-redacted'))!.split(',');
    expect(redacted).toContain('raw');
    await row.dblclick();
    const panel = page.locator('.panel');
    await panel.waitFor();
    expect(
      (await panel.locator('[data-redacted-fields]').getAttribute('data-redacted-fields'))!.split(
        ',',
      ),
    ).toEqual(redacted);
    expect(await panel.textContent()).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'redacted.png') });

    // A filter on personal data is refused for this key, beside the field.
    await page.locator('#f-actor').fill('someone@example.com');
    await page.locator('#f-actor').press('Enter');
    const error = page.locator('[data-field="actor"] .field-error');
    await error.waitFor();
    expect(await error.getAttribute('data-code')).toBe('FORBIDDEN');

    // Opening the viewer again in the same tab does not ask again.
    await page.goto(`${app.url}/viewer`);
    await page.locator(EVENT_ROWS).first().waitFor();
    expect(await page.locator('dialog.key-dialog').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
