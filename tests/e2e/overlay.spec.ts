// The /overlay page (OBS browser source) in Chromium against a real `serve`: public, live, and text-only.
import { expect, test } from '@playwright/test';
import { type Served, startServe } from '../helpers/serve.ts';

let served: Served;

test.beforeAll(async () => {
  served = await startServe({ args: ['--no-demo'] });
});
test.afterAll(async () => {
  await served?.stop();
});

test('pin shows the card with the right text, live; a <script> title renders as text; unpin hides it', async ({ page }) => {
  const evil = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> 爆款 “保温杯” 🎉';
  const a = (await served.api('POST', '/api/v1/products', { title: '山茶花面霜 50g', price: 19900, livePrice: 12900, coupon: '满199减30', stock: 40 })).body;
  const b = (await served.api('POST', '/api/v1/products', { title: evil, price: 5900 })).body;
  const session = (await served.api('POST', '/api/v1/sessions', { title: '晚场', productIds: [a.id, b.id] })).body;
  expect((await served.api('POST', `/api/v1/sessions/${session.id}/start`)).status).toBe(200);

  // the browser source address carries a display token (never the owner's); the page itself carries none
  const info = (await served.api('POST', '/api/v1/invoke/server.info', {})).body;
  expect(info.overlayUrl).toMatch(/\/overlay\?token=.+/);
  expect(info.overlayUrl).not.toContain(served.token);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const res = await page.goto(info.overlayUrl.replace(/^http:\/\/127\.0\.0\.1:\d+\//, served.url));
  expect(res?.status()).toBe(200);
  expect(await page.content()).not.toContain(served.token);
  await expect(page.locator('#card')).toBeHidden();
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe('rgba(0, 0, 0, 0)');

  await served.api('POST', `/api/v1/sessions/${session.id}/pin`, { productId: a.id });
  const card = page.locator('#card');
  await expect(card).toBeVisible();
  await expect(card).toHaveAttribute('data-state', 'in');
  await expect(page.locator('#title')).toHaveText('山茶花面霜 50g');
  await expect(page.locator('#live-price')).toHaveText('¥129');
  await expect(page.locator('#original-price')).toHaveText('¥199');
  expect(await page.locator('#original-price').evaluate((e) => e.tagName)).toBe('S');
  await expect(page.locator('#coupon')).toHaveText('满199减30');
  // the catalog's stock (40) is not live stock: no 仅剩 N 件 line until the shop reports it (#13)
  await expect(page.locator('#stock')).toBeHidden();

  // a live price change shows without a re-pin
  await served.api('PATCH', `/api/v1/products/${a.id}`, { livePrice: 9900, stock: 10 });
  await expect(page.locator('#live-price')).toHaveText('¥99');
  await expect(page.locator('#stock')).toBeHidden();

  await served.api('POST', `/api/v1/sessions/${session.id}/pin`, { productId: b.id });
  await expect(page.locator('#title')).toHaveText(evil);
  await expect(page.locator('#coupon')).toBeHidden();
  expect(await page.locator('#title script, #title img').count()).toBe(0);
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  // a page opened (or reloaded) mid-pin gets the full current state at once
  await page.reload();
  await expect(page.locator('#title')).toHaveText(evil);

  await served.api('POST', `/api/v1/sessions/${session.id}/unpin`);
  await expect(card).toHaveAttribute('data-state', 'out');
  await expect(card).toBeHidden();
  expect(errors).toEqual([]);
});

test('the overlay feed reveals only the on-stream product, and the API stays closed without a token', async ({ request }) => {
  expect((await request.get(`${served.url}api/v1/obs`)).status()).toBe(401);
  expect((await request.get(`${served.url}api/v1/sessions/1/stream-health`)).status()).toBe(401);
  const obs = await request.get(`${served.url}api/v1/obs`, { headers: { authorization: `Bearer ${served.token}` } });
  expect(obs.status()).toBe(200);
  expect((await obs.json()).connection).toBe('disabled');
});
