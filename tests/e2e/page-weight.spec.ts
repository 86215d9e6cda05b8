// Route-level code splitting (issue 17): the host display and the OBS overlay download only their own code, and stay
// under their size goals; the dashboard brings its charts with it.
import { expect, test, type Page } from '@playwright/test';
import { type Served, startServe } from '../helpers/serve.ts';

let served: Served;

test.beforeAll(async () => {
  served = await startServe({ args: ['--no-demo'] });
  const p = (await served.api('POST', '/api/v1/products', { title: '分包商品', price: 9900 })).body;
  const s = (await served.api('POST', '/api/v1/sessions', { title: 'split', productIds: [p.id] })).body;
  await served.api('POST', `/api/v1/sessions/${s.id}/start`);
  await served.api('POST', `/api/v1/sessions/${s.id}/pin`, { productId: p.id });
});
test.afterAll(async () => {
  await served?.stop();
});

async function load(page: Page, url: string, ready: string) {
  const seen: Promise<{ url: string; bytes: number }>[] = [];
  page.on('requestfinished', (r) => seen.push(r.sizes().then((z) => ({ url: r.url(), bytes: z.responseHeadersSize + z.responseBodySize }))));
  await page.goto(url);
  await page.waitForSelector(ready, { state: 'attached' });
  await page.waitForLoadState('networkidle');
  const list = await Promise.all(seen);
  return { urls: list.map((x) => x.url), bytes: list.reduce((a, x) => a + x.bytes, 0) };
}

test('the host display loads no other page and stays under 200 KB; the overlay under 50 KB', async ({ page, browser }) => {
  const host = await load(page, `${served.url}?token=${served.token}#/host`, '[data-testid=host]');
  await expect(page.getByTestId('host')).toContainText('分包商品');
  expect(host.urls.some((u) => /assets\/Host-[\w-]+\.js$/.test(u))).toBe(true);
  expect(host.urls.filter((u) => /Dashboard|Review|Producer|Push|Settings|chart/i.test(u))).toEqual([]);
  expect(host.bytes).toBeLessThan(200 * 1024);

  const other = await browser.newPage();
  const overlay = await load(other, `${served.url}overlay`, '#card');
  expect(overlay.bytes).toBeLessThan(50 * 1024);
  await other.close();
});

test('the dashboard loads its own chunk and the charts, not the review or push pages', async ({ page }) => {
  const dash = await load(page, `${served.url}?token=${served.token}#/dashboard`, 'canvas');
  expect(dash.urls.some((u) => /assets\/Dashboard-[\w-]+\.js$/.test(u))).toBe(true);
  expect(dash.urls.filter((u) => /assets\/(Review|Push|Host|Settings)-/.test(u))).toEqual([]);
});
