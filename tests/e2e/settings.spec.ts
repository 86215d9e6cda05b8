// Settings: data folder and token shown (token masked until asked), QR of the host display, WeChat credentials
// saved write-only (the page never gets a secret back).
import { expect, test } from '@playwright/test';
import { startServe, type Served } from '../helpers/serve.ts';

let s: Served;
test.beforeAll(async () => {
  s = await startServe({ args: ['--no-demo'] });
});
test.afterAll(async () => {
  await s?.stop();
});

test('settings show where data lives, mask the token, and keep WeChat secrets write-only', async ({ page }) => {
  const bodies: string[] = [];
  page.on('response', async (r) => {
    if (r.url().includes('/api/v1/invoke/')) bodies.push(await r.text().catch(() => ''));
  });
  await page.goto(`${s.url}?token=${s.token}#/settings`);
  await expect(page.getByTestId('data-dir')).toHaveText(s.dataDir);
  await expect(page.getByTestId('token')).not.toContainText(s.token);
  await page.getByRole('button', { name: '显示' }).click();
  await expect(page.getByTestId('token')).toHaveText(s.token);
  await expect(page.locator('img.qr')).toBeVisible();

  const form = page.getByTestId('wechat-shop');
  await form.locator('[name=appId]').fill('wx1234567890abcdef');
  await form.locator('[name=secret]').fill('super-secret-app-secret-value');
  await form.locator('[name=aesKey]').fill('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
  await form.locator('button[type=submit]').click();
  await expect(page.getByText('已保存微信凭据')).toBeVisible();
  await expect(form.locator('[name=secret]')).toHaveValue('');
  await expect(form.locator('[name=secret]')).toHaveAttribute('placeholder', /已保存/);

  await page.reload();
  await expect(page.getByTestId('wechat-shop').locator('[name=appId]')).toHaveValue('wx1234567890abcdef');
  const info = await s.api('POST', '/api/v1/invoke/metrics.wechatInfo', {});
  expect(info.body).toMatchObject({ shop: { appId: 'wx1234567890abcdef', hasSecret: true, hasAesKey: true } });
  expect(JSON.stringify(info.body)).not.toContain('super-secret');
  expect(bodies.join('\n')).not.toContain('super-secret');
  expect(s.output()).not.toContain('super-secret');
});
