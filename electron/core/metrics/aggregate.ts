// The in-memory running aggregate of one session: every event updates the session totals, the segment it falls in (by
// its timestamp), its minute, and the per-second/per-minute rollup deltas of the batch. A snapshot reads only this.
import { type Counters, emptyCounters } from '../../../shared/metrics/formulas.ts';
import type { MetricEvent } from '../../../shared/protocol/metrics.ts';
import { GMV_STATUSES } from '../../../shared/protocol/metrics.ts';

/** The source's cumulative counters (running maxima of readings; product funnel summed over products). */
export interface Cumulative {
  viewersUv: number;
  viewsPv: number;
  exposureUv: number;
  clickUv: number;
  payUv: number;
  readingsGmv: number;
}
const zeroCumulative = (): Cumulative => ({ viewersUv: 0, viewsPv: 0, exposureUv: 0, clickUv: 0, payUv: 0, readingsGmv: 0 });

/** Additive counters of a window plus the cumulative counters at its first (base) and latest (top) event. */
export class CounterWindow {
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
  atStart: Cumulative | null = null;
  latest: Cumulative = zeroCumulative();
  firstTs = Infinity;
  lastTs = 0;

  /** call before an event changes the session's cumulative counts */
  touch(cumulative: Cumulative, ts: number): void {
    if (this.atStart === null) this.atStart = { ...cumulative };
    if (ts < this.firstTs) this.firstTs = ts;
    if (ts > this.lastTs) this.lastTs = ts;
  }

  growth(): Cumulative {
    const b = this.atStart ?? this.latest;
    const t = this.latest;
    return {
      viewersUv: Math.max(0, t.viewersUv - b.viewersUv),
      viewsPv: Math.max(0, t.viewsPv - b.viewsPv),
      exposureUv: Math.max(0, t.exposureUv - b.exposureUv),
      clickUv: Math.max(0, t.clickUv - b.clickUv),
      payUv: Math.max(0, t.payUv - b.payUv),
      readingsGmv: Math.max(0, t.readingsGmv - b.readingsGmv),
    };
  }

  counters(startMs: number, endMs: number, open?: { n: number; joinSum: number }, fromZero = false): Counters {
    const d = fromZero ? this.latest : this.growth();
    const c = emptyCounters(startMs, endMs);
    c.onlineLast = this.onlineLast;
    c.onlineMax = this.onlineMax;
    c.onlineSum = this.onlineSum;
    c.onlineN = this.onlineN;
    c.viewersUv = d.viewersUv;
    c.viewsPv = d.viewsPv;
    c.hasReadingsUv = this.hasUv;
    c.joins = this.joins;
    c.leaves = this.leaves;
    c.dwellMs = this.dwellMs;
    c.dwellN = this.dwellN;
    c.openN = open?.n ?? 0;
    c.openJoinSum = open?.joinSum ?? 0;
    c.reportedAvgWatchSeconds = fromZero ? this.avgWatch : null;
    c.exposureUv = d.exposureUv;
    c.clickUv = d.clickUv;
    c.payUv = d.payUv;
    c.readingsGmv = d.readingsGmv;
    c.orders = this.orders;
    c.ordersGmv = this.gmv;
    c.comments = this.comments;
    return c;
  }
}

export interface FunnelCounts {
  exposureUv: number;
  clickUv: number;
  payUv: number;
  gmv: number;
}

export interface SegmentRef {
  id: number;
  productId: number;
  startedAt: number;
  endedAt: number | null;
}

