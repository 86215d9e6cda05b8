// SQLite side of metrics: raw event rows, rollup upserts, the per-session source, and the queries that rebuild a
// session's running aggregate after a restart (from the rollups, never by replaying raw events).
import { GMV_STATUSES, type MetricEvent, type SourceName } from '../../../shared/protocol/metrics.ts';
import type { Db } from '../store/db.ts';
import { type Cumulative, type FunnelCounts, type OrderChange, type RollupDelta, SessionAggregate, type SegmentRef, CounterWindow, productKey } from './aggregate.ts';

interface RollupRow {
  t: number;
  readings: number;
  online_last: number | null;
  online_max: number;
  online_sum: number;
  online_n: number;
  avg_watch: number | null;
  has_uv: number;
  uv_cum: number;
  pv_cum: number;
  exp_cum: number;
  clk_cum: number;
  pay_cum: number;
  rgmv_cum: number;
  joins: number;
  leaves: number;
  dwell_ms: number;
  dwell_n: number;
  join_sum: number;
  left_join_sum: number;
  orders: number;
  gmv: number;
  comments: number;
}

/** GMV_STATUSES as an SQL list (`'paid', 'shipped', 'completed'`): the one rule of which orders count toward GMV */
export const GMV_STATUSES_SQL = [...GMV_STATUSES].map((s) => `'${s}'`).join(', ');

const upsertRollup = (table: string) => `
INSERT INTO ${table} (session_id, t, readings, online_last, online_max, online_sum, online_n, avg_watch, has_uv,
  uv_cum, pv_cum, exp_cum, clk_cum, pay_cum, rgmv_cum, joins, leaves, dwell_ms, dwell_n, join_sum, left_join_sum, orders, gmv, comments)
VALUES (@s, @t, @readings, @online_last, @online_max, @online_sum, @online_n, @avg_watch, @has_uv,
  @uv_cum, @pv_cum, @exp_cum, @clk_cum, @pay_cum, @rgmv_cum, @joins, @leaves, @dwell_ms, @dwell_n, @join_sum, @left_join_sum, @orders, @gmv, @comments)
ON CONFLICT (session_id, t) DO UPDATE SET
  readings = readings + excluded.readings,
  online_last = coalesce(excluded.online_last, online_last),
  online_max = max(online_max, excluded.online_max),
  online_sum = online_sum + excluded.online_sum,
  online_n = online_n + excluded.online_n,
  avg_watch = coalesce(excluded.avg_watch, avg_watch),
  has_uv = max(has_uv, excluded.has_uv),
  uv_cum = max(uv_cum, excluded.uv_cum),
  pv_cum = max(pv_cum, excluded.pv_cum),
  exp_cum = max(exp_cum, excluded.exp_cum),
  clk_cum = max(clk_cum, excluded.clk_cum),
  pay_cum = max(pay_cum, excluded.pay_cum),
  rgmv_cum = max(rgmv_cum, excluded.rgmv_cum),
  joins = joins + excluded.joins,
  leaves = leaves + excluded.leaves,
  dwell_ms = dwell_ms + excluded.dwell_ms,
  dwell_n = dwell_n + excluded.dwell_n,
  join_sum = join_sum + excluded.join_sum,
  left_join_sum = left_join_sum + excluded.left_join_sum,
  orders = orders + excluded.orders,
  gmv = gmv + excluded.gmv,
  comments = comments + excluded.comments`;

const rowOf = (sessionId: number, t: number, w: CounterWindow) => ({
  s: sessionId,
  t,
  readings: w.readings,
  online_last: w.onlineLast,
  online_max: w.onlineMax,
  online_sum: w.onlineSum,
  online_n: w.onlineN,
  avg_watch: w.avgWatch,
  has_uv: w.hasUv ? 1 : 0,
  // a bucket without readings carries no cumulative values (0 never wins a max())
  uv_cum: w.readings ? w.latest.viewersUv : 0,
  pv_cum: w.readings ? w.latest.viewsPv : 0,
  exp_cum: w.readings ? w.latest.exposureUv : 0,
  clk_cum: w.readings ? w.latest.clickUv : 0,
  pay_cum: w.readings ? w.latest.payUv : 0,
  rgmv_cum: w.readings ? w.latest.readingsGmv : 0,
  joins: w.joins,
  leaves: w.leaves,
  dwell_ms: w.dwellMs,
  dwell_n: w.dwellN,
  join_sum: w.joinSum,
  left_join_sum: w.leftJoinSum,
  orders: w.orders,
  gmv: w.gmv,
  comments: w.comments,
});

