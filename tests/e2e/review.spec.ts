// The review screen against a real `serve`: a session seeded over HTTP (lineup, pins, ingest readings and orders spread
// over its segments), then the list, the report (best product, sorting), replay, and the CSV export as Excel reads it.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startServe, tempDir, type Served } from '../helpers/serve.ts';

let serve: Served;
let sessionId: number;
/** a local generic-webhook group robot: answers 200 and keeps what it got */
let robot: http.Server;
const robotBodies: string[] = [];
const SEGMENT_MS = 2500;
const TITLES = { cup: '经典保温杯 500ml', mask: '爆款面膜 10片装', formula: '=SUM(A1:A2) 测试款' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test.beforeAll(async () => {
  robot = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      robotBodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => robot.listen(0, '127.0.0.1', r));
  serve = await startServe({ args: ['--no-demo'] });
  const ok = async (method: string, p: string, body?: unknown) => {
    const res = await serve.api(method, p, body);
    expect(res.status, `${method} ${p}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };
  const cup = await ok('POST', '/api/v1/products', { title: TITLES.cup, price: 9900, livePrice: 6900 });
  const mask = await ok('POST', '/api/v1/products', { title: TITLES.mask, price: 19900, livePrice: 12900, hot: true });
  const formula = await ok('POST', '/api/v1/products', { title: TITLES.formula, price: 5000 });
  const s = await ok('POST', '/api/v1/sessions', { title: '双十二预热 复盘测试', productIds: [cup.id, mask.id, formula.id] });
  sessionId = s.id;
  for (const item of s.lineup) await ok('PATCH', `/api/v1/lineup/${item.id}`, { plannedMinutes: 5 });
  await ok('PUT', `/api/v1/sessions/${sessionId}/metrics/source`, { source: 'ingest' });

  const started = await ok('POST', `/api/v1/sessions/${sessionId}/start`);
  const t0: number = started.startedAt;
  // three segments of equal length: the mask sells most per pinned minute, the formula-titled product least
  const pins: { productId: number; at: number }[] = [];
  const channel = await ok('POST', '/api/v1/push/channels', {
    kind: 'webhook',
    name: 'VIP群 测试',
    url: `http://127.0.0.1:${(robot.address() as AddressInfo).port}/hook`,
    tags: ['VIP群'],
  });
  for (const p of [cup, mask, formula]) {
    const state = await ok('POST', `/api/v1/sessions/${sessionId}/pin`, { productId: p.id });
    pins.push({ productId: p.id, at: state.segment.startedAt });
    // the live link goes to the group while the mask is on pin
    if (p === mask) await ok('POST', `/api/v1/sessions/${sessionId}/push`, { channelIds: [channel.id], text: '面膜开抢，进直播间' });
    await sleep(SEGMENT_MS);
  }
  await expect.poll(() => robotBodies.length, { timeout: 10_000 }).toBeGreaterThan(0);
  const tEnd = Date.now();

  const orders: [number, number, number, number][] = [
    // [product index, count, amount fen, offset into its segment]
    [0, 1, 6900, 600],
    [1, 6, 12900, 300],
    [2, 1, 5000, 900],
  ];
  const products = [cup, mask, formula];
  const orderEvents = orders.flatMap(([i, count, amount, offset]) =>
    Array.from({ length: count }, (_, k) => ({ type: 'order', ts: pins[i]!.at + offset + k * 150, orderId: `9${i}${k}000000000000000001`, amount, productId: products[i]!.id })),
  );
  const events: { ts: number; [k: string]: unknown }[] = [...orderEvents];
  let uv = 0;
  // cumulative product counters as WeChat reports them: the pinned product is shown (and clicked) far more
  const exposure = [0, 0, 0];
  const clicks = [0, 0, 0];
  for (let ts = t0; ts < tEnd; ts += 100) {
    uv += 3;
    const online = 200 + Math.round(80 * Math.sin((ts - t0) / 1500));
    const onPin = pins.findLastIndex((p) => p.at <= ts);
    for (let i = 0; i < 3; i++) {
      exposure[i]! += i === onPin ? 4 : 1;
      if (i === onPin) clicks[i]! += 1;
    }
    events.push({
      type: 'reading',
      ts,
      online,
      viewersUv: uv,
      viewsPv: uv * 2,
      products: products.map((p, i) => ({
        productId: p.id,
        exposureUv: exposure[i],
        clickUv: clicks[i],
        payUv: orderEvents.filter((o) => o.productId === p.id && o.ts <= ts).length,
      })),
    });
  }
  events.sort((a, b) => a.ts - b.ts);
  const ingested = await ok('POST', `/api/v1/sessions/${sessionId}/events`, { events });
  expect(ingested.stored).toBe(events.length);
  await ok('POST', `/api/v1/sessions/${sessionId}/end`);

  // a second, short session to compare with
  const other = await ok('POST', '/api/v1/sessions', { title: '彩排 对比场', productIds: [cup.id] });
  await ok('PUT', `/api/v1/sessions/${other.id}/metrics/source`, { source: 'ingest' });
  const o0: number = (await ok('POST', `/api/v1/sessions/${other.id}/start`)).startedAt;
  await ok('POST', `/api/v1/sessions/${other.id}/pin`, { productId: cup.id });
  await sleep(1000);
  const few = [0, 300, 600, 900].map((d, i) => ({ type: 'reading', ts: o0 + d, online: 50 + i * 10, viewersUv: 20 + i * 5 }));
  await ok('POST', `/api/v1/sessions/${other.id}/events`, { events: [...few, { type: 'order', ts: o0 + 500, orderId: '1234567890123456789', amount: 6900, productId: cup.id }] });
  await ok('POST', `/api/v1/sessions/${other.id}/end`);
});

