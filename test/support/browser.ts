import { existsSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { chromium } from 'playwright-core';

/**
 * The browser the browser tests drive: Debian's chromium (CI installs it), or CHROMIUM_PATH.
 * Without one, those tests are reported as skipped, and in CI that is a failure of its own.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasBrowser = existsSync(CHROMIUM);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** True for a URL on this machine (or one the page made itself); every other is refused. */
export function isLocal(href: string): boolean {
  const url = new URL(href);
  return (
    ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) ||
    ['blob:', 'data:'].includes(url.protocol)
  );
}

/**
 * Refuses every request of `context` that would leave loopback, and lists it in the array
 * returned, so a test can assert the page asked nothing of the internet.
 */
export async function refuseOffHost(
  context: BrowserContext,
  onLocal?: (url: URL, body: string | null) => void,
): Promise<string[]> {
  const refused: string[] = [];
  await context.route('**/*', (route) => {
    const href = route.request().url();
    if (!isLocal(href)) {
      refused.push(href);
      return route.abort();
    }
    onLocal?.(new URL(href), route.request().postData());
    return route.continue();
  });
  return refused;
}
