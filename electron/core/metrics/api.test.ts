// The metrics API review reads through (metrics-api.ts): its figures against the raw rows, the change mark, the
// rehearsal flag, and the summary rollups rebuilt after rows arrive without the ingest path.
import { describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../../shared/protocol/metrics.ts';
import { testCore } from '../../../tests/helpers/core.ts';
import { MetricsModule } from './module.ts';

async function live() {
  const t = testCore();
  const metrics = new MetricsModule();
  metrics.attach(t.core);
  const a = await t.core.call('product.create', { title: 'A', price: 1000 });
  const s = await t.core.call('session.create', { title: 's', productIds: [a.id] });
  await t.core.call('metrics.setSource', { sessionId: s.id, source: 'ingest' });
  await t.core.call('session.start', { sessionId: s.id });
  return { ...t, metrics, api: metrics.api, s, a };
}

describe('MetricsApi', () => {
  it('orders of a product in a range equal a scan of the paid live-room rows, across minute edges', async () => {
    const { core, metrics, api, s, a } = await live();
    const t0 = core.now() - (core.now() % 60_000) + 30_000; // mid-minute: the range has partial minutes at both edges
    const orders = [
      { ts: t0 - 1, amount: 100, status: 'paid' },
      { ts: t0, amount: 200, status: 'paid' },
      { ts: t0 + 45_000, amount: 300, status: 'shipped' },
      { ts: t0 + 70_000, amount: 400, status: 'cancelled' },
      { ts: t0 + 150_000, amount: 500, status: 'paid', scene: 'other' },
      { ts: t0 + 179_999, amount: 600, status: 'completed' },
      { ts: t0 + 180_000, amount: 700, status: 'paid' },
    ];
    metrics.ingest(
      s.id,
      orders.map((o, i) => ({ type: 'order', orderId: `o${i}`, productId: a.id, ...o }) as MetricEvent),
    );
    expect(api.productOrdersBetween(s.id, String(a.id), t0, t0 + 180_000)).toEqual({ orders: 3, gmv: 1100 });
    expect(api.otherOrders(s.id)).toEqual({ orders: 1, gmv: 500 });
    expect(api.productOrders(s.id)).toEqual([{ productKey: String(a.id), sku: '', orders: 5, gmv: 1900 }]);
    core.close();
  });

  it('the change mark moves with ingest; the rehearsal flag follows the simulator runs', async () => {
    const { core, metrics, api, s } = await live();
    const before = api.changeMark(s.id);
    metrics.ingest(s.id, [{ type: 'reading', ts: core.now(), online: 12 }]);
    expect(api.changeMark(s.id)).not.toBe(before);
    expect(api.onlineSeries(s.id)).toEqual([[core.now() - (core.now() % 1000), 12]]);
    expect(api.storedSource(s.id)).toBe('ingest');
    expect(api.ranOnSimulator(s.id)).toBe(false);
    core.close();
  });

  it('rebuildRollups derives the session totals and per-product minutes from the raw rows', async () => {
    const { core, metrics, api, s, a } = await live();
    metrics.ingest(s.id, [{ type: 'order', ts: core.now(), orderId: 'x1', amount: 900, productId: a.id, status: 'paid' }]);
    const totals = () => core.db.prepare('SELECT orders, gmv FROM metric_session_totals WHERE session_id = ?').get(s.id);
    const expected = totals();
    core.db.prepare('DELETE FROM metric_session_totals WHERE session_id = ?').run(s.id);
    core.db.prepare('DELETE FROM metric_product_minutes WHERE session_id = ?').run(s.id);
    expect(api.productOrders(s.id)).toEqual([]);
    api.rebuildRollups(s.id);
    expect(totals()).toEqual(expected);
    expect(expected).toEqual({ orders: 1, gmv: 900 });
    expect(api.productOrders(s.id)).toEqual([{ productKey: String(a.id), sku: '', orders: 1, gmv: 900 }]);
    core.close();
  });
});
