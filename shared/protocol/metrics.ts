// Metrics domain of the protocol: ingest events, the live snapshot, chart series, sources, alerts, and the 1 Hz tick.
import { z } from 'zod';
import type { Alert, AlertConfig, Comparison, Figures } from '../metrics/formulas.ts';
import { count, epochMs, fen, id, MAX_COUNT, MAX_EPOCH_MS, MAX_FEN } from './fields.ts';

/** a LiveCue product id (number) or a source's own product id (string, e.g. a WeChat spu id; kept as text) */
const productRef = z.union([id, z.string().trim().min(1).max(64)]);

export const ProductReading = z.strictObject({
  productId: productRef,
  exposureUv: count.optional(),
  clickUv: count.optional(),
  payUv: count.optional(),
  /** fen */
  gmv: fen.optional(),
});

/** Readings carry the source's cumulative counters since the session started (as WeChat reports them). */
export const ReadingEvent = z.strictObject({
  type: z.literal('reading'),
  ts: epochMs,
  online: count.optional(),
  viewersUv: count.optional(),
  viewsPv: count.optional(),
  avgWatchSeconds: z.number().min(0).max(1e7).optional(),
  products: z.array(ProductReading).max(500).optional(),
});

export const ORDER_STATUSES = ['created', 'paid', 'shipped', 'completed', 'cancelled', 'refunded'] as const;
export const ORDER_SCENES = ['live', 'other'] as const;
/** statuses whose amount counts toward GMV */
export const GMV_STATUSES: ReadonlySet<string> = new Set(['paid', 'shipped', 'completed']);

export const OrderEvent = z
  .strictObject({
    type: z.literal('order'),
    ts: epochMs,
    /** WeChat order ids exceed 2^53: always a string of the id's digits (or the source's own text id) */
    orderId: z.string().trim().min(1).max(64),
    /** fen */
    amount: fen,
    productId: productRef.optional(),
    sku: z.string().trim().min(1).max(64).optional(),
    status: z.enum(ORDER_STATUSES).default('paid'),
    /** where the buyer ordered: 'live' = this live room (WeChat order_scene 2), 'other' = 橱窗/短视频/公众号… during the
     * session, kept apart (非直播间成交); default live */
    scene: z.enum(ORDER_SCENES).optional(),
  })
  .refine((o) => o.productId !== undefined || o.sku !== undefined, 'an order needs productId or sku');

export const CommentEvent = z.strictObject({ type: z.literal('comment'), ts: epochMs, text: z.string().max(2000) });
export const JoinEvent = z.strictObject({ type: z.literal('join'), ts: epochMs, viewerId: z.string().min(1).max(128) });
export const LeaveEvent = z.strictObject({ type: z.literal('leave'), ts: epochMs, viewerId: z.string().min(1).max(128) });

export const MetricEvent = z.discriminatedUnion('type', [ReadingEvent, OrderEvent, CommentEvent, JoinEvent, LeaveEvent]);
export type MetricEventInput = z.input<typeof MetricEvent>;
export type MetricEvent = z.output<typeof MetricEvent>;

export const MAX_BATCH = 50_000;

const ZodEvents = z.array(MetricEvent);

/**
 * Fast path of ingest validation (~10× zod's speed at 100k+ events/s): accepts only events that are plainly valid
 * under the schemas above and answers null for anything else, which then goes through zod for the verdict and the
 * error message. It never accepts what zod would reject.
 */