const cumulativeOf = (r: RollupRow): Cumulative => ({ viewersUv: r.uv_cum, viewsPv: r.pv_cum, exposureUv: r.exp_cum, clickUv: r.clk_cum, payUv: r.pay_cum, readingsGmv: r.rgmv_cum });

/** adds a rollup row into a window (cumulative values as running maxima) */
function addRow(w: CounterWindow, r: RollupRow, before: Cumulative | null): void {
  if (w.atStart === null) w.atStart = before ? { ...before } : { viewersUv: 0, viewsPv: 0, exposureUv: 0, clickUv: 0, payUv: 0, readingsGmv: 0 };
  w.readings += r.readings;
  if (r.online_last !== null) {
    w.onlineLast = r.online_last;
    w.onlineLastTs = r.t;
  }
  w.onlineMax = Math.max(w.onlineMax, r.online_max);
  w.onlineSum += r.online_sum;
  w.onlineN += r.online_n;
  if (r.avg_watch !== null) w.avgWatch = r.avg_watch;
  w.hasUv ||= r.has_uv === 1;
  if (r.readings) {
    w.latest = {
      viewersUv: Math.max(w.latest.viewersUv, r.uv_cum),
      viewsPv: Math.max(w.latest.viewsPv, r.pv_cum),
      exposureUv: Math.max(w.latest.exposureUv, r.exp_cum),
      clickUv: Math.max(w.latest.clickUv, r.clk_cum),
      payUv: Math.max(w.latest.payUv, r.pay_cum),
      readingsGmv: Math.max(w.latest.readingsGmv, r.rgmv_cum),
    };
  }
  w.joins += r.joins;
  w.leaves += r.leaves;
  w.dwellMs += r.dwell_ms;
  w.dwellN += r.dwell_n;
  w.joinSum += r.join_sum;
  w.leftJoinSum += r.left_join_sum;
  w.orders += r.orders;
  w.gmv += r.gmv;
  w.comments += r.comments;
  if (r.t < w.firstTs) w.firstTs = r.t;
  if (r.t > w.lastTs) w.lastTs = r.t;
}

/**
 * Derives a session's summary rollups from its raw orders and per-minute rows, for rows that arrived without the ingest
 * path (a bundle import): paid orders per product per minute (as migration 0170's backfill) and the session totals (as
 * migration 0171's).
 */
export function deriveSessionRollups(db: Db, sessionId: number): void {
  db.prepare('DELETE FROM metric_session_totals WHERE session_id = ?').run(sessionId);
  db.prepare(
    `INSERT INTO metric_session_totals (session_id, online_max, has_uv, uv_cum, exp_cum, pay_cum, rgmv_cum, joins, orders, gmv)
     SELECT session_id, max(online_max), max(has_uv), max(uv_cum), max(exp_cum), max(pay_cum), max(rgmv_cum), sum(joins), sum(orders), sum(gmv)
     FROM metric_minutes WHERE session_id = ? GROUP BY session_id`,
  ).run(sessionId);
  db.prepare('DELETE FROM metric_product_minutes WHERE session_id = ?').run(sessionId);
  db.prepare(
    `INSERT INTO metric_product_minutes (session_id, t, product_key, sku, orders, gmv)
     SELECT session_id, ts - ts % 60000, coalesce(product_key, ''), CASE WHEN product_key IS NULL THEN sku ELSE '' END, count(*), sum(amount)
     FROM metric_orders WHERE session_id = ? AND status IN (${GMV_STATUSES_SQL}) AND scene = 'live'
       AND (product_key IS NOT NULL OR sku IS NOT NULL)
     GROUP BY 1, 2, 3, 4`,
  ).run(sessionId);
}

export class MetricsRepo {
  private readonly db: Db;
  private readonly sql;