test.afterAll(async () => {
  await serve?.stop();
  robot?.close();
});

test('review: list, report, sorting, replay, CSV export', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(`${serve.url}?token=${serve.token}#/review`);

  // the list shows the session with its figures; search narrows it
  const row = page.getByTestId('session-row').filter({ hasText: '双十二预热' });
  await expect(row).toBeVisible({ timeout: 10_000 });
  await expect(row).toContainText('¥');
  await page.getByTestId('session-search').fill('不存在的场次');
  await expect(page.getByTestId('session-row')).toHaveCount(0);
  await page.getByTestId('session-search').fill('双十二');
  await expect(row).toBeVisible();
  await page.getByTestId('status-filter').selectOption('live');
  await expect(page.getByTestId('session-row')).toHaveCount(0);
  await page.getByTestId('status-filter').selectOption('ended');
  await expect(row).toBeVisible();

  await row.click();
  await expect(page.getByTestId('report-title')).toHaveText('双十二预热 复盘测试');
  await expect(page.getByTestId('summary')).toBeVisible();
  await expect(page.getByTestId('summary-lines').locator('li').first()).toBeVisible();
  await expect(page.getByTestId('sum-gmv')).toHaveText('¥893');

  // the push made during the mask's segment, with its group's delivery
  const pushRow = page.getByTestId('push-table').locator('tbody tr');
  await expect(pushRow).toHaveCount(1);
  await expect(pushRow).toContainText('VIP群 测试');
  await expect(pushRow).toContainText('已送达');
  await expect(pushRow).toContainText('手动');
  expect(robotBodies[0]).toContain('面膜开抢');

  // the best product per pinned minute is the mask
  await expect(page.getByTestId('sum-best')).toContainText(TITLES.mask);
  const bestRow = page.getByTestId('product-row').filter({ has: page.getByTestId('rank-best') });
  await expect(bestRow).toHaveCount(1);
  await expect(bestRow.getByTestId('product-title')).toHaveText(TITLES.mask);
  await expect(page.getByTestId('product-row').filter({ has: page.getByTestId('rank-worst') }).getByTestId('product-title')).toHaveText(TITLES.formula);

  // sorting by GMV: descending puts the mask first, a second click reverses it
  const titles = () => page.getByTestId('product-row').getByTestId('product-title').allTextContents();
  const gmvHeader = page.getByTestId('sort-gmv');
  await gmvHeader.getByRole('button').click();
  await expect(gmvHeader).toHaveAttribute('aria-sort', 'descending');
  await expect.poll(titles).toEqual([TITLES.mask, TITLES.cup, TITLES.formula]);
  await gmvHeader.getByRole('button').click();
  await expect(gmvHeader).toHaveAttribute('aria-sort', 'ascending');
  await expect.poll(titles).toEqual([TITLES.formula, TITLES.cup, TITLES.mask]);
  await expect(page.getByTestId('sort-title')).toHaveAttribute('aria-sort', 'none');

  // replay: jumping to the second segment shows the mask as pinned in the replayed producer view
  const pinned = page.getByTestId('replay-pinned');
  const clock = page.getByTestId('replay-clock');
  await page.getByTestId('jump-1').click();
  await expect(pinned).toHaveText(TITLES.mask);
  await expect(page.getByTestId('replay-next')).toHaveText(TITLES.formula);
  await expect(page.getByTestId('replay-overlay')).toContainText('¥129');
  await expect(page.getByTestId('replay-overlay').locator('s')).toHaveText('¥199');

  // the scrub slider moves the frame: back to the first segment
  const scrub = page.getByTestId('replay-scrub');
  const min = Number(await scrub.getAttribute('min'));
  await scrub.fill(String(min + 1000));
  await expect(pinned).toHaveText(TITLES.cup);
  await expect(clock).toHaveText('00:01');

  // clicking a chart jumps the replay there: near the right end is the third segment
  const chart = page.getByTestId('rchart-online');
  const box = (await chart.boundingBox())!;
  await chart.click({ position: { x: box.width * 0.85, y: box.height / 2 } });
  await expect(pinned).toHaveText(TITLES.formula);

  // keyboard: ] speeds up, → steps 10 s (to the end of this short session)
  await page.getByTestId('speed-1').click();
  await page.keyboard.press(']');
  await expect(page.getByTestId('speed-2')).toHaveAttribute('aria-pressed', 'true');

  // play at 60× from the start: the clock runs to the end and the replay stops there
  await scrub.fill(String(min));
  await expect(clock).toHaveText('00:00');
  await page.getByTestId('speed-60').click();
  await page.getByTestId('replay-toggle').click();
  await expect.poll(async () => clock.textContent(), { timeout: 5_000 }).not.toBe('00:00');
  await expect(page.getByTestId('replay-toggle')).toContainText('播放', { timeout: 5_000 });
  expect(await clock.textContent()).toMatch(/^00:0[6-9]$/);
  await page.keyboard.press('ArrowLeft');
  await expect(clock).toHaveText('00:00');

  // CSV export: BOM for Excel, Chinese intact, a title that Excel would run as a formula escaped
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-products').click()]);
  expect(download.suggestedFilename()).toBe('复盘-双十二预热 复盘测试-products.csv');
  const file = path.join(tempDir('livecue-csv-'), 'products.csv');
  await download.saveAs(file);
  const bytes = fs.readFileSync(file);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.toString('utf8');
  expect(text).toContain(TITLES.mask);
  expect(text).toContain(`'${TITLES.formula}`);
  expect(text).not.toMatch(/(^|[\r\n,])=SUM/);

  // the page scrolls inside the shell: a tall window shows the whole report in one picture to look at
  await page.setViewportSize({ width: 1440, height: 2400 });
  await page.screenshot({ path: path.join('test-results', 'review-report.png') });
});