export function fastEvents(input: readonly unknown[]): MetricEvent[] | null {
  const out: MetricEvent[] = new Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const e = input[i] as Record<string, unknown>;
    if (e === null || typeof e !== 'object' || Array.isArray(e)) return null;
    if (!isEpoch(e.ts)) return null;
    switch (e.type) {
      case 'order': {
        if (!onlyKeys(e, ORDER_KEYS) || !cleanText(e.orderId, 64) || !isFen(e.amount)) return null;
        if (e.productId === undefined && e.sku === undefined) return null;
        if (e.productId !== undefined && !isRef(e.productId)) return null;
        if (e.sku !== undefined && !cleanText(e.sku, 64)) return null;
        if (e.scene !== undefined && e.scene !== 'live' && e.scene !== 'other') return null;
        if (e.status === undefined) out[i] = { ...(e as object), status: 'paid' } as MetricEvent;
        else if (!STATUS_SET.has(e.status as string)) return null;
        else out[i] = e as unknown as MetricEvent;
        break;
      }
      case 'reading': {
        if (!onlyKeys(e, READING_KEYS)) return null;
        if ((e.online !== undefined && !isCount(e.online)) || (e.viewersUv !== undefined && !isCount(e.viewersUv)) || (e.viewsPv !== undefined && !isCount(e.viewsPv))) return null;
        if (e.avgWatchSeconds !== undefined && !(typeof e.avgWatchSeconds === 'number' && e.avgWatchSeconds >= 0 && e.avgWatchSeconds <= 1e7)) return null;
        if (e.products !== undefined) {
          if (!Array.isArray(e.products) || e.products.length > 500) return null;
          for (const p of e.products as Record<string, unknown>[]) {
            if (p === null || typeof p !== 'object' || !onlyKeys(p, PRODUCT_KEYS) || !isRef(p.productId)) return null;
            if ((p.exposureUv !== undefined && !isCount(p.exposureUv)) || (p.clickUv !== undefined && !isCount(p.clickUv)) || (p.payUv !== undefined && !isCount(p.payUv)) || (p.gmv !== undefined && !isFen(p.gmv))) return null;
          }
        }
        out[i] = e as unknown as MetricEvent;
        break;
      }
      case 'join':
      case 'leave':
        if (!onlyKeys(e, PRESENCE_KEYS) || typeof e.viewerId !== 'string' || e.viewerId.length < 1 || e.viewerId.length > 128) return null;
        out[i] = e as unknown as MetricEvent;
        break;
      case 'comment':
        if (!onlyKeys(e, COMMENT_KEYS) || typeof e.text !== 'string' || e.text.length > 2000) return null;
        out[i] = e as unknown as MetricEvent;
        break;
      default:
        return null;
    }
  }
  return out;
}

const ORDER_KEYS = new Set(['type', 'ts', 'orderId', 'amount', 'productId', 'sku', 'status', 'scene']);
const READING_KEYS = new Set(['type', 'ts', 'online', 'viewersUv', 'viewsPv', 'avgWatchSeconds', 'products']);
const PRODUCT_KEYS = new Set(['productId', 'exposureUv', 'clickUv', 'payUv', 'gmv']);
const PRESENCE_KEYS = new Set(['type', 'ts', 'viewerId']);
const COMMENT_KEYS = new Set(['type', 'ts', 'text']);
const STATUS_SET: ReadonlySet<string> = new Set(ORDER_STATUSES);
function onlyKeys(o: object, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (!allowed.has(k)) return false;
  return true;
}
const isInt = (v: unknown, max: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isEpoch = (v: unknown) => isInt(v, MAX_EPOCH_MS);
const isCount = (v: unknown) => isInt(v, MAX_COUNT);
const isFen = (v: unknown) => isInt(v, MAX_FEN);
/** text the schema would keep as is: non-empty, within the limit, nothing for trim() to remove */
const cleanText = (v: unknown, max: number): boolean => typeof v === 'string' && v.length >= 1 && v.length <= max && v.trim() === v;
const isRef = (v: unknown): boolean => (typeof v === 'number' ? v > 0 && isInt(v, Number.MAX_SAFE_INTEGER) : cleanText(v, 64));

/** ingest events: the fast path when it vouches for the batch, zod otherwise */
export const MetricEvents = z
  .array(z.unknown())
  .max(MAX_BATCH)
  .transform((arr, ctx): MetricEvent[] => {
    const fast = fastEvents(arr);
    if (fast) return fast;
    const parsed = ZodEvents.safeParse(arr);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message } as never);
    return z.NEVER;
  });

/** The two WeChat accounts LiveCue talks to: 视频号助手 (live data) and 微信小店 (orders, products, message push). */
export const WECHAT_ACCOUNTS = ['channels', 'shop'] as const;
export type WechatAccount = (typeof WECHAT_ACCOUNTS)[number];

export const SOURCES = ['simulator', 'wechat-api', 'wechat-push', 'ingest'] as const;
export type SourceName = (typeof SOURCES)[number];

