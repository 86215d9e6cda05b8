// Report benchmark: an 8-hour session (1 Hz readings = 28 800, 40 pinned segments, 100 000 orders) and a 24-hour one
// (86 400 readings, 120 segments, 300 000 orders) built through the core's real ingest path, ended, then `review.report`
// timed on a fresh Core per run (cold: no report cache, no metrics aggregate in memory) vs a naive full scan of the raw
// rows (readings + orders + segments → the same per-minute timeline and per-product table in JS), measured in the same
// run; and `review.sessions` over 500 ended sessions of 3 hours each (one reading a minute, 60 orders each).
// Prints progress on stderr only; returns { report8h, report24h, reviewList }.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Core } from '../electron/core/core.ts';
import { MetricsModule } from '../electron/core/metrics/module.ts';
import { reviewModule } from '../tests/helpers/review.ts';
import { DB_FILE } from '../electron/core/store/db.ts';
import type { MetricEventInput } from '../shared/protocol/metrics.ts';
import { root, tempDir } from '../tests/helpers/serve.ts';
import { createDeskModules } from '../electron/core/modules.ts';

const progress = (line: string) => process.stderr.write(`bench report: ${line}\n`);
const T0 = 1_790_000_000_000;
const RUNS = 5;
const PAID = new Set(['paid', 'shipped', 'completed']);

function openCore(dataDir: string, now: () => number) {
  const core = new Core({ dataDir, resourcesDir: path.join(root, 'resources'), version: 'bench', seedDemo: false, now, log: () => {} });
  for (const m of createDeskModules()) m.attach(core);
  new MetricsModule().attach(core);
  reviewModule().attach(core);
  return core;
}

/** deterministic pseudo-random numbers (mulberry32), so every run builds the same session */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function build(dataDir: string, size = { hours: 8, segments: 40, orders: 100_000 }): Promise<{ sessionId: number; end: number }> {
  const SECONDS = size.hours * 3600;
  const SEGMENTS = size.segments;
  const ORDERS = size.orders;
  let now = T0;
  const core = openCore(dataDir, () => now);
  const ids: number[] = [];
  for (let i = 0; i < SEGMENTS; i++) ids.push((await core.call('product.create', { title: `商品 ${i + 1}`, price: 9900 + i * 100, livePrice: 6900 })).id);
  const s = await core.call('session.create', { title: `${size.hours} 小时压测场`, productIds: ids });
  await core.call('metrics.setSource', { sessionId: s.id, source: 'ingest' });
  await core.call('session.start', { sessionId: s.id });

  const random = rng(42);
  const funnel = ids.map(() => ({ exp: 0, clk: 0, pay: 0 }));
  const segSeconds = SECONDS / SEGMENTS;
  const ordersPerSecond = ORDERS / SECONDS;
  let orderSeq = 0;
  let uv = 0;
  let pv = 0;
  let online = 800;
  for (let k = 0; k < SEGMENTS; k++) {
    now = T0 + k * segSeconds * 1000;
    await core.call('session.pin', { sessionId: s.id, productId: ids[k]! });
    const events: MetricEventInput[] = [];
    for (let sec = k * segSeconds; sec < (k + 1) * segSeconds; sec++) {
      const ts = T0 + sec * 1000;
      online = Math.max(50, Math.round(online + (random() - 0.5) * 40));
      uv += Math.round(random() * 6);
      pv += Math.round(random() * 8);
      // the pinned product's funnel grows fast, the others slowly; a reading names the pinned one, every 60th names all
      const f = funnel[k]!;
      f.exp += Math.round(random() * 10);
      f.clk += Math.round(random() * 2);
      if (random() < 0.2) f.pay++;
      for (let j = 0; j < ids.length; j++) if (j !== k && random() < 0.02) funnel[j]!.exp++;
      const products =
        sec % 60 === 0
          ? ids.map((id, j) => ({ productId: id, exposureUv: funnel[j]!.exp, clickUv: funnel[j]!.clk, payUv: funnel[j]!.pay }))
          : [{ productId: ids[k]!, exposureUv: f.exp, clickUv: f.clk, payUv: f.pay }];
      events.push({ type: 'reading', ts, online, viewersUv: uv, viewsPv: pv, products });
      const target = Math.floor((sec + 1) * ordersPerSecond);
      while (orderSeq < target) {
        const other = random() < 0.2;
        events.push({
          type: 'order',
          ts: ts + Math.floor(random() * 1000),
          orderId: `37${String(orderSeq).padStart(17, '0')}`,
          amount: 3900 + Math.floor(random() * 20) * 500,
          productId: ids[other ? Math.floor(random() * ids.length) : k]!,
          status: random() < 0.05 ? 'cancelled' : 'paid',
        });
        orderSeq++;
      }
    }
    events.sort((x, y) => x.ts - y.ts);
    for (let i = 0; i < events.length; i += 5000) await core.call('metrics.ingest', { sessionId: s.id, events: events.slice(i, i + 5000) });
  }
  now = T0 + SECONDS * 1000;
  await core.call('session.end', { sessionId: s.id });
  core.close();
  return { sessionId: s.id, end: now };
}

