// WeChat Channels live dashboard polling (getlivelist / getlivedata) and WeChat Shop orders (order list + get) for
// attribution to products, over the WeChat API client (electron/core/wechat/api.ts). errcode/errmsg reach the user;
// quota errors back off. Field names follow the published API (see docs/metrics.md for the mapping and the ones we
// could not confirm).
import type { MetricEvent, ORDER_STATUSES, SourceName } from '../../../../shared/protocol/metrics.ts';
import type { MetricsSource, SourceContext, SourceStatus } from './source.ts';
import { QUOTA_ERRCODES, WechatApiClient, WechatApiError, parseWechatJson } from '../../wechat/api.ts';
import { explainErrcode } from '../../wechat/errors.ts';

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

/**
 * WeChat Shop order status → protocol status. doc/store/API/order/get.html (OrderStatus): 10 待付款, 12 礼物待收下,
 * 13 凑单买凑团中, 20 待发货（包括部分发货）, 21 部分发货, 30 待收货, 100 完成, 190 已取消 (issue #11's reading of the
 * same page), 200 全部商品售后之后订单取消, 250 未付款用户主动取消或超时未付款订单自动取消. Unknown codes stay 'created'
 * (not counted, fetched again), never 'paid'.
 */
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
    case 190:
    case 250:
      return 'cancelled';
    default:
      return 'created';
  }
}

/**
 * cancel_type of channels_ec_order_cancel (doc/store/API/order/callback/channels_ec_order_cancel.html):
 * 1 用户取消, 2 超时取消, 3 全部商品售后完成，订单取消 → a paid order refunded in full.
 */
export function cancelStatus(cancelType: unknown): 'cancelled' | 'refunded' {
  return Number(cancelType) === 3 ? 'refunded' : 'cancelled';
}

/**
 * order_detail.ext_info.order_scene (doc/store/API/order/get.html, OrderExtInfo): 1 其他, 2 直播间, 3 短视频,
 * 4 商品分享, 5 商品橱窗主页, 6 公众号文章商品卡片. Only 2 is the live room. An order without ext_info (older
 * accounts, generic ingest) is ASSUMED to be the room's: see docs/metrics.md.
 */
export const LIVE_ORDER_SCENE = 2;

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
  // No PV: the API gives gmv_per_thousand_cumulative_watch_pv (GPM) but no watch PV, and the GPM's unit (元 or 分) is
  // not documented, so GMV ÷ GPM × 1000 could be off 100× (#11). PV stays unknown rather than wrong.
  return {
    type: 'reading',
    ts,
    online: int(summary.online_audience_count),
    viewersUv: int(summary.cumulative_audience_count) ?? int(dashSummary.new_watch_uv),
    avgWatchSeconds: num(summary.average_watch_seconds_per_audience) ?? num(dashSummary.average_watch_seconds_per_audience),
    products,
  };
}

export interface PollerOptions {
  exportId?: string;
  liveId?: string;
  finderId?: string;
  pollSeconds?: number;
}

/** The two halves of the API: live data needs the 视频号助手 account, orders the 微信小店 account; either may be missing. */
export interface PollerClients {
  live: WechatApiClient | null;
  shop: WechatApiClient | null;
}

/** Polls getlivedata (视频号助手) and the shop's orders (微信小店); each half runs only when its account is set. */
export class WechatApiPoller implements MetricsSource {
  readonly name: SourceName = 'wechat-api';
  private readonly ctx: SourceContext;
  private readonly clients: PollerClients;
  private readonly options: PollerOptions;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private state: SourceStatus = { state: 'idle', message: null };
  private failures = 0;
  private exportId: string | undefined;
  /** order id → the status last ingested (an order listed as updated is fetched again; same status → nothing) */
  private readonly known = new Map<string, string>();
  private readonly unpaid = new Set<string>();
  private sessionStartSec = 0;
  private ordersSince = 0;

  constructor(ctx: SourceContext, clients: PollerClients | WechatApiClient, options: PollerOptions = {}) {
    this.ctx = ctx;
    this.clients = clients instanceof WechatApiClient ? { live: clients, shop: clients } : clients;
    this.options = options;
    this.exportId = options.exportId;
  }

  get intervalMs(): number {
    return (this.options.pollSeconds ?? 10) * 1000;
  }

  /** which account is missing, so the dashboard can say which half is not read */
  missing(): ('channels' | 'shop')[] {
    return [...(this.clients.live ? [] : (['channels'] as const)), ...(this.clients.shop ? [] : (['shop'] as const))];
  }

