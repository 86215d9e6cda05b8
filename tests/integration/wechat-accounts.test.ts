// The two WeChat accounts against the document-built fake (tests/fakes/wechat-api.ts): live data with the 视频号助手
// account only, orders and push with the 微信小店 account only, both (one token cache each, 48001 across), the wrong
// AppID's push refused, live-room orders only (a 橱窗 order during the session kept apart), a refund taking GMV down,
// status 190, stable-token expiry, getlivelist's has_more; and 测试连接 explaining 48001 / 40164 in Chinese.
import { encrypt as theirEncrypt, getSignature as theirSignature } from '@wecom/crypto';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../electron/core/host.ts';
import { MetricsModule } from '../../electron/core/metrics/module.ts';
import { reviewModule } from '../helpers/review.ts';
import { WechatApiClient } from '../../electron/core/wechat/api.ts';
import { WechatApiPoller } from '../../electron/core/metrics/sources/wechat-api.ts';
import { explainErrcode } from '../../electron/core/wechat/errors.ts';
import type { MetricEvent } from '../../shared/protocol/metrics.ts';
import { startFakeWechat, type FakeWechat } from '../fakes/wechat-api.ts';
import { root, tempDir } from '../helpers/serve.ts';
import { createDeskModules } from '../../electron/core/modules.ts';

const CHANNELS = { appId: 'wxc0ffee000channel', secret: 'channels-secret-value' };
const SHOP = { appId: 'wx5h0p00000000shop', secret: 'shop-secret-value' };
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const TOKEN = 'shopPushToken';
const START_MS = 1_789_999_000_000;
const START = START_MS / 1000;

type Order = Extract<MetricEvent, { type: 'order' }>;

function ctx(events: MetricEvent[][], clock: { now: number }) {
  return {
    sessionId: 1,
    ingest: (e: MetricEvent[]) => {
      events.push(e);
      return { stored: e.length, duplicates: 0 };
    },
    now: () => clock.now,
    log: () => {},
    session: () => ({ startedAt: START_MS }) as never,
    product: () => null,
    productBySku: (sku: string) => (sku === 'SKU-A' ? ({ id: 7 } as never) : null),
  };
}