  constructor(db: Db) {
    this.db = db;
    this.sql = {
      reading: db.prepare('INSERT INTO metric_readings (session_id, ts, online, viewers_uv, views_pv, avg_watch, products) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      order: db.prepare(
        'INSERT OR IGNORE INTO metric_orders (session_id, order_id, ts, amount, product_key, sku, status, scene) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      orderRow: db.prepare<[number, string], { ts: number; amount: number; product_key: string | null; sku: string | null; status: string; scene: 'live' | 'other' }>(
        'SELECT ts, amount, product_key, sku, status, scene FROM metric_orders WHERE session_id = ? AND order_id = ?',
      ),
      orderUpdate: db.prepare('UPDATE metric_orders SET status = ?, ts = ?, amount = ?, updated_at = ? WHERE session_id = ? AND order_id = ?'),
      otherOrders: db.prepare<[number], { n: number; g: number | null }>(
        `SELECT count(*) AS n, sum(amount) AS g FROM metric_orders WHERE session_id = ? AND scene = 'other' AND status IN (${GMV_STATUSES_SQL})`,
      ),
      comment: db.prepare('INSERT INTO metric_comments (session_id, ts, text) VALUES (?, ?, ?)'),
      presence: db.prepare('INSERT INTO metric_presence (session_id, ts, viewer_id, kind) VALUES (?, ?, ?, ?)'),
      second: db.prepare(upsertRollup('metric_seconds')),
      minute: db.prepare(upsertRollup('metric_minutes')),
      product: db.prepare(
        `INSERT INTO metric_products (session_id, product_key, exposure_uv, click_uv, pay_uv, gmv, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (session_id, product_key) DO UPDATE SET exposure_uv = excluded.exposure_uv, click_uv = excluded.click_uv,
         pay_uv = excluded.pay_uv, gmv = excluded.gmv, updated_at = excluded.updated_at WHERE excluded.updated_at >= updated_at`,
      ),
      productMinute: db.prepare(
        `INSERT INTO metric_product_minutes (session_id, t, product_key, sku, orders, gmv) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (session_id, product_key, sku, t) DO UPDATE SET orders = orders + excluded.orders, gmv = gmv + excluded.gmv`,
      ),
      totals: db.prepare(
        `INSERT INTO metric_session_totals (session_id, online_max, has_uv, uv_cum, exp_cum, pay_cum, rgmv_cum, joins, orders, gmv)
         VALUES (@s, @online_max, @has_uv, @uv_cum, @exp_cum, @pay_cum, @rgmv_cum, @joins, @orders, @gmv)
         ON CONFLICT (session_id) DO UPDATE SET online_max = max(online_max, excluded.online_max), has_uv = max(has_uv, excluded.has_uv),
           uv_cum = max(uv_cum, excluded.uv_cum), exp_cum = max(exp_cum, excluded.exp_cum), pay_cum = max(pay_cum, excluded.pay_cum),
           rgmv_cum = max(rgmv_cum, excluded.rgmv_cum), joins = joins + excluded.joins, orders = orders + excluded.orders, gmv = gmv + excluded.gmv`,
      ),
      getSource: db.prepare<[number], { source: SourceName; options: string }>('SELECT source, options FROM metric_sources WHERE session_id = ?'),
      setSource: db.prepare(
        `INSERT INTO metric_sources (session_id, source, options, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET source = excluded.source, options = excluded.options, updated_at = excluded.updated_at`,
      ),
      addRun: db.prepare('INSERT INTO metric_source_runs (session_id, source, state, message, at) VALUES (?, ?, ?, ?, ?)'),
      runs: db.prepare<[number], { source: string; state: 'running' | 'refused'; message: string | null; at: number }>(
        'SELECT source, state, message, at FROM metric_source_runs WHERE session_id = ? ORDER BY at, id',
      ),
      seconds: db.prepare<[number], RollupRow>('SELECT * FROM metric_seconds WHERE session_id = ? ORDER BY t'),
      minutes: db.prepare<[number], RollupRow>('SELECT * FROM metric_minutes WHERE session_id = ? ORDER BY t'),
      onlineSeries: db.prepare<[number], { t: number; v: number }>(
        'SELECT t, online_last AS v FROM metric_seconds WHERE session_id = ? AND online_last IS NOT NULL ORDER BY t',
      ),
      products: db.prepare<[number], { product_key: string; exposure_uv: number; click_uv: number; pay_uv: number; gmv: number }>(
        'SELECT product_key, exposure_uv, click_uv, pay_uv, gmv FROM metric_products WHERE session_id = ?',
      ),
      productOrders: db.prepare<[number], { product_key: string; n: number; g: number }>(
        `SELECT coalesce(product_key, 'sku:' || sku) AS product_key, count(*) AS n, sum(amount) AS g FROM metric_orders
         WHERE session_id = ? AND status IN (${GMV_STATUSES_SQL}) AND scene = 'live' GROUP BY 1`,
      ),
      segmentProductOrders: db.prepare<[number, string, number, number], { n: number; g: number | null }>(
        `SELECT count(*) AS n, sum(amount) AS g FROM metric_orders WHERE session_id = ? AND product_key = ? AND ts >= ? AND ts < ?
         AND status IN (${GMV_STATUSES_SQL}) AND scene = 'live'`,
      ),
      readingBefore: db.prepare<[number, number], { products: string | null }>(
        'SELECT products FROM metric_readings WHERE session_id = ? AND ts < ? AND products IS NOT NULL ORDER BY ts DESC LIMIT 50',
      ),
      presenceRows: db.prepare<[number], { viewer_id: string; ts: number; kind: number }>(
        'SELECT viewer_id, ts, kind FROM metric_presence WHERE session_id = ? ORDER BY ts, id',
      ),
      orderCount: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM metric_orders WHERE session_id = ?'),
      uvBefore: db.prepare<[number, number], { v: number | null }>(
        'SELECT max(uv_cum) AS v FROM metric_seconds WHERE session_id = ? AND t < ? AND has_uv = 1',
      ),
      window: db.prepare<[number, number, number], { rows: number; joins: number | null }>(
        'SELECT count(*) AS rows, sum(joins) AS joins FROM metric_seconds WHERE session_id = ? AND t >= ? AND t < ?',
      ),
    };
  }

