// The report reads per-product and per-segment orders from the per-minute rollup (migration 0170) and the raw rows only
// at segment edges: on generated sessions its figures must equal a scan of every raw order, and a session recorded
// before the migration (rollup rebuilt by the migration's backfill) must report the same.
import { describe, expect, it } from 'vitest';
import { GMV_STATUSES } from '../../../shared/protocol/metrics.ts';
import { testCore } from '../../../tests/helpers/core.ts';
import { MetricsModule } from '../metrics/module.ts';
import { sql as backfill } from '../store/migrations/0170-product-order-minutes.ts';
import { sql as totalsBackfill } from '../store/migrations/0171-session-totals.ts';
import { reviewDeps, reviewModule } from '../../../tests/helpers/review.ts';
import { ReportBuilder } from './report.ts';

function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generated(seed: number) {
  const t = testCore({ start: 1_790_000_000_000 + seed * 7_919 });
  new MetricsModule().attach(t.core);
  reviewModule().attach(t.core);
  const { core } = t;
  const random = rng(seed);
  const ids: number[] = [];
  for (let i = 0; i < 6; i++) ids.push((await core.call('product.create', { title: `P${i}`, price: 1000, sku: `SKU-${i}` })).id);
  const s = await core.call('session.create', { title: 'gen', productIds: ids });
  await core.call('metrics.setSource', { sessionId: s.id, source: 'ingest' });
  await core.call('session.start', { sessionId: s.id });
  const start = t.now;
  let n = 0;
  // 12 pins of uneven length (not minute-aligned: 17–200 s), orders spread across and between them
  for (let k = 0; k < 12; k++) {
    if (random() < 0.8) await core.call('session.pin', { sessionId: s.id, productId: ids[Math.floor(random() * ids.length)]! });
    else await core.call('session.unpin', { sessionId: s.id });
    const len = 17_000 + Math.floor(random() * 183_000);
    const from = t.now;
    const events: unknown[] = [];
    for (let ms = 0; ms < len; ms += 250 + Math.floor(random() * 1500)) {
      const r = random();
      const status = r < 0.08 ? 'cancelled' : r < 0.12 ? 'refunded' : r < 0.16 ? 'created' : r < 0.2 ? 'shipped' : 'paid';
      const bySku = random() < 0.1;
      const p = Math.floor(random() * ids.length);
      events.push({
        type: 'order',
        // some late orders land in earlier segments
        ts: random() < 0.05 ? start + Math.floor(random() * (from - start + 1)) : from + ms,
        orderId: `37${seed}${String(n++).padStart(12, '0')}`,
        amount: 100 + Math.floor(random() * 9000),
        ...(bySku ? { sku: `SKU-${p}` } : { productId: ids[p]! }),
        status,
        // #11: some orders come from 橱窗 / short videos during the show: never the live room's
        ...(random() < 0.1 ? { scene: 'other' } : {}),
      });
      if (random() < 0.1) events.push({ type: 'reading', ts: from + ms, online: Math.floor(random() * 500) });
    }
    // orders arrive in several batches
    for (let i = 0; i < events.length; i += 40) await core.call('metrics.ingest', { sessionId: s.id, events: events.slice(i, i + 40) });
    t.advance(len);
    // #11: stored orders change status later (a refund after sale, a late payment): the rollup must follow the raw rows
    const changes = (events as { type: string; orderId?: string; status?: string }[])
      .filter((e) => e.type === 'order' && (e.status === 'paid' || e.status === 'created') && random() < 0.25)
      .map((e) => ({ ...e, ts: t.now, status: e.status === 'paid' ? 'refunded' : 'paid' }));
    if (changes.length) await core.call('metrics.ingest', { sessionId: s.id, events: changes });
  }
  await core.call('session.end', { sessionId: s.id });
  return { t, core, sessionId: s.id, ids };
}

/** the per-product figures by scanning every raw order (what the report computed before the rollup) */
function naive(core: ReturnType<typeof testCore>['core'], sessionId: number) {
  const orders = core.db.prepare("SELECT ts, amount, product_key, sku, status FROM metric_orders WHERE session_id = ? AND scene = 'live'").all(sessionId) as {
    ts: number;
    amount: number;
    product_key: string | null;
    sku: string | null;
    status: string;
  }[];
  const segments = core.db.prepare('SELECT product_id, started_at, ended_at FROM segments WHERE session_id = ?').all(sessionId) as {
    product_id: number;
    started_at: number;
    ended_at: number | null;
  }[];
  const bySku = new Map((core.db.prepare('SELECT id, sku FROM products WHERE sku IS NOT NULL').all() as { id: number; sku: string }[]).map((p) => [p.sku, p.id]));
  const total = new Map<number, { orders: number; gmv: number }>();
  const during = new Map<number, { orders: number; gmv: number }>();
  for (const o of orders) {
    if (!GMV_STATUSES.has(o.status)) continue;
    const pid = o.product_key !== null ? Number(o.product_key) : bySku.get(o.sku!)!;
    const x = total.get(pid) ?? { orders: 0, gmv: 0 };
    x.orders++;
    x.gmv += o.amount;
    total.set(pid, x);
    if (o.product_key === null) continue;
    for (const g of segments) {
      if (String(g.product_id) !== o.product_key || o.ts < g.started_at || o.ts >= (g.ended_at ?? Infinity)) continue;
      const d = during.get(pid) ?? { orders: 0, gmv: 0 };
      d.orders++;
      d.gmv += o.amount;
      during.set(pid, d);
    }
  }
  const online = core.db.prepare('SELECT t, online_last FROM metric_seconds WHERE session_id = ? AND online_last IS NOT NULL ORDER BY t').raw().all(sessionId);
  return { total, during, online };
}

