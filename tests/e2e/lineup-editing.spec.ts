// Lineup editing in the producer console: drag to reorder, Alt+↓ to move, planned minutes, number keys pin.
import { expect, test } from '@playwright/test';
import { startServe, type Served } from '../helpers/serve.ts';

let s: Served;
test.beforeAll(async () => {
  s = await startServe(); // with the demo catalog and rehearsal session
});
test.afterAll(async () => {
  await s?.stop();
});

const titles = async (page: import('@playwright/test').Page) =>
  page.locator('[data-testid=lineup] [data-testid=item-title]').allTextContents();

test('drag, Alt+↓, planned minutes and number-key pin all reach the server', async ({ page }) => {
  await page.goto(`${s.url}?token=${s.token}#/producer`);
  await expect(page.locator('[data-testid=lineup] .lineup-row')).toHaveCount(10);
  const before = await titles(page);

  // drag the 3rd item onto the 1st
  const rows = page.locator('[data-testid=lineup] .lineup-row');
  await rows.nth(2).dragTo(rows.nth(0));
  await expect.poll(() => titles(page)).toEqual([before[2], before[0], before[1], ...before.slice(3)]);

  // select the first row and move it down with Alt+↓
  await rows.nth(0).getByTestId('item-title').click();
  await page.keyboard.press('Alt+ArrowDown');
  await expect.poll(() => titles(page)).toEqual([before[0], before[2], before[1], ...before.slice(3)]);

  // planned minutes edit is stored
  const minutes = rows.nth(0).locator('input[name=plannedMinutes]');
  await minutes.fill('12');
  await minutes.press('Tab');
  const sessions = await s.api('GET', '/api/v1/sessions');
  const id = sessions.body[0].id;
  await expect.poll(async () => (await s.api('GET', `/api/v1/sessions/${id}`)).body.lineup[0].plannedMinutes).toBe(12);
  const order = (await s.api('GET', `/api/v1/sessions/${id}`)).body.lineup.map((i: any) => i.productId);
  expect(order.slice(0, 3)).toEqual([1, 3, 2]);

  // go live, press 3: the third item is pinned; the timer runs
  await page.getByTestId('start').click();
  await expect(page.getByTestId('session-status')).toContainText('直播中');
  await page.locator('body').press('3');
  await expect(page.getByTestId('pinned-title')).toHaveText(before[1]!);
  await expect(page.getByTestId('segment-timer')).toContainText('00:0');
  // English switch
  await page.getByRole('button', { name: 'EN', exact: true }).click();
  await expect(page.getByTestId('next')).toContainText('Next');
});
