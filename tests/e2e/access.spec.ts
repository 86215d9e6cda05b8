// Issue 14 in the browser: the host display opened from the QR's link works with its display token (and that token
// pins nothing), and the owner issues a Stream Deck token in Settings whose trigger URL pins on the live session.
import { expect, test } from '@playwright/test';
import { startServe, type Served } from '../helpers/serve.ts';

let s: Served;
test.beforeAll(async () => {
  s = await startServe({ args: ['--no-demo'] });
});
test.afterAll(async () => {
  await s?.stop();
});

test('host display by the QR link (display token) follows pins; the same token cannot pin', async ({ browser }) => {
  const a = (await s.api('POST', '/api/v1/products', { title: '山茶花面霜', price: 19900 })).body;
  const session = (await s.api('POST', '/api/v1/sessions', { title: '晚场', productIds: [a.id] })).body;
  await s.api('POST', `/api/v1/sessions/${session.id}/start`);
  const info = (await s.api('POST', '/api/v1/invoke/server.info', {})).body;
  const link: string = info.hostDisplayUrls.at(-1);
  expect(link).not.toContain(s.token);
  const page = await (await browser.newContext()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(link.replace(/^http:\/\/127\.0\.0\.1:\d+\//, s.url));
  await s.api('POST', `/api/v1/sessions/${session.id}/pin`, { productId: a.id });
  await expect(page.locator('body')).toContainText('山茶花面霜', { timeout: 5000 });
  // what the page holds cannot change anything
  const display = decodeURIComponent(/token=([^#&]+)/.exec(link)![1]!);
  const pin = await page.evaluate(
    async ([sid, token]) => (await fetch(`/api/v1/sessions/${sid}/unpin`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status,
    [session.id, display] as const,
  );
  expect(pin).toBe(403);
  expect(errors).toEqual([]);
  await s.api('POST', `/api/v1/sessions/${session.id}/end`);
});

test('Settings: the owner issues a Stream Deck token; its trigger URL pins the next item of the live session', async ({ page }) => {
  const b = (await s.api('POST', '/api/v1/products', { title: '羊绒围巾', price: 9900 })).body;
  const session = (await s.api('POST', '/api/v1/sessions', { title: '早场', productIds: [b.id] })).body;
  await s.api('POST', `/api/v1/sessions/${session.id}/start`);
  await page.goto(`${s.url}?token=${s.token}#/settings`);
  const panel = page.getByTestId('access-tokens');
  await panel.getByTestId('token-name').fill('Stream Deck 1');
  await panel.getByTestId('token-role').selectOption('trigger');
  await panel.getByRole('button', { name: '创建令牌' }).click();
  const issued = panel.getByTestId('token-issued');
  await expect(issued).toContainText('/api/v1/trigger/next?token=');
  await expect(issued.locator('img.qr')).toHaveCount(4);
  await expect(panel.getByTestId('token-row')).toContainText(['Stream Deck 1']);
  const next = (await issued.locator('code', { hasText: '/api/v1/trigger/next' }).textContent())!;
  const res = await fetch(next.replace(/^http:\/\/127\.0\.0\.1:\d+\//, s.url));
  expect(res.status).toBe(200);
  expect(((await res.json()) as { session: { pinned: { id: number } } }).session.pinned.id).toBe(b.id);
  // revoked in Settings: the button stops working at once
  const row = panel.getByTestId('token-row').filter({ hasText: 'Stream Deck 1' });
  await row.getByRole('button', { name: '撤销' }).click();
  await expect(row).toHaveCount(0);
  expect((await fetch(next.replace(/^http:\/\/127\.0\.0\.1:\d+\//, s.url))).status).toBe(401);
});

test('the dashboard opens with a display token and loads its figures (read-only commands only)', async ({ page }) => {
  const c = (await s.api('POST', '/api/v1/products', { title: '保温杯', price: 5900 })).body;
  const session = (await s.api('POST', '/api/v1/sessions', { title: '看板场', productIds: [c.id] })).body;
  await s.api('POST', `/api/v1/sessions/${session.id}/start`);
  const display = (await s.api('POST', '/api/v1/invoke/access.create', { name: '电视看板', role: 'display' })).body.secret as string;
  const forbidden: string[] = [];
  page.on('response', (r) => {
    if (r.status() === 403 || r.status() === 401) forbidden.push(r.url());
  });
  await page.goto(`${s.url}?token=${encodeURIComponent(display)}#/dashboard?session=${session.id}`);
  await expect(page.getByTestId('dashboard')).toBeVisible();
  await expect(page.getByTestId('connection')).toContainText('已连接');
  await page.waitForTimeout(1500);
  expect(forbidden).toEqual([]);
  await s.api('POST', `/api/v1/sessions/${session.id}/end`);
});