export const SimulatorOptions = z.strictObject({
  seed: z.number().int().min(0).max(2 ** 31).optional(),
  /** simulated seconds per real second, 1–600 */
  timeScale: z.number().min(1).max(600).optional(),
  /** mean new viewers per second before pins and pushes */
  arrivalsPerSecond: z.number().min(0).max(1000).optional(),
  /** 'wall' (default): ×N compresses the audience, never the calendar; 'model': benchmarks only (writes ahead of now) */
  clock: z.enum(['wall', 'model']).optional(),
});
export const WechatApiOptions = z.strictObject({
  /** the live's export_id; default: the newest one getlivelist returns for today */
  exportId: z.string().max(256).optional(),
  /** the live's live_id / the 视频号's finder_id: an order whose ext_info carries a different one is not this room's */
  liveId: z.string().max(64).optional(),
  finderId: z.string().max(128).optional(),
  pollSeconds: z.number().int().min(5).max(600).optional(),
});

export const AlertConfigSchema = z.strictObject({
  onlineDropPct: z.number().min(0.01).max(1),
  onlineDropEnabled: z.boolean(),
  overrunEnabled: z.boolean(),
  conversionFactor: z.number().min(0.05).max(5),
  conversionEnabled: z.boolean(),
  conversionMinViewers: z.number().int().min(0).max(1_000_000),
  /** hysteresis (#13); older clients may leave them out (then the defaults apply) */
  minWindowSeconds: z.number().int().min(0).max(3600).optional(),
  minSamples: z.number().int().min(1).max(600).optional(),
  holdSeconds: z.number().int().min(0).max(3600).optional(),
});

export const commands = {
  'metrics.ingest': z.strictObject({ sessionId: id, events: MetricEvents }),
  'metrics.snapshot': z.strictObject({ sessionId: id }),
  'metrics.series': z.strictObject({ sessionId: id }),
  'metrics.setSource': z.strictObject({
    sessionId: id,
    source: z.enum(SOURCES),
    options: z.record(z.string(), z.unknown()).optional(),
  }),
  'metrics.setAlerts': AlertConfigSchema,
  /** tells the audience model a push went out (the push domain calls this, or emits 'push.sent') */
  'metrics.notifyPush': z.strictObject({ sessionId: id.optional(), reach: z.number().int().min(0).max(10_000_000).optional() }),
  /** WeChat credentials of one account (Settings); secrets are write-only: answers say only whether each one is set.
   * channels = 视频号助手 (live data); shop = 微信小店 (orders, products, message push). An empty secret removes it. */
  'metrics.setWechat': z.strictObject({
    account: z.enum(WECHAT_ACCOUNTS).default('shop'),
    appId: z
      .string()
      .trim()
      .max(64)
      .refine((v) => v === '' || /^wx[0-9a-zA-Z]{16}$/.test(v), 'AppID 是以 wx 开头的 18 位 / an AppID is 18 characters starting with wx')
      .optional(),
    secret: z.string().trim().max(128).optional(),
    token: z.string().trim().max(128).optional(),
    aesKey: z
      .string()
      .trim()
      .refine((k) => k === '' || /^[A-Za-z0-9+/]{43}$/.test(k), 'EncodingAESKey is 43 characters of base64')
      .optional(),
    apiBase: z
      .string()
      .trim()
      .max(300)
      .refine((u) => u === '' || /^https?:\/\/\S+$/.test(u), 'must be an http(s) URL')
      .optional(),
  }),
  'metrics.wechatInfo': z.strictObject({}),
  /** 测试连接: one real call with the account's stored credentials; the answer explains the errcode in Chinese */
  'metrics.wechatTest': z.strictObject({ account: z.enum(WECHAT_ACCOUNTS) }),
} satisfies Record<string, z.ZodType>;

/** What a view may know about one account's credentials: never the secrets themselves. */
export interface WechatAccountInfo {
  appId: string | null;
  hasSecret: boolean;
  /** shop only: message push Token / EncodingAESKey */
  hasToken: boolean;
  hasAesKey: boolean;
  /** set by environment variables (serve mode), which win over Settings */
  fromEnv: boolean;
  /** AppID and secret are both there */
  ready: boolean;
}

export interface WechatInfo {
  channels: WechatAccountInfo;
  shop: WechatAccountInfo;
  apiBase: string;
  /** the shop's values came from the deprecated LIVECUE_WECHAT_* variables */
  deprecatedEnv: boolean;
  callbackPath: string;
  /** where the secrets rest: safeStorage (desktop) or a 0600 file (serve) */
  secretStore: string;
}

