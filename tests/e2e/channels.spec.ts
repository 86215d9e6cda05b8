// The Channels page in a browser against a real `serve` whose bridge drives headless Chromium on the console fixture.
import { expect, test } from '@playwright/test';
import { startConsoleFixture } from '../fixtures/channels-console/server.ts';
import { startServe } from '../helpers/serve.ts';

test('connect, see the live state in the status bar, map a product, read highlighted comments', async ({ page }) => {
  const fixture = await startConsoleFixture({ state: { loggedIn: true, live: true } });
  const served = await startServe({
    args: ['--channels-url', fixture.url, '--channels-browser', process.env.LIVECUE_CHROMIUM ?? '/usr/bin/chromium'],
    env: { LIVECUE_CHANNELS_HEADLESS: '1' },
  });
  try {
    await page.goto(`${served.url}?token=${served.token}#/channels`);
    await expect(page.getByTestId('channels-badge')).toContainText('未连接');
    await page.getByRole('button', { name: '连接视频号' }).click();
    await expect(page.getByTestId('channels-badge')).toContainText('直播中', { timeout: 20_000 });
    await expect(page.getByTestId('channels-action')).toContainText('讲解');

    const row = page.getByTestId('mapping-row').first();
    await row.locator('input').fill(fixture.state.products[0]!.title);
    await row.getByRole('button', { name: '保存' }).click();
    await expect(row.locator('.mapped')).toHaveText('✓');

    fixture.pushComment('小王', '这件多少钱');
    const panel = page.getByTestId('comment-panel');
    await expect(panel.locator('mark')).toHaveText('多少钱', { timeout: 10_000 });
    await expect(panel).toContainText('小王');

    // the producer sees the same comment, highlighted, beside the pin buttons
    await page.goto(`${served.url}#/producer`);
    const feed = page.getByTestId('producer-comments');
    await expect(feed.locator('mark')).toHaveText('多少钱');
    await expect(feed).toContainText('小王');
  } finally {
    await served.stop();
    await fixture.close();
  }
});
