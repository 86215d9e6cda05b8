// The 微信小店 message push callback (GET: URL verification, POST: encrypted events), and an order event turned into an
// order of the live session: the push says only "order X did Y", so the order is fetched with the shop's API.
import type { ServerResponse } from 'node:http';
import type { MetricEvent } from '../../../shared/protocol/metrics.ts';
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import type { CoreServer } from '../server/server.ts';
import type { WechatAccounts } from '../wechat/accounts.ts';
import { cancelStatus, fetchOrder } from './sources/wechat-api.ts';
import { MAX_PUSH_BODY, ORDER_EVENTS, WechatPushReceiver, pushRequestProblem } from './sources/wechat-push.ts';

export const CALLBACK_PATH = '/wechat/shop/callback';

export interface WechatCallbackDeps {
  core: Core;
  wechat: () => WechatAccounts;
  /** the live session an order push belongs to, or null */
  target: () => number | null;
  /** the options of the session's source (liveId / finderId narrow the order look-up) */
  sourceOptions: (sessionId: number) => Record<string, unknown>;
  ingest: (sessionId: number, events: MetricEvent[]) => unknown;
}

export class WechatCallback {
  private readonly deps: WechatCallbackDeps;
  private readonly receiver: WechatPushReceiver;

  constructor(deps: WechatCallbackDeps) {
    this.deps = deps;
    this.receiver = new WechatPushReceiver(deps.core.db);
  }

  routes(server: CoreServer): void {
    const core = this.deps.core;
    const reply = (res: ServerResponse, status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    };
    server.route(
      'GET',
      CALLBACK_PATH,
      (c) => {
        const out = this.receiver.verify(this.credentials(), c.url.searchParams, core.now());
        reply(c.res, out.status, out.body);
      },
      { public: true, manual: true },
    );
    server.route(
      'POST',
      CALLBACK_PATH,
      (c) => {
        const target = this.deps.target();
        const out = this.receiver.receive(this.credentials(), c.url.searchParams, c.raw, target, core.now());
        if (out.status !== 200) core.log(`metrics: wechat push rejected (${out.status} ${out.body})`);
        reply(c.res, out.status, out.body);
        if (out.status === 200 && 'stored' in out && out.stored && out.event && target !== null) this.toOrder(target, out.event);
      },
      {
        public: true,
        raw: true,
        manual: true,
        maxBody: MAX_PUSH_BODY,
        // refused before the body is read: not configured, or no plausible signature / a stale timestamp in the query
        guard: (_req, url) => {
          const creds = this.credentials();
          if (!creds?.token || !creds.aesKey) throw new CoreError('unavailable', 'message push is not configured');
          const problem = pushRequestProblem(url.searchParams, core.now(), true);
          if (problem) throw new CoreError('unauthorized', problem);
        },
      },
    );
  }

  /** message push belongs to the 微信小店 account: its Token, EncodingAESKey and AppID (the payload's appid must match) */
  private credentials() {
    const c = this.deps.wechat().creds('shop');
    return c.token ? { token: c.token, aesKey: c.aesKey, appId: c.appId } : null;
  }

  /**
   * An order push says only "order X did Y" (doc/store/API/order/callback/*): with the shop's API credentials, fetch
   * the order for its amount, product, scene and status. A cancel with cancel_type 3 is a full refund after sale.
   */
  private toOrder(sessionId: number, event: { event: string; orderId: string | null; raw: Record<string, unknown> }): void {
    const core = this.deps.core;
    const mapped = ORDER_EVENTS[event.event];
    const api = this.deps.wechat().client('shop');
    if (!mapped || !event.orderId) return;
    if (!api) {
      core.log(`metrics: order event ${event.event} not read: the 微信小店 AppID/AppSecret is not set`);
      return;
    }
    const orderId = event.orderId;
    const info = (event.raw.order_info ?? {}) as Record<string, unknown>;
    const options = this.deps.sourceOptions(sessionId) as { liveId?: string; finderId?: string };
    void fetchOrder(api, orderId, (spu) => core.products.list().find((p) => p.sku === spu)?.id ?? `wx:${spu}`, core.now(), options)
      .then((got) => {
        if (!got) return;
        const order = { ...got.event };
        if (event.event === 'channels_ec_order_cancel' && cancelStatus(info.cancel_type) === 'refunded') order.status = 'refunded';
        // an unpaid order is not stored; the pay event brings it
        if (order.status === 'created') return;
        // a status change is counted when it happens (a refund takes GMV down at the refund's time)
        if (order.status === 'refunded' || order.status === 'cancelled') order.ts = got.updatedAt ?? core.now();
        this.deps.ingest(sessionId, [order]);
      })
      .catch((error: Error) => core.log(`metrics: order ${orderId.slice(0, 4)}… from push: ${error.message}`));
  }
}
