// Live-commerce figures, one pure function each, with its definition. Money is integer fen; times are epoch ms.
// Every ratio answers null when its denominator is 0 ("no data yet" is not "0 %").
// The same functions compute the whole session, the pinned segment, and the last-10-minute windows.

/** Additive and cumulative counters of a time window; what every figure below is computed from. */
export interface Counters {
  startMs: number;
  endMs: number;
  /** online viewers in the latest reading of the window, null without readings */
  onlineLast: number | null;
  onlineMax: number;
  /** sum and number of online samples (one per reading) */
  onlineSum: number;
  onlineN: number;
  /** viewer UV / watch PV counted in the window (cumulative source counters turned into window deltas) */
  viewersUv: number;
  viewsPv: number;
  /** whether viewersUv/viewsPv came from source readings (else they are derived from join events) */
  hasReadingsUv: boolean;
  joins: number;
  leaves: number;
  /** summed dwell of visits that ended in the window, and how many */
  dwellMs: number;
  dwellN: number;
  /** visits still open at endMs: count and the sum of their join times (their dwell so far = n·end − Σjoin) */
  openN: number;
  openJoinSum: number;
  /** the source's own "average watch seconds per audience", when it reports one */
  reportedAvgWatchSeconds: number | null;
  /** product funnel over all products: exposure UV, click UV, pay UV, GMV (fen) from readings */
  exposureUv: number;
  clickUv: number;
  payUv: number;
  readingsGmv: number;
  /** orders (paid) and their GMV, fen */
  orders: number;
  ordersGmv: number;
  comments: number;
}

export function emptyCounters(startMs = 0, endMs = startMs): Counters {
  return {
    startMs,
    endMs,
    onlineLast: null,
    onlineMax: 0,
    onlineSum: 0,
    onlineN: 0,
    viewersUv: 0,
    viewsPv: 0,
    hasReadingsUv: false,
    joins: 0,
    leaves: 0,
    dwellMs: 0,
    dwellN: 0,
    openN: 0,
    openJoinSum: 0,
    reportedAvgWatchSeconds: null,
    exposureUv: 0,
    clickUv: 0,
    payUv: 0,
    readingsGmv: 0,
    orders: 0,
    ordersGmv: 0,
    comments: 0,
  };
}

/** a ÷ b, or null when b is 0 (no denominator, no figure). */
export function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

/** Window length in minutes (at least one second, so a fresh window does not divide by 0). */
export function minutesOf(c: Pick<Counters, 'startMs' | 'endMs'>): number {
  return Math.max(1000, c.endMs - c.startMs) / 60_000;
}

/** Online now: the online count of the latest reading. */
export function onlineNow(c: Counters): number | null {
  return c.onlineLast;
}

/** Peak online: the highest online count of any reading in the window. */
export function peakOnline(c: Counters): number {
  return c.onlineMax;
}

/** Average online: mean of the online samples (readings are ~1 Hz, so this is the time average). */
export function averageOnline(c: Counters): number | null {
  return ratio(c.onlineSum, c.onlineN);
}

/** Cumulative viewers (UV): the source's viewer UV; without source UV, the number of join events (re-entries count again). */
export function viewersUv(c: Counters): number {
  return c.hasReadingsUv ? c.viewersUv : c.joins;
}

/** Views (PV): the source's watch PV; without it, the number of join events (each entry is one view). */
export function viewsPv(c: Counters): number {
  return c.hasReadingsUv && c.viewsPv > 0 ? c.viewsPv : c.joins;
}

/** New viewers per minute: viewer UV gained in the window ÷ window minutes. */
export function newViewersPerMinute(c: Counters): number {
  return viewersUv(c) / minutesOf(c);
}

export type DwellMethod = 'exact' | 'reported' | 'littles-law' | 'none';
export interface Dwell {
  seconds: number | null;
  method: DwellMethod;
  /** true unless measured from every visit's own join and leave */
  estimate: boolean;
}

/**
 * Average dwell (人均停留):
 * - exact, when the source sends join/leave: Σ(leave − join) over visits ended in the window, plus the time so far of
 *   visits still open at its end (n·end − Σjoin), ÷ number of visits;
 * - reported: the platform's own "average watch seconds per audience";
 * - otherwise Little's law, W = L ÷ λ: average online ÷ arrival rate (viewer UV per second), labelled an estimate.
 */
