// Room automation page in Chromium against a real serve process: paste one rule set of each kind, see each line
// previewed (and a bad line refused by number), save and switch them on, then 暂停全部 with one key (F9).
// No console is connected here (issue 10's bridge supplies the room): the page says automation is idle and why.
import { expect, test } from '@playwright/test';
import { type Served, startServe } from '../helpers/serve.ts';

let served: Served;

test.beforeAll(async () => {
  served = await startServe({ args: ['--no-demo'] });
});
test.afterAll(async () => {
  await served?.stop();
});

test('paste rules, see them previewed, switch them on, pause all with F9', async ({ page }) => {
  await page.goto(`${served.url}?token=${served.token}#/automation`);
  await expect(page.getByTestId('automation-page')).toBeVisible();

  // keyword replies: pasted text with one bad line
  const reply = page.getByTestId('au-text-reply');
  await reply.click();
  await page.keyboard.insertText('哪里发货/发货|亲，我们是江苏发货哦\n没有竖线的一行\n@进入|欢迎{宝宝/家人/老铁}{nickname}进入直播间');
  const replyPreview = page.getByTestId('au-preview-reply');
  await expect(replyPreview).toContainText('哪里发货 / 发货 → 1 条回复');
  await expect(replyPreview).toContainText('→ 亲，我们是江苏发货哦');
  await expect(replyPreview).toContainText('缺少「|」');
  await expect(page.getByTestId('au-errors-reply')).toContainText('1');
  await expect(page.getByTestId('au-save-reply')).toBeDisabled();
  // fix it: drop the bad line
  await reply.fill('哪里发货/发货|亲，我们是江苏发货哦\n@进入|欢迎{宝宝/家人/老铁}{nickname}进入直播间');
  await expect(replyPreview).toContainText('进入直播间 → 1 条回复');
  await expect(replyPreview).toContainText(/→ 欢迎(宝宝|家人|老铁)小美进入直播间/);
  await expect(page.getByTestId('au-errors-reply')).toHaveCount(0);
  await page.getByTestId('au-save-reply').click();
  await expect(page.getByTestId('au-save-reply')).toBeDisabled(); // saved: nothing unsaved

  // 上墙 keywords, scheduled messages, 讲解 rotation: switching on a set with unsaved text saves it first
  await page.getByTestId('au-text-pin').fill('好看/喜欢\n回购');
  await expect(page.getByTestId('au-preview-pin')).toContainText('「好看」 「喜欢」');
  await page.getByTestId('au-text-message').fill('欢迎{宝宝/家人/老铁}进入直播间\n点点关注不迷路');
  await expect(page.getByTestId('au-preview-message')).toContainText('点点关注不迷路');
  await page.getByTestId('au-text-rotation').fill('1,4,7,8,12');
  await expect(page.getByTestId('au-preview-rotation')).toContainText('讲解 #1 → #4 → #7 → #8 → #12');
  await page.getByTestId('au-opt-rotation-dwellSec').fill('45');

  for (const kind of ['reply', 'pin', 'message', 'rotation']) {
    await expect(page.getByTestId(`au-enable-${kind}`)).not.toBeChecked();
    await page.getByTestId(`au-enable-${kind}`).click(); // the switch shows what the core confirmed
    await expect(page.getByTestId(`au-enable-${kind}`)).toBeChecked();
    await expect(page.getByTestId(`au-card-${kind}`)).toHaveClass(/\bon\b/);
  }
  // stored in the core, as typed
  const state = (await served.api('POST', '/api/v1/invoke/automation.get', {})).body;
  expect(state.sets.rotation).toMatchObject({ enabled: true, text: '1,4,7,8,12', options: { dwellSec: 45, followLineup: false } });
  expect(state.sets.pin).toMatchObject({ enabled: true, text: '好看/喜欢\n回购' });

  // idle without a console, and says why; the nav badge shows automation on every page
  await expect(page.getByTestId('au-status')).toContainText('未连接视频号控制台');
  await expect(page.getByTestId('au-badge')).toBeVisible();

  // one key pauses everything, from any page
  await page.goto(`${served.url}#/producer`);
  await expect(page.getByTestId('au-badge')).toBeVisible();
  await page.keyboard.press('F9');
  await expect(page.getByTestId('au-badge')).toContainText('已暂停全部');
  expect((await served.api('POST', '/api/v1/invoke/automation.get', {})).body.settings.paused).toBe(true);
  await page.getByTestId('au-badge-pause').click();
  await expect(page.getByTestId('au-badge')).not.toContainText('已暂停全部');
});
