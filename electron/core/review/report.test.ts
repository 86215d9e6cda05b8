import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetricsTick } from '../../../shared/protocol/metrics.ts';
import type { ObsStatus } from '../../../shared/protocol/obs.ts';
import { frameAt } from '../../../shared/review/replay.ts';
import { testCore } from '../../../tests/helpers/core.ts';
import { tempDir } from '../../../tests/helpers/serve.ts';
import { MetricsModule } from '../metrics/module.ts';
import { ReviewModule } from './module.ts';
import { worstDrop } from './report.ts';

const S = 1000;

function setup(start?: number) {
  const t = testCore(start === undefined ? {} : { start });
  const metrics = new MetricsModule();
  metrics.attach(t.core);
  new ReviewModule().attach(t.core);
  return t;
}

type T = ReturnType<typeof setup>;

/**
 * A constructed 7-minute session (T0 = start): lineup A (5 min), B (10 min), C (3 min); A pinned 60–180 s, B 180–300 s,
 * A again 300–420 s (ended by session.end). Readings carry cumulative funnels chosen so the expected figures are exact.
 */
async function constructed(t: T) {
  const { core } = t;
  const a = await core.call('product.create', { title: 'A 面膜', price: 9900, livePrice: 6900 });
  const b = await core.call('product.create', { title: 'B 口红', price: 19900 });
  const c = await core.call('product.create', { title: 'C 纸巾', price: 5000, sku: 'C-1' });
  const s = await core.call('session.create', { title: '双十一 主场', productIds: [a.id, b.id, c.id] });
  const lineup = (await core.call('session.get', { sessionId: s.id })).lineup;
  await core.call('lineup.update', { itemId: lineup[1]!.id, plannedMinutes: 10 });
  await core.call('lineup.update', { itemId: lineup[2]!.id, plannedMinutes: 3 });
  await core.call('metrics.setSource', { sessionId: s.id, source: 'ingest' });
  const T0 = t.now;
  await core.call('session.start', { sessionId: s.id });
  const at = (sec: number) => T0 + sec * S;
  const fa = (exp: number, clk: number, pay: number) => ({ productId: a.id, exposureUv: exp, clickUv: clk, payUv: pay });
  const fb = (exp: number, clk: number, pay: number) => ({ productId: b.id, exposureUv: exp, clickUv: clk, payUv: pay });
  const ingest = (events: unknown[]) => core.call('metrics.ingest', { sessionId: s.id, events });
  const moveTo = (sec: number) => t.advance(at(sec) - t.now);

  await ingest([
    { type: 'reading', ts: at(0), online: 100, viewersUv: 100, viewsPv: 100, products: [fa(0, 0, 0), fb(0, 0, 0)] },
    { type: 'reading', ts: at(50), online: 120, viewersUv: 150, viewsPv: 160, products: [fa(10, 1, 0), fb(5, 0, 0)] },
  ]);
  moveTo(60);
  await core.call('session.pin', { sessionId: s.id, productId: a.id });
  await ingest([
    { type: 'order', ts: at(100), orderId: '3705115058471208928', amount: 6900, productId: a.id, status: 'paid' },
    { type: 'order', ts: at(110), orderId: '3705115058471208929', amount: 6900, productId: a.id, status: 'shipped' },
    { type: 'reading', ts: at(170), online: 200, viewersUv: 300, viewsPv: 330, products: [fa(110, 21, 5), fb(15, 1, 0)] },
  ]);
  moveTo(180);
  await core.call('session.pin', { sessionId: s.id, productId: b.id });
  await ingest([
    { type: 'order', ts: at(200), orderId: 'b-1', amount: 19900, productId: b.id, status: 'completed' },
    { type: 'reading', ts: at(240), online: 250 },
    { type: 'reading', ts: at(290), online: 150, viewersUv: 380, viewsPv: 420, products: [fa(130, 23, 6), fb(65, 6, 2)] },
  ]);
  moveTo(300);
  await core.call('session.pin', { sessionId: s.id, productId: a.id });
  await ingest([
    { type: 'reading', ts: at(300), online: 100 },
    { type: 'order', ts: at(320), orderId: 'a-3', amount: 6900, productId: a.id, status: 'paid' },
    { type: 'order', ts: at(330), orderId: 'a-4', amount: 6900, productId: a.id, status: 'cancelled' },
    { type: 'order', ts: at(400), orderId: 'c-1', amount: 5000, productId: c.id, status: 'paid' },
    { type: 'order', ts: at(405), orderId: 'c-2', amount: 5000, sku: 'C-1', status: 'paid' },
    { type: 'reading', ts: at(410), online: 90, viewersUv: 420, viewsPv: 470, products: [fa(230, 43, 10), fb(70, 6, 2)] },
  ]);
  moveTo(420);
  await core.call('session.end', { sessionId: s.id });
  return { s, a, b, c, T0, at, lineup };
}

describe('review.report on a constructed session', () => {
  it('per-product table: times pinned, pinned minutes, GMV per pinned minute, CTR during vs outside, best and worst', async () => {
    const t = setup();
    const { s, a, b, c } = await constructed(t);
    const r = await t.core.call('review.report', { sessionId: s.id });
    expect(r.provisional).toBe(false);
    expect(r.products.map((p) => p.productId)).toEqual([a.id, b.id, c.id]);
    const [pa, pb, pc] = r.products;
    expect(pa).toMatchObject({ title: 'A 面膜', timesPinned: 2, pinnedMs: 240_000, plannedMinutes: 5, orders: 3, gmv: 20700, exposureUv: 230, clickUv: 43, payUv: 10 });
    expect(pa!.gmvPerPinnedMinute).toBe(20700 / 4);
    // during: (110−10 + 230−130) exposures, (21−1 + 43−23) clicks, (5−0 + 10−6) pays; outside = totals − during
    expect(pa!.ctrDuring).toBeCloseTo(40 / 200, 12);
    expect(pa!.conversionDuring).toBeCloseTo(9 / 40, 12);
    expect(pa!.ctrOutside).toBeCloseTo(3 / 30, 12);
    expect(pa!.conversionOutside).toBeCloseTo(1 / 3, 12);
    expect(pb).toMatchObject({ timesPinned: 1, pinnedMs: 120_000, plannedMinutes: 10, orders: 1, gmv: 19900, gmvPerPinnedMinute: 9950 });
    expect(pb!.ctrDuring).toBeCloseTo(5 / 50, 12);
    expect(pb!.ctrOutside).toBeCloseTo(1 / 20, 12);
    expect(pb!.conversionOutside).toBe(0);
    // C was never pinned but sold, once by id and once by SKU only
    expect(pc).toMatchObject({ timesPinned: 0, pinnedMs: 0, orders: 2, gmv: 10000, gmvPerPinnedMinute: null, ctrDuring: null, rank: null });
    expect(pb!.rank).toBe('best');
    expect(pa!.rank).toBe('worst');
    expect(r.summary.best).toEqual({ productId: b.id, title: 'B 口红', gmvPerPinnedMinute: 9950 });
    expect(r.summary.worst).toEqual({ productId: a.id, title: 'A 面膜', gmvPerPinnedMinute: 5175 });
  });
});