test('review: tick two sessions to compare them side by side', async ({ page }) => {
  await page.goto(`${serve.url}?token=${serve.token}#/review`);
  const rows = page.getByTestId('session-row');
  await expect(rows).toHaveCount(2, { timeout: 10_000 });
  const go = page.getByTestId('compare-go');
  await expect(go).toBeDisabled();
  await rows.filter({ hasText: '双十二预热' }).getByTestId('pick').check();
  await expect(go).toBeDisabled();
  await rows.filter({ hasText: '彩排 对比场' }).getByTestId('pick').check();
  await go.click();
  await expect(page.getByTestId('compare')).toBeVisible();
  await expect(page.getByTestId('compare-side-0')).toContainText('双十二预热');
  await expect(page.getByTestId('compare-side-1')).toContainText('彩排 对比场');
  await expect(page.getByTestId('compare-side-1').getByTestId('sum-gmv')).toHaveText('¥69');
  await expect(page.getByTestId('compare-online')).toBeVisible();
  await page.screenshot({ path: path.join('test-results', 'review-compare.png') });
  await page.getByRole('button', { name: '← 场次列表' }).click();
  await expect(rows).toHaveCount(2);
  await page.screenshot({ path: path.join('test-results', 'review-list.png') });
});

test('review: export the session bundle and import it again', async ({ page }) => {
  await page.goto(`${serve.url}?token=${serve.token}#/review?session=${sessionId}`);
  await expect(page.getByTestId('report-title')).toHaveText('双十二预热 复盘测试', { timeout: 10_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-bundle').click()]);
  const file = path.join(tempDir('livecue-bundle-'), download.suggestedFilename());
  await download.saveAs(file);
  const bundle = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(bundle.format).toBe('livecue.session');

  await page.getByTestId('back').click();
  await page.getByTestId('import-bundle').setInputFiles(file);
  // the import opens the new session's report, with the same figures
  await expect.poll(() => new URL(page.url()).hash).not.toBe(`#/review?session=${sessionId}`);
  await expect(page.getByTestId('report-title')).toHaveText('双十二预热 复盘测试', { timeout: 10_000 });
  await expect(page.getByTestId('sum-gmv')).toHaveText('¥893');
  await expect(page.getByTestId('sum-best')).toContainText(TITLES.mask);

  // a file that is not a bundle is refused with the core's reason, nothing imported
  await page.getByTestId('back').click();
  await page.getByTestId('import-bundle').setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"other"}') });
  await expect(page.getByTestId('review-import-errors')).toBeVisible();
  await expect(page.getByTestId('session-row')).toHaveCount(3);
});

/** a 视频号助手 export of a two-hour broadcast, one row a minute, Beijing time */
function channelsCsv(): string {
  const rows = ['直播数据明细', '时间,在线人数,累计观看人数,累计成交金额,累计成交订单数'];
  let viewers = 0;
  let gmvFen = 0;
  let orders = 0;
  for (let m = 0; m < 120; m++) {
    viewers += 40 + (m % 7) * 5;
    if (m % 3 === 0) {
      orders += 2;
      gmvFen += 2 * 12900;
    }
    const hh = String(20 + Math.floor(m / 60)).padStart(2, '0');
    const mm = String(m % 60).padStart(2, '0');
    const online = 300 + Math.round(200 * Math.sin(m / 15));
    rows.push(`2026-11-30 ${hh}:${mm}:00,${online},${viewers},${(gmvFen / 100).toFixed(2)},${orders}`);
  }
  return '\uFEFF' + rows.join('\r\n') + '\r\n';
}

test('review: a 视频号助手 import makes a long report — shared zoom, 60× replay, keyboard', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(`${serve.url}?token=${serve.token}#/review`);
  await expect(page.getByTestId('session-list')).toBeVisible({ timeout: 10_000 });

  // a broken file first: line-numbered errors, nothing imported
  const broken = '时间,在线人数\r\n2026-11-30 20:00:00,120\r\n2026-11-30 20:01:00,很多\r\n';
  await page.getByTestId('import-channels').setInputFiles({ name: '坏数据_2026-11-30.csv', mimeType: 'text/csv', buffer: Buffer.from(broken) });
  const errors = page.getByTestId('review-import-errors');
  await expect(errors).toContainText('第 3 行');
  await expect(errors).toContainText('在线人数');

  await page.getByTestId('import-channels').setInputFiles({ name: '直播数据_2026-11-30.csv', mimeType: 'text/csv', buffer: Buffer.from(channelsCsv()) });
  await expect(page.getByTestId('report-title')).toHaveText('直播数据_2026-11-30', { timeout: 15_000 });
  await expect(page.getByTestId('sum-gmv')).toHaveText('¥10,320');

  // zooming one chart zooms them all; reset brings the whole session back
  const online = page.getByTestId('rchart-online');
  const gmv = page.getByTestId('rchart-gmv');
  const range = async (el: typeof online) => {
    const [min, max] = await Promise.all([el.getAttribute('data-x-min'), el.getAttribute('data-x-max')]);
    return Number(max) - Number(min);
  };
  const full = await range(online);
  expect(full).toBeGreaterThan(119 * 60_000);
  const box = (await online.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -300);
  await expect.poll(() => range(online)).toBeLessThan(full * 0.8);
  expect(await range(gmv)).toBe(await range(online));
  await page.getByTestId('reset-zoom').click();
  await expect.poll(() => range(gmv)).toBe(full);

  // 60×: a second of wall time is about a minute of broadcast
  const clock = page.getByTestId('replay-clock');
  await page.getByTestId('speed-60').click();
  await page.keyboard.press(' ');
  await expect(page.getByTestId('replay-toggle')).toContainText('暂停');
  await page.waitForTimeout(1500);
  await page.keyboard.press(' ');
  await expect(page.getByTestId('replay-toggle')).toContainText('播放');
  const [mm, ss] = (await clock.textContent())!.split(':').map(Number);
  const seconds = mm! * 60 + ss!;
  expect(seconds).toBeGreaterThanOrEqual(45);
  expect(seconds).toBeLessThan(5 * 60);
  // → steps 10 s, and the dashboard tiles follow the frame
  await page.keyboard.press('ArrowRight');
  const [mm2, ss2] = (await clock.textContent())!.split(':').map(Number);
  expect(mm2! * 60 + ss2!).toBe(seconds + 10);
  await page.getByTestId('replay-scrub').fill(String(Number(await page.getByTestId('replay-scrub').getAttribute('max'))));
  await expect(page.getByTestId('replay-gmv')).toHaveText('¥10,320');

  await page.setViewportSize({ width: 1440, height: 2000 });
  await page.screenshot({ path: path.join('test-results', 'review-long.png') });
});