  start(): void {
    this.stopped = false;
    this.sessionStartSec = Math.floor((this.ctx.session().startedAt ?? this.ctx.now()) / 1000);
    this.ordersSince = this.sessionStartSec;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.state = { state: 'idle', message: null, ...this.missingPart() };
  }

  status(): SourceStatus {
    return this.state;
  }

  sizes(): Record<string, number> {
    return { knownOrders: this.known.size, unpaidOrders: this.unpaid.size };
  }

  private missingPart(): { missing?: ('channels' | 'shop')[] } {
    const m = this.missing();
    return m.length ? { missing: m } : {};
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
      this.state = { state: 'running', message: this.exportId ? `export_id ${this.exportId.slice(0, 12)}…` : null, ...this.missingPart() };
      this.schedule(this.intervalMs);
    } catch (error) {
      this.failures++;
      const e = error as Error;
      const help = error instanceof WechatApiError ? explainErrcode(error.errcode, error.account) : null;
      const text = help ? `${help.zh} / ${help.en} (${e.message})` : e.message;
      if (error instanceof WechatApiError && QUOTA_ERRCODES.has(error.errcode)) {
        // exponential backoff on quota/busy errors, up to 10 minutes
        const wait = Math.min(600_000, this.intervalMs * 2 ** Math.min(6, this.failures));
        this.state = { state: 'backoff', message: `${text}; 等待 ${Math.round(wait / 1000)} s 后重试 / retrying in ${Math.round(wait / 1000)} s`, errcode: error.errcode, ...this.missingPart() };
        this.schedule(wait);
      } else {
        this.state = { state: 'error', message: text, ...(error instanceof WechatApiError ? { errcode: error.errcode } : {}), ...this.missingPart() };
        this.schedule(Math.min(300_000, this.intervalMs * 2 ** Math.min(4, this.failures)));
      }
      this.ctx.log(`metrics: wechat-api: ${e.message}`);
    }
  }

  /** One round: find the live, read its dashboard, fetch new and changed orders; everything read goes in as one batch. */
  async pollOnce(): Promise<number> {
    const now = this.ctx.now();
    const events: MetricEvent[] = [];
    if (this.clients.live) {
      if (!this.exportId) this.exportId = await findLive(this.clients.live, now);
      if (this.exportId) {
        const data = await this.clients.live.call('/channels/livedashboard/getlivedata', { export_id: this.exportId });
        events.push(readingFromLiveData(data, now, (spu) => this.productRef(spu)));
      }
    }
    if (this.clients.shop) events.push(...(await this.changedOrders(this.clients.shop, now)));
    if (events.length) this.ctx.ingest(events);
    return events.length;
  }

  private productRef(spuId: string): number | string {
    return this.ctx.productBySku(spuId)?.id ?? `wx:${spuId}`;
  }

  /**
   * Orders updated since the last round (update_time_range, doc/store/API/order/list_get.html): new orders and status
   * changes (paid, refunded, cancelled) alike. Orders created before the session are not the session's.
   */
  private async changedOrders(shop: WechatApiClient, now: number): Promise<MetricEvent[]> {
    const ids: string[] = [];
    let nextKey: string | undefined;
    const end = Math.floor(now / 1000);
    for (let page = 0; page < 20; page++) {
      const out = await shop.call('/channels/ec/order/list/get', {
        update_time_range: { start_time: this.ordersSince - 60, end_time: end },
        page_size: 100,
        ...(nextKey ? { next_key: nextKey } : {}),
      });
      for (const id of Array.isArray(out.order_id_list) ? out.order_id_list : []) ids.push(String(id));
      nextKey = typeof out.next_key === 'string' && out.next_key ? out.next_key : undefined;
      if (!out.has_more || !nextKey) break;
    }
    const events: MetricEvent[] = [];
    // unpaid orders are looked at again each round (WeChat lists an order as updated when it is paid, but the
    // update may fall between two windows)
    for (const id of [...new Set([...ids, ...this.unpaid])].slice(0, 200)) {
      const got = await fetchOrder(shop, id, (spu) => this.productRef(spu), now, this.options);
      if (!got) continue;
      if (got.createdAt !== null && got.createdAt < (this.sessionStartSec - 60) * 1000) continue;
      const { event } = got;
      if (this.known.get(id) === event.status) continue;
      // a refund or cancellation of an order already counted is applied when it happened, not at the payment time
      if (this.known.has(id) && (event.status === 'refunded' || event.status === 'cancelled')) event.ts = got.updatedAt ?? now;
      if (event.status === 'created' && !this.known.has(id)) {
        if (this.unpaid.size < 500) this.unpaid.add(id);
        continue;
      }
      this.unpaid.delete(id);
      this.known.set(id, event.status);
      events.push(event);
    }
    // the next round asks only for what changed since this one
    if (ids.length <= 200) this.ordersSince = end;
    return events;
  }
}

