// WeChat Channels official API: stable access token, live dashboard polling (getlivelist / getlivedata) and WeChat Shop
// orders (order list + get) for attribution to products. errcode/errmsg reach the user; quota errors back off.
// Field names follow the published API (see docs/metrics.md for the mapping and the ones we could not confirm).
import type { MetricEvent, ORDER_STATUSES, SourceName } from '../../../../shared/protocol/metrics.ts';
import type { MetricsSource, SourceContext, SourceStatus } from './source.ts';

export const DEFAULT_API_BASE = 'https://api.weixin.qq.com';

/** errcodes that mean "slow down": daily/minute quota, frequency limits, system busy */
export const QUOTA_ERRCODES: ReadonlySet<number> = new Set([45009, 45011, 45047, 45033, -1]);
/** errcodes that mean the token is no longer good: fetch a new one and retry once */
const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

export class WechatApiError extends Error {
  readonly errcode: number;
  readonly errmsg: string;
  constructor(errcode: number, errmsg: string, path: string) {
    super(`微信接口错误 WeChat API ${path}: errcode ${errcode} ${errmsg}`);
    this.errcode = errcode;
    this.errmsg = errmsg;
  }
}

export interface WechatApiConfig {
  appId: string;
  secret: string;
  base: string;
  now?: () => number;
  fetch?: typeof fetch;
}

/**
 * JSON.parse that keeps long integers (order ids in order_info and order_id_list, spu ids …) as their exact digits:
 * WeChat sends them as bare numbers beyond 2^53. Any bare integer of 16+ digits becomes a string before parsing.
 */
