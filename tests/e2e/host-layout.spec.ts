// #13 point 1 and 4: the host display never breaks. A 60-character title with six selling points, a coupon, 话术 and a
// product image, at 1920×1080, 1366×768, 1280×720 and a portrait tablet: no element of the host display outside the
// viewport, the timer on one line in a fixed width, price and next-up visible. Before 开播 and after 下播 a standby card;
// ?session= is honoured or refused, never replaced. Screenshots land in test-results/host-*.png.
import { expect, test, type Page } from '@playwright/test';
import { startServe, type Served } from '../helpers/serve.ts';
import { gradientPng } from '../helpers/png.ts';

let s: Served;
test.beforeAll(async () => {
  s = await startServe({ args: ['--no-demo'] });
});
test.afterAll(async () => {
  await s?.stop();
});

const TITLE = '【直播间专享】新疆阿克苏冰糖心红富士苹果礼盒装十斤装当季现摘脆甜多汁大果径八十五毫米以上顺丰包邮限时秒杀今晚八点开抢赠礼';
const POINTS = [
  '产地直发：阿克苏核心产区果园，当天采摘当天发货',
  '冰糖心率高：昼夜温差大，糖分沉积，切开可见透明糖心',
  '大果径：精选八十五毫米以上，单果重约三百克',
  '脆甜多汁：可溶性固形物十五以上，口感清脆',
  '坏果包赔：签收四十八小时内拍照联系客服，按个赔付',
  '顺丰冷链：全国大部分地区四十八小时内送达',
];
const TALK = Array.from({ length: 12 }, (_, i) => `第${i + 1}段话术：家人们看这个苹果的切面，这就是冰糖心，今天直播间专享价只要九十九。`).join('\n');

