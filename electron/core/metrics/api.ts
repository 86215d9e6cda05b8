// The metrics API the review domain reads through (electron/core/metrics-api.ts): a session's rollups, readings and
// orders as typed values, and the summary rollups rebuilt after an import. Reads only rollups plus a few indexed
// look-ups, never a replay of raw events.
import type { SessionSummary } from '../../../shared/domain.ts';
import { type Figures, emptyCounters, figures } from '../../../shared/metrics/formulas.ts';
import type { MetricsApi, MinuteRollup, OrderTally, ProductFunnelCounts, SessionTotals } from '../metrics-api.ts';
import type { Db } from '../store/db.ts';
import { preparedPerDb } from '../store/prepared.ts';
import { GMV_STATUSES_SQL, MetricsRepo, deriveSessionRollups } from './repo.ts';

const MINUTE = 60_000;
const PAID = GMV_STATUSES_SQL;

/** A session that ran on the simulator at any moment is a rehearsal (#13); `s` is the sessions row. */
const RAN_ON_SIMULATOR =
  "EXISTS (SELECT 1 FROM metric_source_runs r WHERE r.session_id = s.id AND r.source = 'simulator' AND r.state = 'running')";

interface MinuteRow {
  t: number;
  readings: number;
  online_max: number;
  online_sum: number;
  online_n: number;
  has_uv: number;
  uv_cum: number;
  exp_cum: number;
  pay_cum: number;
  rgmv_cum: number;
  joins: number;
  orders: number;
  gmv: number;
  comments: number;
}

