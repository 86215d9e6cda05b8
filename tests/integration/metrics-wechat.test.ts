// WeChat sources against independent counterparts: the push crypto against @wecom/crypto, the API poller against a
// local server answering in the documented shapes, the callback through a real LiveCue server.
import { decrypt as theirDecrypt, encrypt as theirEncrypt, getSignature as theirSignature } from '@wecom/crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../electron/core/host.ts';
import { MetricsModule } from '../../electron/core/metrics/module.ts';
import { decryptMessage, encryptMessage, signature } from '../../electron/core/metrics/sources/wechat-crypto.ts';
import { WechatApiClient } from '../../electron/core/wechat/api.ts';
import { WechatApiPoller } from '../../electron/core/metrics/sources/wechat-api.ts';
import type { MetricEvent } from '../../shared/protocol/metrics.ts';
import { startFakeWechat, type FakeWechat } from '../fakes/wechat-api.ts';
import { root, tempDir } from '../helpers/serve.ts';
import { createDeskModules } from '../../electron/core/modules.ts';

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APPID = 'wx1234567890abcdef';
const SECRET = 'S3CRET-app-secret-value';
const TOKEN = 'pushTOKEN42';

describe('WXBizMsgCrypt scheme vs @wecom/crypto', () => {
  it('decrypts what @wecom/crypto encrypts, and the other way round (JSON, XML, Chinese, block-multiple lengths)', () => {
    const messages = ['{"Event":"channels_ec_order_pay","order_info":{"order_id":3705115058471208928}}', '<xml><Event><![CDATA[测试]]></Event></xml>', 'x'.repeat(12)];
    for (const m of messages) {
      const theirs = theirEncrypt(AES_KEY, m, APPID);
      expect(decryptMessage(AES_KEY, theirs)).toEqual({ message: m, appId: APPID });
      const ours = encryptMessage(AES_KEY, m, APPID);
      const back = theirDecrypt(AES_KEY, ours);
      expect(back.message).toBe(m);
      expect(back.id).toBe(APPID);
    }
  });

  it('signs like @wecom/crypto, and a tampered ciphertext does not decrypt to the same message', () => {
    expect(signature(TOKEN, '1700000000', 'nonce1', 'ENC')).toBe(theirSignature(TOKEN, '1700000000', 'nonce1', 'ENC'));
    const enc = encryptMessage(AES_KEY, 'hello', APPID);
    const bytes = Buffer.from(enc, 'base64');
    bytes[bytes.length - 1]! ^= 0xff;
    expect(() => decryptMessage(AES_KEY, bytes.toString('base64'))).toThrow();
  });
});

describe('WeChat API poller vs a local fake of api.weixin.qq.com', () => {
  let fake: FakeWechat;
  beforeAll(async () => {
    fake = await startFakeWechat({ appId: APPID, secret: SECRET });
  });
  afterAll(() => fake.close());

  const ctx = (events: MetricEvent[][], log: string[] = []) => ({
    sessionId: 1,
    ingest: (e: MetricEvent[]) => {
      events.push(e);
      return { stored: e.length, duplicates: 0 };
    },
    now: () => 1_790_000_000_000,
    log: (l: string) => log.push(l),
    session: () => ({ startedAt: 1_789_999_000_000 }) as never,
    product: () => null,
    productBySku: (sku: string) => (sku === 'SKU-A' ? ({ id: 7 } as never) : null),
  });

  it('gets a stable token, finds the newest live, maps getlivedata and orders (ids beyond 2^53 intact)', async () => {
    fake.orders = [
      { id: '3705115058471208928', status: 20, price: 6900, productId: 'SKU-A', payTime: 1_789_999_500 },
      { id: '3705115058471208929', status: 10, price: 100, productId: 'SKU-A', payTime: 1_789_999_501 },
    ];
    const events: MetricEvent[][] = [];
    const poller = new WechatApiPoller(ctx(events), new WechatApiClient({ appId: APPID, secret: SECRET, base: fake.url }), { pollSeconds: 5 });
    await poller.pollOnce();
    const batch = events[0]!;
    const reading = batch.find((e) => e.type === 'reading') as Extract<MetricEvent, { type: 'reading' }>;
    expect(reading.online).toBe(321);
    expect(reading.viewersUv).toBe(1000);
    expect(reading.avgWatchSeconds).toBe(80);
    expect(reading.viewsPv).toBeUndefined(); // not derived from a GPM of undocumented unit (#11)
    expect(reading.products).toEqual([{ productId: 7, exposureUv: 800, clickUv: 120, payUv: 30, gmv: 300000 }]);
    const orders = batch.filter((e) => e.type === 'order');
    // the unpaid order (status 10) is not taken yet
    expect(orders).toEqual([{ type: 'order', ts: 1_789_999_500_000, orderId: '3705115058471208928', amount: 6900, status: 'paid', scene: 'live', productId: 7 }]);
    expect(fake.calls.find((c) => c.path === '/channels/livedashboard/getlivedata')!.body).toEqual({ export_id: 'export/NEW' });
    expect(fake.calls.filter((c) => c.path === '/cgi-bin/stable_token')).toHaveLength(1);
    // the token is reused, and renewed once when WeChat says it expired (40001)
    fake.failNext.set('/channels/livedashboard/getlivedata', [40001]);
    await poller.pollOnce();
    expect(fake.calls.filter((c) => c.path === '/cgi-bin/stable_token')).toHaveLength(2);
    // the paid order is not fetched twice
    expect(events[1]!.filter((e) => e.type === 'order')).toHaveLength(0);
  });

  it('backs off on quota errors and shows errcode + errmsg; a bad secret is reported without leaking it', async () => {
    const events: MetricEvent[][] = [];
    const log: string[] = [];
    const poller = new WechatApiPoller(ctx(events, log), new WechatApiClient({ appId: APPID, secret: SECRET, base: fake.url }), { pollSeconds: 5 });
    fake.failNext.set('/channels/livedashboard/getlivelist', [45009]);
    poller.start();
    await expect.poll(() => poller.status().state).toBe('backoff');
    expect(poller.status().errcode).toBe(45009);
    expect(poller.status().message).toMatch(/45009/);
    expect(poller.status().message).toMatch(/retrying in 10 s/);
    poller.stop();

    const bad = new WechatApiPoller(ctx(events, log), new WechatApiClient({ appId: APPID, secret: 'wrong-secret', base: fake.url }), { pollSeconds: 5 });
    bad.start();
    await expect.poll(() => bad.status().state).toBe('error');
    bad.stop();
    expect(bad.status().state).toBe('idle');
    expect(log.join('\n')).toMatch(/40125 invalid appsecret/);
    expect(log.join('\n')).not.toContain('wrong-secret');
    expect(log.join('\n')).not.toContain(SECRET);
  });
});