/**
 * getlivelist {ds} (doc/channels/API/livedashboard/getlivelist.html): live_items[] with export_id and create_time,
 * has_more + next_key for further pages; the newest live of the (Beijing) day.
 */
export async function findLive(api: WechatApiClient, now: number): Promise<string | undefined> {
  const d = new Date(now + 8 * 3600_000); // live lists are per Beijing date
  const ds = Number(`${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`);
  const items: Record<string, unknown>[] = [];
  let nextKey: string | undefined;
  for (let page = 0; page < 10; page++) {
    const out = await api.call('/channels/livedashboard/getlivelist', { ds, ...(nextKey ? { next_key: nextKey } : {}) });
    if (Array.isArray(out.live_items)) items.push(...(out.live_items as Record<string, unknown>[]));
    nextKey = typeof out.next_key === 'string' && out.next_key ? out.next_key : undefined;
    if (!out.has_more || !nextKey) break;
  }
  const newest = [...items].sort((a, b) => Number(b.create_time ?? 0) - Number(a.create_time ?? 0))[0];
  return newest?.export_id !== undefined ? String(newest.export_id) : undefined;
}

export interface FetchedOrder {
  event: Extract<MetricEvent, { type: 'order' }>;
  /** order.create_time in ms */
  createdAt: number | null;
  /** order.update_time in ms: when a refund or cancellation happened */
  updatedAt: number | null;
  /** order_detail.ext_info: order_scene, finder_id, live_id (doc/store/API/order/get.html) */
  orderScene: number | null;
  finderId: string | null;
  liveId: string | null;
}

/**
 * /channels/ec/order/get → an order (amount = price_info.order_price in fen; the first product attributes it; scene
 * from ext_info.order_scene, and a finder_id / live_id that differs from the session's makes it another room's).
 */
export async function fetchOrder(
  api: WechatApiClient,
  orderId: string,
  productRef: (spu: string) => number | string,
  fallbackTs: number,
  room: { liveId?: string; finderId?: string } = {},
): Promise<FetchedOrder | null> {
  const out = await api.call('/channels/ec/order/get', { order_id: orderId });
  const order = block(out.order);
  const detail = block(order.order_detail);
  const price = block(detail.price_info);
  const ext = block(detail.ext_info);
  const productInfos = Array.isArray(detail.product_infos) ? (detail.product_infos as unknown[]).map(block) : [];
  const first = productInfos[0];
  const amount = int(price.order_price) ?? productInfos.reduce((s, p) => s + (int(p.real_price) ?? int(p.sale_price) ?? 0), 0);
  const pay = block(detail.pay_info);
  const tsSec = int(pay.pay_time) ?? int(order.create_time);
  const created = int(order.create_time);
  const orderScene = int(ext.order_scene) ?? null;
  const finderId = ext.finder_id !== undefined && ext.finder_id !== '' ? String(ext.finder_id) : null;
  const liveId = ext.live_id !== undefined && ext.live_id !== '' && String(ext.live_id) !== '0' ? String(ext.live_id) : null;
  const otherRoom = (room.liveId && liveId && liveId !== room.liveId) || (room.finderId && finderId && finderId !== room.finderId);
  const live = (orderScene === null || orderScene === LIVE_ORDER_SCENE) && !otherRoom;
  return {
    event: {
      type: 'order',
      ts: tsSec ? tsSec * 1000 : fallbackTs,
      orderId: String(order.order_id ?? orderId),
      amount: amount ?? 0,
      status: orderStatus(order.status),
      scene: live ? 'live' : 'other',
      ...(first?.product_id !== undefined ? { productId: productRef(String(first.product_id)) } : { sku: 'unknown' }),
    },
    createdAt: created ? created * 1000 : null,
    updatedAt: int(order.update_time) ? int(order.update_time)! * 1000 : null,
    orderScene,
    finderId,
    liveId,
  };
}
