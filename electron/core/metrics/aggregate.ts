// The in-memory running aggregate of one session: every event updates the session totals, the segment it falls in (by
// its timestamp), its minute, and the per-second/per-minute rollup deltas of the batch. A snapshot reads only this.
import { type Counters, emptyCounters } from '../../../shared/metrics/formulas.ts';
import type { MetricEvent } from '../../../shared/protocol/metrics.ts';
import { GMV_STATUSES } from '../../../shared/protocol/metrics.ts';

/** The source's cumulative counters (running maxima of readings; product funnel summed over products). */
export interface Cum {
  uv: number;
  pv: number;
  exp: number;
  clk: number;
  pay: number;
  rgmv: number;
}
const zeroCum = (): Cum => ({ uv: 0, pv: 0, exp: 0, clk: 0, pay: 0, rgmv: 0 });

/** Additive counters of a window plus the cumulative counters at its first (base) and latest (top) event. */
export class Win {
  readings = 0;
  onlineLast: number | null = null;
  onlineLastTs = 0;
  onlineMax = 0;
  onlineSum = 0;
  onlineN = 0;
  avgWatch: number | null = null;
  hasUv = false;
  joins = 0;
  leaves = 0;
  dwellMs = 0;
  dwellN = 0;
  joinSum = 0;
  leftJoinSum = 0;
  orders = 0;
  gmv = 0;
  comments = 0;
  base: Cum | null = null;
  top: Cum = zeroCum();
  firstTs = Infinity;
  lastTs = 0;

  /** call before an event changes the cumulative state S */
  touch(S: Cum, ts: number): void {
    if (this.base === null) this.base = { ...S };
    if (ts < this.firstTs) this.firstTs = ts;
    if (ts > this.lastTs) this.lastTs = ts;
  }

  delta(): Cum {
    const b = this.base ?? this.top;
    const t = this.top;
    return {
      uv: Math.max(0, t.uv - b.uv),
      pv: Math.max(0, t.pv - b.pv),
      exp: Math.max(0, t.exp - b.exp),
      clk: Math.max(0, t.clk - b.clk),
      pay: Math.max(0, t.pay - b.pay),
      rgmv: Math.max(0, t.rgmv - b.rgmv),
    };
  }

  counters(startMs: number, endMs: number, open?: { n: number; joinSum: number }, cumFromZero = false): Counters {
    const d = cumFromZero ? this.top : this.delta();
    const c = emptyCounters(startMs, endMs);
    c.onlineLast = this.onlineLast;
    c.onlineMax = this.onlineMax;
    c.onlineSum = this.onlineSum;
    c.onlineN = this.onlineN;
    c.viewersUv = d.uv;
    c.viewsPv = d.pv;
    c.hasReadingsUv = this.hasUv;
    c.joins = this.joins;
    c.leaves = this.leaves;
    c.dwellMs = this.dwellMs;
    c.dwellN = this.dwellN;
    c.openN = open?.n ?? 0;
    c.openJoinSum = open?.joinSum ?? 0;
    c.reportedAvgWatchSeconds = cumFromZero ? this.avgWatch : null;
    c.exposureUv = d.exp;
    c.clickUv = d.clk;
    c.payUv = d.pay;
    c.readingsGmv = d.rgmv;
    c.orders = this.orders;
    c.ordersGmv = this.gmv;
    c.comments = this.comments;
    return c;
  }
}

export interface Funnel {
  exp: number;
  clk: number;
  pay: number;
  gmv: number;
}

export interface SegmentRef {
  id: number;
  productId: number;
  startedAt: number;
  endedAt: number | null;
}

export interface SegmentAcc {
  seg: SegmentRef;
  /** the pinned product as orders and funnels name it (its id as text) */
  key: string;
  /** bumped whenever the segment or its window changes: closed segments' figures are cached against it */
  version: number;
  win: Win;
  /** the pinned product's funnel at the segment's first event, and its orders during the segment */
  productBase: Funnel | null;
  productOrders: number;
  productGmv: number;
}