  /**
   * Raw rows of one batch; answers which events were new (a known order id with the same status is a duplicate; with
   * another status its row is updated and the move into or out of GMV is pushed to `changes`). Runs inside the
   * caller's transaction.
   */
  insertEvents(sessionId: number, events: MetricEvent[], changes?: OrderChange[]): MetricEvent[] {
    // copied only once a duplicate shows up: most batches store every event (less garbage on the ingest path)
    let stored: MetricEvent[] | null = null;
    const s = this.sql;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      switch (e.type) {
        case 'reading':
          s.reading.run(
            sessionId,
            e.ts,
            e.online ?? null,
            e.viewersUv ?? null,
            e.viewsPv ?? null,
            e.avgWatchSeconds ?? null,
            e.products ? JSON.stringify(e.products) : null,
          );
          break;
        case 'order':
          if (s.order.run(sessionId, e.orderId, e.ts, e.amount, productKey(e.productId), e.sku ?? null, e.status, e.scene ?? 'live').changes === 0) {
            stored ??= events.slice(0, i);
            if (changes) this.orderStatusChange(sessionId, e, changes);
            continue;
          }
          break;
        case 'comment':
          s.comment.run(sessionId, e.ts, e.text);
          break;
        case 'join':
        case 'leave':
          s.presence.run(sessionId, e.ts, e.viewerId, e.type === 'join' ? 1 : 0);
          break;
      }
      stored?.push(e);
    }
    return stored ?? events;
  }

  /** a known order with another status: update its row; a move into or out of GMV becomes an OrderChange */
  private orderStatusChange(sessionId: number, e: Extract<MetricEvent, { type: 'order' }>, changes: OrderChange[]): void {
    const row = this.sql.orderRow.get(sessionId, e.orderId);
    if (!row || row.status === e.status) return;
    const was = GMV_STATUSES.has(row.status);
    const now = GMV_STATUSES.has(e.status);
    // a late payment moves the order to its payment time; a refund keeps the order's time and is counted at its own
    const ts = !was && now ? e.ts : row.ts;
    const amount = !was && now ? e.amount : row.amount;
    this.sql.orderUpdate.run(e.status, ts, amount, e.ts, sessionId, e.orderId);
    const key = row.product_key ?? (row.sku !== null ? `sku:${row.sku}` : null);
    if (was && !now) changes.push({ ts: e.ts, origTs: row.ts, sign: -1, amount: row.amount, productKey: key, scene: row.scene });
    else if (!was && now) changes.push({ ts: e.ts, origTs: e.ts, sign: 1, amount: e.amount, productKey: key, scene: row.scene });
  }

  writeRollups(sessionId: number, delta: RollupDelta): void {
    for (const [t, w] of delta.seconds) this.sql.second.run(rowOf(sessionId, t, w));
    // the session totals: the batch's minute rows folded the way metric_session_totals folds every minute (migration 0171)
    const sum = { s: sessionId, online_max: 0, has_uv: 0, uv_cum: 0, exp_cum: 0, pay_cum: 0, rgmv_cum: 0, joins: 0, orders: 0, gmv: 0 };
    for (const [t, w] of delta.minutes) {
      const row = rowOf(sessionId, t, w);
      this.sql.minute.run(row);
      sum.online_max = Math.max(sum.online_max, row.online_max);
      sum.has_uv = Math.max(sum.has_uv, row.has_uv);
      sum.uv_cum = Math.max(sum.uv_cum, row.uv_cum);
      sum.exp_cum = Math.max(sum.exp_cum, row.exp_cum);
      sum.pay_cum = Math.max(sum.pay_cum, row.pay_cum);
      sum.rgmv_cum = Math.max(sum.rgmv_cum, row.rgmv_cum);
      sum.joins += row.joins;
      sum.orders += row.orders;
      sum.gmv += row.gmv;
    }
    if (delta.minutes.size) this.sql.totals.run(sum);
    for (const [key, f] of delta.products) this.sql.product.run(sessionId, key, f.exposureUv, f.clickUv, f.payUv, f.gmv, f.ts);
    for (const minute of delta.productMinutes.values()) {
      for (const m of minute.values()) this.sql.productMinute.run(sessionId, m.t, m.productKey, m.sku, m.orders, m.gmv);
    }
  }

  source(sessionId: number): { source: SourceName; options: Record<string, unknown> } | null {
    const row = this.sql.getSource.get(sessionId);
    return row ? { source: row.source, options: JSON.parse(row.options) as Record<string, unknown> } : null;
  }

  setSource(sessionId: number, source: SourceName, options: Record<string, unknown>, now: number): void {
    this.sql.setSource.run(sessionId, source, JSON.stringify(options), now);
  }

  /** a source started (or was refused) for a live session: the session's source history (#13) */
  addRun(sessionId: number, source: SourceName, state: 'running' | 'refused', message: string | null, now: number): void {
    this.sql.addRun.run(sessionId, source, state, message, now);
  }

  runs(sessionId: number): { source: string; state: 'running' | 'refused'; message: string | null; at: number }[] {
    return this.sql.runs.all(sessionId);
  }

  /**
   * New viewers per minute in [fromMs, toMs): growth of cumulative viewers (UV) where the source reports it, else the
   * count of join events. null when nothing was recorded in the window.
   */
  newViewersPerMinute(sessionId: number, fromMs: number, toMs: number): number | null {
    const w = this.sql.window.get(sessionId, fromMs, toMs)!;
    if (w.rows === 0) return null;
    const minutes = (toMs - fromMs) / 60_000;
    const before = this.sql.uvBefore.get(sessionId, fromMs)?.v;
    const upTo = this.sql.uvBefore.get(sessionId, toMs)?.v;
    if (upTo != null) return Math.max(0, upTo - (before ?? 0)) / minutes;
    return (w.joins ?? 0) / minutes;
  }

  onlineSeries(sessionId: number): [number, number][] {
    return this.sql.onlineSeries.all(sessionId).map((r) => [r.t, r.v]);
  }

  /**
   * Rebuilds a session's aggregate from its per-second rollups (one pass; a restart or an ended session, never a
   * live snapshot). Segments get second-granular boundaries; open visits come back from the presence rows.
   */
  rebuild(sessionId: number, startMs: number, segments: SegmentRef[]): SessionAggregate {
    const agg = new SessionAggregate(sessionId, startMs);
    agg.setSegments(segments);
    let before: Cumulative | null = null;
    const segBefore = new Map<number, Cumulative | null>();
    for (const r of this.sql.seconds.iterate(sessionId)) {
      addRow(agg.total, r, null);
      const seg = agg.segmentAt(r.t);
      if (seg) {
        if (!segBefore.has(seg.segment.id)) segBefore.set(seg.segment.id, before);
        addRow(seg.window, r, segBefore.get(seg.segment.id) ?? null);
      }
      if (r.readings) before = maxCumulative(before, cumulativeOf(r));
      if (r.online_last !== null) {
        agg.recentOnline.push([r.t, r.online_last]);
        if (agg.recentOnline.length > 400) agg.recentOnline.splice(0, 200);
      }
    }
    agg.total.atStart = { viewersUv: 0, viewsPv: 0, exposureUv: 0, clickUv: 0, payUv: 0, readingsGmv: 0 };
    Object.assign(agg.cumulative, agg.total.latest);
    let prevMinute: Cumulative | null = null;
    for (const r of this.sql.minutes.iterate(sessionId)) {
      const w = new CounterWindow();
      addRow(w, r, prevMinute);
      agg.minutes.set(r.t, w);
      if (r.readings) prevMinute = maxCumulative(prevMinute, cumulativeOf(r));
    }
    for (const p of this.sql.products.all(sessionId)) agg.products.set(p.product_key, { exposureUv: p.exposure_uv, clickUv: p.click_uv, payUv: p.pay_uv, gmv: p.gmv });
    for (const p of this.sql.productOrders.all(sessionId)) agg.productOrders.set(p.product_key, { orders: p.n, gmv: p.g });
    const other = this.sql.otherOrders.get(sessionId)!;
    agg.otherOrders.orders = other.n;
    agg.otherOrders.gmv = other.g ?? 0;
    for (const s of agg.segments) {
      const key = String(s.segment.productId);
      s.productBase = this.productFunnelBefore(sessionId, s.segment.startedAt, key);
      const o = this.sql.segmentProductOrders.get(sessionId, key, s.segment.startedAt, s.segment.endedAt ?? 8.64e15)!;
      s.productOrders = o.n;
      s.productGmv = o.g ?? 0;
    }
    for (const p of this.sql.presenceRows.iterate(sessionId)) {
      if (p.kind === 1) agg.openVisits.set(p.viewer_id, p.ts);
      else agg.openVisits.delete(p.viewer_id);
    }
    for (const ts of agg.openVisits.values()) agg.openJoinSum += ts;
    agg.counts = {
      readings: agg.total.readings,
      orders: this.sql.orderCount.get(sessionId)!.n,
      comments: agg.total.comments,
      joins: agg.total.joins,
      leaves: agg.total.leaves,
    };
    agg.pendingOnline = [];
    return agg;
  }

  /** the product's funnel in the last reading before a time that mentions it */
  private productFunnelBefore(sessionId: number, ts: number, key: string): FunnelCounts {
    for (const row of this.sql.readingBefore.iterate(sessionId, ts)) {
      const list = JSON.parse(row.products ?? '[]') as { productId: number | string; exposureUv?: number; clickUv?: number; payUv?: number; gmv?: number }[];
      const p = list.find((x) => String(x.productId) === key);
      if (p) return { exposureUv: p.exposureUv ?? 0, clickUv: p.clickUv ?? 0, payUv: p.payUv ?? 0, gmv: p.gmv ?? 0 };
    }
    return { exposureUv: 0, clickUv: 0, payUv: 0, gmv: 0 };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}

function maxCumulative(a: Cumulative | null, b: Cumulative): Cumulative {
  if (!a) return { ...b };
  return {
    viewersUv: Math.max(a.viewersUv, b.viewersUv),
    viewsPv: Math.max(a.viewsPv, b.viewsPv),
    exposureUv: Math.max(a.exposureUv, b.exposureUv),
    clickUv: Math.max(a.clickUv, b.clickUv),
    payUv: Math.max(a.payUv, b.payUv),
    readingsGmv: Math.max(a.readingsGmv, b.readingsGmv),
  };
}
