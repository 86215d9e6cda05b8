// Small, complete values of the core's types for component tests (money in fen, times in epoch ms).
import type { LineupItem, Product, SessionState, Snapshot } from '../../../shared/domain.ts';
import type { Figures } from '../../../shared/metrics/formulas.ts';
import type { MetricsSnapshot, MetricsTick } from '../../../shared/protocol/metrics.ts';

/** 2026-06-18 20:00 local: the tests' "now" */
export const T0 = new Date(2026, 5, 18, 20, 0, 0).getTime();

export function product(id: number, fields: Partial<Product> = {}): Product {
  return {
    id,
    title: `商品${id}`,
    price: 9900,
    livePrice: null,
    sku: null,
    stock: null,
    imageUrl: null,
    sellingPoints: [],
    coupon: null,
    link: null,
    hot: false,
    createdAt: T0 - 86_400_000,
    updatedAt: T0 - 86_400_000,
    ...fields,
  };
}

/** a live session with one lineup row per product, nothing pinned yet */
export function liveSession(id: number, products: Product[], fields: Partial<SessionState> = {}): SessionState {
  const lineup: LineupItem[] = products.map((p, i) => ({
    id: id * 100 + i + 1,
    sessionId: id,
    productId: p.id,
    position: i,
    plannedMinutes: 5,
    talkingPoints: '',
    notes: '',
  }));
  return {
    id,
    title: `场次${id}`,
    status: 'live',
    plannedStart: null,
    startedAt: T0 - 600_000,
    endedAt: null,
    createdAt: T0 - 3_600_000,
    lineupCount: lineup.length,
    lineup,
    pinned: null,
    segment: null,
    next: lineup[0] ?? null,
    segmentsCount: 0,
    ...fields,
  };
}

/** the session with a lineup row pinned since `at` (what the core answers session.pin with, via session.changed) */
export function pinnedAt(session: SessionState, products: Product[], itemId: number, at: number): SessionState {
  const i = session.lineup.findIndex((x) => x.id === itemId);
  const item = session.lineup[i]!;
  return {
    ...session,
    pinned: products.find((p) => p.id === item.productId)!,
    segment: {
      id: session.segmentsCount + 1,
      sessionId: session.id,
      productId: item.productId,
      lineupItemId: item.id,
      startedAt: at,
      endedAt: null,
    },
    next: session.lineup[i + 1] ?? null,
    segmentsCount: session.segmentsCount + 1,
  };
}

export function snapshot(products: Product[], active: SessionState[], fields: Partial<Snapshot> = {}): Snapshot {
  return {
    version: 'test',
    serverTime: T0,
    products,
    sessions: active.map(({ lineup, pinned: _p, segment: _s, next: _n, segmentsCount: _c, ...summary }) => ({
      ...summary,
      lineupCount: lineup.length,
    })),
    active,
    templates: [],
    ext: { desk: { currentSessionId: active[0]?.id ?? null, prompter: null } },
    ...fields,
  };
}

export function figures(fields: Partial<Figures> = {}): Figures {
  return {
    onlineNow: 0,
    peakOnline: 0,
    averageOnline: null,
    viewersUv: 0,
    viewsPv: 0,
    newViewersPerMinute: 0,
    averageDwell: { seconds: null, method: 'none', estimate: true },
    exposureUv: 0,
    clickUv: 0,
    payUv: 0,
    productCtr: null,
    clickToPay: null,
    viewerConversion: null,
    gmv: 0,
    gmvSource: 'orders',
    gpm: { value: null, pv: 0 },
    uvValue: null,
    averageOrderValue: null,
    orders: 0,
    comments: 0,
    joins: 0,
    leaves: 0,
    ...fields,
  };
}

const COUNTS = { readings: 0, orders: 0, comments: 0, joins: 0, leaves: 0 };

/** what metrics.snapshot answers for a session with these session figures */
export function metricsSnapshot(sessionId: number, session: Figures): MetricsSnapshot {
  const zero = figures();
  return {
    sessionId,
    provisional: true,
    source: 'wechat-api',
    sourceStatus: { state: 'running', message: null },
    computedAt: T0,
    lastEventAt: T0,
    session,
    segment: null,
    segments: [],
    last10: {
      last: zero,
      previous: zero,
      change: { newViewersPerMinute: null, gmv: null, viewerConversion: null, averageOnline: null, orders: null },
    },
    online60sAgo: null,
    counts: COUNTS,
    alerts: [],
  };
}

/** a once-a-second metrics.tick with these session figures */
export function metricsTick(sessionId: number, session: Figures, ts = T0): MetricsTick {
  return {
    sessionId,
    ts,
    source: 'wechat-api',
    sourceStatus: { state: 'running', message: null },
    session,
    segment: null,
    alerts: [],
    online: [],
    minute: null,
    counts: COUNTS,
  };
}