export interface SegmentAggregate {
  segment: SegmentRef;
  /** the pinned product as orders and funnels name it (its id as text) */
  productKey: string;
  /** bumped whenever the segment or its window changes: closed segments' figures are cached against it */
  version: number;
  window: CounterWindow;
  /** the pinned product's funnel at the segment's first event, and its orders during the segment */
  productBase: FunnelCounts | null;
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
  seconds: Map<number, CounterWindow>;
  minutes: Map<number, CounterWindow>;
  products: Map<string, FunnelCounts & { ts: number }>;
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

export class SessionAggregate {
  readonly sessionId: number;
  startMs: number;
  readonly total = new CounterWindow();
  readonly cumulative: Cumulative = zeroCumulative();
  readonly products = new Map<string, FunnelCounts>();
  readonly productOrders = new Map<string, { orders: number; gmv: number }>();
  readonly openVisits = new Map<string, number>();
  openJoinSum = 0;
  segments: SegmentAggregate[] = [];
  readonly minutes = new Map<number, CounterWindow>();
  /** per-second online of the last few minutes: [second, online] */
  readonly recentOnline: [number, number][] = [];
  /** online points not yet sent in a tick */
  pendingOnline: [number, number][] = [];
  counts = { readings: 0, orders: 0, comments: 0, joins: 0, leaves: 0 };
  /** orders in GMV statuses placed outside the live room (非直播间成交): never in GMV, conversion or attribution */
  readonly otherOrders = { orders: 0, gmv: 0 };
  /** the windows one event updates (total, minute, batch second, batch minute, segment), reused across events */
  private readonly windows: CounterWindow[] = [];

  constructor(sessionId: number, startMs: number) {
    this.sessionId = sessionId;
    this.startMs = startMs;
  }

  setSegments(list: SegmentRef[]): void {
    const old = new Map(this.segments.map((s) => [s.segment.id, s]));
    this.segments = list.map((seg) => {
      const kept = old.get(seg.id);
      if (kept) {
        if (kept.segment.endedAt !== seg.endedAt || kept.segment.startedAt !== seg.startedAt) kept.version++;
        kept.segment = seg;
        kept.productKey = String(seg.productId);
        return kept;
      }
      return {
        segment: seg,
        productKey: String(seg.productId),
        version: 0,
        window: new CounterWindow(),
        productBase: null,
        productOrders: 0,
        productGmv: 0,
      };
    });
  }

  /** the segment whose [start, end) holds ts (segments are sorted by start) */
  segmentAt(ts: number): SegmentAggregate | null {
    const found = this.segmentIndex(ts);
    if (found < 0) return null;
    const s = this.segments[found]!;
    return s.segment.endedAt === null || ts < s.segment.endedAt ? s : null;
  }

  /** index of the last segment starting at or before ts, -1 if none */
  private segmentIndex(ts: number): number {
    const list = this.segments;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.segment.startedAt <= ts) {
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
    const next = i + 1 < list.length ? list[i + 1]!.segment.startedAt : Infinity;
    if (i < 0) return [-Infinity, next];
    const s = list[i]!.segment;
    if (s.endedAt === null || ts < s.endedAt) return [s.startedAt, Math.min(s.endedAt ?? Infinity, next)];
    return [s.endedAt, next];
  }

