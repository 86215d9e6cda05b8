// What a screen downloads: the OBS overlay page, the host display (主播大屏) and the dashboard, each opened in a fresh
// Chromium context (empty cache) against a real `serve`, summing every HTTP response as transferred (headers + body as
// sent, Playwright's request.sizes()); WebSocket frames are not counted. Needs `npm run build`. Returns { pageWeight }.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { root, startServe } from '../tests/helpers/serve.ts';

const CHROMIUM = process.env.LIVECUE_CHROMIUM ?? '/usr/bin/chromium';

export async function run(): Promise<Record<string, unknown>> {
  if (!fs.existsSync(path.join(root, 'out/renderer/index.html'))) return { pageWeight: { error: 'the UI is not built: run `npm run build` first' } };
  if (!fs.existsSync(CHROMIUM)) return { pageWeight: { skipped: `no Chromium at ${CHROMIUM} (LIVECUE_CHROMIUM)` } };
  const s = await startServe({ args: ['--no-demo'] });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    // a live session with a pinned product, so every page shows what it shows during a broadcast
    const p = (await s.api('POST', '/api/v1/products', { title: '称重商品', price: 9900, livePrice: 6900 })).body;
    const sess = (await s.api('POST', '/api/v1/sessions', { title: 'weight', productIds: [p.id] })).body;
    await s.api('POST', `/api/v1/sessions/${sess.id}/start`);
    await s.api('POST', `/api/v1/sessions/${sess.id}/pin`, { productId: p.id });
    const weigh = async (url: string, ready: string) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const sizes: Promise<{ url: string; bytes: number }>[] = [];
      page.on('requestfinished', (r) => sizes.push(r.sizes().then((z) => ({ url: r.url(), bytes: z.responseHeadersSize + z.responseBodySize }))));
      await page.goto(url);
      await page.waitForSelector(ready, { state: 'attached', timeout: 15_000 });
      await page.waitForLoadState('networkidle');
      const list = await Promise.all(sizes);
      await context.close();
      const bytes = list.reduce((a, x) => a + x.bytes, 0);
      const scripts = list.filter((x) => /\.js(\?|$)/.test(x.url));
      return { bytes, requests: list.length, scriptBytes: scripts.reduce((a, x) => a + x.bytes, 0) };
    };
    const overlay = await weigh(`${s.url}overlay`, '#card');
    const host = await weigh(`${s.url}?token=${s.token}#/host`, '[data-testid=host]');
    const dashboard = await weigh(`${s.url}?token=${s.token}#/dashboard`, 'canvas');
    const producer = await weigh(`${s.url}?token=${s.token}#/producer`, '.topnav');
    process.stderr.write(`bench pageWeight: overlay ${overlay.bytes} B, host ${host.bytes} B, dashboard ${dashboard.bytes} B, producer ${producer.bytes} B\n`);
    return {
      pageWeight: {
        overlayBytes: overlay.bytes,
        hostBytes: host.bytes,
        dashboardBytes: dashboard.bytes,
        producerBytes: producer.bytes,
        overlayRequests: overlay.requests,
        hostRequests: host.requests,
        hostScriptBytes: host.scriptBytes,
        dashboardScriptBytes: dashboard.scriptBytes,
        method: 'fresh Chromium context per page, every HTTP response (headers + body) until network idle; goals: overlay < 50 KB, host < 200 KB',
      },
    };
  } finally {
    await browser.close();
    await s.stop();
  }
}