export function parseWechatJson(text: string): unknown {
  return JSON.parse(text.replace(/([[:,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2"'));
}

export class WechatApiClient {
  private readonly config: WechatApiConfig;
  private token: { value: string; expiresAt: number } | null = null;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;

  constructor(config: WechatApiConfig) {
    this.config = { ...config, base: config.base.replace(/\/+$/, '') };
    this.now = config.now ?? Date.now;
    this.fetch = config.fetch ?? fetch;
  }

  private async post(path: string, body: unknown, query = ''): Promise<Record<string, unknown>> {
    const res = await this.fetch(`${this.config.base}${path}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = parseWechatJson(text);
    } catch {
      throw new WechatApiError(-2, `HTTP ${res.status}: not JSON`, path);
    }
    if (parsed === null || typeof parsed !== 'object') throw new WechatApiError(-2, `HTTP ${res.status}: unexpected answer`, path);
    const out = parsed as Record<string, unknown>;
    const errcode = typeof out.errcode === 'number' ? out.errcode : 0;
    if (errcode !== 0) throw new WechatApiError(errcode, String(out.errmsg ?? ''), path);
    if (!res.ok) throw new WechatApiError(-2, `HTTP ${res.status}`, path);
    return out;
  }

  /** Stable access token (POST /cgi-bin/stable_token), renewed 5 minutes before it expires. */
  async accessToken(force = false): Promise<string> {
    if (!force && this.token && this.now() < this.token.expiresAt) return this.token.value;
    const out = await this.post('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: this.config.appId,
      secret: this.config.secret,
      force_refresh: false,
    });
    const value = typeof out.access_token === 'string' ? out.access_token : '';
    const expiresIn = typeof out.expires_in === 'number' ? out.expires_in : 7200;
    if (!value) throw new WechatApiError(-2, 'stable_token answered without access_token', '/cgi-bin/stable_token');
    this.token = { value, expiresAt: this.now() + Math.max(60, expiresIn - 300) * 1000 };
    return value;
  }

  /** An API call with the token in the query; an expired/invalid token is renewed once. */
  async call(path: string, body: unknown): Promise<Record<string, unknown>> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken(attempt > 0);
      try {
        return await this.post(path, body, `?access_token=${encodeURIComponent(token)}`);
      } catch (error) {
        if (attempt === 0 && error instanceof WechatApiError && TOKEN_ERRCODES.has(error.errcode)) {
          this.token = null;
          continue;
        }
        throw error;
      }
    }
  }
}

/** A getlivedata block may arrive as an object or as a JSON string (both are seen in the wild). */
function block(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') {
    try {
      const parsed = parseWechatJson(v);
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
};
const int = (v: unknown): number | undefined => {
  const n = num(v);
  return n === undefined ? undefined : Math.round(n);
};

/** WeChat Shop order status → protocol status (10 待付款, 20/21 待发货, 30 待收货, 100 完成, 200 售后取消, 250 取消). */
export function orderStatus(code: unknown): (typeof ORDER_STATUSES)[number] {
  switch (Number(code)) {
    case 20:
    case 21:
      return 'paid';
    case 30:
      return 'shipped';
    case 100:
      return 'completed';
    case 200:
      return 'refunded';
    case 250:
      return 'cancelled';
    default:
      return 'created';
  }
}

/** getlivedata → one reading: live_ec_data_summary for the room, single_live_ec_spu_data_page_v2 for products. */
export function readingFromLiveData(data: Record<string, unknown>, ts: number, productRef: (spuId: string) => number | string): MetricEvent {
  const summary = block(data.live_ec_data_summary);
  const dashboard = block(block(data.live_dashboard_data).live_dashboard_data ?? data.live_dashboard_data);
  const dashSummary = block(dashboard.summary);
  const spuPage = block(data.single_live_ec_spu_data_page_v2);
  const list = Array.isArray(spuPage.spu_data_list) ? (spuPage.spu_data_list as unknown[]) : [];
  const products = list.slice(0, 500).flatMap((raw) => {
    const p = block(raw);
    const base = block(p.base_data);
    const id = base.src_spu_id ?? base.spu_id;
    if (id === undefined || id === null || String(id) === '') return [];
    return [{ productId: productRef(String(id)), exposureUv: int(p.exp_uv), clickUv: int(p.clk_uv), payUv: int(p.pay_uv), gmv: int(p.gmv) }];
  });
  const totalGmv = num(summary.total_gmv);
  const gpmValue = num(summary.gmv_per_thousand_cumulative_watch_pv);
  // the API gives GPM, not PV: PV = GMV ÷ GPM × 1000 (documented as derived)
  const pv = totalGmv && gpmValue ? Math.round((totalGmv / gpmValue) * 1000) : undefined;
  return {
    type: 'reading',
    ts,
    online: int(summary.online_audience_count),
    viewersUv: int(summary.cumulative_audience_count) ?? int(dashSummary.new_watch_uv),
    viewsPv: pv,
    avgWatchSeconds: num(summary.average_watch_seconds_per_audience) ?? num(dashSummary.average_watch_seconds_per_audience),
    products,
  };
}

export interface PollerOptions {
  exportId?: string;
  pollSeconds?: number;
}

export class WechatApiPoller implements MetricsSource {
  readonly name: SourceName = 'wechat-api';
  private readonly ctx: SourceContext;
  private readonly api: WechatApiClient;
  private readonly options: PollerOptions;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private state: SourceStatus = { state: 'idle', message: null };
  private failures = 0;
  private exportId: string | undefined;
  private readonly seenOrders = new Set<string>();
  private ordersSince = 0;

  constructor(ctx: SourceContext, api: WechatApiClient, options: PollerOptions = {}) {
    this.ctx = ctx;
    this.api = api;
    this.options = options;
    this.exportId = options.exportId;
  }

  get intervalMs(): number {
    return (this.options.pollSeconds ?? 10) * 1000;
  }

  start(): void {
    this.stopped = false;
    this.ordersSince = Math.floor((this.ctx.session().startedAt ?? this.ctx.now()) / 1000);
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.state = { state: 'idle', message: null };
  }

  status(): SourceStatus {
    return this.state;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    try {
      await this.pollOnce();
      this.failures = 0;
      this.state = { state: 'running', message: this.exportId ? `export_id ${this.exportId.slice(0, 12)}…` : null };
      this.schedule(this.intervalMs);
    } catch (error) {
      this.failures++;
      const e = error as Error;
      if (error instanceof WechatApiError && QUOTA_ERRCODES.has(error.errcode)) {
        // exponential backoff on quota/busy errors, up to 10 minutes
        const wait = Math.min(600_000, this.intervalMs * 2 ** Math.min(6, this.failures));
        this.state = { state: 'backoff', message: `${e.message}; 等待 ${Math.round(wait / 1000)} s 后重试 / retrying in ${Math.round(wait / 1000)} s`, errcode: error.errcode };
        this.schedule(wait);
      } else {
        this.state = { state: 'error', message: e.message, ...(error instanceof WechatApiError ? { errcode: error.errcode } : {}) };
        this.schedule(Math.min(300_000, this.intervalMs * 2 ** Math.min(4, this.failures)));
      }
      this.ctx.log(`metrics: wechat-api: ${e.message}`);
    }
  }

  /** One round: find the live, read its dashboard, fetch new orders; everything it read goes in as one batch. */
  async pollOnce(): Promise<number> {
    const now = this.ctx.now();
    if (!this.exportId) this.exportId = await this.findLive(now);
    const events: MetricEvent[] = [];
    if (this.exportId) {
      const data = await this.api.call('/channels/livedashboard/getlivedata', { export_id: this.exportId });
      events.push(readingFromLiveData(data, now, (spu) => this.productRef(spu)));
    }
    events.push(...(await this.newOrders(now)));
    if (events.length) this.ctx.ingest(events);
    return events.length;
  }

  private async findLive(now: number): Promise<string | undefined> {
    const d = new Date(now + 8 * 3600_000); // live lists are per Beijing date
    const ds = Number(`${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`);
    const out = await this.api.call('/channels/livedashboard/getlivelist', { ds });
    const items = Array.isArray(out.live_items) ? (out.live_items as Record<string, unknown>[]) : [];
    const newest = [...items].sort((a, b) => Number(b.create_time ?? 0) - Number(a.create_time ?? 0))[0];
    return newest?.export_id !== undefined ? String(newest.export_id) : undefined;
  }

  private productRef(spuId: string): number | string {
    return this.ctx.productBySku(spuId)?.id ?? `wx:${spuId}`;
  }

  private async newOrders(now: number): Promise<MetricEvent[]> {
    const ids: string[] = [];
    let nextKey: string | undefined;
    const end = Math.floor(now / 1000);
    for (let page = 0; page < 20; page++) {
      const out = await this.api.call('/channels/ec/order/list/get', {
        create_time_range: { start_time: this.ordersSince - 60, end_time: end },
        page_size: 100,
        ...(nextKey ? { next_key: nextKey } : {}),
      });
      for (const id of Array.isArray(out.order_id_list) ? out.order_id_list : []) {
        const key = String(id);
        if (!this.seenOrders.has(key)) ids.push(key);
      }
      nextKey = typeof out.next_key === 'string' ? out.next_key : undefined;
      if (!out.has_more || !nextKey) break;
    }
    const events: MetricEvent[] = [];
    for (const id of ids.slice(0, 200)) {
      const event = await fetchOrder(this.api, id, (spu) => this.productRef(spu), now);
      if (!event) continue;
      if (event.type === 'order' && event.status === 'created') continue; // unpaid: fetched again next round
      this.seenOrders.add(id);
      events.push(event);
    }
    return events;
  }
}

/** /channels/ec/order/get → an order event (amount = order_price in fen; the first product attributes it). */
export async function fetchOrder(
  api: WechatApiClient,
  orderId: string,
  productRef: (spu: string) => number | string,
  fallbackTs: number,
): Promise<MetricEvent | null> {
  const out = await api.call('/channels/ec/order/get', { order_id: orderId });
  const order = block(out.order);
  const detail = block(order.order_detail);
  const price = block(detail.price_info);
  const productInfos = Array.isArray(detail.product_infos) ? (detail.product_infos as unknown[]).map(block) : [];
  const first = productInfos[0];
  const amount = int(price.order_price) ?? productInfos.reduce((s, p) => s + (int(p.real_price) ?? int(p.sale_price) ?? 0), 0);
  const pay = block(detail.pay_info);
  const tsSec = int(pay.pay_time) ?? int(order.create_time);
  return {
    type: 'order',
    ts: tsSec ? tsSec * 1000 : fallbackTs,
    orderId: String(order.order_id ?? orderId),
    amount: amount ?? 0,
    status: orderStatus(order.status),
    ...(first?.product_id !== undefined ? { productId: productRef(String(first.product_id)) } : { sku: 'unknown' }),
  };
}