export interface WechatTestResult {
  account: WechatAccount;
  ok: boolean;
  /** the API path called after the token */
  path: string;
  errcode: number | null;
  errmsg: string | null;
  /** what it means and what to do, Chinese then English */
  zh: string;
  en: string;
}

export interface SegmentFigures {
  segmentId: number;
  productId: number;
  startedAt: number;
  endedAt: number | null;
  figures: Figures;
  /** the pinned product's own funnel during the segment (exposure/click/pay UV, GMV, orders) */
  product: ProductFunnel;
}

export interface ProductFunnel {
  exposureUv: number;
  clickUv: number;
  payUv: number;
  gmv: number;
  orders: number;
  ctr: number | null;
  clickToPay: number | null;
}

export interface MetricsCounts {
  readings: number;
  orders: number;
  comments: number;
  joins: number;
  leaves: number;
}

export interface MetricsSnapshot {
  sessionId: number;
  /** live figures change until the session ends */
  provisional: boolean;
  source: SourceName;
  /** source status line, e.g. an API error with errcode/errmsg (never a secret) */
  sourceStatus: {
    state: 'idle' | 'running' | 'error' | 'backoff';
    message: string | null;
    errcode?: number;
    /** wechat-api: the account whose credentials are missing, so that half (live data or orders) is not read */
    missing?: WechatAccount[];
  };
  /** orders placed during the session outside the live room (橱窗, short videos, 公众号…): not in GMV (非直播间成交) */
  otherOrders?: { orders: number; gmv: number };
  computedAt: number;
  /** latest event time seen */
  lastEventAt: number | null;
  session: Figures;
  /** the open (pinned) segment, else the last one */
  segment: SegmentFigures | null;
  segments: SegmentFigures[];
  /** last 10 minutes vs the 10 before */
  last10: Comparison;
  online60sAgo: number | null;
  counts: MetricsCounts;
  alerts: Alert[];
}

/** A compact once-a-second update per live session: headline figures, the pinned segment, the newest chart points. */
export interface MetricsTick {
  sessionId: number;
  ts: number;
  source: SourceName;
  sourceStatus: MetricsSnapshot['sourceStatus'];
  otherOrders?: MetricsSnapshot['otherOrders'];
  session: Pick<
    Figures,
    | 'onlineNow'
    | 'peakOnline'
    | 'viewersUv'
    | 'viewsPv'
    | 'newViewersPerMinute'
    | 'averageDwell'
    | 'productCtr'
    | 'clickToPay'
    | 'viewerConversion'
    | 'gmv'
    | 'gpm'
    | 'uvValue'
    | 'averageOrderValue'
    | 'orders'
  >;
  segment: { segmentId: number; productId: number; startedAt: number; viewersUv: number; gmv: number; orders: number; viewerConversion: number | null; product: ProductFunnel } | null;
  alerts: Alert[];
  /** newest points: [time, online] per second since the last tick; the current minute's bucket */
  online: [number, number][];
  minute: SeriesMinute | null;
  counts: MetricsCounts;
}

export interface SeriesMinute {
  t: number;
  newViewers: number;
  gmv: number;
  orders: number;
  /** cumulative viewer conversion at the end of the minute */
  conversion: number | null;
}

export interface MetricsSeries {
  sessionId: number;
  /** [time, online] per second (the chart decimates) */
  online: [number, number][];
  minutes: SeriesMinute[];
  segments: { segmentId: number; productId: number; startedAt: number; endedAt: number | null }[];
}

export interface Results {
  'metrics.ingest': { stored: number; duplicates: number };
  'metrics.snapshot': MetricsSnapshot;
  'metrics.series': MetricsSeries;
  /** ready false: the source cannot run (message says why and what to do); no figures are shown until it can (#13) */
  'metrics.setSource': { sessionId: number; source: SourceName; ready: boolean; message: string | null };
  'metrics.setAlerts': AlertConfig;
  'metrics.notifyPush': { ok: true };
  'metrics.setWechat': WechatInfo;
  'metrics.wechatInfo': WechatInfo;
  'metrics.wechatTest': WechatTestResult;
}

export type Events = { type: 'metrics.tick'; tick: MetricsTick } | { type: 'metrics.alertsChanged'; config: AlertConfig };

/** snapshot.ext.metrics: what a (re)connecting view needs before the first tick */
export interface MetricsExt {
  alerts: AlertConfig;
  sources: Record<number, SourceName>;
  ticks: MetricsTick[];
}