describe('/wechat/shop/callback through a real server', () => {
  let host: RunningHost;
  let fake: FakeWechat;
  let sessionId: number;
  const logs: string[] = [];
  beforeAll(async () => {
    fake = await startFakeWechat({ appId: APPID, secret: SECRET });
    const env = {
      LIVECUE_WECHAT_APPID: APPID,
      LIVECUE_WECHAT_SECRET: SECRET,
      LIVECUE_WECHAT_TOKEN: TOKEN,
      LIVECUE_WECHAT_AES_KEY: AES_KEY,
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
      modules: [...createDeskModules(), new MetricsModule({ env, options: {} })],
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

  const post = (q: Record<string, string>, body: string) =>
    fetch(`${host.url}wechat/shop/callback?${new URLSearchParams(q)}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });

  it('answers the GET verification only with the right signature', async () => {
    // a fresh timestamp: the receiver refuses one older than WeChat's retry schedule (wechat-push.ts PUSH_MAX_AGE_MS)
    const q = { timestamp: String(Math.floor(Date.now() / 1000)), nonce: 'n1', echostr: 'echo-123' };
    const ok = await fetch(`${host.url}wechat/shop/callback?${new URLSearchParams({ ...q, signature: signature(TOKEN, q.timestamp, q.nonce) })}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('echo-123');
    const bad = await fetch(`${host.url}wechat/shop/callback?${new URLSearchParams({ ...q, signature: 'f'.repeat(40) })}`);
    expect(bad.status).toBe(401);
  });

  it('stores each pushed event once across retries, fetches the order, and rejects bad signatures and appids', async () => {
    fake.orders = [{ id: '3705115058471208930', status: 20, price: 12900, productId: 'SKU-A', payTime: Math.floor(Date.now() / 1000) }];
    const msg = `{"ToUserName":"gh_abc","FromUserName":"o_user","CreateTime":1700000001,"MsgType":"event","Event":"channels_ec_order_pay","order_info":{"order_id":3705115058471208930,"pay_time":1700000001}}`;
    const enc = theirEncrypt(AES_KEY, msg, APPID);
    const now = String(Math.floor(Date.now() / 1000));
    const q = { timestamp: now, nonce: 'abc', encrypt_type: 'aes', msg_signature: theirSignature(TOKEN, now, 'abc', enc) };
    const xml = `<xml><ToUserName><![CDATA[gh_abc]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`;
    for (let i = 0; i < 3; i++) {
      const res = await post(q, xml);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('success');
    }
    const count = () => (host.core.db.prepare('SELECT count(*) n FROM wechat_push_events').get() as { n: number }).n;
    expect(count()).toBe(1);
    await expect.poll(async () => (await host.core.call('metrics.snapshot', { sessionId })).session.gmv).toBe(12900);
    const orders = host.core.db.prepare('SELECT order_id FROM metric_orders').all();
    expect(orders).toEqual([{ order_id: '3705115058471208930' }]);

    const res401 = await post({ ...q, msg_signature: '0'.repeat(40) }, xml);
    expect(res401.status).toBe(401);
    const other = theirEncrypt(AES_KEY, msg.replace('1700000001,"MsgType"', '1700000002,"MsgType"'), 'wxOTHERAPPID');
    const res400 = await post({ ...q, msg_signature: theirSignature(TOKEN, q.timestamp, q.nonce, other) }, JSON.stringify({ Encrypt: other }));
    expect(res400.status).toBe(400);
    expect(count()).toBe(1);
  });

  it('never puts a secret in an API answer or a log line', async () => {
    const info = await host.core.call('metrics.wechatInfo', {});
    expect(info).toMatchObject({ shop: { appId: APPID, hasSecret: true, hasToken: true, hasAesKey: true, fromEnv: true }, deprecatedEnv: true });
    expect(logs.join('\n')).toMatch(/LIVECUE_WECHAT_\* are deprecated/);
    const all = JSON.stringify(info) + JSON.stringify(host.core.snapshot()) + JSON.stringify(await host.core.call('metrics.snapshot', { sessionId })) + logs.join('\n');
    for (const secret of [SECRET, TOKEN, AES_KEY]) expect(all).not.toContain(secret);
  });
});
