// #12 in a real browser against the real serve process and a local WeCom fake built from WeCom's documents:
// set up WeCom, pick customer groups, preview the poster and the message, send, watch the owners' confirmations
// arrive; an automatic push cancelled from its countdown toast; a rehearsal that sends nothing.
import { expect, test } from '@playwright/test';
import { WecomFake } from '../fakes/wecom-customer.ts';
import { type RobotStub, startRobots } from '../helpers/robots.ts';
import { type Served, startServe } from '../helpers/serve.ts';

let served: Served;
let fake: WecomFake;
let stub: RobotStub;

test.beforeAll(async () => {
  fake = new WecomFake([
    { chatId: 'wrVIP001', name: 'VIP群①', owner: 'anna', members: 180 },
    { chatId: 'wrNEW001', name: '新客群', owner: 'bo', members: 320 },
  ]);
  await fake.listen();
  stub = await startRobots();
  served = await startServe({
    args: ['--no-demo'],
    env: { LIVECUE_WECOM_API_BASE: fake.base, LIVECUE_WECOM_POLL_MS: '300', LIVECUE_PUSH_COUNTDOWN_MS: '4000' },
  });
});
test.afterAll(async () => {
  await served?.stop();
  await fake?.close();
  await stub?.close();
});

test('set up WeCom, pick groups, preview poster and message, send, watch confirmations arrive', async ({ page }) => {
  const p = (await served.api('POST', '/api/v1/products', { title: '真丝连衣裙', price: 29_900, livePrice: 19_900, coupon: '满200减30' })).body;
  const session = (await served.api('POST', '/api/v1/sessions', { title: '618 宠粉专场', productIds: [p.id], plannedStart: Date.now() + 3_600_000 })).body;
  await page.goto(`${served.url}?token=${served.token}#/push`);

  // setup: the secret goes in and never comes back out
  await page.getByTestId('push-tab-customers').click();
  await page.getByTestId('wecom-corpid').fill(fake.corpId);
  await page.getByTestId('wecom-secret').fill(fake.secret);
  await page.getByRole('button', { name: '保存' }).first().click();
  await expect(page.getByTestId('wecom-status')).toContainText('已配置');
  await expect(page.getByTestId('wecom-groups')).toContainText('新客群');
  await expect(page.getByTestId('wecom-group-wrNEW001')).toContainText('320');
  expect(await page.content()).not.toContain(fake.secret);
  await page.getByTestId('wecom-tags-wrVIP001').fill('VIP群');
  await page.getByTestId('wecom-tags-wrVIP001').press('Tab');

  // pick groups, entry point, poster preview
  await page.getByTestId('push-tab-now').click();
  await page.getByTestId('push-session').selectOption(String(session.id));
  await page.getByTestId('push-entry-kind').selectOption('link');
  await page.getByTestId('push-link').fill('https://example.com/reserve/618');
  await page.getByTestId('push-link').press('Tab');
  await expect(page.getByTestId('push-entry-warning')).toContainText('微信里打开');
  await page.getByRole('button', { name: '#VIP群' }).click();
  await page.getByTestId('push-chat-wrNEW001').check();
  await expect(page.getByTestId('push-customer-groups')).toContainText('(2)');
  await page.getByTestId('poster-preview').click();
  const img = page.getByTestId('poster-img');
  await expect(img).toBeVisible({ timeout: 30_000 });
  expect(await img.evaluate((el: HTMLImageElement) => [el.naturalWidth, el.naturalHeight])).toEqual([1080, 1920]);
  await expect(page.getByTestId('poster-download')).toHaveAttribute('download', /\.png$/);
  await expect(page.getByTestId('preview-wecom-message')).toContainText('618 宠粉专场');
  // what the customer groups will get: the text against WeCom's 4000-byte limit and the link attachment
  await expect(page.getByTestId('preview-customer')).toContainText('/ 4000');
  await expect(page.getByTestId('preview-customer')).toContainText('https://example.com/reserve/618');

  // the session is a rehearsal (simulator): this push is explicitly allowed
  await page.getByTestId('push-allow-rehearsal').check();
  await page.getByTestId('push-send').click();
  const log = page.getByTestId('delivery-log');
  await expect(log).toContainText('等待群主确认', { timeout: 15_000 });
  await expect(log.getByTestId('customer-wrVIP001').getByTestId('customer-status')).toHaveText('等待群主确认');
  await expect.poll(() => fake.calls('add_msg_template').map((c) => c.body.sender).sort(), { timeout: 10_000 }).toEqual(['anna', 'bo']);
  await expect(log.getByTestId('customer-wrNEW001').getByTestId('customer-status')).toHaveText('等待群主确认');

  fake.confirm('anna');
  await expect(log.getByTestId('customer-wrVIP001').getByTestId('customer-status')).toHaveText('已发送', { timeout: 15_000 });
  await expect(log.getByTestId('customer-wrNEW001').getByTestId('customer-status')).toHaveText('等待群主确认');
  fake.confirm('bo');
  await log.getByTestId('wecom-poll').click();
  await expect(log.getByTestId('customer-wrNEW001').getByTestId('customer-status')).toHaveText('已发送', { timeout: 15_000 });
});