export function averageDwell(c: Counters): Dwell {
  const visits = c.dwellN + c.openN;
  if (visits > 0) {
    const openMs = c.openN * c.endMs - c.openJoinSum;
    return { seconds: (c.dwellMs + Math.max(0, openMs)) / visits / 1000, method: 'exact', estimate: false };
  }
  if (c.reportedAvgWatchSeconds !== null) return { seconds: c.reportedAvgWatchSeconds, method: 'reported', estimate: false };
  const avg = averageOnline(c);
  const arrivalsPerSecond = viewersUv(c) / (Math.max(1000, c.endMs - c.startMs) / 1000);
  if (avg === null || arrivalsPerSecond <= 0) return { seconds: null, method: 'none', estimate: true };
  return { seconds: avg / arrivalsPerSecond, method: 'littles-law', estimate: true };
}

/** Pay UV: the funnel's pay UV from readings; without product readings, paid orders (one buyer per order, an upper bound). */
export function payUv(c: Counters): number {
  return c.payUv > 0 || c.exposureUv > 0 ? c.payUv : c.orders;
}

/** Product CTR (点击率) = click UV ÷ exposure UV. */
export function productCtr(c: Counters): number | null {
  return ratio(c.clickUv, c.exposureUv);
}

/** Click-to-pay (点击成交率) = pay UV ÷ click UV. */
export function clickToPay(c: Counters): number | null {
  return ratio(c.payUv, c.clickUv);
}

/** Viewer conversion (观众成交率) = pay UV ÷ viewer UV. */
export function viewerConversion(c: Counters): number | null {
  return ratio(payUv(c), viewersUv(c));
}

/** GMV (fen): Σ paid order amounts when the source sends orders, else the funnel's GMV from readings. */
export function gmv(c: Counters): number {
  return c.orders > 0 ? c.ordersGmv : c.readingsGmv;
}

/** GPM (千次观看成交额, fen) = GMV ÷ views PV × 1000; the PV denominator is returned beside it. */
export function gpm(c: Counters): { value: number | null; pv: number } {
  const pv = viewsPv(c);
  const g = gmv(c);
  return { value: pv > 0 ? (g / pv) * 1000 : null, pv };
}

/** UV value (UV 价值, fen) = GMV ÷ viewer UV. */
export function uvValue(c: Counters): number | null {
  return ratio(gmv(c), viewersUv(c));
}

/** Average order value (客单价 per order, fen) = orders' GMV ÷ paid orders. */
export function averageOrderValue(c: Counters): number | null {
  return ratio(c.ordersGmv, c.orders);
}

/** Relative change (b − a) ÷ a, null when a is 0 or either side is missing. */
export function change(previous: number | null, current: number | null): number | null {
  if (previous === null || current === null || previous === 0) return null;
  return (current - previous) / previous;
}

/** Online drop over a span: (then − now) ÷ then, as a fraction (0.25 = fell by 25 %); null when then is 0 or unknown. */
export function onlineDrop(then: number | null, now: number | null): number | null {
  if (then === null || now === null || then <= 0) return null;
  return (then - now) / then;
}

/** Every figure of one window, as the snapshot and the dashboard show it. */
export interface Figures {
  onlineNow: number | null;
  peakOnline: number;
  averageOnline: number | null;
  viewersUv: number;
  viewsPv: number;
  newViewersPerMinute: number;
  averageDwell: Dwell;
  exposureUv: number;
  clickUv: number;
  payUv: number;
  productCtr: number | null;
  clickToPay: number | null;
  viewerConversion: number | null;
  gmv: number;
  gmvSource: 'orders' | 'readings';
  gpm: { value: number | null; pv: number };
  uvValue: number | null;
  averageOrderValue: number | null;
  orders: number;
  comments: number;
  joins: number;
  leaves: number;
}

export function figures(c: Counters): Figures {
  return {
    onlineNow: onlineNow(c),
    peakOnline: peakOnline(c),
    averageOnline: averageOnline(c),
    viewersUv: viewersUv(c),
    viewsPv: viewsPv(c),
    newViewersPerMinute: newViewersPerMinute(c),
    averageDwell: averageDwell(c),
    exposureUv: c.exposureUv,
    clickUv: c.clickUv,
    payUv: payUv(c),
    productCtr: productCtr(c),
    clickToPay: clickToPay(c),
    viewerConversion: viewerConversion(c),
    gmv: gmv(c),
    gmvSource: c.orders > 0 ? 'orders' : 'readings',
    gpm: gpm(c),
    uvValue: uvValue(c),
    averageOrderValue: averageOrderValue(c),
    orders: c.orders,
    comments: c.comments,
    joins: c.joins,
    leaves: c.leaves,
  };
}

