import { describe, expect, it } from 'vitest';
import { testCore } from '../../../tests/helpers/core.ts';
import { MetricsModule } from './module.ts';
import { Simulator } from './sources/simulator.ts';

function setup() {
  const t = testCore();
  const metrics = new MetricsModule();
  metrics.attach(t.core);
  return {
    core: t.core,
    metrics,
    advance: t.advance,
    get now() {
      return t.now;
    },
  };
}

async function liveSession(core: ReturnType<typeof testCore>['core'], hot = false) {
  const a = await core.call('product.create', { title: 'A 面膜', price: 9900, livePrice: 6900, hot });
  const b = await core.call('product.create', { title: 'B 口红', price: 19900 });
  const s = await core.call('session.create', { title: 'rehearsal', productIds: [a.id, b.id] });
  await core.call('session.start', { sessionId: s.id });
  return { a, b, s: await core.call('session.get', { sessionId: s.id }) };
}

describe('metrics ingest', () => {
  it('stores a batch all or nothing: one bad event rejects the whole batch and nothing reaches SQLite', async () => {
    const { core } = setup();
    const { s, a } = await liveSession(core);
    const good = { type: 'order', ts: 1_790_000_001_000, orderId: '3705115058471208928', amount: 6900, productId: a.id };
    await expect(core.call('metrics.ingest', { sessionId: s.id, events: [good, { type: 'order', ts: 1, orderId: 'x', amount: -5, productId: a.id }] })).rejects.toThrow(
      /amount/,
    );
    const n = core.db.prepare('SELECT count(*) n FROM metric_orders').get() as { n: number };
    expect(n.n).toBe(0);
    const snap = await core.call('metrics.snapshot', { sessionId: s.id });
    expect(snap.counts.orders).toBe(0);
  });

  it('a transaction failure mid-batch rolls back the raw rows and the running aggregate', async () => {
    const { core, metrics } = setup();
    const { s, a } = await liveSession(core);
    // a trigger makes the 3rd comment fail inside the transaction, after earlier rows were inserted
    core.db.exec(`CREATE TRIGGER boom BEFORE INSERT ON metric_comments WHEN NEW.text = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`);
    const events = [
      { type: 'order' as const, ts: 1_790_000_001_000, orderId: '1', amount: 100, productId: a.id, status: 'paid' as const },
      { type: 'comment' as const, ts: 1_790_000_001_000, text: 'ok' },
      { type: 'comment' as const, ts: 1_790_000_001_000, text: 'boom' },
    ];
    expect(() => metrics.ingest(s.id, events)).toThrow(/boom/);
    expect((core.db.prepare('SELECT count(*) n FROM metric_orders').get() as { n: number }).n).toBe(0);
    expect((core.db.prepare('SELECT count(*) n FROM metric_seconds').get() as { n: number }).n).toBe(0);
    const snap = metrics.snapshot(s.id);
    expect(snap.session.orders).toBe(0);
    expect(snap.counts.comments).toBe(0);
  });

  it('a duplicate orderId is stored once, across batches and within one; ids beyond 2^53 stay exact', async () => {
    const { core } = setup();
    const { s, a } = await liveSession(core);
    const order = { type: 'order', ts: 1_790_000_001_000, orderId: '3705115058471208928', amount: 6900, productId: a.id };
    const r1 = await core.call('metrics.ingest', { sessionId: s.id, events: [order, order] });
    const r2 = await core.call('metrics.ingest', { sessionId: s.id, events: [order] });
    expect(r1).toEqual({ stored: 1, duplicates: 1 });
    expect(r2).toEqual({ stored: 0, duplicates: 1 });
    const rows = core.db.prepare('SELECT order_id FROM metric_orders').all() as { order_id: string }[];
    expect(rows).toEqual([{ order_id: '3705115058471208928' }]);
    const snap = await core.call('metrics.snapshot', { sessionId: s.id });
    expect(snap.session.gmv).toBe(6900);
    expect(snap.session.orders).toBe(1);
  });

  it('attributes events to the pinned segment by timestamp, and the snapshot survives a rebuild from rollups', async () => {
    const t = setup();
    const { core, metrics } = t;
    const { s, a, b } = await liveSession(core);
    const t0 = t.now;
    await core.call('session.pin', { sessionId: s.id, productId: a.id });
    const ev = (dt: number, extra: object) => ({ ts: t0 + dt, ...extra });
    metrics.ingest(s.id, [
      ev(1000, { type: 'join', viewerId: 'u1' }),
      ev(1000, { type: 'join', viewerId: 'u2' }),
      ev(2000, { type: 'reading', online: 2, viewersUv: 2, viewsPv: 2, products: [{ productId: a.id, exposureUv: 2, clickUv: 1, payUv: 1, gmv: 6900 }] }),
      ev(2500, { type: 'order', orderId: 'o1', amount: 6900, productId: a.id, status: 'paid' }),
      ev(61_000, { type: 'leave', viewerId: 'u1' }),
    ] as never);
    t.advance(120_000);
    await core.call('session.pin', { sessionId: s.id, productId: b.id });
    const t1 = t.now;
    metrics.ingest(s.id, [
      { type: 'join', ts: t1 + 1000, viewerId: 'u3' },
      { type: 'reading', ts: t1 + 2000, online: 2, viewersUv: 3, viewsPv: 3, products: [{ productId: b.id, exposureUv: 1, clickUv: 0, payUv: 0, gmv: 0 }] },
    ]);
    const snap = metrics.snapshot(s.id);
    expect(snap.segments).toHaveLength(2);
    const [segA, segB] = snap.segments;
    expect(segA!.figures.orders).toBe(1);
    expect(segA!.figures.gmv).toBe(6900);
    expect(segA!.product.ctr).toBe(0.5);
    expect(segA!.figures.viewersUv).toBe(2);
    expect(segB!.figures.orders).toBe(0);
    expect(segB!.figures.viewersUv).toBe(1);
    expect(snap.segment!.productId).toBe(b.id);
    expect(snap.session.viewersUv).toBe(3);
    expect(snap.session.averageDwell.method).toBe('exact');
    expect(snap.counts).toEqual({ readings: 2, orders: 1, comments: 0, joins: 3, leaves: 1 });
    expect(snap.provisional).toBe(true);

    // a second module on the same database rebuilds from the rollups: same figures
    const again = new MetricsModule();
    again.attach(core);
    const re = again.snapshot(s.id);
    expect(re.session.gmv).toBe(snap.session.gmv);
    expect(re.session.viewersUv).toBe(snap.session.viewersUv);
    expect(re.counts).toEqual(snap.counts);
    expect(re.segments[0]!.figures.orders).toBe(1);
    expect(re.segments[0]!.product.ctr).toBe(0.5);
    expect(re.session.averageDwell.seconds).toBeCloseTo(snap.session.averageDwell.seconds!, 3);
  });

  it('the simulator is seedable and converts better on a hot pin', async () => {
    const run = async (hot: boolean, seed: number) => {
      const { core, metrics } = setup();
      const { s, a } = await liveSession(core, hot);
      await core.call('session.pin', { sessionId: s.id, productId: a.id });
      const state = await core.call('session.get', { sessionId: s.id });
      const sim = new Simulator(
        {
          sessionId: s.id,
          ingest: (e) => metrics.ingest(s.id, e),
          now: () => core.now(),
          log: () => {},
          session: () => state,
          product: (id) => core.products.getIncludingDeleted(id),
          productBySku: () => null,
        },
        { seed, arrivalsPerSecond: 5 },
      );
      sim.start();
      sim.stop();
      sim.step(1800);
      return metrics.snapshot(s.id);
    };
    const x = await run(false, 7);
    const y = await run(false, 7);
    expect(y.session).toEqual(x.session);
    expect(x.session.onlineNow).toBeGreaterThan(100);
    expect(x.session.orders).toBeGreaterThan(0);
    const hot = await run(true, 7);
    expect(hot.session.productCtr!).toBeGreaterThan(x.session.productCtr! * 1.3);
    expect(hot.session.gmv).toBeGreaterThan(x.session.gmv);
  });
});

