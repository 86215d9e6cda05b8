// #13 points 4 and 5 in the browser: a source that cannot run (WeChat API without AppID/AppSecret) says why on the
// dashboard and the host display and shows no figures; a session run on the simulator is 彩排 in the review list, its
// report and its export names; #/dashboard?session= is honoured after 下播 or refused, never replaced.
import { expect, test } from '@playwright/test';
import { startServe, type Served } from '../helpers/serve.ts';

let s: Served;
test.beforeAll(async () => {
  s = await startServe({ args: ['--no-demo'] });
});
test.afterAll(async () => {
  await s?.stop();
});

test('a source that cannot run says why; rehearsals are 彩排 in review; ?session= honoured or refused', async ({ browser }) => {
  const p = (await s.api('POST', '/api/v1/products', { title: '冰糖心苹果', price: 9900 })).body;

  // rehearsal on the simulator at ×60, 3 s, then 下播
  const rehearsal = (await s.api('POST', '/api/v1/sessions', { title: '周五彩排', productIds: [p.id] })).body;
  await s.api('PUT', `/api/v1/sessions/${rehearsal.id}/metrics/source`, { source: 'simulator', options: { timeScale: 60, seed: 2, arrivalsPerSecond: 5 } });
  await s.api('POST', `/api/v1/sessions/${rehearsal.id}/start`);
  await s.api('POST', `/api/v1/sessions/${rehearsal.id}/next`);
  await new Promise((r) => setTimeout(r, 3000));
  const ended = (await s.api('POST', `/api/v1/sessions/${rehearsal.id}/end`)).body;

  // the real show chooses the WeChat API without credentials
  const show = (await s.api('POST', '/api/v1/sessions', { title: '周六正式场', productIds: [p.id] })).body;
  const set = await s.api('PUT', `/api/v1/sessions/${show.id}/metrics/source`, { source: 'wechat-api' });
  expect(set.body.ready).toBe(false);
  expect(set.body.message).toContain('AppID');
  await s.api('POST', `/api/v1/sessions/${show.id}/start`);
  await s.api('POST', `/api/v1/sessions/${show.id}/next`);

  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  await page.goto(`${s.url}?token=${s.token}#/dashboard`);
  await expect(page.getByTestId('source-cannot-run')).toContainText('AppID');
  await expect(page.getByTestId('kpi-online')).toHaveText('—');
  await expect(page.getByTestId('simulated')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/dashboard-cannot-run-1366x768.png' });

  const host = await ctx.newPage();
  await host.goto(`${s.url}#/host`);
  await expect(host.getByTestId('pf-cannot-run')).toBeVisible();
  await expect(host.getByTestId('pf-online')).toHaveCount(0);

  // ?session= after 下播: that session, not the live one; an unknown one is refused
  await page.goto(`${s.url}#/dashboard?session=${rehearsal.id}`);
  await expect(page.locator('.dash-head h2')).toHaveText('周五彩排');
  // thresholds are typed in % (and 人 / 秒), stored as fractions; hysteresis is on by default
  await page.locator('details', { hasText: '提醒' }).locator('summary').click();
  await expect(page.getByTestId('alert-drop-pct')).toHaveValue('20');
  await expect(page.getByTestId('alert-conv-pct')).toHaveValue('70');
  await page.getByTestId('alert-drop-pct').fill('30');
  await page.locator('details', { hasText: '提醒' }).getByRole('button', { name: '保存' }).click();
  await expect.poll(async () => (await s.api('GET', '/api/v1/snapshot')).body.ext.metrics.alerts).toMatchObject({ onlineDropPct: 0.3, conversionFactor: 0.7, minWindowSeconds: 60, minSamples: 5, holdSeconds: 20 });
  await page.goto(`${s.url}#/dashboard?session=999`);
  await expect(page.getByTestId('dash-refused')).toContainText('找不到场次');

  // review: the rehearsal is 彩排 in the list, the report and its export's file name; the real show is not
  await page.goto(`${s.url}#/review`);
  const rows = page.locator('[data-testid=review] tbody tr');
  await expect(rows.filter({ hasText: '周五彩排' }).getByTestId('rehearsal')).toHaveText('彩排');
  await expect(rows.filter({ hasText: '周六正式场' }).getByTestId('rehearsal')).toHaveCount(0);
  await page.goto(`${s.url}#/review?session=${rehearsal.id}`);
  await expect(page.getByTestId('rehearsal')).toHaveText('彩排');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-timeline').click();
  expect((await download).suggestedFilename()).toContain('彩排');
  // and the report's timeline ends at the real end time
  const report = (await s.api('GET', `/api/v1/sessions/${rehearsal.id}/report`)).body;
  expect(report.timeline.at(-1).t).toBeLessThanOrEqual(ended.endedAt);
  expect(report.summary.peakAt).toBeLessThanOrEqual(ended.endedAt);
  await ctx.close();
});