/**
 * A stored order whose status moved into or out of GMV (paid → refunded/cancelled: -1; created → paid: +1), applied
 * at the time it happened; per-product attribution follows the order's own time (origTs).
 */
export interface OrderChange {
  ts: number;
  origTs: number;
  sign: 1 | -1;
  amount: number;
  productKey: string | null;
  scene: 'live' | 'other';
}

/** What a batch changes in SQLite besides the raw rows. */
export interface RollupDelta {
  seconds: Map<number, Win>;
  minutes: Map<number, Win>;
  products: Map<string, Funnel & { ts: number }>;
  /** paid orders per minute, per product (or 'sku:' + SKU): metric_product_minutes (migration 0170) */
  productMinutes: Map<number, Map<string, ProductMinute>>;
}

export interface ProductMinute {
  t: number;
  /** LiveCue id or the source's own id as text, '' when the order names only a SKU */
  productKey: string;
  /** the SKU when the order names no product, else '' */
  sku: string;
  orders: number;
  gmv: number;
}

export const productKey = (ref: number | string | undefined): string | null => (ref === undefined ? null : String(ref));

const SECOND = 1000;
const MINUTE = 60_000;
const RECENT_SECONDS = 180;
const PENDING_ONLINE_MAX = 4000;

export class SessionAgg {
  readonly sessionId: number;
  startMs: number;
  readonly total = new Win();
  readonly S: Cum = zeroCum();
  readonly products = new Map<string, Funnel>();
  readonly productOrders = new Map<string, { orders: number; gmv: number }>();
  readonly present = new Map<string, number>();
  openJoinSum = 0;
  segments: SegmentAcc[] = [];
  readonly minutes = new Map<number, Win>();
  /** per-second online of the last few minutes: [second, online] */
  readonly recentOnline: [number, number][] = [];
  /** online points not yet sent in a tick */
  pendingOnline: [number, number][] = [];
  counts = { readings: 0, orders: 0, comments: 0, joins: 0, leaves: 0 };
  /** orders in GMV statuses placed outside the live room (非直播间成交): never in GMV, conversion or attribution */
  readonly other = { orders: 0, gmv: 0 };
  /** the windows one event updates (total, minute, batch second, batch minute, segment), reused across events */
  private readonly wins: Win[] = [];

  constructor(sessionId: number, startMs: number) {
    this.sessionId = sessionId;
    this.startMs = startMs;
  }

  setSegments(list: SegmentRef[]): void {
    const old = new Map(this.segments.map((s) => [s.seg.id, s]));
    this.segments = list.map((seg) => {
      const kept = old.get(seg.id);
      if (kept) {
        if (kept.seg.endedAt !== seg.endedAt || kept.seg.startedAt !== seg.startedAt) kept.version++;
        kept.seg = seg;
        kept.key = String(seg.productId);
        return kept;
      }
      return { seg, key: String(seg.productId), version: 0, win: new Win(), productBase: null, productOrders: 0, productGmv: 0 };
    });
  }

  /** the segment whose [start, end) holds ts (segments are sorted by start) */
  segmentAt(ts: number): SegmentAcc | null {
    const found = this.segmentIndex(ts);
    if (found < 0) return null;
    const s = this.segments[found]!;
    return s.seg.endedAt === null || ts < s.seg.endedAt ? s : null;
  }

  /** index of the last segment starting at or before ts, -1 if none */
  private segmentIndex(ts: number): number {
    const list = this.segments;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.seg.startedAt <= ts) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /**
   * [from, to) around ts within which segmentAt gives the same answer: the segment's own span (up to the next start), or
   * the gap between the last segment that started before ts (and ended) and the next one.
   */
  private segmentSpan(ts: number): [number, number] {
    const list = this.segments;
    const i = this.segmentIndex(ts);
    const next = i + 1 < list.length ? list[i + 1]!.seg.startedAt : Infinity;
    if (i < 0) return [-Infinity, next];
    const s = list[i]!.seg;
    if (s.endedAt === null || ts < s.endedAt) return [s.startedAt, Math.min(s.endedAt ?? Infinity, next)];
    return [s.endedAt, next];
  }

