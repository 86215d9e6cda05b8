// The Channels page in a browser against a real `serve` whose bridge drives headless Chromium on the console fixture
// (the wujie shadow-root model of the 视频号助手 console).
import { expect, test } from '@playwright/test';
import { startConsoleFixture } from '../fixtures/channels-console/server.ts';
import { startServe } from '../helpers/serve.ts';

test('connect, map by title (序号 shown), send a comment and a template, 上墙, replies, copy the self-check', async ({ page, context }) => {
  const fixture = await startConsoleFixture({ state: { loggedIn: true, live: true } });
  const served = await startServe({
    args: ['--channels-url', fixture.url, '--channels-browser', process.env.LIVECUE_CHROMIUM ?? '/usr/bin/chromium'],
    env: { LIVECUE_CHANNELS_HEADLESS: '1' },
  });
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: served.url.replace(/\/$/, '') });
    await page.goto(`${served.url}?token=${served.token}#/channels`);
    await expect(page.getByTestId('channels-badge')).toContainText('未连接');
    await page.getByRole('button', { name: '连接视频号' }).click();
    await expect(page.getByTestId('channels-badge')).toContainText('直播中', { timeout: 20_000 });
    await expect(page.getByTestId('channels-action')).toContainText('讲解');

    // map by the console's title; reading the live list shows the 序号 it has right now
    const row = page.getByTestId('mapping-row').first();
    await row.locator('input').fill(fixture.state.products[2]!.title);
    await row.getByRole('button', { name: '保存' }).click();
    await expect(row.locator('.mapped')).toHaveText('✓');
    await page.getByRole('button', { name: '读取视频号在售商品' }).click();
    await expect(page.getByTestId('console-rows').locator('tbody tr')).toHaveCount(60, { timeout: 15_000 });
    await expect(row.getByTestId('mapping-seq')).toHaveText('序号 3');
    // none of the demo catalog's titles are on this console: auto-map lists them as not matched
    await page.getByRole('button', { name: '按名称自动对应' }).click();
    await expect(page.getByTestId('not-matched')).toContainText('未能按名称对应');

    // comments: highlighted keyword, a reply, 上墙
    fixture.pushComment('小王', '这件多少钱');
    fixture.pushReply('LiveCue 测试小店', '39 元，点小黄车 3 号');
    const panel = page.getByTestId('comment-panel');
    await expect(panel.locator('mark')).toHaveText('多少钱', { timeout: 10_000 });
    await expect(panel).toContainText('小王');
    await expect(panel.locator('li.reply')).toContainText('39 元，点小黄车 3 号');
    const viewer = panel.getByTestId('comment-row').filter({ hasText: '这件多少钱' });
    await viewer.getByRole('button', { name: '上墙' }).click();
    await expect(viewer.getByTestId('comment-stuck')).toHaveText('已上墙', { timeout: 10_000 });
    expect(fixture.state.stuck).toHaveLength(1);

    // send as the shop: typed, then from the 福利话术 template
    const send = page.getByTestId('comment-send');
    await send.locator('input').fill('欢迎来到直播间');
    await send.getByRole('button', { name: '发送' }).click();
    await expect.poll(() => fixture.state.sent).toEqual(['欢迎来到直播间']);
    await send.getByRole('button', { name: '福利话术' }).click();
    await expect(send.locator('input')).toHaveValue(/小黄车/);
    await send.getByRole('button', { name: '发送' }).click();
    await expect.poll(() => fixture.state.sent.length).toBe(2);
    expect(fixture.state.sent[1]).toMatch(/小黄车/);

    // the self-check report can be copied out as JSON
    await page.getByRole('button', { name: '自检' }).click();
    await expect(page.getByTestId('selfcheck-report')).toContainText('全部匹配', { timeout: 30_000 });
    await page.getByTestId('copy-report').click();
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as { ok: boolean; items: { source: string }[] };
    expect(copied.ok).toBe(true);
    expect(new Set(copied.items.map((i) => i.source))).toEqual(new Set(['peer', 'framework', 'assumed']));

    // the producer sees the same comment, highlighted, beside the pin buttons
    await page.goto(`${served.url}#/producer`);
    const feed = page.getByTestId('producer-comments');
    await expect(feed.locator('mark', { hasText: '多少钱' })).toHaveCount(1);
    await expect(feed).toContainText('小王');
  } finally {
    await served.stop();
    await fixture.close();
  }
});