/** every element of the host display inside the viewport (half a pixel of rounding allowed) */
async function outside(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const w = window.innerWidth;
    const h = window.innerHeight;
    for (const el of document.querySelectorAll('[data-testid=host] *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < -0.5 || r.top < -0.5 || r.right > w + 0.5 || r.bottom > h + 0.5) {
        out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)} "${(el.textContent ?? '').slice(0, 20)}"`);
      }
    }
    // the document itself must not scroll either
    if (document.documentElement.scrollHeight > h + 1 || document.documentElement.scrollWidth > w + 1) out.push(`document ${document.documentElement.scrollWidth}×${document.documentElement.scrollHeight}`);
    return out;
  });
}

test('host display fits a 60-character title with six selling points at every size, with a standby card around the show', async ({ browser }) => {
  expect([...TITLE].length).toBe(60);
  // a product photo uploaded into the data folder (POST /api/v1/images), shown from /images/<sha256>.png
  const res = await fetch(`${s.url.replace(/\/$/, '')}/api/v1/images`, { method: 'POST', headers: { authorization: `Bearer ${s.token}` }, body: new Uint8Array(gradientPng(600, 800)) });
  expect(res.status).toBe(200);
  const imageUrl = ((await res.json()) as { url: string }).url;
  expect(imageUrl).toMatch(/^\/images\/[0-9a-f]{64}\.png$/);
  const p = await s.api('POST', '/api/v1/products', { title: TITLE, price: 19900, livePrice: 9900, coupon: '满199减30，限前100单', sellingPoints: POINTS, hot: true, ...(imageUrl ? { imageUrl } : {}) });
  expect(p.status).toBe(200);
  const n = await s.api('POST', '/api/v1/products', { title: '云南普洱茶 357g 七子饼 2019 年春茶 勐海古树料 紧压生茶', price: 29900 });
  const session = await s.api('POST', '/api/v1/sessions', { title: '双十二 水果专场 · 彩排', productIds: [p.body.id, n.body.id] });
  const sid = session.body.id as number;
  const item = session.body.lineup[0].id as number;
  expect((await s.api('POST', '/api/v1/invoke/lineup.update', { itemId: item, talkingPoints: TALK, plannedMinutes: 2.5 })).status).toBe(200);

  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  await page.goto(`${s.url}?token=${s.token}#/host`);
  // before 开播: the desk's session as a standby card, not a product
  await expect(page.getByTestId('host-standby')).toContainText('待机');
  await expect(page.getByTestId('host-standby')).toContainText('双十二 水果专场');

  expect((await s.api('POST', `/api/v1/sessions/${sid}/start`)).status).toBe(200);
  expect((await s.api('POST', `/api/v1/sessions/${sid}/pin`, { productId: p.body.id })).status).toBe(200);
  await expect(page.getByTestId('host-title')).toContainText('阿克苏');

  const sizes = [
    { width: 1920, height: 1080 },
    { width: 1366, height: 768 },
    { width: 1280, height: 720 },
    { width: 810, height: 1080 }, // portrait tablet
  ];
  for (const size of sizes) {
    await page.setViewportSize(size);
    await page.waitForTimeout(400); // the card's fade-in, and a timer tick
    const name = `host-${size.width}x${size.height}`;
    await page.screenshot({ path: `test-results/${name}.png` });
    expect(await outside(page), name).toEqual([]);
    for (const id of ['host-timer', 'host-price', 'host-next', 'host-title', 'host-prompter']) await expect(page.getByTestId(id), `${name} ${id}`).toBeInViewport({ ratio: 1 });
    await expect(page.getByTestId('host-image'), name).toBeInViewport({ ratio: 1 });
    expect(await page.getByTestId('host-image').evaluate((el: HTMLImageElement) => el.naturalWidth), `${name} image loaded`).toBe(600);
    // the timer stays on one line: mm:ss / planned (2.5 minutes = 02:30)
    const timer = page.getByTestId('host-timer');
    await expect(timer).toContainText(/^\d\d:\d\d\s*\/ 02:30$/);
    const lines = await timer.evaluate((el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).fontSize));
    expect(lines, `${name} timer height in em`).toBeLessThan(1.6);
    // readable from 3 m: the title and points are scaled, not shrunk to nothing
    const titlePx = await page.getByTestId('host-title').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(titlePx, `${name} title px`).toBeGreaterThanOrEqual(24);
    const pointPx = await page.locator('[data-testid=host-points] li').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(pointPx, `${name} point px`).toBeGreaterThanOrEqual(16);
    await expect(page.locator('[data-testid=host-points] li')).toHaveCount(6);
  }

  // the timer keeps its width as it counts (no reflow of the bottom row)
  await page.setViewportSize({ width: 1366, height: 768 });
  const w1 = await page.getByTestId('host-timer').evaluate((el) => el.getBoundingClientRect().width);
  await page.waitForTimeout(1100);
  const w2 = await page.getByTestId('host-timer').evaluate((el) => el.getBoundingClientRect().width);
  expect(Math.abs(w2 - w1)).toBeLessThan(1);

  // the producer scrolls the 话术 from the console: the host's teleprompter follows
  expect((await s.api('POST', '/api/v1/invoke/host.prompter', { sessionId: sid, itemId: item, ratio: 1 })).status).toBe(200);
  await expect.poll(() => page.getByTestId('host-prompter').evaluate((el) => el.scrollTop), { timeout: 3000 }).toBeGreaterThan(50);

  // after 下播: 本场已下播, not the first draft session
  await s.api('POST', '/api/v1/sessions', { title: '另一个草稿场次', productIds: [] });
  expect((await s.api('POST', `/api/v1/sessions/${sid}/end`)).status).toBe(200);
  await expect(page.getByTestId('host-standby')).toContainText('本场已下播');
  await expect(page.getByTestId('host-standby')).toContainText('双十二 水果专场');
  await page.screenshot({ path: 'test-results/host-ended-1366x768.png' });

  // ?session= is honoured (even ended) or refused, never replaced by another session
  await page.goto(`${s.url}#/host?session=${sid}`);
  await expect(page.getByTestId('host-standby')).toContainText('双十二 水果专场');
  await page.goto(`${s.url}#/host?session=999`);
  await expect(page.getByTestId('host-standby')).toContainText('找不到场次');
  await expect(page.getByTestId('host-standby')).not.toContainText('另一个草稿场次');
  await ctx.close();
});