/** Last 10 minutes vs the 10 before: both windows' figures and the relative change of the headline ones. */
export interface Comparison {
  last: Figures;
  previous: Figures;
  change: {
    newViewersPerMinute: number | null;
    gmv: number | null;
    viewerConversion: number | null;
    averageOnline: number | null;
    orders: number | null;
  };
}

export function compare(previous: Counters, last: Counters): Comparison {
  const a = figures(previous);
  const b = figures(last);
  return {
    last: b,
    previous: a,
    change: {
      newViewersPerMinute: change(a.newViewersPerMinute, b.newViewersPerMinute),
      gmv: change(a.gmv, b.gmv),
      viewerConversion: change(a.viewerConversion, b.viewerConversion),
      averageOnline: change(a.averageOnline, b.averageOnline),
      orders: change(a.orders, b.orders),
    },
  };
}

/** Producer-tunable alert thresholds. */
export interface AlertConfig {
  /** alert when online falls by more than this fraction within 60 s (0.2 = 20 %) */
  onlineDropPct: number;
  onlineDropEnabled: boolean;
  /** alert when the pinned segment runs past its planned minutes */
  overrunEnabled: boolean;
  /** alert when the segment's viewer conversion is under this fraction of the session's (1 = under the average) */
  conversionFactor: number;
  conversionEnabled: boolean;
  /** do not judge conversion before the segment has this many viewers */
  conversionMinViewers: number;
  /** do not judge a segment's conversion before it has run this long (s) (#13) */
  minWindowSeconds: number;
  /** a condition must hold this many one-second samples in a row before its alert fires */
  minSamples: number;
  /** a raised alert clears only after its condition has been false this long (s) */
  holdSeconds: number;
}

export const DEFAULT_ALERTS: AlertConfig = {
  onlineDropPct: 0.2,
  onlineDropEnabled: true,
  overrunEnabled: true,
  // 0.7: under 70 % of the session's conversion; at 1 a steady segment sits on the line and alerts half the time (#13)
  conversionFactor: 0.7,
  conversionEnabled: true,
  conversionMinViewers: 50,
  minWindowSeconds: 60,
  minSamples: 5,
  holdSeconds: 20,
};

export type AlertKind = 'onlineDrop' | 'overrun' | 'lowConversion';
export interface Alert {
  kind: AlertKind;
  /** the measured value: drop fraction, minutes over plan, or segment conversion */
  value: number;
  /** the threshold it crossed */
  threshold: number;
}

/**
 * Alerts a producer acts on:
 * - online dropped more than X % in 60 s: onlineDrop(online 60 s ago, online now) > X;
 * - a segment runs past plan: now − segment start > planned minutes;
 * - segment viewer conversion under the session's (× factor), once the segment has enough viewers and has run
 *   minWindowSeconds (a segment has no payer in its first seconds: judging then is noise).
 * Hysteresis (raise after minSamples, clear after holdSeconds) is AlertGate's (alert-gate.ts).
 */
export function alerts(input: {
  config: AlertConfig;
  online60sAgo: number | null;
  onlineNow: number | null;
  segmentStartedAt: number | null;
  plannedMinutes: number | null;
  now: number;
  segmentConversion: number | null;
  segmentViewers: number;
  sessionConversion: number | null;
}): Alert[] {
  const out: Alert[] = [];
  const { config } = input;
  const drop = onlineDrop(input.online60sAgo, input.onlineNow);
  if (config.onlineDropEnabled && drop !== null && drop > config.onlineDropPct) {
    out.push({ kind: 'onlineDrop', value: drop, threshold: config.onlineDropPct });
  }
  if (config.overrunEnabled && input.segmentStartedAt !== null && input.plannedMinutes) {
    const over = (input.now - input.segmentStartedAt) / 60_000 - input.plannedMinutes;
    if (over > 0) out.push({ kind: 'overrun', value: over, threshold: input.plannedMinutes });
  }
  const segmentAgeMs = input.segmentStartedAt === null ? 0 : input.now - input.segmentStartedAt;
  if (
    config.conversionEnabled &&
    segmentAgeMs >= (config.minWindowSeconds ?? 0) * 1000 &&
    input.segmentConversion !== null &&
    input.sessionConversion !== null &&
    input.segmentViewers >= config.conversionMinViewers
  ) {
    const threshold = input.sessionConversion * config.conversionFactor;
    if (input.segmentConversion < threshold) out.push({ kind: 'lowConversion', value: input.segmentConversion, threshold });
  }
  return out;
}
