// The dashboard moves while the simulator runs, and a pin shows up as the pinned product's live figures.
import { expect, test } from '@playwright/test';
import { startServe, type Served } from '../helpers/serve.ts';

let serve: Served;
test.beforeAll(async () => {
  serve = await startServe({ args: ['--no-demo'] });
});
test.afterAll(async () => {
  await serve?.stop();
});

test('dashboard moves with the simulator and a pin', async ({ page }) => {
  const hot = (await serve.api('POST', '/api/v1/products', { title: '爆款面膜', price: 9900, livePrice: 6900, hot: true })).body;
  const other = (await serve.api('POST', '/api/v1/products', { title: '口红', price: 19900 })).body;
  const s = (await serve.api('POST', '/api/v1/sessions', { title: '彩排', productIds: [hot.id, other.id] })).body;
  const set = await serve.api('PUT', `/api/v1/sessions/${s.id}/metrics/source`, { source: 'simulator', options: { timeScale: 60, seed: 3, arrivalsPerSecond: 5 } });
  expect(set.status).toBe(200);
  await serve.api('POST', `/api/v1/sessions/${s.id}/start`);

  await page.goto(`${serve.url}?token=${serve.token}#/dashboard?session=${s.id}`);
  await expect(page.getByTestId('dashboard')).toBeVisible();
  await expect(page.getByTestId('simulated')).toBeVisible();
  const online = page.getByTestId('kpi-online');
  await expect(online).not.toHaveText('—', { timeout: 10_000 });
  const first = await online.textContent();
  await expect.poll(async () => online.textContent(), { timeout: 15_000 }).not.toBe(first);
  await expect(page.getByTestId('chart-online')).toBeVisible();

  // pin the hot product: the segment strip and GMV follow
  await serve.api('POST', `/api/v1/sessions/${s.id}/pin`, { productId: hot.id });
  await expect(page.getByTestId('segment-figures')).toContainText('爆款面膜', { timeout: 10_000 });
  await expect.poll(async () => (await page.getByTestId('kpi-gmv').textContent()) ?? '—', { timeout: 30_000 }).not.toBe('—');
  await expect.poll(async () => (await page.getByTestId('kpi-gmv').textContent()) !== '¥0', { timeout: 30_000 }).toBe(true);

  // the producer console shows the pinned product's live figures
  await page.goto(`${serve.url}#/producer`);
  await expect(page.getByTestId('pinned-figures')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('pf-gmv')).toBeVisible();
  // and so does the host display
  await page.goto(`${serve.url}#/host?session=${s.id}`);
  await expect(page.getByTestId('pinned-figures')).toBeVisible({ timeout: 10_000 });
});
