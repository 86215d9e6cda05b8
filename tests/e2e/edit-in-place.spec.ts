// #13 point 2: everything can be fixed in the UI mid-show. A price edit reaches the host display at once; duplicate and
// delete follow the core's rules (a product in a lineup is not deleted); 话术 / notes edited in the lineup reach the
// host's teleprompter; 2.5 minutes is kept and "abc" is refused with a reason; "+" on a product already in the lineup
// asks first; an image file chosen in the form is stored in the data folder and shown in the catalog, lineup, on-air
// panel, host display and OBS overlay.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startServe, type Served } from '../helpers/serve.ts';
import { gradientPng } from '../helpers/png.ts';

let s: Served;
test.beforeAll(async () => {
  s = await startServe(); // demo catalog + a draft rehearsal session with a 10-item lineup
});
test.afterAll(async () => {
  await s?.stop();
});

test('edit, duplicate, delete products; 话术, notes and 2.5 minutes in the lineup; images everywhere', async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${s.url}?token=${s.token}#/producer`);
  await expect(page.locator('[data-testid=lineup] .lineup-row')).toHaveCount(10);
  const sid = Number(await page.getByTestId('session-select').inputValue());
  await page.getByTestId('start').click();
  // Space before 开播 only explains (#13): wait until the core says the session is live
  await expect(page.getByTestId('end')).toBeVisible();
  await page.keyboard.press('Space'); // pin the first lineup item
  const first = page.locator('[data-testid=lineup] .lineup-row').first();
  const firstTitle = (await first.getByTestId('item-title').textContent())!;
  await expect(page.getByTestId('pinned-title')).toHaveText(firstTitle);

  const host = await ctx.newPage();
  await host.goto(`${s.url}#/host`);
  await expect(host.getByTestId('host-title')).toContainText(firstTitle);

  // mid-show price change from the catalog: the host display follows
  const row = page.locator('[data-testid=catalog] .product-row', { hasText: firstTitle });
  await row.getByTestId('edit-product').click();
  const form = page.getByTestId('product-form');
  await expect(form.getByTestId('editing')).toBeVisible();
  await form.locator('[name=livePrice]').fill('88.8');
  // an image file chosen in the form goes to the data folder
  await form.getByTestId('image-file').setInputFiles({ name: 'tea.png', mimeType: 'image/png', buffer: gradientPng(320, 320) });
  await expect(form.locator('[name=imageUrl]')).toHaveValue(/^\/images\/[0-9a-f]{64}\.png$/);
  const imageUrl = await form.locator('[name=imageUrl]').inputValue();
  expect(fs.existsSync(path.join(s.dataDir, imageUrl))).toBe(true);
  await form.locator('button[type=submit]').click();
  await expect(host.getByTestId('host-price')).toHaveText('¥88.8');
  await expect(row).toContainText('¥88.8');
  // the image on every screen
  await expect(row.locator('img.thumb')).toHaveJSProperty('naturalWidth', 320);
  await expect(first.locator('img.thumb')).toHaveJSProperty('naturalWidth', 320);
  await expect(page.getByTestId('onair-image')).toHaveJSProperty('naturalWidth', 320);
  await expect(host.getByTestId('host-image')).toHaveJSProperty('naturalWidth', 320);
  const overlay = await ctx.newPage();
  await overlay.goto(`${s.url}overlay?token=${s.token}`);
  await expect(overlay.locator('#image')).toHaveJSProperty('naturalWidth', 320);
  await overlay.close();

  // a wrong price is refused in words
  await row.getByTestId('edit-product').click();
  await form.locator('[name=price]').fill('9 9');
  await form.locator('button[type=submit]').click();
  await expect(page.locator('.toast').last()).toContainText('价格格式不对');
  // the core's validation reaches the producer as field + rule in Chinese, not raw zod English (#13 point 7)
  await form.locator('[name=price]').fill('99');
  await form.locator('[name=imageUrl]').fill('ftp://example.com/a.png');
  await form.locator('button[type=submit]').click();
  await expect(page.locator('.toast').last()).toHaveText('图片：必须是 http(s) 图片地址或已上传的图片');
  await form.getByRole('button', { name: '取消' }).click();

  // duplicate, then delete the copy; deleting a product in the lineup is refused with the session's name
  await row.getByTestId('duplicate-product').click();
  const copy = page.locator('[data-testid=catalog] .product-row', { hasText: `${firstTitle} （副本）` });
  await expect(copy).toHaveCount(1);
  await form.getByRole('button', { name: '取消' }).click();
  page.once('dialog', (d) => void d.accept());
  await copy.getByTestId('delete-product').click();
  await expect(copy).toHaveCount(0);
  page.once('dialog', (d) => void d.accept());
  await row.getByTestId('delete-product').click();
  await expect(page.locator('.toast').last()).toContainText('商品在排品中');
  await expect(page.locator('.toast').last()).not.toContainText('product is in the lineup');
  await expect(row).toHaveCount(1);

  // "+" on a product already in the lineup asks first; dismissing adds nothing
  const prompts: string[] = [];
  page.once('dialog', (d) => {
    prompts.push(d.message());
    void d.dismiss();
  });
  await row.getByTestId('add-to-lineup').click();
  await expect.poll(() => prompts.length).toBe(1);
  expect(prompts[0]).toContain('已在本场排品中');
  await expect(page.locator('[data-testid=lineup] .lineup-row')).toHaveCount(10);

  // 话术 and notes edited in the lineup; the host's teleprompter shows the 话术
  await first.getByTestId('edit-item').click();
  const editor = first.getByTestId('item-editor');
  await editor.locator('[name=talkingPoints]').fill('先讲产地，再讲冲泡方法。\n今天下单送茶刀。');
  await editor.locator('[name=notes]').fill('库存紧张，注意节奏');
  await editor.locator('[name=notes]').press('Tab');
  await expect(host.getByTestId('host-prompter')).toContainText('今天下单送茶刀');
  await expect(page.getByTestId('onair-talking')).toContainText('先讲产地');
  await expect.poll(async () => (await s.api('GET', `/api/v1/sessions/${sid}`)).body.lineup[0].notes).toBe('库存紧张，注意节奏');

  // decimal minutes are kept; nonsense is refused with a reason and the field restored
  const minutes = first.locator('input[name=plannedMinutes]');
  await minutes.fill('2.5');
  await minutes.press('Tab');
  await expect.poll(async () => (await s.api('GET', `/api/v1/sessions/${sid}`)).body.lineup[0].plannedMinutes).toBe(2.5);
  await expect(page.getByTestId('segment-timer')).toContainText('/ 02:30');
  await minutes.fill('abc');
  await minutes.press('Tab');
  await expect(page.locator('.toast').last()).toContainText('计划时长');
  await expect(minutes).toHaveValue('2.5');
  await ctx.close();
});
