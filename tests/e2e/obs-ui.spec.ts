// The producer console shows OBS's connection in the top nav, against a real headless OBS and a real `serve --obs`.
import { expect, test } from '@playwright/test';
import { type RealObs, obsAvailable, skipBanner, startObs } from '../helpers/obs.ts';
import { type Served, startServe } from '../helpers/serve.ts';

const HAVE_OBS = obsAvailable();
if (!HAVE_OBS) skipBanner('tests/e2e/obs-ui.spec.ts (real OBS)');

test.describe('OBS status in the producer console', () => {
  test.skip(!HAVE_OBS, 'obs / xvfb-run not installed');
  let obs: RealObs;
  const served: Served[] = [];

  test.beforeAll(async () => {
    obs = await startObs();
  });
  test.afterAll(async () => {
    for (const s of served) await s.stop();
    await obs?.stop();
  });

  test('connected via --obs and LIVECUE_OBS_PASSWORD; the OBS page lists scenes and the overlay URL', async ({ page }) => {
    const s = await startServe({ args: ['--no-demo', '--obs', obs.url], env: { LIVECUE_OBS_PASSWORD: obs.password } });
    served.push(s);
    await page.goto(`${s.url}?token=${s.token}#/producer`);
    const badge = page.getByTestId('obs-status');
    await expect(badge).toContainText('已连接');
    await badge.click();
    await expect(page.getByTestId('obs-page')).toBeVisible();
    await expect(page.getByTestId('obs-connection')).toContainText('已连接');
    await expect(page.getByTestId('overlay-url')).toHaveText(new RegExp(`^http://127\\.0\\.0\\.1:${s.port}/overlay\\?token=.+`));
    await expect(page.locator('.obs-page select').first()).toHaveValue('Scene');
    expect(s.output()).not.toContain(obs.password);
  });

  test('a wrong password shows as auth failure in the nav, and fixing it in the OBS page connects', async ({ page }) => {
    const s = await startServe({ args: ['--no-demo', '--obs', obs.url], env: { LIVECUE_OBS_PASSWORD: '' } });
    served.push(s);
    await page.goto(`${s.url}?token=${s.token}#/obs`);
    await page.getByTestId('obs-password').fill('wrong-password');
    await page.getByTestId('obs-connect').click();
    await expect(page.getByTestId('obs-status')).toContainText('密码错误');
    await page.getByTestId('obs-password').fill(obs.password);
    await page.getByTestId('obs-connect').click();
    // a real OBS handshake on a loaded 2-core CI machine can take a few seconds
    await expect(page.getByTestId('obs-status')).toContainText('已连接', { timeout: 15_000 });
  });
});