/** the metrics tables (metric_*) with a session_id column */
function sessionTables(db: Db): string[] {
  const tables = db
    .prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'metric\\_%' ESCAPE '\\'`)
    .all();
  return tables
    .map((t) => t.name)
    .filter((name) =>
      db
        .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)')
        .all(name)
        .some((c) => c.name === 'session_id'),
    );
}

/** metric_session_totals (migration 0171) with the session's source; every total null without a row */
interface SessionTotalsRow {
  id: number;
  online_max: number | null;
  has_uv: number | null;
  uv_cum: number | null;
  joins: number | null;
  orders: number | null;
  gmv: number | null;
  rgmv_cum: number | null;
  pay_cum: number | null;
  exp_cum: number | null;
  source: string | null;
  rehearsal: number;
}

/** Statements prepared once per database. */
function statements(db: Db) {
  return {
    store: new MetricsRepo(db),
    source: db.prepare<[number], { source: string }>('SELECT source FROM metric_sources WHERE session_id = ?'),
    simulator: db.prepare<[number], { r: number }>(`SELECT ${RAN_ON_SIMULATOR} AS r FROM sessions s WHERE s.id = ?`),
    // the ids arrive as one JSON array (json_each): a single statement for a list of any length
    sessionTotals: db.prepare<[string], SessionTotalsRow>(
      `WITH s(id) AS (SELECT value FROM json_each(?))
       SELECT s.id, t.online_max, t.has_uv, t.uv_cum, t.joins, t.orders, t.gmv, t.rgmv_cum, t.pay_cum, t.exp_cum, src.source,
         ${RAN_ON_SIMULATOR} AS rehearsal
       FROM s LEFT JOIN metric_session_totals t ON t.session_id = s.id LEFT JOIN metric_sources src ON src.session_id = s.id`,
    ),
    minutes: db.prepare<[number], MinuteRow>(
      `SELECT t, readings, online_max, online_sum, online_n, has_uv, uv_cum, exp_cum, pay_cum, rgmv_cum, joins, orders, gmv, comments
       FROM metric_minutes WHERE session_id = ? ORDER BY t`,
    ),
    funnels: db.prepare<[number], { product_key: string; exposure_uv: number; click_uv: number; pay_uv: number; gmv: number }>(
      'SELECT product_key, exposure_uv, click_uv, pay_uv, gmv FROM metric_products WHERE session_id = ?',
    ),
    // paid orders per product (or per SKU when the order names no product) from the per-minute rollup (migration 0170)
    productOrders: db.prepare<[number], { product_key: string; sku: string; n: number; g: number }>(
      // (a product whose orders were all refunded nets to 0 and is left out, as the raw rows' paid-only scan leaves it out)
      'SELECT product_key, sku, sum(orders) AS n, sum(gmv) AS g FROM metric_product_minutes WHERE session_id = ? GROUP BY 1, 2 HAVING n > 0',
    ),
    otherOrders: db.prepare<[number], { n: number; g: number | null }>(
      `SELECT count(*) AS n, sum(amount) AS g FROM metric_orders WHERE session_id = ? AND status IN (${PAID}) AND scene = 'other'`,
    ),
    // paid orders of one product in the whole minutes [from, to) of a segment, from the same rollup
    productMinutes: db.prepare<[number, string, number, number], { n: number; g: number | null }>(
      `SELECT total(orders) AS n, sum(gmv) AS g FROM metric_product_minutes
       WHERE session_id = ? AND product_key = ? AND sku = '' AND t >= ? AND t < ?`,
    ),
    // ... and in the partial minutes at its edges, from the raw rows (orders name LiveCue products by id as text)
    productOrderRows: db.prepare<[number, string, number, number], { n: number; g: number | null }>(
      `SELECT count(*) AS n, sum(amount) AS g FROM metric_orders
       WHERE session_id = ? AND product_key = ? AND ts >= ? AND ts < ? AND status IN (${PAID}) AND scene = 'live'`,
    ),
    // readings mentioning a product, newest first, before a time: instr() skips the others inside SQLite
    mention: db.prepare<[number, number, string], { products: string }>(
      `SELECT products FROM metric_readings WHERE session_id = ? AND ts < ? AND products IS NOT NULL AND instr(products, ?) > 0
       ORDER BY ts DESC`,
    ),
    totals: db.prepare<[number], Record<string, number | null>>(
      `SELECT count(*) AS n, max(online_max) AS online_max, total(online_sum) AS online_sum, total(online_n) AS online_n,
         max(has_uv) AS has_uv, max(CASE WHEN readings > 0 THEN uv_cum END) AS uv, max(CASE WHEN readings > 0 THEN pv_cum END) AS pv,
         max(CASE WHEN readings > 0 THEN exp_cum END) AS exp, max(CASE WHEN readings > 0 THEN clk_cum END) AS clk,
         max(CASE WHEN readings > 0 THEN pay_cum END) AS pay, max(CASE WHEN readings > 0 THEN rgmv_cum END) AS rgmv,
         total(joins) AS joins, total(leaves) AS leaves, total(dwell_ms) AS dwell_ms, total(dwell_n) AS dwell_n,
         total(orders) AS orders, total(gmv) AS gmv, total(comments) AS comments
       FROM metric_minutes WHERE session_id = ?`,
    ),
    lastSecond: db.prepare<[number], { t: number | null }>('SELECT max(t) AS t FROM metric_seconds WHERE session_id = ?'),
    avgWatch: db.prepare<[number], { v: number }>(
      'SELECT avg_watch AS v FROM metric_seconds WHERE session_id = ? AND avg_watch IS NOT NULL ORDER BY t DESC LIMIT 1',
    ),
    // visits still open at the end: viewers whose last presence event is a join (as the metrics rebuild replays them)
    openVisits: db.prepare<[number], { n: number; join_sum: number }>(
      `SELECT count(*) AS n, total(ts) AS join_sum FROM (
         SELECT kind, ts, row_number() OVER (PARTITION BY viewer_id ORDER BY ts DESC, id DESC) AS rn FROM metric_presence WHERE session_id = ?
       ) WHERE rn = 1 AND kind = 1`,
    ),
    // every metrics table keyed by session, read from the schema (as the bundle finds its tables) so a table a later
    // migration adds is discarded too; wechat_push_events is the push receiver's dedupe log, kept so a retried message
    // is still recognised
    discard: sessionTables(db).map((t) => db.prepare(`DELETE FROM "${t}" WHERE session_id = ?`)),
    // what can still change after the session ended: ingest into the minutes, product funnels
    changeMark: db.prepare<[{ s: number }], { m: string | null; p: number | null }>(
      `SELECT
         (SELECT count(*) || ':' || total(readings) || ':' || total(orders) || ':' || total(gmv) || ':' || total(joins) || ':' || total(comments) || ':' || max(uv_cum) || ':' || max(exp_cum)
            FROM metric_minutes WHERE session_id = @s) AS m,
         (SELECT max(updated_at) FROM metric_products WHERE session_id = @s) AS p`,
    ),
  };
}

const zeroFunnel = (): ProductFunnelCounts => ({ exposureUv: 0, clickUv: 0, payUv: 0, gmv: 0 });
const tally = (r: { n: number; g: number | null }): OrderTally => ({ orders: r.n, gmv: r.g ?? 0 });

/**
 * The metrics API over the database `db()` returns (read at each call: the module hands the API out before it is
 * attached to a core). Statements are prepared on first use, once per database.
 */
export function createMetricsApi(db: () => Db): MetricsApi {
  const sql = preparedPerDb(db, statements);

  return {
    sessionTotals: (sessionIds) => {
      const out = new Map<number, SessionTotals>();
      for (const r of sql().sessionTotals.all(JSON.stringify(sessionIds))) {
        out.set(r.id, {
          onlineMax: r.online_max ?? 0,
          hasViewersUv: Boolean(r.has_uv),
          viewersUvCumulative: r.uv_cum ?? 0,
          joins: r.joins ?? 0,
          orders: r.orders ?? 0,
          gmv: r.gmv ?? 0,
          readingsGmvCumulative: r.rgmv_cum ?? 0,
          payUvCumulative: r.pay_cum ?? 0,
          exposureUvCumulative: r.exp_cum ?? 0,
          source: r.source,
          rehearsal: r.rehearsal === 1,
        });
      }
      return out;
    },
    storedSource: (sessionId) => sql().source.get(sessionId)?.source ?? null,
    ranOnSimulator: (sessionId) => sql().simulator.get(sessionId)?.r === 1,
    onlineSeries: (sessionId) => sql().store.onlineSeries(sessionId),
    minuteRollups: (sessionId) =>
      sql()
        .minutes.all(sessionId)
        .map((r): MinuteRollup => ({
          t: r.t,
          readings: r.readings,
          onlineMax: r.online_max,
          onlineSum: r.online_sum,
          onlineCount: r.online_n,
          hasViewersUv: r.has_uv === 1,
          viewersUvCumulative: r.uv_cum,
          exposureUvCumulative: r.exp_cum,
          payUvCumulative: r.pay_cum,
          readingsGmvCumulative: r.rgmv_cum,
          joins: r.joins,
          orders: r.orders,
          gmv: r.gmv,
          comments: r.comments,
        })),
    endedSessionFigures: (session) => endedSessionFigures(sql(), session),
    productFunnels: (sessionId) =>
      sql()
        .funnels.all(sessionId)
        .map((f) => ({
          productKey: f.product_key,
          funnel: { exposureUv: f.exposure_uv, clickUv: f.click_uv, payUv: f.pay_uv, gmv: f.gmv },
        })),
    productOrders: (sessionId) =>
      sql()
        .productOrders.all(sessionId)
        .map((o) => ({ productKey: o.product_key, sku: o.sku, orders: o.n, gmv: o.g })),
    otherOrders: (sessionId) => tally(sql().otherOrders.get(sessionId)!),
    productOrdersBetween: (sessionId, productKey, fromMs, toMs) => productOrdersBetween(sql(), sessionId, productKey, fromMs, toMs),
    productFunnelBefore: (sessionId, productId, ts) => {
      const needle = `"productId":${productId}`;
      for (const row of sql().mention.iterate(sessionId, ts, needle)) {
        const list = JSON.parse(row.products) as {
          productId: number | string;
          exposureUv?: number;
          clickUv?: number;
          payUv?: number;
          gmv?: number;
        }[];
        const p = list.find((x) => String(x.productId) === String(productId));
        // instr() also matches a longer id (12 in 123): keep looking
        if (p) return { exposureUv: p.exposureUv ?? 0, clickUv: p.clickUv ?? 0, payUv: p.payUv ?? 0, gmv: p.gmv ?? 0 };
      }
      return zeroFunnel();
    },
    newViewersPerMinute: (sessionId, fromMs, toMs) => sql().store.newViewersPerMinute(sessionId, fromMs, toMs),
    changeMark: (sessionId) => {
      const r = sql().changeMark.get({ s: sessionId })!;
      return `${r.m}|${r.p}`;
    },
    rebuildRollups: (sessionId) => deriveSessionRollups(db(), sessionId),
    discardSession: (sessionId) => {
      for (const del of sql().discard) del.run(sessionId);
    },
  };
}

/**
 * The session figures of an ended session, as MetricsModule.snapshot computes them from its rebuilt aggregate:
 * counters over the whole session (cumulative values from zero), window [start, max(end, last data)].
 */
function endedSessionFigures(sql: ReturnType<typeof statements>, session: SessionSummary): Figures {
  const id = session.id;
  const r = sql.totals.get(id)!;
  const n = (v: number | null | undefined) => v ?? 0;
  const start = session.startedAt ?? session.createdAt;
  const last = sql.lastSecond.get(id)?.t ?? null;
  const end = Math.max(session.endedAt ?? 0, last ?? start);
  const c = emptyCounters(start, end);
  c.onlineMax = n(r.online_max);
  c.onlineSum = n(r.online_sum);
  c.onlineN = n(r.online_n);
  c.hasReadingsUv = r.has_uv === 1;
  c.viewersUv = n(r.uv);
  c.viewsPv = n(r.pv);
  c.exposureUv = n(r.exp);
  c.clickUv = n(r.clk);
  c.payUv = n(r.pay);
  c.readingsGmv = n(r.rgmv);
  c.joins = n(r.joins);
  c.leaves = n(r.leaves);
  c.dwellMs = n(r.dwell_ms);
  c.dwellN = n(r.dwell_n);
  c.orders = n(r.orders);
  c.ordersGmv = n(r.gmv);
  c.comments = n(r.comments);
  c.reportedAvgWatchSeconds = sql.avgWatch.get(id)?.v ?? null;
  if (c.joins > 0) {
    const open = sql.openVisits.get(id)!;
    c.openN = open.n;
    c.openJoinSum = open.join_sum;
  }
  return figures(c);
}

/**
 * Paid orders of a product in [from, to): whole minutes from the per-minute rollup, the partial minutes at either edge
 * from the raw rows (at most two minutes of them), so the figure is the one a scan of every order gives.
 */
function productOrdersBetween(sql: ReturnType<typeof statements>, sessionId: number, key: string, from: number, to: number): OrderTally {
  const a = Math.ceil(from / MINUTE) * MINUTE;
  const b = Math.floor(to / MINUTE) * MINUTE;
  if (a >= b) return tally(sql.productOrderRows.get(sessionId, key, from, to)!);
  const head = tally(sql.productOrderRows.get(sessionId, key, from, a)!);
  const mid = tally(sql.productMinutes.get(sessionId, key, a, b)!);
  const tail = tally(sql.productOrderRows.get(sessionId, key, b, to)!);
  return { orders: head.orders + mid.orders + tail.orders, gmv: head.gmv + mid.gmv + tail.gmv };
}