describe('poller: each half with its own account', () => {
  let fake: FakeWechat;
  const clock = { now: START_MS + 600_000 };
  beforeAll(async () => {
    fake = await startFakeWechat({ channels: CHANNELS, shop: SHOP });
    fake.now = () => clock.now;
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.calls.length = 0;
    fake.orders = [];
  });
  const client = (account: 'channels' | 'shop', creds = account === 'channels' ? CHANNELS : SHOP) =>
    new WechatApiClient({ account, ...creds, base: fake.url, now: () => clock.now });

  it('live data with the 视频号助手 account only: readings, no order calls, the dashboard told the shop is missing', async () => {
    const events: MetricEvent[][] = [];
    const poller = new WechatApiPoller(ctx(events, clock), { live: client('channels'), shop: null });
    await poller.pollOnce();
    expect(events[0]!.map((e) => e.type)).toEqual(['reading']);
    expect(fake.calls.some((c) => c.path.startsWith('/channels/ec/'))).toBe(false);
    expect(poller.missing()).toEqual(['shop']);
  });

  it('orders with the 微信小店 account only: orders, no live-data calls', async () => {
    fake.orders = [{ id: '3705115058471208928', status: 20, price: 6900, productId: 'SKU-A', payTime: START + 100, scene: 2 }];
    const events: MetricEvent[][] = [];
    const poller = new WechatApiPoller(ctx(events, clock), { live: null, shop: client('shop') });
    await poller.pollOnce();
    expect(events[0]).toEqual([{ type: 'order', ts: (START + 100) * 1000, orderId: '3705115058471208928', amount: 6900, status: 'paid', scene: 'live', productId: 7 }]);
    expect(fake.calls.some((c) => c.path.startsWith('/channels/livedashboard/'))).toBe(false);
    expect(poller.missing()).toEqual(['channels']);
  });

  it('both: one token per account, each call with its own; the wrong account answers 48001', async () => {
    fake.orders = [{ id: '3705115058471208929', status: 20, price: 100, productId: 'SKU-A', payTime: START + 50, scene: 2 }];
    const events: MetricEvent[][] = [];
    const live = client('channels');
    const shop = client('shop');
    const poller = new WechatApiPoller(ctx(events, clock), { live, shop });
    await poller.pollOnce();
    await poller.pollOnce();
    const tokens = fake.calls.filter((c) => c.path === '/cgi-bin/stable_token').map((c) => c.body.appid);
    expect(tokens.sort()).toEqual([CHANNELS.appId, SHOP.appId].sort());
    for (const c of fake.calls.filter((x) => x.path !== '/cgi-bin/stable_token')) expect(c.account).toBe(c.path.startsWith('/channels/livedashboard/') ? 'channels' : 'shop');
    expect(events.flat().map((e) => e.type)).toEqual(['reading', 'order', 'reading']);
    // the 视频号助手 AppID on a shop call, and the other way round
    await expect(live.call('/channels/ec/order/get', { order_id: '1' })).rejects.toMatchObject({ errcode: 48001, account: 'channels' });
    await expect(shop.call('/channels/livedashboard/getlivelist', { ds: 20260101 })).rejects.toMatchObject({ errcode: 48001, account: 'shop' });
  });

  it('the dashboard status explains 48001 in Chinese and says which account is missing', async () => {
    const events: MetricEvent[][] = [];
    // the shop's AppID where the 视频号助手's belongs
    const poller = new WechatApiPoller(ctx(events, clock), { live: client('channels', SHOP), shop: null }, { pollSeconds: 5 });
    poller.start();
    await expect.poll(() => poller.status().state).toBe('error');
    poller.stop();
    const status = poller.status();
    expect(status.missing).toEqual(['shop']);
    const running = new WechatApiPoller(ctx(events, clock), { live: client('channels', SHOP), shop: null }, { pollSeconds: 5 });
    running.start();
    await expect.poll(() => running.status().errcode).toBe(48001);
    expect(running.status().message).toMatch(/带货直播数据/);
    expect(running.status().missing).toEqual(['shop']);
    running.stop();
  });

  it('live-room orders only: a 橱窗 order and another room’s order during the session are kept apart', async () => {
    fake.orders = [
      { id: '3705115058471200001', status: 20, price: 5000, productId: 'SKU-A', payTime: START + 10, scene: 2, liveId: 'L1' },
      { id: '3705115058471200002', status: 20, price: 7000, productId: 'SKU-A', payTime: START + 20, scene: 5 },
      { id: '3705115058471200003', status: 20, price: 9000, productId: 'SKU-A', payTime: START + 30, scene: 2, liveId: 'L-OTHER' },
      { id: '3705115058471200004', status: 20, price: 1100, productId: 'SKU-A', payTime: START + 40, scene: 3 },
    ];
    const events: MetricEvent[][] = [];
    const poller = new WechatApiPoller(ctx(events, clock), { live: null, shop: client('shop') }, { liveId: 'L1' });
    await poller.pollOnce();
    const scenes = Object.fromEntries((events[0] as Order[]).map((o) => [o.orderId.slice(-1), o.scene]));
    expect(scenes).toEqual({ '1': 'live', '2': 'other', '3': 'other', '4': 'other' });
  });

  it('status 190 is cancelled (not counted, not fetched again); a refund (200) of a paid order arrives as a change', async () => {
    fake.orders = [
      { id: '3705115058471200011', status: 190, price: 3000, productId: 'SKU-A', payTime: START + 10, scene: 2 },
      { id: '3705115058471200012', status: 20, price: 4000, productId: 'SKU-A', payTime: START + 20, scene: 2 },
    ];
    const events: MetricEvent[][] = [];
    clock.now = START_MS + 600_000;
    const poller = new WechatApiPoller(ctx(events, clock), { live: null, shop: client('shop') });
    await poller.pollOnce();
    expect((events[0] as Order[]).map((o) => [o.orderId.slice(-2), o.status])).toEqual([
      ['11', 'cancelled'],
      ['12', 'paid'],
    ]);
    // the next round asks only for orders updated since; the refund updates order 12
    fake.calls.length = 0;
    fake.orders[1]!.status = 200;
    fake.orders[1]!.updateTime = START + 650;
    clock.now = START_MS + 700_000;
    await poller.pollOnce();
    expect(fake.calls.filter((c) => c.path === '/channels/ec/order/get').map((c) => String(c.body.order_id))).toEqual(['3705115058471200012']);
    expect((events[1] as Order[]).map((o) => [o.orderId.slice(-2), o.status, o.ts])).toEqual([['12', 'refunded', (START + 650) * 1000]]);
  });

  it('an expired stable token is renewed (42001 from the fake clock), and getlivelist pages through has_more', async () => {
    fake.liveItems = Array.from({ length: 12 }, (_, i) => ({ export_id: `export/${i}`, create_time: 100 + i }));
    fake.livePageSize = 5;
    const events: MetricEvent[][] = [];
    // the client's own clock stands still, so it does not renew early: only WeChat's answer tells it
    const frozen = clock.now;
    const live = new WechatApiClient({ account: 'channels', ...CHANNELS, base: fake.url, now: () => frozen });
    const poller = new WechatApiPoller(ctx(events, clock), { live, shop: null });
    await poller.pollOnce();
    // the newest live is on the third page
    expect(fake.calls.filter((c) => c.path === '/channels/livedashboard/getlivelist').map((c) => c.body.next_key ?? '')).toEqual(['', '5', '10']);
    expect(fake.calls.find((c) => c.path === '/channels/livedashboard/getlivedata')!.body).toEqual({ export_id: 'export/11' });
    fake.calls.length = 0;
    clock.now += 7201_000; // past expires_in on WeChat's side: 42001, a new stable token, the call again
    await poller.pollOnce();
    expect(fake.calls.map((c) => c.path)).toEqual(['/channels/livedashboard/getlivedata', '/cgi-bin/stable_token', '/channels/livedashboard/getlivedata']);
    expect(events.at(-1)![0]!.type).toBe('reading');
    fake.livePageSize = 10;
    clock.now = START_MS + 600_000;
  });
});