describe('report from rollups', () => {
  for (const seed of [1, 2, 3]) {
    it(`per-product orders and GMV, during pins and overall, equal a scan of the raw orders (seed ${seed})`, async () => {
      const { core, sessionId } = await generated(seed);
      const report = await core.call('review.report', { sessionId });
      const scan = naive(core, sessionId);
      expect(scan.total.size).toBeGreaterThan(3);
      expect([...scan.during.values()].reduce((a, d) => a + d.orders, 0)).toBeGreaterThan(20);
      for (const row of report.products) {
        expect({ id: row.productId, orders: row.orders, gmv: row.gmv }).toEqual({ id: row.productId, ...(scan.total.get(row.productId) ?? { orders: 0, gmv: 0 }) });
        if (row.timesPinned > 0) {
          const d = scan.during.get(row.productId) ?? { orders: 0, gmv: 0 };
          expect({ id: row.productId, orders: row.ordersDuring, gmv: row.gmvDuring }).toEqual({ id: row.productId, orders: d.orders, gmv: d.gmv });
        }
      }
      expect(report.products.map((p) => p.productId).sort()).toEqual([...scan.total.keys()].sort());
      expect(report.online).toEqual(scan.online);

      // a bundle carries the raw orders, not the rollup: the importing LiveCue derives it and reports the same figures
      const bundle = await core.call('review.exportBundle', { sessionId });
      expect(Object.keys(bundle.data)).not.toContain('metric_product_minutes');
      const imported = await core.call('review.importBundle', { bundle });
      const copy = await core.call('review.report', { sessionId: imported.sessionId });
      expect(copy.products.map((p) => [p.orders, p.gmv, p.ordersDuring, p.gmvDuring])).toEqual(report.products.map((p) => [p.orders, p.gmv, p.ordersDuring, p.gmvDuring]));

      // a database recorded before migration 0170: no rollup rows until the migration's backfill derives them
      core.db.exec('DROP TABLE metric_product_minutes');
      core.db.exec(backfill);
      const again = await new ReviewModuleReport(core).report(sessionId);
      expect(again.products).toEqual(report.products);
      core.close();
    });
  }
});

describe('review list from session totals', () => {
  it('equals the aggregate of every minute row, live and after a bundle import or the migration backfill', async () => {
    const { core, sessionId, t } = await generated(4);
    // a second session with readings (viewers, funnel, GMV from readings) and joins, still live
    const p = await core.call('product.create', { title: 'Q', price: 100 });
    const s2 = await core.call('session.create', { title: 'second', productIds: [p.id] });
    await core.call('session.start', { sessionId: s2.id });
    const random = rng(9);
    const events: unknown[] = [];
    for (let i = 0; i < 400; i++) {
      const ts = t.now + i * 7_000;
      events.push({ type: 'reading', ts, online: Math.floor(random() * 900), viewersUv: i * 3, products: [{ productId: p.id, exposureUv: i * 2, clickUv: i, payUv: i >> 3, gmv: i * 100 }] });
      if (i % 5 === 0) events.push({ type: 'join', ts: ts + 1, viewerId: `u${i}` });
    }
    for (let i = 0; i < events.length; i += 37) await core.call('metrics.ingest', { sessionId: s2.id, events: events.slice(i, i + 37) });
    const bundle = await core.call('review.exportBundle', { sessionId });
    await core.call('review.importBundle', { bundle });

    const fromMinutes = () =>
      core.db
        .prepare(
          `SELECT session_id, max(online_max) AS online_max, max(has_uv) AS has_uv, max(uv_cum) AS uv_cum, max(exp_cum) AS exp_cum, max(pay_cum) AS pay_cum,
             max(rgmv_cum) AS rgmv_cum, sum(joins) AS joins, sum(orders) AS orders, sum(gmv) AS gmv FROM metric_minutes GROUP BY session_id ORDER BY session_id`,
        )
        .all();
    const totals = () => core.db.prepare('SELECT * FROM metric_session_totals ORDER BY session_id').all();
    expect(totals()).toHaveLength(3);
    expect(totals()).toEqual(fromMinutes());
    const list = await core.call('review.sessions', {});
    expect(list.find((r) => r.id === s2.id)).toMatchObject({ peakOnline: expect.any(Number), viewersUv: 399 * 3, gmv: 399 * 100 });
    expect(list.find((r) => r.id === sessionId)!.gmv).toBeGreaterThan(0);

    core.db.exec('DROP TABLE metric_session_totals');
    core.db.exec(totalsBackfill);
    expect(totals()).toEqual(fromMinutes());
    expect(await core.call('review.sessions', {})).toEqual(list);
    core.close();
  });
});

/** a fresh builder (no cached report, statements prepared on the rebuilt table) */
class ReviewModuleReport {
  private readonly builder: ReportBuilder;
  constructor(core: ReturnType<typeof testCore>['core']) {
    this.builder = new ReportBuilder(core, reviewDeps(() => core));
  }
  report(sessionId: number) {
    return this.builder.report(sessionId);
  }
}
