// #11: order status changes and live-room scope through generic ingest — a refund takes GMV down in the minute it
// happens, a late payment adds it, an order placed outside the room is kept apart; the rollups, the per-segment product
// attribution and a rebuilt aggregate agree.
import { describe, expect, it } from 'vitest';
import { testCore } from '../../../tests/helpers/core.ts';
import { MetricsModule } from './module.ts';

describe('order status changes and scenes', () => {
  it('refund, late payment and a 橱窗 order: GMV, orders, per-minute GMV, attribution and a rebuild agree', async () => {
    const t = testCore();
    const metrics = new MetricsModule();
    metrics.attach(t.core);
    const core = t.core;
    const p = await core.call('product.create', { title: 'A 面膜', price: 9900 });
    const s = await core.call('session.create', { title: 'orders', productIds: [p.id] });
    await core.call('session.start', { sessionId: s.id });
    await core.call('session.pin', { sessionId: s.id, productId: p.id });
    const t0 = t.now;
    const order = (id: string, ts: number, status: string, scene?: 'live' | 'other', amount = 6900) => ({
      type: 'order',
      ts,
      orderId: id,
      amount,
      productId: p.id,
      status,
      ...(scene ? { scene } : {}),
    });
    const ingest = (events: unknown[]) => core.call('metrics.ingest', { sessionId: s.id, events });

    expect(await ingest([order('A', t0 + 1_000, 'paid'), order('B', t0 + 2_000, 'created'), order('C', t0 + 3_000, 'paid', 'other', 8800)])).toEqual({ stored: 3, duplicates: 0 });
    let snap = await core.call('metrics.snapshot', { sessionId: s.id });
    expect([snap.session.gmv, snap.session.orders, snap.otherOrders]).toEqual([6900, 1, { orders: 1, gmv: 8800 }]);
    // the same status again is a duplicate; shipped after paid changes nothing in GMV
    expect(await ingest([order('A', t0 + 1_000, 'paid'), order('A', t0 + 5_000, 'shipped')])).toEqual({ stored: 0, duplicates: 2 });
    // B is paid two minutes later: counted in that minute
    expect(await ingest([order('B', t0 + 120_000, 'paid')])).toEqual({ stored: 1, duplicates: 0 });
    // A is refunded at minute 3: GMV down in minute 3, not in minute 0
    expect(await ingest([order('A', t0 + 180_000, 'refunded')])).toEqual({ stored: 1, duplicates: 0 });
    snap = await core.call('metrics.snapshot', { sessionId: s.id });
    expect([snap.session.gmv, snap.session.orders]).toEqual([6900, 1]);
    expect(snap.segment?.product.orders).toBe(1);
    expect(snap.segment?.product.gmv).toBe(6900);
    const minute = (ms: number) => ms - (ms % 60_000);
    const series = await core.call('metrics.series', { sessionId: s.id });
    const gmvAt = (ms: number) => series.minutes.find((m) => m.t === minute(ms))?.gmv;
    expect(gmvAt(t0 + 1_000)).toBe(6900);
    expect(gmvAt(t0 + 120_000)).toBe(6900);
    expect(gmvAt(t0 + 180_000)).toBe(-6900);
    expect(core.db.prepare('SELECT order_id, status, scene FROM metric_orders ORDER BY order_id').all()).toEqual([
      { order_id: 'A', status: 'refunded', scene: 'live' },
      { order_id: 'B', status: 'paid', scene: 'live' },
      { order_id: 'C', status: 'paid', scene: 'other' },
    ]);
    // the 橱窗 order refunded too: it leaves the apart figure, GMV untouched
    await ingest([order('C', t0 + 200_000, 'refunded', 'other', 8800)]);
    // after a restart the aggregate is rebuilt from SQLite: same figures
    const before = await core.call('metrics.snapshot', { sessionId: s.id });
    metrics.forgetAggregates();
    const after = await core.call('metrics.snapshot', { sessionId: s.id });
    expect([after.session.gmv, after.session.orders, after.otherOrders, after.segment?.product.gmv]).toEqual([6900, 1, { orders: 0, gmv: 0 }, 6900]);
    expect([before.session.gmv, before.otherOrders]).toEqual([after.session.gmv, after.otherOrders]);
  });
});