test('an automatic push is cancelled from its countdown toast; a rehearsal sends nothing', async ({ page }) => {
  const robot = stub.add('e2e-auto-robot-000001', { kind: 'wecom' });
  await served.api('POST', '/api/v1/push/channels', { kind: 'wecom', name: '运营群', url: robot });
  const state = (await served.api('GET', '/api/v1/snapshot')).body;
  const hotRule = state.ext.push.rules.find((r: any) => r.kind === 'hot_pin');
  await served.api('POST', '/api/v1/invoke/push.rule.save', { id: hotRule.id, kind: 'hot_pin', templateId: hotRule.templateId, tags: [], enabled: true });
  const hot = (await served.api('POST', '/api/v1/products', { title: '爆款面膜', price: 9_900, hot: true })).body;

  // a rehearsal the producer allowed pushes for: the toast appears, 取消 stops it
  const allowed = (await served.api('POST', '/api/v1/sessions', { title: '彩排·允许推送', productIds: [hot.id] })).body;
  await served.api('POST', '/api/v1/invoke/push.session.setEntry', { sessionId: allowed.id, allowRehearsalPush: true });
  await page.goto(`${served.url}?token=${served.token}#/producer`);
  await page.getByTestId('session-select').selectOption(String(allowed.id));
  await served.api('POST', '/api/v1/invoke/session.start', { sessionId: allowed.id });
  await served.api('POST', '/api/v1/invoke/session.pin', { sessionId: allowed.id, productId: hot.id });
  const toast = page.getByTestId('push-countdown');
  await expect(toast).toBeVisible();
  await expect(toast).toContainText('爆款');
  await page.getByTestId('push-countdown-cancel').click();
  await expect(toast).toHaveCount(0);
  await page.waitForTimeout(4_500);
  expect((await served.api('GET', `/api/v1/sessions/${allowed.id}/pushes`)).body.pushes).toHaveLength(0);
  expect(stub.delivered('e2e-auto-robot-000001')).toHaveLength(0);
  await served.api('POST', '/api/v1/invoke/session.end', { sessionId: allowed.id });

  // a plain rehearsal: no toast, nothing written, nothing sent — robots and customer groups alike
  const rehearsal = (await served.api('POST', '/api/v1/sessions', { title: '彩排', productIds: [hot.id] })).body;
  await page.getByTestId('session-select').selectOption(String(rehearsal.id));
  await served.api('POST', '/api/v1/invoke/session.start', { sessionId: rehearsal.id });
  await served.api('POST', '/api/v1/invoke/session.pin', { sessionId: rehearsal.id, productId: hot.id });
  await page.waitForTimeout(4_500);
  await expect(page.getByTestId('push-countdown')).toHaveCount(0);
  expect((await served.api('GET', `/api/v1/sessions/${rehearsal.id}/pushes`)).body.pushes).toHaveLength(0);
  const creates = fake.calls('add_msg_template').length;
  const refused = await served.api('POST', `/api/v1/sessions/${rehearsal.id}/push`, { text: '彩排', customerGroups: ['wrNEW001'] });
  expect(refused.status).toBe(409);
  expect(fake.calls('add_msg_template')).toHaveLength(creates);
  expect(stub.delivered('e2e-auto-robot-000001')).toHaveLength(0);
});

test('the session form sets the planned start that T-30 / T-5 count from', async ({ page }) => {
  await page.goto(`${served.url}?token=${served.token}#/producer`);
  await page.getByTestId('new-session').click();
  await page.getByTestId('new-session-title').fill('周五晚场');
  await page.getByTestId('new-session-planned-start').fill('2030-05-17T20:00');
  await page.getByRole('button', { name: '创建' }).click();
  await expect(page.getByTestId('session-planned-start')).toHaveValue('2030-05-17T20:00');
  const sessions = (await served.api('GET', '/api/v1/sessions')).body as any[];
  const s = sessions.find((x) => x.title === '周五晚场');
  // the browser's local 20:00 on that day, as epoch ms
  expect(s.plannedStart).toBe(await page.evaluate(() => new Date('2030-05-17T20:00').getTime()));
  await page.getByTestId('session-planned-start').fill('2030-05-17T21:30');
  await page.getByTestId('session-planned-start').press('Tab');
  await expect.poll(async () => ((await served.api('GET', '/api/v1/sessions')).body as any[]).find((x) => x.id === s.id).plannedStart).toBe(
    await page.evaluate(() => new Date('2030-05-17T21:30').getTime()),
  );
});
