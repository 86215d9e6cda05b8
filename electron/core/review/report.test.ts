import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetricsTick } from '../../../shared/protocol/metrics.ts';
import type { ObsStatus } from '../../../shared/protocol/obs.ts';
import { frameAt } from '../../../shared/review/replay.ts';
import { testCore } from '../../../tests/helpers/core.ts';
import { tempDir } from '../../../tests/helpers/serve.ts';
import { MetricsModule } from '../metrics/module.ts';
import { reviewModule } from '../../../tests/helpers/review.ts';
import { worstDrop } from './report.ts';

const S = 1000;

function setup(start?: number) {
  const t = testCore(start === undefined ? {} : { start });
  const metrics = new MetricsModule();
  metrics.attach(t.core);
  reviewModule().attach(t.core);
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
    { type: 'join', ts: at(10), viewerId: 'u1' },
    { type: 'join', ts: at(20), viewerId: 'u2' },
    { type: 'reading', ts: at(50), online: 120, viewersUv: 150, viewsPv: 160, products: [fa(10, 1, 0), fb(5, 0, 0)] },
    { type: 'leave', ts: at(55), viewerId: 'u1' },
    { type: 'join', ts: at(58), viewerId: 'u3' },
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

describe('review.report timeline, summary, pushes, recordings', () => {
  it('timeline minutes carry cumulative uv/gmv/orders/pay UV at each minute end; summary matches the dashboard', async () => {
    const t = setup();
    const { s, at } = await constructed(t);
    const r = await t.core.call('review.report', { sessionId: s.id });
    // T0 is 20 s into a clock minute: buckets start 20 s before it
    const minuteOf = (sec: number) => at(sec) - (at(sec) % 60_000);
    expect(r.timeline[0]!.t).toBe(minuteOf(0));
    // the minute [160 s, 220 s): the reading at 170 s, and B's order at 200 s in the same minute
    const m170 = r.timeline.find((m) => m.t === minuteOf(170))!;
    expect(m170).toMatchObject({ uvCum: 300, ordersCum: 3, gmvCum: 33700, gmv: 19900, payUvCum: 5, onlineMax: 200 });
    expect(m170.conversion).toBeCloseTo(5 / 300, 12);
    const last = r.timeline.at(-1)!;
    expect(last).toMatchObject({ uvCum: 420, ordersCum: 6, gmvCum: 50600, payUvCum: 12 });
    expect(last.conversion).toBeCloseTo(12 / 420, 12);
    expect(r.timeline.reduce((n, m) => n + m.newViewers, 0)).toBe(420);
    expect(r.timeline.every((m) => m.bitrateKbps === null && m.streaming === null)).toBe(true);

    const snap = await t.core.call('metrics.snapshot', { sessionId: s.id });
    expect(r.summary).toMatchObject({ gmv: snap.session.gmv, orders: 6, viewersUv: 420, viewsPv: 470, peakOnline: 250, peakAt: at(240), durationMs: 420_000 });
    expect(r.summary.gmv).toBe(50600);
    expect(r.summary.viewerConversion).toBeCloseTo(12 / 420, 12);
    // 250 at 240 s → 100 at 300 s is the largest fall within 60 s
    expect(r.summary.worstDrop).toEqual({ at: at(240), from: 250, to: 100, pct: 0.6 });
    expect(r.online[0]).toEqual([at(0), 100]);
    expect(r.online.map((p) => p[1])).toEqual([100, 120, 200, 250, 150, 100, 90]);
    expect(r.summary.lines.length).toBeGreaterThanOrEqual(4);
    expect(r.summary.lines.length).toBeLessThanOrEqual(6);
    expect(r.summary.lines[0]).toBe('本场 7 分 00 秒，峰值在线 250 人，成交 ¥506.00，转化率 2.9%');
    expect(r.summary.lines.join('\n')).toContain('每分钟成交最高：B 口红（¥99.50），最低：A 面膜（¥51.75）');
    expect(r.segments.map((g) => [g.title, g.startedAt, g.endedAt])).toEqual([
      ['A 面膜', at(60), at(180)],
      ['B 口红', at(180), at(300)],
      ['A 面膜', at(300), at(420)],
    ]);
    expect(r.lineup.map((l) => [l.title, l.plannedMinutes])).toEqual([
      ['A 面膜', 5],
      ['B 口红', 10],
      ['C 纸巾', 3],
    ]);
    expect(r.session.source).toBe('ingest');
  });

  it('a push row: per-channel delivery status without urls or secrets, and the lift in new viewers per minute', async () => {
    const t = setup();
    const { s, at } = await constructed(t);
    const db = t.core.db;
    const ch = (name: string) =>
      Number(
        db
          .prepare("INSERT INTO push_channels (kind, name, url, secret, created_at) VALUES ('wecom', ?, 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY-123', 'SIGN-SECRET', 0)")
          .run(name).lastInsertRowid,
      );
    const vip = ch('VIP群');
    const fresh = ch('新客群');
    const pushId = Number(
      db.prepare("INSERT INTO pushes (session_id, trigger, format, title, text, created_at) VALUES (?, 'manual', 'text', '进直播间抢福利', 'x', ?)").run(s.id, at(195)).lastInsertRowid,
    );
    const deliver = db.prepare(
      "INSERT INTO push_deliveries (push_id, channel_id, part, body, status, last_error, next_attempt_at, sent_at, updated_at) VALUES (?, ?, ?, '{}', ?, ?, 0, ?, 0)",
    );
    deliver.run(pushId, vip, 'message', 'sent', null, at(200));
    deliver.run(pushId, fresh, 'message', 'failed', 'POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY-123 → 93000', null);
    deliver.run(pushId, vip, 'qr', 'sent', null, at(201));
    // the "after" window closes 5 minutes after the first delivery
    t.advance(at(600) - t.now);
    const r = await t.core.call('review.report', { sessionId: s.id });
    expect(r.pushes).toHaveLength(1);
    const p = r.pushes[0]!;
    expect(p).toMatchObject({ pushId, trigger: 'manual', title: '进直播间抢福利', sent: 1, failed: 1, unknown: 0 });
    expect(p.channels.map((c) => [c.name, c.kind, c.status])).toEqual([
      ['VIP群', 'wecom', 'sent'],
      ['新客群', 'wecom', 'failed'],
    ]);
    // before: UV 0 → 300 over [−100 s, 200 s) = 60/min; after: 300 → 420 over [200 s, 500 s) = 24/min
    expect(p.beforePerMin).toBe(60);
    expect(p.afterPerMin).toBe(24);
    expect(p.lift).toBe(-36);
    const text = JSON.stringify(r);
    expect(text).not.toContain('SECRET-KEY-123');
    expect(text).not.toContain('SIGN-SECRET');
    expect(p.channels[1]!.lastError).toContain('qyapi.weixin.qq.com');
    expect(r.markers.filter((m) => m.kind === 'push')).toEqual([{ ts: at(200), kind: 'push', label: '推送：进直播间抢福利' }]);
    expect(r.summary.pushes).toBe(1);
  });

  it('stream health per minute, recordings and stream markers from the OBS tables; a missing file is listed as not available', async () => {
    const t = setup();
    const { s, at } = await constructed(t);
    const file = path.join(tempDir(), 'show.mkv');
    fs.writeFileSync(file, Buffer.alloc(4096));
    const ev = t.core.db.prepare('INSERT INTO stream_events (session_id, ts, kind, state, active, output_path) VALUES (?, ?, ?, ?, ?, ?)');
    ev.run(s.id, at(5), 'stream', 'starting', 0, null);
    ev.run(s.id, at(6), 'stream', 'started', 1, null);
    ev.run(s.id, at(8), 'record', 'started', 1, file);
    ev.run(s.id, at(200), 'record', 'stopped', 0, file);
    ev.run(s.id, at(210), 'record', 'started', 1, null);
    ev.run(s.id, at(415), 'record', 'stopped', 0, '/nowhere/gone.mkv');
    const hs = t.core.db.prepare('INSERT INTO stream_health (session_id, ts, streaming, recording, bitrate_kbps, dropped_ratio) VALUES (?, ?, ?, 1, ?, ?)');
    hs.run(s.id, at(170), 1, 2000, 0.01);
    hs.run(s.id, at(171), 1, 3000, 0.05);
    hs.run(s.id, at(172), 0, null, null);
    const r = await t.core.call('review.report', { sessionId: s.id });
    const lane = r.timeline.find((m) => m.t === at(170) - (at(170) % 60_000))!;
    expect(lane).toMatchObject({ bitrateKbps: 2500, droppedRatio: 0.05, streaming: true });
    expect(r.timeline.filter((m) => m.streaming !== null)).toHaveLength(1);
    expect(r.recordings).toEqual([
      { path: file, startedAt: at(8), available: true, sizeBytes: 4096 },
      { path: '/nowhere/gone.mkv', startedAt: at(210), available: false, sizeBytes: null },
    ]);
    expect(r.markers.filter((m) => m.kind === 'stream' || m.kind === 'record').map((m) => [m.ts, m.label])).toEqual([
      [at(6), '开始推流'],
      [at(8), '开始录制'],
      [at(200), '停止录制'],
      [at(210), '开始录制'],
      [at(415), '停止录制'],
    ]);
  });

  it('an ended session is cached; an ingest into it or review.imported recomputes it', async () => {
    const t = setup();
    const { s, a, at } = await constructed(t);
    const first = await t.core.call('review.report', { sessionId: s.id });
    expect(await t.core.call('review.report', { sessionId: s.id })).toBe(first);
    await t.core.call('metrics.ingest', { sessionId: s.id, events: [{ type: 'order', ts: at(415), orderId: 'late', amount: 100, productId: a.id }] });
    const after = await t.core.call('review.report', { sessionId: s.id });
    expect(after).not.toBe(first);
    expect(after.summary.gmv).toBe(50700);
    t.core.emit({ type: 'review.imported', sessionId: s.id });
    const imported = await t.core.call('review.report', { sessionId: s.id });
    expect(imported).not.toBe(after);
    expect(await t.core.call('review.report', { sessionId: s.id })).toBe(imported);
    // the recording file disappears: the cached report no longer says it is available
    const file = path.join(tempDir(), 'rec.mkv');
    fs.writeFileSync(file, 'x');
    t.core.db.prepare("INSERT INTO stream_events (session_id, ts, kind, state, active, output_path) VALUES (?, ?, 'record', 'stopped', 0, ?)").run(s.id, at(419), file);
    const withFile = await t.core.call('review.report', { sessionId: s.id });
    expect(withFile.recordings[0]!.available).toBe(true);
    expect(await t.core.call('review.report', { sessionId: s.id })).toBe(withFile);
    fs.rmSync(file);
    expect((await t.core.call('review.report', { sessionId: s.id })).recordings[0]!.available).toBe(false);
  });

  it('a report whose push lift window is still open is not cached', async () => {
    const t = setup();
    const { s, at } = await constructed(t);
    const db = t.core.db;
    const ch = Number(db.prepare("INSERT INTO push_channels (kind, name, url, created_at) VALUES ('webhook', 'g', 'https://example.com/h', 0)").run().lastInsertRowid);
    const pushId = Number(db.prepare("INSERT INTO pushes (session_id, trigger, format, title, text, created_at) VALUES (?, 'manual', 'text', 't', 'x', ?)").run(s.id, at(400)).lastInsertRowid);
    db.prepare("INSERT INTO push_deliveries (push_id, channel_id, part, body, status, next_attempt_at, sent_at, updated_at) VALUES (?, ?, 'message', '{}', 'sent', 0, ?, 0)").run(pushId, ch, at(400));
    const early = await t.core.call('review.report', { sessionId: s.id });
    expect(early.pushes[0]!.afterPerMin).toBeNull();
    t.advance(at(700) - t.now);
    const later = await t.core.call('review.report', { sessionId: s.id });
    expect(later.pushes[0]!.afterPerMin).not.toBeNull();
    expect(await t.core.call('review.report', { sessionId: s.id })).toBe(later);
  });

  it('a live or draft session is provisional and never cached', async () => {
    const t = setup();
    const p = await t.core.call('product.create', { title: 'X', price: 100 });
    const s = await t.core.call('session.create', { title: 'live', productIds: [p.id] });
    await t.core.call('session.start', { sessionId: s.id });
    const one = await t.core.call('review.report', { sessionId: s.id });
    expect(one.provisional).toBe(true);
    expect(one.summary.lines.at(-1)).toBe('直播仍在进行，以上为实时数据');
    expect(await t.core.call('review.report', { sessionId: s.id })).not.toBe(one);
    const draft = await t.core.call('session.create', { title: 'draft' });
    const d = await t.core.call('review.report', { sessionId: draft.id });
    expect(d).toMatchObject({ provisional: true, online: [], timeline: [], products: [], recordings: [] });
    expect(d.summary).toMatchObject({ durationMs: null, gmv: 0, worstDrop: null, best: null });
    expect(d.summary.lines[0]).toBe('本场尚未开播，暂无数据');
  });

  it('an unknown session is not_found', async () => {
    const t = setup();
    await expect(t.core.call('review.report', { sessionId: 999 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.core.call('review.replay', { sessionId: 999, at: 1 })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('overall figures of an ended session', () => {
  const FIELDS = ['peakOnline', 'viewersUv', 'viewsPv', 'gmv', 'orders', 'productCtr', 'clickToPay', 'viewerConversion', 'uvValue', 'averageOrderValue'] as const;
  async function expectSameAsSnapshot(t: T, sessionId: number) {
    const r = await t.core.call('review.report', { sessionId });
    // a second metrics module rebuilds from SQLite, as a restarted core would
    const fresh = new MetricsModule();
    fresh.attach(t.core);
    const f = fresh.snapshot(sessionId).session;
    for (const k of FIELDS) expect([k, r.summary[k]]).toEqual([k, f[k]]);
    expect(r.summary.gpm).toBe(f.gpm.value);
    expect(r.summary.dwellMethod).toBe(f.averageDwell.method);
    expect(r.summary.averageDwellSeconds).toBeCloseTo(f.averageDwell.seconds!, 6);
    return r;
  }

  it('are the dashboard snapshot figures (UV readings and visits; reported watch time; joins only)', async () => {
    const t = setup();
    const one = await constructed(t);
    const r = await expectSameAsSnapshot(t, one.s.id);
    expect(r.summary.dwellMethod).toBe('exact');

    const p = await t.core.call('product.create', { title: 'W', price: 100, sku: 'W-1' });
    const mk = async (title: string, events: (t0: number) => unknown[]) => {
      const s = await t.core.call('session.create', { title, productIds: [p.id] });
      await t.core.call('session.start', { sessionId: s.id });
      const t0 = t.now;
      await t.core.call('metrics.ingest', { sessionId: s.id, events: events(t0) });
      t.advance(300_000);
      await t.core.call('session.end', { sessionId: s.id });
      return s.id;
    };
    const reported = await mk('reported', (t0) => [
      { type: 'reading', ts: t0 + 1000, online: 30, avgWatchSeconds: 80 },
      { type: 'order', ts: t0 + 2000, orderId: 'w1', amount: 990, sku: 'W-1' },
      { type: 'reading', ts: t0 + 61_000, online: 20, avgWatchSeconds: 95.5 },
    ]);
    expect((await expectSameAsSnapshot(t, reported)).summary).toMatchObject({ dwellMethod: 'reported', averageDwellSeconds: 95.5, gmv: 990 });
    const joins = await mk('joins', (t0) => [
      { type: 'join', ts: t0 + 1000, viewerId: 'a' },
      { type: 'join', ts: t0 + 2000, viewerId: 'b' },
      { type: 'leave', ts: t0 + 31_000, viewerId: 'a' },
      { type: 'join', ts: t0 + 40_000, viewerId: 'a' },
      { type: 'reading', ts: t0 + 50_000, online: 2 },
      { type: 'order', ts: t0 + 55_000, orderId: 'j1', amount: 500, productId: p.id },
    ]);
    const j = await expectSameAsSnapshot(t, joins);
    expect(j.summary).toMatchObject({ viewersUv: 3, dwellMethod: 'exact', viewerConversion: 1 / 3 });
  });
});

describe('worstDrop', () => {
  it('finds the largest 60-s fall and ignores gaps wider than two minutes', () => {
    const series: [number, number][] = [];
    for (let i = 0; i <= 300; i++) series.push([i * S, i < 100 ? 1000 : i < 130 ? 1000 - (i - 100) * 20 : 400]);
    expect(worstDrop(series)).toEqual({ at: 70 * S, from: 1000, to: 400, pct: 0.6 });
    expect(worstDrop([[0, 500], [10 * 60 * S, 10]])).toBeNull();
  });
});

describe('markers from core events', () => {
  const status = (scene: string | null) => ({ type: 'obs.status', status: { currentScene: scene } as ObsStatus }) as const;
  const tick = (sessionId: number, ts: number, kinds: ('onlineDrop' | 'overrun' | 'lowConversion')[]) =>
    ({
      type: 'metrics.tick',
      tick: { sessionId, ts, alerts: kinds.map((kind) => ({ kind, value: kind === 'onlineDrop' ? 0.31 : 2.5, threshold: kind === 'onlineDrop' ? 0.2 : 5 })) } as unknown as MetricsTick,
    }) as const;

  it('records a scene switch while live and each newly raised alert once, and the report shows them', async () => {
    const t = setup();
    const p = await t.core.call('product.create', { title: 'X', price: 100 });
    const s = await t.core.call('session.create', { title: 'markers', productIds: [p.id] });
    t.core.emit(status('开场'));
    t.core.emit(status('讲解')); // not live yet: no marker
    await t.core.call('session.start', { sessionId: s.id });
    t.advance(1000);
    t.core.emit(status('讲解')); // unchanged
    t.core.emit(status('商品特写'));
    t.core.emit(status(null)); // OBS disconnected
    t.core.emit(status('商品特写')); // back on the same scene
    const t1 = t.now;
    t.core.emit(tick(s.id, t1, ['onlineDrop']));
    t.core.emit(tick(s.id, t1 + 1000, ['onlineDrop'])); // still active
    t.core.emit(tick(s.id, t1 + 2000, ['onlineDrop', 'overrun']));
    t.core.emit(tick(s.id, t1 + 3000, []));
    t.core.emit(tick(s.id, t1 + 4000, ['onlineDrop']));
    const rows = t.core.db.prepare('SELECT ts, kind, label FROM session_markers WHERE session_id = ? ORDER BY id').all(s.id);
    expect(rows).toEqual([
      { ts: t1, kind: 'scene', label: '切换场景：商品特写' },
      { ts: t1, kind: 'alert', label: '在线 60 秒内下跌 31%（阈值 20%）' },
      { ts: t1 + 2000, kind: 'alert', label: '讲解超时 2.5 分钟（计划 5 分钟）' },
      { ts: t1 + 4000, kind: 'alert', label: '在线 60 秒内下跌 31%（阈值 20%）' },
    ]);
    const r = await t.core.call('review.report', { sessionId: s.id });
    expect(r.markers.map((m) => m.kind)).toEqual(['scene', 'alert', 'alert', 'alert']);
  });

  it('after a restart mid-alert, the still-active alert is not marked again; a new kind is', async () => {
    const dataDir = tempDir();
    const first = testCore({ dataDir });
    new MetricsModule().attach(first.core);
    reviewModule().attach(first.core);
    const p = await first.core.call('product.create', { title: 'X', price: 100 });
    const s = await first.core.call('session.create', { title: 'restart', productIds: [p.id] });
    await first.core.call('session.start', { sessionId: s.id });
    const t1 = first.now;
    first.core.emit(tick(s.id, t1, ['onlineDrop']));
    first.core.close();

    const second = testCore({ dataDir, start: t1 + 5000 });
    new MetricsModule().attach(second.core);
    reviewModule().attach(second.core);
    second.core.emit(tick(s.id, t1 + 5000, ['onlineDrop', 'overrun'])); // the drop goes on; the overrun is new
    second.core.emit(tick(s.id, t1 + 6000, []));
    second.core.emit(tick(s.id, t1 + 7000, ['onlineDrop'])); // raised anew after it cleared
    const rows = second.core.db.prepare('SELECT ts, label FROM session_markers WHERE session_id = ? ORDER BY id').all(s.id) as { ts: number; label: string }[];
    expect(rows.map((r) => [r.ts, r.label.slice(0, 4)])).toEqual([
      [t1, '在线 6'],
      [t1 + 5000, '讲解超时'],
      [t1 + 7000, '在线 6'],
    ]);
    second.core.close();
  });

  it('a failing write is logged, never thrown into the event', async () => {
    const t = setup();
    const p = await t.core.call('product.create', { title: 'X', price: 100 });
    const s = await t.core.call('session.create', { title: 'boom', productIds: [p.id] });
    await t.core.call('session.start', { sessionId: s.id });
    t.core.db.exec("CREATE TRIGGER boom BEFORE INSERT ON session_markers BEGIN SELECT RAISE(ABORT, 'boom'); END");
    let seen = 0;
    t.core.subscribe((e) => {
      if (e.type === 'metrics.tick') seen++;
    });
    t.core.emit(tick(s.id, t.now, ['overrun']));
    expect(seen).toBe(1);
    expect(t.core.db.prepare('SELECT count(*) AS n FROM session_markers').get()).toEqual({ n: 0 });
  });
});

describe('review.replay', () => {
  it('what the views showed: pinned product with its plan, next up, online and totals of the minutes ended so far', async () => {
    const t = setup();
    const { s, a, b, c, at } = await constructed(t);
    const frame = (sec: number) => t.core.call('review.replay', { sessionId: s.id, at: at(sec) });
    const f30 = await frame(30);
    expect(f30).toMatchObject({ pinned: null, next: { productId: a.id, title: 'A 面膜' }, online: 100, elapsedMs: 30_000 });
    const f230 = await frame(230);
    expect(f230.pinned).toMatchObject({ productId: b.id, title: 'B 口红', plannedMinutes: 10, segmentStartedAt: at(180), price: 19900, livePrice: null });
    expect(f230.next).toEqual({ productId: c.id, title: 'C 纸巾' });
    expect(f230).toMatchObject({ online: 200, viewersUv: 300, gmv: 33700, orders: 3, videoSeconds: null });
    const f310 = await frame(310);
    expect(f310.pinned).toMatchObject({ productId: a.id, livePrice: 6900, segmentStartedAt: at(300), plannedMinutes: 5 });
    expect(f310.next).toEqual({ productId: b.id, title: 'B 口红' });
    expect(f310.recent).toEqual([]);
    const report = await t.core.call('review.report', { sessionId: s.id });
    expect(await frame(310)).toEqual(frameAt(report, at(310)));
  });

  it('next up after an unpin is what the live desk showed (the item after the last pinned one)', async () => {
    const t = setup();
    const ps = [];
    for (const title of ['A', 'B', 'C']) ps.push(await t.core.call('product.create', { title, price: 100 }));
    const s = await t.core.call('session.create', { title: 'unpin', productIds: ps.map((p) => p.id) });
    await t.core.call('session.start', { sessionId: s.id });
    t.advance(10_000);
    await t.core.call('session.pin', { sessionId: s.id, productId: ps[1]!.id });
    t.advance(10_000);
    await t.core.call('session.unpin', { sessionId: s.id });
    t.advance(5_000);
    const live = await t.core.call('session.get', { sessionId: s.id });
    const frame = await t.core.call('review.replay', { sessionId: s.id, at: t.now });
    expect(live.next!.productId).toBe(ps[2]!.id);
    expect(frame.pinned).toBeNull();
    expect(frame.next).toEqual({ productId: ps[2]!.id, title: 'C' });
  });
});

describe('review.compare', () => {
  it('aligns two sessions by minutes since each start, filling empty minutes with the running totals', async () => {
    const t = setup();
    const one = await constructed(t);
    // the second session starts 50 s into a clock minute
    t.advance(3_600_000 + 30_000);
    const p = await t.core.call('product.create', { title: 'Z', price: 100 });
    const s2 = await t.core.call('session.create', { title: '第二场', productIds: [p.id] });
    await t.core.call('metrics.setSource', { sessionId: s2.id, source: 'ingest' });
    const T1 = t.now;
    expect(T1 % 60_000).toBe(50_000);
    await t.core.call('session.start', { sessionId: s2.id });
    await t.core.call('metrics.ingest', {
      sessionId: s2.id,
      events: [
        { type: 'reading', ts: T1 + 5000, online: 10, viewersUv: 10 },
        { type: 'order', ts: T1 + 100_000, orderId: 'z1', amount: 500, productId: p.id },
        { type: 'reading', ts: T1 + 200_000, online: 30, viewersUv: 50 },
      ],
    });
    t.advance(240_000);
    await t.core.call('session.end', { sessionId: s2.id });
    const { a, b } = await t.core.call('review.compare', { a: one.s.id, b: s2.id });
    expect(a.sessionId).toBe(one.s.id);
    expect(a.minutes.map((m) => m.m)).toEqual(a.minutes.map((_, i) => i));
    expect(a.minutes.at(-1)!.gmvCum).toBe(50600);
    expect(b.title).toBe('第二场');
    expect(b.minutes).toEqual([
      { m: 0, online: 10, newViewers: 10, gmv: 0, gmvCum: 0, conversion: 0 },
      { m: 1, online: null, newViewers: 0, gmv: 0, gmvCum: 0, conversion: 0 },
      { m: 2, online: null, newViewers: 0, gmv: 500, gmvCum: 500, conversion: 0.1 },
      { m: 3, online: null, newViewers: 0, gmv: 0, gmvCum: 500, conversion: 0.1 },
      { m: 4, online: 30, newViewers: 40, gmv: 0, gmvCum: 500, conversion: 1 / 50 },
    ]);
    expect(b.summary.gmv).toBe(500);
  });
});

describe('review.sessions', () => {
  it('lists sessions newest first with figures from the rollups; searches titles literally and filters by status and start', async () => {
    const t = setup();
    const one = await constructed(t);
    const T0 = one.T0;
    t.advance(3_600_000);
    const p = await t.core.call('product.create', { title: 'Z', price: 100 });
    const live = await t.core.call('session.create', { title: '日常场', productIds: [p.id] });
    await t.core.call('session.start', { sessionId: live.id });
    const under = await t.core.call('session.create', { title: 'a_b 测试' });
    const other = await t.core.call('session.create', { title: 'aXb 测试' });
    const pct = await t.core.call('session.create', { title: '满 100% 返' });

    const all = await t.core.call('review.sessions', {});
    expect(all.map((r) => r.id)).toEqual([pct.id, other.id, under.id, live.id, one.s.id]);
    const ended = all.find((r) => r.id === one.s.id)!;
    expect(ended).toMatchObject({ status: 'ended', startedAt: T0, endedAt: T0 + 420_000, durationMs: 420_000, peakOnline: 250, viewersUv: 420, gmv: 50600, orders: 6, source: 'ingest' });
    expect(ended.viewerConversion).toBeCloseTo(12 / 420, 12);
    expect(all.find((r) => r.id === live.id)).toMatchObject({ status: 'live', durationMs: 0, peakOnline: 0, gmv: 0, viewerConversion: null, source: 'none' });
    expect(all.find((r) => r.id === under.id)).toMatchObject({ durationMs: null, startedAt: null });

    const ids = async (input: object) => (await t.core.call('review.sessions', input)).map((r) => r.id);
    expect(await ids({ q: 'a_b' })).toEqual([under.id]);
    expect(await ids({ q: '100%' })).toEqual([pct.id]);
    expect(await ids({ q: '%' })).toEqual([pct.id]);
    expect(await ids({ q: '主场' })).toEqual([one.s.id]);
    expect(await ids({ status: 'live' })).toEqual([live.id]);
    expect(await ids({ status: 'ended' })).toEqual([one.s.id]);
    expect(await ids({ status: 'all', from: T0 + 1 })).toEqual([live.id]);
    expect(await ids({ to: T0 })).toEqual([one.s.id]);
    expect(await ids({ from: T0, to: T0 + 7_200_000 })).toEqual([live.id, one.s.id]);

    // migration 0007's table marks imported sessions
    t.core.db.prepare("INSERT INTO session_imports (session_id, kind, rows, imported_at) VALUES (?, 'channels-export', 1, 0)").run(under.id);
    const again = await t.core.call('review.sessions', {});
    expect(again.find((r) => r.id === under.id)!.source).toBe('import');
    expect(again.find((r) => r.id === one.s.id)!.source).toBe('ingest');
  });
});