describe('serve: the shop account only, the push, live GMV, refunds, 测试连接', () => {
  let host: RunningHost;
  let fake: FakeWechat;
  let sessionId: number;
  let metrics: MetricsModule;
  const logs: string[] = [];
  beforeAll(async () => {
    fake = await startFakeWechat({ channels: CHANNELS, shop: SHOP });
    const env = {
      LIVECUE_SHOP_APPID: SHOP.appId,
      LIVECUE_SHOP_SECRET: SHOP.secret,
      LIVECUE_SHOP_TOKEN: TOKEN,
      LIVECUE_SHOP_AES_KEY: AES_KEY,
      LIVECUE_WECHAT_API_BASE: fake.url,
    };
    host = await startHost({
      dataDir: tempDir(),
      resourcesDir: path.join(root, 'resources'),
      rendererDir: path.join(root, 'out', 'renderer'),
      version: 'test',
      port: 0,
      banner: false,
      seedDemo: false,
      log: (l) => logs.push(l),
      modules: [...createDeskModules(), (metrics = new MetricsModule({ env, options: {} })), reviewModule(metrics)],
    });
    const p = await host.core.call('product.create', { title: 'A', price: 6900, sku: 'SKU-A' });
    const s = await host.core.call('session.create', { title: 'push', productIds: [p.id] });
    await host.core.call('metrics.setSource', { sessionId: s.id, source: 'wechat-push' });
    await host.core.call('session.start', { sessionId: s.id });
    sessionId = s.id;
  });
  afterAll(async () => {
    await host.stop();
    await fake.close();
  });

  let seq = 0;
  const push = async (appId: string, event: string, orderId: string, extra = '') => {
    const ts = String(1_700_000_000 + ++seq);
    const msg = `{"ToUserName":"gh_abc","FromUserName":"o_user","CreateTime":${ts},"MsgType":"event","Event":"${event}","order_info":{"order_id":${orderId}${extra}}}`;
    const enc = theirEncrypt(AES_KEY, msg, appId);
    // the query's timestamp must be fresh (#14: the receiver refuses one older than WeChat's retry schedule)
    const qts = String(Math.floor(Date.now() / 1000));
    const q = { timestamp: qts, nonce: 'n', encrypt_type: 'aes', msg_signature: theirSignature(TOKEN, qts, 'n', enc) };
    return fetch(`${host.url}wechat/shop/callback?${new URLSearchParams(q)}`, { method: 'POST', body: JSON.stringify({ Encrypt: enc }) });
  };
  const snap = () => host.core.call('metrics.snapshot', { sessionId });

  it('orders and push with the shop account only; a push encrypted for the 视频号助手 AppID is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    fake.orders = [
      { id: '3705115058471300001', status: 20, price: 12900, productId: 'SKU-A', payTime: now, scene: 2 },
      { id: '3705115058471300002', status: 20, price: 8800, productId: 'SKU-A', payTime: now, scene: 5 },
      { id: '3705115058471300003', status: 20, price: 2000, productId: 'SKU-A', payTime: now, scene: 2 },
    ];
    const wrong = await push(CHANNELS.appId, 'channels_ec_order_pay', '3705115058471300001');
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toBe('appid mismatch');
    for (const id of ['3705115058471300001', '3705115058471300002', '3705115058471300003']) expect((await push(SHOP.appId, 'channels_ec_order_pay', id)).status).toBe(200);
    // live GMV: the 橱窗 order (order_scene 5) placed during the session is shown apart, not in GMV
    await expect.poll(async () => (await snap()).otherOrders).toEqual({ orders: 1, gmv: 8800 });
    await expect.poll(async () => (await snap()).session.gmv).toBe(14900);
    expect((await snap()).session.orders).toBe(2);
  });

  it('a refund takes GMV down when it happens (cancel_type 3, and status 200); the push events beyond the first five are read', async () => {
    const o3 = fake.orders.find((o) => o.id.endsWith('3'))!;
    o3.status = 250; // the order reads cancelled, the event says every item was refunded after sale
    expect((await push(SHOP.appId, 'channels_ec_order_cancel', o3.id, ',"cancel_type":3')).status).toBe(200);
    await expect.poll(async () => (await snap()).session.gmv).toBe(12900);
    const row = host.core.db.prepare('SELECT status FROM metric_orders WHERE order_id = ?').get(o3.id) as { status: string };
    expect(row.status).toBe('refunded');
    // status 200 read after channels_ec_order_ext_info_update (one of the three events not handled before)
    const o1 = fake.orders.find((o) => o.id.endsWith('1'))!;
    o1.status = 200;
    expect((await push(SHOP.appId, 'channels_ec_order_ext_info_update', o1.id)).status).toBe(200);
    await expect.poll(async () => (await snap()).session.gmv).toBe(0);
    expect((await snap()).session.orders).toBe(0);
    // the per-minute chart and a rebuilt aggregate agree: paid minus refunded
    const rows = host.core.db.prepare('SELECT sum(gmv) g, sum(orders) n FROM metric_seconds WHERE session_id = ?').get(sessionId) as { g: number; n: number };
    expect(rows).toEqual({ g: 0, n: 0 });
    metrics.forgetAggregates(); // as after a restart
    expect((await snap()).session.gmv).toBe(0);
    expect((await snap()).otherOrders).toEqual({ orders: 1, gmv: 8800 });
    // the report shows the 橱窗 order apart too, and no product is credited with it
    const report = await host.core.call('review.report', { sessionId });
    expect(report.summary).toMatchObject({ gmv: 0, orders: 0, otherOrders: { orders: 1, gmv: 8800 } });
    expect(report.products.reduce((n, p) => n + p.orders, 0)).toBe(0);
  });

  it('测试连接: the shop answers ok; the 视频号助手 half, not set, says so; 48001 and 40164 are explained in Chinese', async () => {
    const ok = await host.core.call('metrics.wechatTest', { account: 'shop' });
    expect(ok).toMatchObject({ ok: true, errcode: 0, path: '/channels/ec/product/list/get' });
    expect(ok.zh).not.toMatch(/Token/); // Token and EncodingAESKey are set here
    const none = await host.core.call('metrics.wechatTest', { account: 'channels' });
    expect(none).toMatchObject({ ok: false, errcode: null });
    expect(none.zh).toMatch(/AppID 和 AppSecret/);
    // the shop's AppID saved as the 视频号助手's: the live dashboard answers 48001
    await host.core.call('metrics.setWechat', { account: 'channels', appId: SHOP.appId, secret: SHOP.secret });
    const wrong = await host.core.call('metrics.wechatTest', { account: 'channels' });
    expect(wrong).toMatchObject({ ok: false, errcode: 48001, path: '/channels/livedashboard/getlivelist' });
    expect(wrong.zh).toMatch(/带货直播数据/);
    await host.core.call('metrics.setWechat', { account: 'channels', appId: CHANNELS.appId, secret: CHANNELS.secret });
    expect(await host.core.call('metrics.wechatTest', { account: 'channels' })).toMatchObject({ ok: true });
    fake.failNext.set('/channels/ec/product/list/get', [40164]);
    const ip = await host.core.call('metrics.wechatTest', { account: 'shop' });
    expect(ip).toMatchObject({ ok: false, errcode: 40164 });
    expect(ip.zh).toMatch(/IP 白名单/);
  });

  it('keeps secrets out of SQLite and out of every answer', async () => {
    const info = await host.core.call('metrics.wechatInfo', {});
    expect(info).toMatchObject({ channels: { appId: CHANNELS.appId, hasSecret: true, ready: true, fromEnv: false }, shop: { appId: SHOP.appId, fromEnv: true, hasToken: true }, deprecatedEnv: false });
    const settings = JSON.stringify(host.core.db.prepare('SELECT * FROM settings').all());
    expect(settings).toContain(CHANNELS.appId);
    const all = settings + JSON.stringify(info) + JSON.stringify(host.core.snapshot()) + logs.join('\n');
    for (const secret of [CHANNELS.secret, SHOP.secret, TOKEN, AES_KEY]) expect(all).not.toContain(secret);
  });
});

describe('errcode explanations (测试连接 and the dashboard)', () => {
  it('says what to do for each documented errcode, per account, and nothing made up for others', () => {
    const zh = (code: number, account: 'channels' | 'shop' = 'shop') => explainErrcode(code, account)?.zh ?? null;
    expect(zh(48001, 'channels')).toMatch(/开放能力.*带货直播数据/);
    expect(zh(48001, 'shop')).toMatch(/服务市场 → 自研/);
    expect(zh(40164, 'channels')).toMatch(/视频号助手.*IP 白名单/);
    expect(zh(40164, 'shop')).toMatch(/微信小店.*IP 白名单/);
    expect(zh(40001)).toMatch(/AppSecret/);
    expect(zh(40013)).toMatch(/AppID/);
    expect(zh(40125)).toMatch(/AppSecret/);
    expect(zh(45009)).toMatch(/调用次数/);
    expect(zh(-1)).toMatch(/繁忙/);
    expect(zh(10020065)).toBeNull();
  });
});