  /** Applies stored events (duplicates already removed) and returns the rollup rows to write. */
  apply(events: MetricEvent[]): RollupDelta {
    const delta: RollupDelta = { seconds: new Map(), minutes: new Map(), products: new Map(), productMinutes: new Map() };
    // the hot path of ingest (tens of thousands of events a second at 600×): indexed loops over one reused array, no
    // per-event closures or iterators, so a batch allocates little beyond its new windows (see bench/metrics.ts soak)
    const windows = this.windows;
    // a batch is mostly in time order: consecutive events share their second, minute and segment, so the last ones are
    // kept and the map look-ups / binary search run only when the bucket changes
    let lastSec = NaN;
    let lastMin = NaN;
    let secondWindow: CounterWindow | null = null;
    let minuteWindow: CounterWindow | null = null;
    let minuteDeltaWindow: CounterWindow | null = null;
    let minuteProducts: Map<string, ProductMinute> | null = null;
    let segment: SegmentAggregate | null = null;
    let segFrom = Infinity;
    let segTo = -Infinity;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const ts = e.ts;
      const sec = ts - (ts % SECOND);
      const min = ts - (ts % MINUTE);
      if (ts < segFrom || ts >= segTo) {
        segment = this.segmentAt(ts);
        // the range this answer holds for: the segment itself, or the gap between two segments
        [segFrom, segTo] = this.segmentSpan(ts);
      }
      if (sec !== lastSec) {
        lastSec = sec;
        secondWindow = windowIn(delta.seconds, sec);
      }
      if (min !== lastMin) {
        lastMin = min;
        minuteWindow = windowIn(this.minutes, min);
        minuteDeltaWindow = windowIn(delta.minutes, min);
        minuteProducts = null;
      }
      windows[0] = this.total;
      windows[1] = minuteWindow!;
      windows[2] = secondWindow!;
      windows[3] = minuteDeltaWindow!;
      let count = 4;
      if (segment) {
        windows[count++] = segment.window;
        segment.version++;
        if (segment.productBase === null)
          segment.productBase = { ...(this.products.get(segment.productKey) ?? { exposureUv: 0, clickUv: 0, payUv: 0, gmv: 0 }) };
      }
      for (let k = 0; k < count; k++) windows[k]!.touch(this.cumulative, ts);
      switch (e.type) {
        case 'reading':
          this.applyReading(e, windows, count, delta);
          break;
        case 'order': {
          this.counts.orders++;
          if (!GMV_STATUSES.has(e.status)) break;
          if (e.scene === 'other') {
            this.otherOrders.orders++;
            this.otherOrders.gmv += e.amount;
            break;
          }
          for (let k = 0; k < count; k++) {
            const w = windows[k]!;
            w.orders++;
            w.gmv += e.amount;
          }
          const orderProductKey = productKey(e.productId);
          const key = orderProductKey ?? (e.sku !== undefined ? `sku:${e.sku}` : null);
          if (key) {
            minuteProducts ??= productsIn(delta.productMinutes, min);
            let productMinute = minuteProducts.get(key);
            if (!productMinute) {
              productMinute = { t: min, productKey: orderProductKey ?? '', sku: orderProductKey === null ? e.sku! : '', orders: 0, gmv: 0 };
              minuteProducts.set(key, productMinute);
            }
            productMinute.orders++;
            productMinute.gmv += e.amount;
            let productTotal = this.productOrders.get(key);
            if (!productTotal) {
              productTotal = { orders: 0, gmv: 0 };
              this.productOrders.set(key, productTotal);
            }
            productTotal.orders++;
            productTotal.gmv += e.amount;
            if (segment && key === segment.productKey) {
              segment.productOrders++;
              segment.productGmv += e.amount;
            }
          }
          break;
        }
        case 'comment':
          this.counts.comments++;
          for (let k = 0; k < count; k++) windows[k]!.comments++;
          break;
        case 'join': {
          this.counts.joins++;
          const prev = this.openVisits.get(e.viewerId);
          if (prev !== undefined) this.openJoinSum -= prev; // a second join without a leave restarts the visit
          this.openVisits.set(e.viewerId, ts);
          this.openJoinSum += ts;
          for (let k = 0; k < count; k++) {
            const w = windows[k]!;
            w.joins++;
            w.joinSum += ts;
          }
          break;
        }
        case 'leave': {
          this.counts.leaves++;
          const joined = this.openVisits.get(e.viewerId);
          for (let k = 0; k < count; k++) windows[k]!.leaves++;
          if (joined !== undefined) {
            this.openVisits.delete(e.viewerId);
            this.openJoinSum -= joined;
            const dwell = Math.max(0, ts - joined);
            for (let k = 0; k < count; k++) {
              const w = windows[k]!;
              w.dwellMs += dwell;
              w.dwellN++;
              w.leftJoinSum += joined;
            }
          }
          break;
        }
      }
    }
    windows.fill(this.total); // drop references to this batch's windows
    return delta;
  }

