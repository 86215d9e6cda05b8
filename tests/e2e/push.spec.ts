// The producer's path in a real browser: add a WeCom group, set the live link, see the preview with its byte count,
// push, and watch the delivery log turn to 已送达 — against a stub robot on 127.0.0.1 and a real serve process.
import { expect, test } from '@playwright/test';
import { type RobotStub, startRobots } from '../helpers/robots.ts';
import { type Served, startServe } from '../helpers/serve.ts';

let served: Served;
let stub: RobotStub;

test.beforeAll(async () => {
  stub = await startRobots();
  served = await startServe({ args: ['--no-demo'] });
  await served.api('POST', '/api/v1/sessions', { title: '今晚 8 点美妆专场', plannedStart: Date.now() + 3_600_000 });
});
test.afterAll(async () => {
  await served?.stop();
  await stub?.close();
});

test('add a group, preview, push, see it delivered', async ({ page }) => {
  const robotUrl = stub.add('e2e-robot-key-123456', { kind: 'wecom' });
  await page.goto(`${served.url}?token=${served.token}#/push`);
  await page.getByTestId('push-tab-channels').click();
  await page.getByTestId('channel-name').fill('VIP群');
  await page.getByTestId('channel-url').fill(robotUrl);
  await page.getByTestId('channel-tags').fill('VIP群');
  await page.getByRole('button', { name: '添加群' }).click();
  await expect(page.getByTestId('channel-list')).toContainText('VIP群');
  await expect(page.getByTestId('channel-list')).toContainText('key=****3456');
  await expect(page.getByTestId('channel-list')).not.toContainText('e2e-robot-key-123456');

  await page.getByTestId('push-tab-now').click();
  // the entry point is a link the seller pastes (there is no official live-room web URL): warned, not suggested
  await page.getByTestId('push-entry-kind').selectOption('link');
  await page.getByTestId('push-link').fill('https://example.com/live/e2e');
  await page.getByTestId('push-link').press('Tab');
  await expect(page.getByTestId('push-entry-warning')).toContainText('微信里打开');
  const wecomPreview = page.getByTestId('preview-wecom-message');
  await expect(wecomPreview).toContainText('今晚 8 点美妆专场');
  await expect(wecomPreview).toContainText('/ 128 字节'); // news card title limit
  await page.getByTestId('push-send').click();

  await expect(page.getByTestId('delivery-log')).toContainText('已送达', { timeout: 10_000 });
  expect(stub.delivered('e2e-robot-key-123456')).toHaveLength(1);
  expect(stub.delivered('e2e-robot-key-123456')[0]!.body.news.articles[0].url).toBe('https://example.com/live/e2e');
});