describe('metrics memory (the 8-hour soak)', () => {
  it('the simulated room stays bounded and consistent: every leave closes an open visit, online = joins − leaves', async () => {
    const { core, metrics } = setup();
    const { s, a } = await liveSession(core);
    await core.call('session.pin', { sessionId: s.id, productId: a.id });
    const state = await core.call('session.get', { sessionId: s.id });
    const open = new Set<string>();
    let badLeave = 0;
    let doubleJoin = 0;
    let onlineMismatch = 0;
    const sim = new Simulator(
      {
        sessionId: s.id,
        ingest: (events) => {
          for (const e of events) {
            if (e.type === 'join') {
              if (open.has(e.viewerId)) doubleJoin++;
              open.add(e.viewerId);
            } else if (e.type === 'leave') {
              if (!open.delete(e.viewerId)) badLeave++;
            } else if (e.type === 'reading' && e.online !== open.size) onlineMismatch++;
          }
          return metrics.ingest(s.id, events);
        },
        now: () => core.now(),
        log: () => {},
        session: () => state,
        product: (id) => core.products.getIncludingDeleted(id),
        productBySku: () => null,
      },
      { seed: 3, arrivalsPerSecond: 20 },
    );
    sim.start();
    sim.stop();
    sim.step(4 * 3600);
    expect(badLeave).toBe(0);
    expect(doubleJoin).toBe(0);
    expect(onlineMismatch).toBe(0);
    const sizes = sim.sizes();
    const snap = metrics.snapshot(s.id);
    // open visits: the simulator, the aggregate and an outside count agree, and stay near arrivals × mean dwell
    expect(sizes.present).toBe(open.size);
    expect(sizes.leavingIds).toBe(open.size);
    expect(snap.session.onlineNow).toBe(open.size);
    expect((metrics.memory().aggs as Record<string, { present: number }>)[s.id]!.present).toBe(open.size);
    expect(open.size).toBeGreaterThan(1000);
    expect(open.size).toBeLessThan(20 * 1.1 * 400);
    // one byte per viewer ever created, grown by doubling
    expect(sizes.inRoomBytes).toBeLessThanOrEqual(2 * Math.max(1024, snap.counts.joins));
  });

  it('a duplicate in the middle of a batch drops only itself: the events around it reach SQLite and the aggregate', async () => {
    const { core } = setup();
    const { s, a } = await liveSession(core);
    const ts = core.now();
    const order = { type: 'order', ts, orderId: '3705115058471208928', amount: 6900, productId: a.id };
    const r = await core.call('metrics.ingest', {
      sessionId: s.id,
      events: [{ type: 'join', ts, viewerId: 'u1' }, order, order, { type: 'comment', ts, text: '多少钱？' }, { type: 'order', ts, orderId: '2', amount: 100, productId: a.id }],
    });
    expect(r).toEqual({ stored: 4, duplicates: 1 });
    const snap = await core.call('metrics.snapshot', { sessionId: s.id });
    expect(snap.counts).toMatchObject({ joins: 1, orders: 2, comments: 1 });
    expect(snap.session.gmv).toBe(7000);
  });

  it('memory(): the process figures and every in-memory map of the domain, per session', async () => {
    const { core, metrics } = setup();
    const { s } = await liveSession(core);
    metrics.ingest(s.id, [
      { type: 'join', ts: core.now(), viewerId: 'u1' },
      { type: 'join', ts: core.now(), viewerId: 'u2' },
      { type: 'leave', ts: core.now() + 1000, viewerId: 'u1' },
    ]);
    const m = metrics.memory() as {
      process: NodeJS.MemoryUsage;
      sqlite: { cacheSize: number; walBytes: number; dbBytes: number };
      aggs: Record<string, { present: number; minutes: number }>;
    };
    expect(m.process.heapUsed).toBeGreaterThan(0);
    expect(m.sqlite.dbBytes).toBeGreaterThan(0);
    expect(m.aggs[s.id]).toMatchObject({ present: 1, minutes: 1 });
  });
});
