// A new user's path through the two WeChat accounts in Chromium, against the local document-built fake of
// api.weixin.qq.com: the 视频号助手 form with the shop's AppID by mistake (测试连接 → 48001 explained in Chinese), then
// the right one (success); the 微信小店 form (success); a shop import from the catalog; the pinned product's link in the
// push preview.
import { expect, test } from '@playwright/test';
import { startFakeWechat, type FakeWechat } from '../fakes/wechat-api.ts';
import { type Served, startServe } from '../helpers/serve.ts';

const CHANNELS = { appId: 'wxc0ffee000channel', secret: 'channels-secret-value' };
const SHOP = { appId: 'wx5h0p00000000shop', secret: 'shop-secret-value' };

let served: Served;
let fake: FakeWechat;

test.beforeAll(async () => {
  fake = await startFakeWechat({ channels: CHANNELS, shop: SHOP });
  fake.products = [
    { productId: '10000000000000001', title: '玻尿酸面膜', skuPrices: [9900, 12900], stock: 50, status: 5, image: 'mask.png' },
    { productId: '10000000000000002', title: '保湿精华', skuPrices: [19900], stock: 20, status: 5, image: 'serum.png' },
    { productId: '10000000000000003', title: '洁面乳', skuPrices: [5900], stock: 0, status: 11, image: 'wash.png' },
  ];
  served = await startServe({ args: ['--no-demo'], env: { LIVECUE_WECHAT_API_BASE: fake.url } });
});
test.afterAll(async () => {
  await served?.stop();
  await fake?.close();
});

test('both credential forms with 测试连接, a shop import, a product link in the push preview', async ({ page }) => {
  await page.goto(`${served.url}?token=${served.token}#/settings`);
  const channels = page.getByTestId('wechat-channels');
  const shop = page.getByTestId('wechat-shop');
  await expect(channels).toContainText('开放能力');
  await expect(shop).toContainText('服务市场');

  // the shop's AppID typed into the 视频号助手 form: WeChat answers 48001, explained
  await channels.locator('[name=appId]').fill(SHOP.appId);
  await channels.locator('[name=secret]').fill(SHOP.secret);
  await channels.locator('button[type=submit]').click();
  await expect(channels.locator('[name=secret]')).toHaveAttribute('placeholder', /已保存/);
  await channels.getByTestId('wx-test').click();
  const channelsResult = channels.getByTestId('wx-test-result');
  await expect(channelsResult).toContainText('errcode 48001');
  await expect(channelsResult).toContainText('带货直播数据');

  await channels.locator('[name=appId]').fill(CHANNELS.appId);
  await channels.locator('[name=secret]').fill(CHANNELS.secret);
  await channels.locator('button[type=submit]').click();
  await expect(channelsResult).toHaveCount(0);
  await channels.getByTestId('wx-test').click();
  await expect(channelsResult).toContainText('连接成功');

  await shop.locator('[name=appId]').fill(SHOP.appId);
  await shop.locator('[name=secret]').fill(SHOP.secret);
  await shop.locator('[name=token]').fill('pushToken42');
  await shop.locator('[name=aesKey]').fill('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
  await shop.locator('button[type=submit]').click();
  await expect(shop).toContainText('已配置');
  await shop.getByTestId('wx-test').click();
  await expect(shop.getByTestId('wx-test-result')).toContainText('连接成功');
  expect(await page.content()).not.toContain(SHOP.secret);

  // the shop's catalog, imported from the producer's catalog panel
  await page.goto(`${served.url}?token=${served.token}#/`);
  await page.getByTestId('shop-import').click();
  const summary = page.getByTestId('shop-import-summary');
  await expect(summary).toContainText('微信小店导入完成: 3');
  await expect(summary).toContainText('+3');
  const row = page.getByTestId('catalog').locator('li', { hasText: '玻尿酸面膜' });
  await expect(row).toContainText('¥99');
  await expect.poll(() => row.locator('img.thumb').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
  expect(await row.locator('img.thumb').getAttribute('src')).toMatch(/^\/media\/products\/\d+$/);

  // pin it in a live session; the push preview shows its shop link
  const products = (await served.api('GET', '/api/v1/products')).body as { id: number; title: string }[];
  const mask = products.find((p) => p.title === '玻尿酸面膜')!;
  const s = (await served.api('POST', '/api/v1/invoke/session.create', { title: '美妆专场', productIds: [mask.id] })).body;
  await served.api('POST', '/api/v1/invoke/session.start', { sessionId: s.id });
  await served.api('POST', '/api/v1/invoke/session.pin', { sessionId: s.id, productId: mask.id });
  await page.goto(`${served.url}?token=${served.token}#/push`);
  // the entry point is a pasted link here (#12: there is no official live-room web URL; a 直播预约 or mini program is the real one)
  await page.getByTestId('push-entry-kind').selectOption('link');
  await page.getByTestId('push-link').fill('https://channels.weixin.qq.com/live/e2e');
  await page.getByTestId('push-link').press('Tab');
  const link = page.getByTestId('preview-product-link');
  await expect(link).toContainText('玻尿酸面膜');
  await expect(link).toContainText('https://channels.weixin.qq.com/shop/a/10000000000000001');
  await expect(link).toContainText('微信口令');
});

test('with the 微信小店 account only, the dashboard says live data is missing and counts a live-room order, the 橱窗 one apart', async ({ page }) => {
  const only = await startServe({
    args: ['--no-demo'],
    env: { LIVECUE_SHOP_APPID: SHOP.appId, LIVECUE_SHOP_SECRET: SHOP.secret, LIVECUE_WECHAT_API_BASE: fake.url },
  });
  try {
    const s = (await only.api('POST', '/api/v1/invoke/session.create', { title: '只有小店' })).body;
    await only.api('PUT', `/api/v1/sessions/${s.id}/metrics/source`, { source: 'wechat-api', options: { pollSeconds: 5 } });
    const now = Math.floor(Date.now() / 1000) + 2;
    fake.orders = [
      { id: '3705115058471400001', status: 20, price: 12900, productId: 'P1', payTime: now, scene: 2 },
      { id: '3705115058471400002', status: 20, price: 8800, productId: 'P1', payTime: now, scene: 5 },
    ];
    await only.api('POST', '/api/v1/invoke/session.start', { sessionId: s.id });
    await page.goto(`${only.url}?token=${only.token}#/dashboard?session=${s.id}`);
    await expect(page.getByTestId('wx-missing')).toContainText('未配置视频号助手');
    await expect(page.getByTestId('kpi-gmv')).toContainText('129', { timeout: 15_000 });
    await expect(page.getByTestId('kpi-other-orders')).toContainText('88');
  } finally {
    await only.stop();
  }
});
