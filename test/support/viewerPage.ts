import type { Page } from 'playwright-core';

/** The viewer's rows: each carries its event's id and time (docs/viewer.md's hooks). */
export const EVENT_ROWS = '[role="listbox"] [data-event-id]';
/** The counts chart's element (docs/viewer.md's hooks). */
export const COUNTS_CHART = '[data-chart="counts"]';

/**
 * Scrolls the viewer's list to its end, as a user would, until it has loaded `atLeast` rows or
 * says there are no more (`data-has-next-page`): reaching the end is what asks for the next
 * page. Returns how many rows it has then.
 */
export async function scrollToLoad(page: Page, atLeast = Infinity): Promise<number> {
  const list = page.locator('[role="listbox"]');
  for (;;) {
    const state = await list.evaluate((element) => {
      element.scrollTop = element.scrollHeight;
      return {
        rows: Number(element.getAttribute('data-rows')),
        more: element.getAttribute('data-has-next-page') === 'true',
      };
    });
    if (!state.more || state.rows >= atLeast) return state.rows;
    await page.waitForFunction(
      (rows) => {
        const element = document.querySelector('[role="listbox"]');
        return (
          Number(element?.getAttribute('data-rows')) > rows ||
          element?.getAttribute('data-has-next-page') !== 'true'
        );
      },
      state.rows,
      { timeout: 30_000 },
    );
  }
}
