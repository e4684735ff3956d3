import type { Browser } from 'playwright-core';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { hasBrowser, launchBrowser, refuseOffHost } from '../support/browser';
import { DEMO_CONFIG } from '../support/demoConfig';
import { createEventInserter } from '../support/insertEmulatedEvent';
import { waitFor } from '../support/tailClients';

/**
 * GraphiQL in a real browser, with every request that leaves loopback refused: the page must
 * load, run its default query and show the answer using only what auditgraph serves.
 * CI installs Debian's chromium; on a machine without it these tests are reported as skipped.
 */
const describeInBrowser = hasBrowser ? describe : describe.skip;

describe('the browser test setup', () => {
  it('has a browser to test GraphiQL with when running in CI', () => {
    if (process.env.CI === 'true') expect(hasBrowser).toBe(true);
  });
});

describeInBrowser('GraphiQL in a browser with no internet access', () => {
  let app: Auditgraph;
  let browser: Browser;

  beforeAll(async () => {
    app = await startAuditgraph(
      {
        ...DEMO_CONFIG,
        tail: { pollIntervalMs: 200, maxSubscriptionsPerClient: 5, maxSubscriptions: 5 },
      },
      { log: () => undefined },
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('loads, runs the example query and shows the events, asking nothing of the internet', async () => {
    const context = await browser.newContext();
    const refused = await refuseOffHost(context);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${app.url}/graphql`);
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
    const answer = page.waitForResponse(
      (response) =>
        response.url().endsWith('/graphql') &&
        response.request().method() === 'POST' &&
        response.request().postData()?.includes('LatestEvents') === true,
    );
    await page.locator('.graphiql-execute-button').click();
    const response = await answer;
    const body = (await response.json()) as { data?: { auditEvents?: { edges?: unknown[] } } };
    expect(body.data?.auditEvents?.edges).toHaveLength(20);
    // The answer is shown in the result pane.
    await page.waitForFunction(
      () =>
        document.querySelector('.graphiql-response')?.textContent?.includes('occurredAt') === true,
      undefined,
      { timeout: 30_000 },
    );
    expect(refused).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('runs a subscription over graphql-sse and shows the event that arrives', async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // GraphiQL rewrites its editor once the schema has loaded: type after that.
    const schemaLoaded = page.waitForResponse(
      (response) => response.request().postData()?.includes('IntrospectionQuery') === true,
    );
    await page.goto(`${app.url}/graphql`);
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
    await schemaLoaded;
    await page.locator('.graphiql-query-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(
      'subscription Tail { auditEventAdded(filter: { sources: ["fastly"] }) { nativeId } }',
    );
    const stream = page.waitForRequest(
      // GraphiQL sends it as a GET of /graphql, the operation in the query string.
      (request) =>
        (request.headers()['accept'] ?? '').includes('text/event-stream') &&
        request.url().includes('auditEventAdded'),
    );
    await page.waitForFunction(
      () =>
        document
          .querySelector('.graphiql-query-editor')
          ?.textContent?.includes('auditEventAdded') === true,
    );
    await page.locator('.graphiql-execute-button').click();
    await stream;
    await waitFor('the subscription', () => app.tail.stats().subscriptions === 1);
    const id = createEventInserter(app.demo!)('fastly', Date.now());
    await page.waitForFunction(
      (nativeId) =>
        document.querySelector('.graphiql-response')?.textContent?.includes(nativeId) === true,
      id,
      { timeout: 30_000 },
    );
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