  /** Status changes of stored orders (see OrderChange): windows at the change's time, attribution at the order's. */
  applyOrderChanges(changes: OrderChange[], delta: RollupDelta): void {
    for (const c of changes) {
      if (c.scene === 'other') {
        this.otherOrders.orders += c.sign;
        this.otherOrders.gmv += c.sign * c.amount;
        continue;
      }
      const sec = c.ts - (c.ts % SECOND);
      const min = c.ts - (c.ts % MINUTE);
      const segment = this.segmentAt(c.ts);
      const windows = [this.total, windowIn(this.minutes, min), windowIn(delta.seconds, sec), windowIn(delta.minutes, min)];
      if (segment) {
        windows.push(segment.window);
        segment.version++;
      }
      for (const w of windows) {
        w.touch(this.cumulative, c.ts);
        w.orders += c.sign;
        w.gmv += c.sign * c.amount;
      }
      if (c.productKey) {
        // the per-product minute rollup (#17) follows the order's own time, as the raw rows it stands for do (#11)
        const t = c.origTs - (c.origTs % MINUTE);
        const sku = c.productKey.startsWith('sku:') ? c.productKey.slice(4) : '';
        const minute = productsIn(delta.productMinutes, t);
        const productMinute = minute.get(c.productKey) ?? { t, productKey: sku ? '' : c.productKey, sku, orders: 0, gmv: 0 };
        productMinute.orders += c.sign;
        productMinute.gmv += c.sign * c.amount;
        minute.set(c.productKey, productMinute);
        const productTotal = this.productOrders.get(c.productKey) ?? { orders: 0, gmv: 0 };
        productTotal.orders += c.sign;
        productTotal.gmv += c.sign * c.amount;
        this.productOrders.set(c.productKey, productTotal);
        const at = this.segmentAt(c.origTs);
        if (at && String(at.segment.productId) === c.productKey) {
          at.productOrders += c.sign;
          at.productGmv += c.sign * c.amount;
          at.version++;
        }
      }
    }
  }

  private applyReading(e: Extract<MetricEvent, { type: 'reading' }>, windows: CounterWindow[], count: number, delta: RollupDelta): void {
    this.counts.readings++;
    const cumulative = this.cumulative;
    if (e.viewersUv !== undefined && e.viewersUv > cumulative.viewersUv) cumulative.viewersUv = e.viewersUv;
    if (e.viewsPv !== undefined && e.viewsPv > cumulative.viewsPv) cumulative.viewsPv = e.viewsPv;
    if (e.products) {
      for (const p of e.products) {
        const key = String(p.productId);
        const old = this.products.get(key) ?? { exposureUv: 0, clickUv: 0, payUv: 0, gmv: 0 };
        const next = {
          exposureUv: p.exposureUv ?? old.exposureUv,
          clickUv: p.clickUv ?? old.clickUv,
          payUv: p.payUv ?? old.payUv,
          gmv: p.gmv ?? old.gmv,
        };
        cumulative.exposureUv += next.exposureUv - old.exposureUv;
        cumulative.clickUv += next.clickUv - old.clickUv;
        cumulative.payUv += next.payUv - old.payUv;
        cumulative.readingsGmv += next.gmv - old.gmv;
        this.products.set(key, next);
        delta.products.set(key, { ...next, ts: e.ts });
      }
    }
    const sec = e.ts - (e.ts % SECOND);
    for (let k = 0; k < count; k++) {
      const w = windows[k]!;
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
      w.latest.viewersUv = cumulative.viewersUv;
      w.latest.viewsPv = cumulative.viewsPv;
      w.latest.exposureUv = cumulative.exposureUv;
      w.latest.clickUv = cumulative.clickUv;
      w.latest.payUv = cumulative.payUv;
      w.latest.readingsGmv = cumulative.readingsGmv;
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
    const w = new CounterWindow();
    let before: Cumulative | null = null;
    // walk back (at most two hours of empty minutes) for the cumulative state before the window
    for (let t = from - MINUTE, n = 0; n < 120; t -= MINUTE, n++) {
      const m = this.minutes.get(t);
      if (m && m.readings > 0) {
        before = m.latest;
        break;
      }
    }
    let base: Cumulative | null = null;
    let top: Cumulative | null = null;
    for (let t = from; t < to; t += MINUTE) {
      const m = this.minutes.get(t);
      if (!m) continue;
      if (base === null) base = before ?? m.atStart ?? zeroCumulative();
      if (m.readings > 0) top = m.latest;
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
    w.atStart = base ?? zeroCumulative();
    w.latest = top ?? w.atStart;
    return w.counters(from, to);
  }

  /** the last minute before t that had readings */
  minuteBefore(t: number): CounterWindow | null {
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
function windowIn(map: Map<number, CounterWindow>, t: number): CounterWindow {
  let w = map.get(t);
  if (!w) {
    w = new CounterWindow();
    map.set(t, w);
  }
  return w;
}