/** The same timeline and product table from the raw rows, the way one would without rollups. */
export function naive(dbPath: string, sessionId: number) {
  const db = new Database(dbPath, { readonly: true });
  const started = performance.now();
  const readings = db.prepare('SELECT ts, online, viewers_uv, products FROM metric_readings WHERE session_id = ? ORDER BY ts').all(sessionId) as {
    ts: number;
    online: number | null;
    viewers_uv: number | null;
    products: string | null;
  }[];
  const orders = db.prepare('SELECT ts, amount, product_key, status FROM metric_orders WHERE session_id = ?').all(sessionId) as {
    ts: number;
    amount: number;
    product_key: string | null;
    status: string;
  }[];
  const segments = db.prepare('SELECT product_id, started_at, ended_at FROM segments WHERE session_id = ? ORDER BY started_at').all(sessionId) as {
    product_id: number;
    started_at: number;
    ended_at: number | null;
  }[];
  const minutes = new Map<number, { onlineSum: number; onlineN: number; onlineMax: number; uv: number; orders: number; gmv: number }>();
  const minute = (ts: number) => {
    const t = ts - (ts % 60_000);
    let m = minutes.get(t);
    if (!m) minutes.set(t, (m = { onlineSum: 0, onlineN: 0, onlineMax: 0, uv: 0, orders: 0, gmv: 0 }));
    return m;
  };
  // per product: cumulative funnel at every segment boundary, found by walking the parsed readings in time order
  const boundaries = segments.flatMap((g, i) => [
    { ts: g.started_at, product: g.product_id, seg: i, end: false },
    { ts: g.ended_at ?? Infinity, product: g.product_id, seg: i, end: true },
  ]);
  boundaries.sort((a, b) => a.ts - b.ts);
  const latest = new Map<number, { exp: number; clk: number; pay: number }>();
  const at = segments.map(() => ({ start: { exp: 0, clk: 0, pay: 0 }, end: { exp: 0, clk: 0, pay: 0 } }));
  let bi = 0;
  for (const r of readings) {
    while (bi < boundaries.length && boundaries[bi]!.ts <= r.ts) {
      const b = boundaries[bi++]!;
      at[b.seg]![b.end ? 'end' : 'start'] = { ...(latest.get(b.product) ?? { exp: 0, clk: 0, pay: 0 }) };
    }
    const m = minute(r.ts);
    if (r.online !== null) {
      m.onlineSum += r.online;
      m.onlineN++;
      m.onlineMax = Math.max(m.onlineMax, r.online);
    }
    if (r.viewers_uv !== null) m.uv = Math.max(m.uv, r.viewers_uv);
    if (r.products) {
      for (const p of JSON.parse(r.products) as { productId: number; exposureUv?: number; clickUv?: number; payUv?: number }[]) {
        const old = latest.get(p.productId) ?? { exp: 0, clk: 0, pay: 0 };
        latest.set(p.productId, { exp: p.exposureUv ?? old.exp, clk: p.clickUv ?? old.clk, pay: p.payUv ?? old.pay });
      }
    }
  }
  for (; bi < boundaries.length; bi++) {
    const b = boundaries[bi]!;
    at[b.seg]![b.end ? 'end' : 'start'] = { ...(latest.get(b.product) ?? { exp: 0, clk: 0, pay: 0 }) };
  }
  const sold = new Map<string, { orders: number; gmv: number }>();
  for (const o of orders) {
    if (!PAID.has(o.status)) continue;
    const m = minute(o.ts);
    m.orders++;
    m.gmv += o.amount;
    const key = o.product_key ?? '';
    const s = sold.get(key) ?? { orders: 0, gmv: 0 };
    s.orders++;
    s.gmv += o.amount;
    sold.set(key, s);
  }
  const timeline = [...minutes.entries()].sort((a, b) => a[0] - b[0]);
  let uvCum = 0;
  let gmvCum = 0;
  let ordersCum = 0;
  const rows = timeline.map(([t, m]) => {
    uvCum = Math.max(uvCum, m.uv);
    gmvCum += m.gmv;
    ordersCum += m.orders;
    return { t, onlineAvg: m.onlineN ? m.onlineSum / m.onlineN : null, uvCum, gmvCum, ordersCum };
  });
  const products = new Map<number, { pinnedMs: number; exp: number; clk: number; pay: number; gmv: number }>();
  segments.forEach((g, i) => {
    const p = products.get(g.product_id) ?? { pinnedMs: 0, exp: 0, clk: 0, pay: 0, gmv: sold.get(String(g.product_id))?.gmv ?? 0 };
    p.pinnedMs += (g.ended_at ?? g.started_at) - g.started_at;
    p.exp += at[i]!.end.exp - at[i]!.start.exp;
    p.clk += at[i]!.end.clk - at[i]!.start.clk;
    p.pay += at[i]!.end.pay - at[i]!.start.pay;
    products.set(g.product_id, p);
  });
  const ms = performance.now() - started;
  db.close();
  return { ms, minutes: rows.length, products: products.size, gmv: gmvCum, readings: readings.length, orders: orders.length, segments: segments.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

/** cold and cached review.report of one built session, beside the naive scan of the same rows */
async function measure(size: { hours: number; segments: number; orders: number }) {
  const dataDir = tempDir('livecue-bench-report-');
  const t = performance.now();
  const { sessionId, end } = await build(dataDir, size);
  progress(`built the ${size.hours}-hour session in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // cold runs: a new Core on the same data folder each time, first review.report call
  const cold: number[] = [];
  const cached: number[] = [];
  let check: { gmv: number; minutes: number; products: number } | null = null;
  for (let i = 0; i < RUNS; i++) {
    const core = openCore(dataDir, () => end + 10 * 60_000);
    const s = performance.now();
    const report = await core.call('review.report', { sessionId });
    cold.push(performance.now() - s);
    const c = performance.now();
    await core.call('review.report', { sessionId });
    cached.push(performance.now() - c);
    check = { gmv: report.summary.gmv, minutes: report.timeline.length, products: report.products.filter((p) => p.timesPinned > 0).length };
    core.close();
  }
  const naiveRuns: ReturnType<typeof naive>[] = [];
  for (let i = 0; i < RUNS; i++) naiveRuns.push(naive(path.join(dataDir, DB_FILE), sessionId));
  const nv = naiveRuns[0]!;
  if (check && (check.gmv !== nv.gmv || check.minutes !== nv.minutes || check.products !== nv.products)) {
    progress(`warning: report and naive scan disagree: ${JSON.stringify(check)} vs gmv ${nv.gmv}, ${nv.minutes} minutes, ${nv.products} products`);
  }
  const ms = median(cold);
  const naiveMs = median(naiveRuns.map((r) => r.ms));
  progress(
    `${size.hours} h report cold median ${ms.toFixed(1)} ms (runs ${cold.map((x) => x.toFixed(0)).join(', ')}), cached ${median(cached).toFixed(2)} ms, naive ${naiveMs.toFixed(1)} ms`,
  );
  fs.rmSync(dataDir, { recursive: true, force: true });
  return {
    ms: round(ms),
    naiveMs: round(naiveMs),
    ratio: round(naiveMs / ms),
    cachedMs: Math.round(median(cached) * 100) / 100,
    method: `median of ${RUNS} cold runs, each the first review.report on a new Core; cachedMs = the second call on that Core`,
    readings: nv.readings,
    orders: nv.orders,
    segments: nv.segments,
  };
}

/** review.sessions over many ended sessions: built through ingest, one reading a minute (one metric_minutes row each) */
async function reviewList(sessions = 500, minutes = 180) {
  const dataDir = tempDir('livecue-bench-list-');
  let now = T0;
  const core = openCore(dataDir, () => now);
  const t = performance.now();
  const p = await core.call('product.create', { title: '列表商品', price: 9900 });
  for (let k = 0; k < sessions; k++) {
    now = T0 + k * 86_400_000;
    const s = await core.call('session.create', { title: `第 ${k + 1} 场`, productIds: [p.id] });
    await core.call('metrics.setSource', { sessionId: s.id, source: 'ingest' });
    await core.call('session.start', { sessionId: s.id });
    const events: MetricEventInput[] = [];
    for (let m = 0; m < minutes; m++) {
      events.push({ type: 'reading', ts: now + m * 60_000, online: 500 + ((m * 37) % 300), viewersUv: m * 40, viewsPv: m * 55 });
      if (m % 3 === 0) events.push({ type: 'order', ts: now + m * 60_000 + 1, orderId: `38${String(k).padStart(6, '0')}${String(m).padStart(6, '0')}`, amount: 6900, productId: p.id, status: 'paid' });
    }
    await core.call('metrics.ingest', { sessionId: s.id, events });
    now += minutes * 60_000;
    await core.call('session.end', { sessionId: s.id });
  }
  core.close();
  progress(`built ${sessions} sessions in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const cold: number[] = [];
  const warm: number[] = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const c = openCore(dataDir, () => now);
    let s = performance.now();
    rows = (await c.call('review.sessions', {})).length;
    cold.push(performance.now() - s);
    s = performance.now();
    await c.call('review.sessions', {});
    warm.push(performance.now() - s);
    c.close();
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  progress(`review list cold median ${median(cold).toFixed(1)} ms, warm ${median(warm).toFixed(1)} ms`);
  return { ms: round(median(cold)), warmMs: round(median(warm)), sessions: rows, minutesPerSession: minutes, method: `median of ${RUNS}: first review.sessions on a new Core (cold), then the second` };
}

export async function run(): Promise<Record<string, unknown>> {
  const report8h = await measure({ hours: 8, segments: 40, orders: 100_000 });
  const report24h = await measure({ hours: 24, segments: 120, orders: 300_000 });
  return { report8h, report24h, reviewList: await reviewList() };
}