test('review: the OBS recording plays in sync with the replay', async ({ page }) => {
  // a 4-second WebM recorded by Chromium itself (no ffmpeg here), filed as the session's OBS recording via a bundle
  await page.goto('about:blank');
  const webm: string = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 160;
    canvas.height = 90;
    const ctx = canvas.getContext('2d')!;
    const rec = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm' });
    const chunks: Blob[] = [];
    rec.ondataavailable = (e) => chunks.push(e.data);
    const done = new Promise((r) => (rec.onstop = r));
    rec.start(500);
    const t0 = performance.now();
    while (performance.now() - t0 < 4000) {
      ctx.fillStyle = `hsl(${(performance.now() - t0) / 10}, 80%, 50%)`;
      ctx.fillRect(0, 0, 160, 90);
      await new Promise((r) => setTimeout(r, 40));
    }
    rec.stop();
    await done;
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(bin);
  });
  const dir = tempDir('livecue-rec-');
  const video = path.join(dir, 'obs-recording.webm');
  fs.writeFileSync(video, Buffer.from(webm, 'base64'));

  // an imported session's recording is never taken from the bundle (issue 14): the owner links the file at the machine
  const bundle = (await serve.api('POST', '/api/v1/invoke/review.exportBundle', { sessionId })).body;
  const imported = await serve.api('POST', '/api/v1/invoke/review.importBundle', { bundle });
  expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  const id: number = imported.body.sessionId;
  const linked = await serve.api('POST', '/api/v1/invoke/review.linkRecording', { sessionId: id, path: video });
  expect(linked.status, JSON.stringify(linked.body)).toBe(200);

  await page.goto(`${serve.url}?token=${serve.token}#/review?session=${id}`);
  const el = page.getByTestId('replay-video');
  await expect(el).toBeVisible({ timeout: 10_000 });
  expect(await el.getAttribute('src')).toMatch(new RegExp(`^/api/v1/sessions/${id}/recording\\?i=0&token=`));
  // the core served it (with the ?token=): the browser read its metadata
  await expect.poll(() => el.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);

  const report = (await serve.api('GET', `/api/v1/sessions/${id}/report`)).body;
  const seg = report.segments[1];
  const rec = report.recordings[0];
  expect(rec.available).toBe(true);
  await page.getByTestId('jump-1').click();
  await expect.poll(() => el.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo((seg.startedAt - rec.startedAt) / 1000, 0);

  // playing at 2× plays the video at 2×; pausing the replay pauses it
  await page.getByTestId('jump-0').click();
  await page.getByTestId('speed-2').click();
  await page.getByTestId('replay-toggle').click();
  await expect.poll(() => el.evaluate((v: HTMLVideoElement) => ({ rate: v.playbackRate, paused: v.paused }))).toEqual({ rate: 2, paused: false });
  await page.getByTestId('replay-toggle').click();
  await expect.poll(() => el.evaluate((v: HTMLVideoElement) => v.paused)).toBe(true);
});

