// The metrics domain as the review domain reads it (issue #15, "Domain APIs instead of cross-domain SQL"): typed
// functions over a session's stored rollups and readings. The metrics module implements it (`MetricsModule.api`,
// metrics/api.ts); it lives in the core so that review uses it without importing the metrics domain (as room.ts does
// for automation and channels). modules.ts hands it to `ReviewModule`.
import type { SessionSummary } from '../../shared/domain.ts';
import type { Figures } from '../../shared/metrics/formulas.ts';

/** One stored minute (metric_minutes); cumulative values are the source's counters at the minute's last reading. */
export interface MinuteRollup {
  t: number;
  /** readings in the minute (cumulative values mean something only when > 0) */
  readings: number;
  onlineMax: number;
  onlineSum: number;
  onlineCount: number;
  /** the source reported cumulative viewers (UV) in this minute */
  hasViewersUv: boolean;
  viewersUvCumulative: number;
  exposureUvCumulative: number;
  payUvCumulative: number;
  /** GMV as the source's readings report it (fen), cumulative */
  readingsGmvCumulative: number;
  joins: number;
  orders: number;
  /** GMV of paid orders in the minute (fen) */
  gmv: number;
  comments: number;
}

/** A product's funnel as the source reports it (cumulative; gmv in fen). */
export interface ProductFunnelCounts {
  exposureUv: number;
  clickUv: number;
  payUv: number;
  gmv: number;
}

/** Paid orders (GMV_STATUSES) and their amount in fen. */
export interface OrderTally {
  orders: number;
  gmv: number;
}

/**
 * A session's running totals (metric_session_totals: the minute rollups summed as they are written), its stored source
 * and its rehearsal flag; zeros for a session without metrics.
 */
export interface SessionTotals {
  onlineMax: number;
  /** the source reported cumulative viewers (UV) */
  hasViewersUv: boolean;
  viewersUvCumulative: number;
  joins: number;
  /** paid orders and their GMV (fen) */
  orders: number;
  gmv: number;
  /** GMV as the source's readings report it (fen), cumulative */
  readingsGmvCumulative: number;
  payUvCumulative: number;
  exposureUvCumulative: number;
  /** as storedSource */
  source: string | null;
  /** as ranOnSimulator */
  rehearsal: boolean;
}

export interface MetricsApi {
  /** the source chosen for the session (metric_sources), null when none was stored */
  storedSource(sessionId: number): string | null;
  /** the session ran on the simulator at some moment: a rehearsal (彩排) in every review view (#13) */
  ranOnSimulator(sessionId: number): boolean;
  /** the sessions list's figures of each session asked for (one query however many: the list shows hundreds) */
  sessionTotals(sessionIds: readonly number[]): Map<number, SessionTotals>;
  /** the per-second online curve: [t, online] for every second with a reading */
  onlineSeries(sessionId: number): [number, number][];
  /** every stored minute, in time order */
  minuteRollups(sessionId: number): MinuteRollup[];
  /** an ended session's figures from its rollups: what the live snapshot computes after a rebuild, without the rebuild */
  endedSessionFigures(session: SessionSummary): Figures;
  /** each product's latest reported funnel, by the product key the source used (a LiveCue id as text, or another key) */
  productFunnels(sessionId: number): { productKey: string; funnel: ProductFunnelCounts }[];
  /** paid live-room orders per product key (or per SKU when the order names no product: productKey ''), only products with orders */
  productOrders(sessionId: number): ({ productKey: string; sku: string } & OrderTally)[];
  /** #11: paid orders placed outside the live room during the session (非直播间成交), never part of GMV */
  otherOrders(sessionId: number): OrderTally;
  /** paid live-room orders of one product in [fromMs, toMs), exact to the millisecond */
  productOrdersBetween(sessionId: number, productKey: string, fromMs: number, toMs: number): OrderTally;
  /** the product's cumulative funnel in the latest reading before `ts` that mentions it (zeros before the first one) */
  productFunnelBefore(sessionId: number, productId: number, ts: number): ProductFunnelCounts;
  /** new viewers per minute in [fromMs, toMs) (the push-lift input, shared/push/lift.ts), null without data */
  newViewersPerMinute(sessionId: number, fromMs: number, toMs: number): number | null;
  /** a text that changes whenever the session's stored metrics change (a cache key part) */
  changeMark(sessionId: number): string;
  /** removes every stored metrics row of a session an import made before it failed (raw rows, rollups, totals,
   * source); runs inside the caller's transaction */
  discardSession(sessionId: number): void;
  /** derives the summary rollups from the raw rows after they arrived without the ingest path (a bundle import);
   * runs inside the caller's transaction */
  rebuildRollups(sessionId: number): void;
}
