// #13 point 3: keys a producer trusts. The armed / typing state is visible; Space before 开播 says why it does nothing;
// Ctrl+Z undoes pin / next / unpin as a new pin event (history grows, never rewritten); a command the core has not
// answered yet shows a pending sign, then its round trip. Also point 4: choosing a session makes it the on-air one.
import { expect, test } from '@playwright/test';
import { startServe, type Served } from '../helpers/serve.ts';

let s: Served;
test.beforeAll(async () => {
  s = await startServe(); // demo catalog + a draft rehearsal session with a 10-item lineup
});
test.afterAll(async () => {
  await s?.stop();
});

test('armed / typing state, Space before 开播, Ctrl+Z as a new pin, pending sign with round trip', async ({ page }) => {
  await page.goto(`${s.url}?token=${s.token}#/producer`);
  await expect(page.locator('[data-testid=lineup] .lineup-row')).toHaveCount(10);
  const titles = await page.locator('[data-testid=lineup] [data-testid=item-title]').allTextContents();
  const keys = page.getByTestId('keys-state');
  await expect(keys).toContainText('快捷键就绪');

  // Space before 开播: a toast says why, nothing is pinned
  await page.keyboard.press('Space');
  await expect(page.locator('.toast')).toContainText('还没开播');
  await expect(page.getByTestId('keys-why')).toContainText('还没开播');

  // typing in a field pauses the keys, visibly; Esc leaves the field and re-arms them
  await page.getByTestId('catalog-search').click();
  await expect(keys).toContainText('正在输入');
  await page.keyboard.press('Escape');
  await expect(keys).toContainText('快捷键就绪');

  await page.getByTestId('start').click();
  await expect(page.getByTestId('session-status')).toContainText('直播中');
  const sid = Number(await page.getByTestId('session-select').inputValue());
  // the session the producer started is the desk's on-air session
  expect((await s.api('GET', '/api/v1/snapshot')).body.ext.desk.currentSessionId).toBe(sid);

  await page.keyboard.press('Space');
  await expect(page.getByTestId('pinned-title')).toHaveText(titles[0]!);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('pinned-title')).toHaveText(titles[1]!);
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('pinned-title')).toHaveText(titles[0]!);
  await expect(page.locator('.toast').last()).toContainText('已撤销');
  // the undo is a new segment: three pins recorded, none rewritten
  const state = (await s.api('GET', `/api/v1/sessions/${sid}`)).body;
  expect(state.segmentsCount).toBe(3);

  await page.keyboard.press('Escape');
  await expect(page.getByTestId('pinned-title')).toContainText('未置顶');
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('pinned-title')).toHaveText(titles[0]!);

  // a stalled core: the pin waits, the console shows it pending, then the round trip
  await page.route('**/api/v1/invoke/session.next', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await page.keyboard.press('Space');
  await expect(page.getByTestId('pending')).toContainText('等待中控响应');
  await expect(page.getByTestId('pinned-title')).toHaveText(titles[1]!, { timeout: 5000 });
  await expect(page.getByTestId('pending')).toContainText(/✓ \d+ ms/);
  const ms = Number(/✓ (\d+) ms/.exec((await page.getByTestId('pending').textContent()) ?? '')?.[1]);
  expect(ms).toBeGreaterThanOrEqual(1500);
  await page.unroute('**/api/v1/invoke/session.next');
});

test('global shortcuts are off by default and configured in Settings, with reasons in Chinese', async ({ page }) => {
  await page.goto(`${s.url}?token=${s.token}#/settings`);
  const form = page.getByTestId('global-shortcuts');
  await expect(form.locator('[name=enabled]')).not.toBeChecked();
  await form.locator('[name=enabled]').check();
  await form.locator('[name=next]').fill('Space');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(page.locator('.toast').last()).toContainText('修饰键');
  await form.locator('[name=next]').fill('CommandOrControl+Alt+N');
  await form.getByRole('button', { name: '保存' }).click();
  await expect.poll(async () => (await s.api('POST', '/api/v1/invoke/shortcuts.get', {})).body).toEqual({
    enabled: true,
    bindings: { next: 'CommandOrControl+Alt+N', unpin: 'CommandOrControl+Alt+Down' },
  });
});