test('review: a live session is provisional and refreshes on demand', async ({ page }) => {
  const product = (await serve.api('POST', '/api/v1/products', { title: '直播中的商品', price: 3000 })).body;
  const live = (await serve.api('POST', '/api/v1/sessions', { title: '正在直播 的场次', productIds: [product.id] })).body;
  await serve.api('PUT', `/api/v1/sessions/${live.id}/metrics/source`, { source: 'ingest' });
  const t0: number = (await serve.api('POST', `/api/v1/sessions/${live.id}/start`)).body.startedAt;
  await serve.api('POST', `/api/v1/sessions/${live.id}/events`, { events: [{ type: 'reading', ts: t0 + 10, online: 12, viewersUv: 12 }] });

  await page.goto(`${serve.url}?token=${serve.token}#/review?session=${live.id}`);
  await expect(page.getByTestId('report-title')).toHaveText('正在直播 的场次', { timeout: 10_000 });
  await expect(page.getByTestId('sum-gmv')).toHaveText('¥0');
  await serve.api('POST', `/api/v1/sessions/${live.id}/events`, { events: [{ type: 'order', ts: t0 + 20, orderId: '5550001', amount: 3000, productId: product.id }] });
  await page.getByTestId('refresh').click();
  await expect(page.getByTestId('sum-gmv')).toHaveText('¥30');
  await serve.api('POST', `/api/v1/sessions/${live.id}/end`);
});
