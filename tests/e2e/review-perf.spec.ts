// Measures the review screen with an 8-hour report (28,800 online seconds, 480 minutes, 60 segments, 200 markers),
// served to the page in place of the core's answer: a real session that long cannot be recorded in a test run.
import { expect, test } from '@playwright/test';
import { startServe, type Served } from '../helpers/serve.ts';

let serve: Served;
test.beforeAll(async () => {
  serve = await startServe({ args: ['--no-demo'] });
});
test.afterAll(async () => serve?.stop());

function bigReport() {
  const start = Date.UTC(2026, 10, 30, 12);
  const H8 = 8 * 3600_000;
  const online: [number, number][] = [];
  for (let s = 0; s < H8 / 1000; s++) online.push([start + s * 1000, Math.round(800 + 400 * Math.sin(s / 900) + 50 * Math.sin(s / 7))]);
  const timeline = [];
  let uv = 0, gmv = 0, orders = 0;
  for (let m = 0; m < 480; m++) {
    uv += 100; gmv += 50_000; orders += 3;
    timeline.push({ t: start + m * 60_000, onlineAvg: 800, onlineMax: 900, newViewers: 100, gmv: 50_000, orders: 3, conversion: 0.01, uvCum: uv, gmvCum: gmv, ordersCum: orders, payUvCum: orders, comments: 20, bitrateKbps: 6000, droppedRatio: 0.001, streaming: true });
  }
  const segments = Array.from({ length: 60 }, (_, i) => ({ segmentId: i + 1, productId: (i % 20) + 1, lineupItemId: (i % 20) + 1, title: `商品 ${(i % 20) + 1} 号`, startedAt: start + i * 8 * 60_000, endedAt: start + (i + 1) * 8 * 60_000 }));
  const products = Array.from({ length: 20 }, (_, i) => ({ productId: i + 1, title: `商品 ${i + 1} 号`, livePrice: 9900, price: 12900, timesPinned: 3, pinnedMs: 24 * 60_000, plannedMinutes: 8, exposureUv: 1000, clickUv: 100, payUv: 10, orders: 10, gmv: 100_000 * (i + 1), gmvPerPinnedMinute: 4000 * (i + 1), ctrDuring: 0.1, ctrOutside: 0.05, conversionDuring: 0.1, conversionOutside: 0.05, rank: i === 19 ? 'best' : i === 0 ? 'worst' : null }));
  const markers = Array.from({ length: 200 }, (_, i) => ({ ts: start + i * 144_000, kind: (['push', 'scene', 'alert', 'stream', 'record'] as const)[i % 5], label: `事件 ${i}` }));
  const summary = { durationMs: H8, peakOnline: 1250, peakAt: start, viewersUv: uv, viewsPv: uv * 2, averageDwellSeconds: 300, dwellMethod: 'exact', gmv, orders, gpm: 100, productCtr: 0.1, clickToPay: 0.1, viewerConversion: 0.01, uvValue: 50, averageOrderValue: 16000, best: null, worst: null, worstDrop: null, pushes: 0, lines: ['八小时'] };
  return { session: { id: 1, title: '八小时 压测', status: 'ended', plannedStart: null, startedAt: start, endedAt: start + H8, source: 'ingest' }, provisional: false, summary, online, timeline, segments, lineup: products.map((p, i) => ({ itemId: i + 1, productId: p.productId, position: i, plannedMinutes: 8, title: p.title })), markers, products, pushes: [], recordings: [], computedMs: 1 };
}

test('8-hour report: load, render, 60× playback frame rate', async ({ page }) => {
  const body = JSON.stringify(bigReport());
  console.log(`report JSON ${(body.length / 1024 / 1024).toFixed(2)} MiB`);
  await page.route('**/api/v1/invoke/review.report', (route) => route.fulfill({ status: 200, contentType: 'application/json', body }));
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(`${serve.url}?token=${serve.token}#/review`);
  await expect(page.getByTestId('session-list')).toBeVisible();
  const t0 = Date.now();
  await page.evaluate(() => (location.hash = '#/review?session=1'));
  await expect(page.getByTestId('rchart-health')).toHaveAttribute('data-x-max', /\d+/);
  console.log(`open to charts drawn: ${Date.now() - t0} ms`);
  await page.getByTestId('speed-60').click();
  const fps = await page.evaluate(async () => {
    (document.querySelector('[data-testid=replay-toggle]') as HTMLButtonElement).click();
    let frames = 0;
    const worst: number[] = [];
    let last = performance.now();
    const t0 = last;
    await new Promise<void>((done) => {
      const f = (now: number) => {
        frames++;
        worst.push(now - last);
        last = now;
        if (now - t0 < 3000) requestAnimationFrame(f);
        else done();
      };
      requestAnimationFrame(f);
    });
    (document.querySelector('[data-testid=replay-toggle]') as HTMLButtonElement).click();
    worst.sort((a, b) => b - a);
    return { fps: frames / 3, p99: worst[Math.floor(worst.length / 100)], max: worst[0] };
  });
  console.log(`60× playback: ${fps.fps.toFixed(1)} fps, p99 frame ${fps.p99!.toFixed(1)} ms, worst ${fps.max!.toFixed(1)} ms`);
  // five charts follow the cursor every frame: a floor well under 60 fps, for a shared 2-core machine
  expect(fps.fps).toBeGreaterThan(15);
  await expect(page.getByTestId('replay-clock')).not.toHaveText('00:00');
});