  /** Applies stored events (duplicates already removed) and returns the rollup rows to write. */
  apply(events: MetricEvent[]): RollupDelta {
    const delta: RollupDelta = { seconds: new Map(), minutes: new Map(), products: new Map(), productMinutes: new Map() };
    // the hot path of ingest (tens of thousands of events a second at 600×): indexed loops over one reused array, no
    // per-event closures or iterators, so a batch allocates little beyond its new windows (see bench/metrics.ts soak)
    const wins = this.wins;
    // a batch is mostly in time order: consecutive events share their second, minute and segment, so the last ones are
    // kept and the map look-ups / binary search run only when the bucket changes
    let lastSec = NaN;
    let lastMin = NaN;
    let secWin: Win | null = null;
    let minWin: Win | null = null;
    let minDelta: Win | null = null;
    let minProducts: Map<string, ProductMinute> | null = null;
    let seg: SegmentAcc | null = null;
    let segFrom = Infinity;
    let segTo = -Infinity;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const ts = e.ts;
      const sec = ts - (ts % SECOND);
      const min = ts - (ts % MINUTE);
      if (ts < segFrom || ts >= segTo) {
        seg = this.segmentAt(ts);
        // the range this answer holds for: the segment itself, or the gap between two segments
        [segFrom, segTo] = this.segmentSpan(ts);
      }
      if (sec !== lastSec) {
        lastSec = sec;
        secWin = windowIn(delta.seconds, sec);
      }
      if (min !== lastMin) {
        lastMin = min;
        minWin = windowIn(this.minutes, min);
        minDelta = windowIn(delta.minutes, min);
        minProducts = null;
      }
      wins[0] = this.total;
      wins[1] = minWin!;
      wins[2] = secWin!;
      wins[3] = minDelta!;
      let n = 4;
      if (seg) {
        wins[n++] = seg.win;
        seg.version++;
        if (seg.productBase === null) seg.productBase = { ...(this.products.get(seg.key) ?? { exp: 0, clk: 0, pay: 0, gmv: 0 }) };
      }
      for (let k = 0; k < n; k++) wins[k]!.touch(this.S, ts);
      switch (e.type) {
        case 'reading':
          this.applyReading(e, wins, n, delta);
          break;
        case 'order': {
          this.counts.orders++;
          if (!GMV_STATUSES.has(e.status)) break;
          if (e.scene === 'other') {
            this.other.orders++;
            this.other.gmv += e.amount;
            break;
          }
          for (let k = 0; k < n; k++) {
            const w = wins[k]!;
            w.orders++;
            w.gmv += e.amount;
          }
          const pk = productKey(e.productId);
          const key = pk ?? (e.sku !== undefined ? `sku:${e.sku}` : null);
          if (key) {
            minProducts ??= productsIn(delta.productMinutes, min);
            let pm = minProducts.get(key);
            if (!pm) {
              pm = { t: min, productKey: pk ?? '', sku: pk === null ? e.sku! : '', orders: 0, gmv: 0 };
              minProducts.set(key, pm);
            }
            pm.orders++;
            pm.gmv += e.amount;
            let po = this.productOrders.get(key);
            if (!po) {
              po = { orders: 0, gmv: 0 };
              this.productOrders.set(key, po);
            }
            po.orders++;
            po.gmv += e.amount;
            if (seg && key === seg.key) {
              seg.productOrders++;
              seg.productGmv += e.amount;
            }
          }
          break;
        }
        case 'comment':
          this.counts.comments++;
          for (let k = 0; k < n; k++) wins[k]!.comments++;
          break;
        case 'join': {
          this.counts.joins++;
          const prev = this.present.get(e.viewerId);
          if (prev !== undefined) this.openJoinSum -= prev; // a second join without a leave restarts the visit
          this.present.set(e.viewerId, ts);
          this.openJoinSum += ts;
          for (let k = 0; k < n; k++) {
            const w = wins[k]!;
            w.joins++;
            w.joinSum += ts;
          }
          break;
        }
        case 'leave': {
          this.counts.leaves++;
          const joined = this.present.get(e.viewerId);
          for (let k = 0; k < n; k++) wins[k]!.leaves++;
          if (joined !== undefined) {
            this.present.delete(e.viewerId);
            this.openJoinSum -= joined;
            const dwell = Math.max(0, ts - joined);
            for (let k = 0; k < n; k++) {
              const w = wins[k]!;
              w.dwellMs += dwell;
              w.dwellN++;
              w.leftJoinSum += joined;
            }
          }
          break;
        }
      }
    }
    wins.fill(this.total); // drop references to this batch's windows
    return delta;
  }

  /** Status changes of stored orders (see OrderChange): windows at the change's time, attribution at the order's. */
  applyOrderChanges(changes: OrderChange[], delta: RollupDelta): void {
    for (const c of changes) {
      if (c.scene === 'other') {
        this.other.orders += c.sign;
        this.other.gmv += c.sign * c.amount;
        continue;
      }
      const sec = c.ts - (c.ts % SECOND);
      const min = c.ts - (c.ts % MINUTE);
      const seg = this.segmentAt(c.ts);
      const wins = [this.total, windowIn(this.minutes, min), windowIn(delta.seconds, sec), windowIn(delta.minutes, min)];
      if (seg) {
        wins.push(seg.win);
        seg.version++;
      }
      for (const w of wins) {
        w.touch(this.S, c.ts);
        w.orders += c.sign;
        w.gmv += c.sign * c.amount;
      }
      if (c.productKey) {
        // the per-product minute rollup (#17) follows the order's own time, as the raw rows it stands for do (#11)
        const t = c.origTs - (c.origTs % MINUTE);
        const sku = c.productKey.startsWith('sku:') ? c.productKey.slice(4) : '';
        const minute = productsIn(delta.productMinutes, t);
        const pm = minute.get(c.productKey) ?? { t, productKey: sku ? '' : c.productKey, sku, orders: 0, gmv: 0 };
        pm.orders += c.sign;
        pm.gmv += c.sign * c.amount;
        minute.set(c.productKey, pm);
        const po = this.productOrders.get(c.productKey) ?? { orders: 0, gmv: 0 };
        po.orders += c.sign;
        po.gmv += c.sign * c.amount;
        this.productOrders.set(c.productKey, po);
        const at = this.segmentAt(c.origTs);
        if (at && String(at.seg.productId) === c.productKey) {
          at.productOrders += c.sign;
          at.productGmv += c.sign * c.amount;
          at.version++;
        }
      }
    }
  }

  private applyReading(e: Extract<MetricEvent, { type: 'reading' }>, wins: Win[], n: number, delta: RollupDelta): void {
    this.counts.readings++;
    const S = this.S;
    if (e.viewersUv !== undefined && e.viewersUv > S.uv) S.uv = e.viewersUv;
    if (e.viewsPv !== undefined && e.viewsPv > S.pv) S.pv = e.viewsPv;
    if (e.products) {
      for (const p of e.products) {
        const key = String(p.productId);
        const old = this.products.get(key) ?? { exp: 0, clk: 0, pay: 0, gmv: 0 };
        const next = {
          exp: p.exposureUv ?? old.exp,
          clk: p.clickUv ?? old.clk,
          pay: p.payUv ?? old.pay,
          gmv: p.gmv ?? old.gmv,
        };
        S.exp += next.exp - old.exp;
        S.clk += next.clk - old.clk;
        S.pay += next.pay - old.pay;
        S.rgmv += next.gmv - old.gmv;
        this.products.set(key, next);
        delta.products.set(key, { ...next, ts: e.ts });
      }
    }
    const sec = e.ts - (e.ts % SECOND);
    for (let k = 0; k < n; k++) {
      const w = wins[k]!;
      w.readings++;
      if (e.online !== undefined) {
        if (e.ts >= w.onlineLastTs) {
          w.onlineLast = e.online;
          w.onlineLastTs = e.ts;
        }
        if (e.online > w.onlineMax) w.onlineMax = e.online;
        w.onlineSum += e.online;
        w.onlineN++;
      }
      if (e.avgWatchSeconds !== undefined) w.avgWatch = e.avgWatchSeconds;
      if (e.viewersUv !== undefined) w.hasUv = true;
      w.top.uv = S.uv;
      w.top.pv = S.pv;
      w.top.exp = S.exp;
      w.top.clk = S.clk;
      w.top.pay = S.pay;
      w.top.rgmv = S.rgmv;
    }
    if (e.online !== undefined) {
      const last = this.recentOnline.at(-1);
      if (last && last[0] === sec) last[1] = e.online;
      else if (!last || sec > last[0]) this.recentOnline.push([sec, e.online]);
      while (this.recentOnline.length && this.recentOnline[0]![0] < sec - RECENT_SECONDS * SECOND) this.recentOnline.shift();
      const lp = this.pendingOnline.at(-1);
      if (lp && lp[0] === sec) lp[1] = e.online;
      else this.pendingOnline.push([sec, e.online]);
      if (this.pendingOnline.length > PENDING_ONLINE_MAX) this.pendingOnline.splice(0, this.pendingOnline.length - PENDING_ONLINE_MAX);
    }
  }

  /** online count at (or just before) a time, from the last few minutes of readings */
  onlineAt(ts: number): number | null {
    let found: number | null = null;
    for (const [t, v] of this.recentOnline) {
      if (t <= ts) found = v;
      else break;
    }
    return found;
  }

  latestTs(): number {
    return this.total.lastTs || this.startMs;
  }

  /** counters of [from, to) summed from minute buckets; cumulative deltas against the last bucket before the window */
  windowCounters(from: number, to: number): Counters {
    const w = new Win();
    let before: Cum | null = null;
    // walk back (at most two hours of empty minutes) for the cumulative state before the window
    for (let t = from - MINUTE, n = 0; n < 120; t -= MINUTE, n++) {
      const m = this.minutes.get(t);
      if (m && m.readings > 0) {
        before = m.top;
        break;
      }
    }
    let base: Cum | null = null;
    let top: Cum | null = null;
    for (let t = from; t < to; t += MINUTE) {
      const m = this.minutes.get(t);
      if (!m) continue;
      if (base === null) base = before ?? m.base ?? zeroCum();
      if (m.readings > 0) top = m.top;
      w.readings += m.readings;
      if (m.onlineLast !== null) w.onlineLast = m.onlineLast;
      w.onlineMax = Math.max(w.onlineMax, m.onlineMax);
      w.onlineSum += m.onlineSum;
      w.onlineN += m.onlineN;
      w.hasUv ||= m.hasUv;
      w.joins += m.joins;
      w.leaves += m.leaves;
      w.dwellMs += m.dwellMs;
      w.dwellN += m.dwellN;
      w.orders += m.orders;
      w.gmv += m.gmv;
      w.comments += m.comments;
    }
    w.base = base ?? zeroCum();
    w.top = top ?? w.base;
    return w.counters(from, to);
  }

  /** the last minute before t that had readings */
  minuteBefore(t: number): Win | null {
    for (let k = t - MINUTE, n = 0; n < 120; k -= MINUTE, n++) {
      const m = this.minutes.get(k);
      if (m && m.readings > 0) return m;
    }
    return null;
  }
}

/** the per-product order rows of minute t in a batch, created on first use */
function productsIn(map: Map<number, Map<string, ProductMinute>>, t: number): Map<string, ProductMinute> {
  let m = map.get(t);
  if (!m) {
    m = new Map();
    map.set(t, m);
  }
  return m;
}

/** the window of bucket t in a map, created on first use */
function windowIn(map: Map<number, Win>, t: number): Win {
  let w = map.get(t);
  if (!w) {
    w = new Win();
    map.set(t, w);
  }
  return w;
}
