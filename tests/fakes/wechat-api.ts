// A local stand-in for api.weixin.qq.com, built from the documents (docs/metrics.md lists each field and its page):
// - two accounts: a 视频号助手 AppID may call only /channels/livedashboard/*, a 微信小店 AppID only /channels/ec/*;
//   the other one answers 48001 (api unauthorized), as the live-data pages say for an account without the switch;
// - /cgi-bin/stable_token: access_token + expires_in; a token past its expiry answers 42001 (access_token expired);
// - getlivelist {ds, next_key} → live_items[] {export_id, create_time}, has_more, next_key (pageSize knob);
// - getlivedata: blocks as JSON strings, as the API sends them;
// - order list/get: create_time_range / update_time_range, next_key + has_more, 19-digit order ids as bare JSON
//   numbers; order.status (10/20/21/30/100/190/200/250), order_detail.ext_info {order_scene, finder_id, live_id};
// - product list/get (product_ids, next_key, total_num; product {title, head_imgs, skus[].sale_price/stock_num,
//   min_price, status}), product h5url / taglink / qrcode, and image bytes at /img/<name>.
// Knobs let a test inject errcodes (quota, IP allow-list), move the clock, or count calls.
import http from 'node:http';

export interface FakeAccount {
  appId: string;
  secret: string;
}

export interface FakeOrder {
  id: string;
  status: number;
  price: number;
  productId: string;
  /** seconds */
  payTime: number;
  /** seconds; default payTime - 5 */
  createTime?: number;
  /** seconds; default payTime */
  updateTime?: number;
  /** ext_info.order_scene: 1 其他, 2 直播间, 3 短视频, 4 商品分享, 5 商品橱窗主页, 6 公众号文章商品卡片; undefined = no ext_info */
  scene?: number;
  finderId?: string;
  liveId?: string;
}

export interface FakeProduct {
  productId: string;
  title: string;
  /** fen, per SKU */
  skuPrices: number[];
  stock: number;
  /** 5 上架 (on sale), 11 自主下架 … */
  status: number;
  image: string;
}

export interface FakeWechat {
  url: string;
  calls: { path: string; body: any; token: string | null; account: 'channels' | 'shop' | null }[];
  /** next answers for a path: an errcode to return once each */
  failNext: Map<string, number[]>;
  /** the fake's clock in ms (token expiry); default Date.now */
  now: () => number;
  tokenSeconds: number;
  online: number;
  liveItems: { export_id: string; create_time: number }[];
  /** page size of getlivelist (has_more beyond it) */
  livePageSize: number;
  orders: FakeOrder[];
  products: FakeProduct[];
  /** how many times each image was downloaded */
  imageHits: Map<string, number>;
  close(): Promise<void>;
}

const LIVE_PATHS = new Set(['/channels/livedashboard/getlivelist', '/channels/livedashboard/getlivedata']);

/** A 1×1 PNG, the bytes any /img/<name> answers with. */
export const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

export async function startFakeWechat(opts: { channels?: FakeAccount; shop?: FakeAccount } | FakeAccount): Promise<FakeWechat> {
  // the one-account form of older tests: the same AppID is both (a seller who has not split them)
  const accounts = 'appId' in opts ? { channels: opts, shop: opts } : opts;
  let tokenSeq = 0;
  const tokens = new Map<string, { account: 'channels' | 'shop'; expiresAt: number }>();
  const fake: FakeWechat = {
    url: '',
    calls: [],
    failNext: new Map(),
    now: () => Date.now(),
    tokenSeconds: 7200,
    online: 321,
    liveItems: [
      { export_id: 'export/OLD', create_time: 1 },
      { export_id: 'export/NEW', create_time: 2 },
    ],
    livePageSize: 10,
    orders: [],
    products: [],
    imageHits: new Map(),
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'GET' && url.pathname.startsWith('/img/')) {
        fake.imageHits.set(url.pathname, (fake.imageHits.get(url.pathname) ?? 0) + 1);
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG_1X1.length });
        return res.end(PNG_1X1);
      }
      let body: any = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        body = {};
      }
      const token = url.searchParams.get('access_token');
      const held = token ? tokens.get(token) : undefined;
      fake.calls.push({ path: url.pathname, body, token, account: held?.account ?? null });
      const send = (o: unknown, text?: string) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text ?? JSON.stringify(o));
      };
      const fail = fake.failNext.get(url.pathname)?.shift();
      if (fail !== undefined) return send({ errcode: fail, errmsg: fail === 40164 ? 'invalid ip 203.0.113.7, not in whitelist' : `injected ${fail}` });
      if (url.pathname === '/cgi-bin/stable_token') {
        const which = (['channels', 'shop'] as const).find((a) => accounts[a]?.appId === body.appid);
        if (body.grant_type !== 'client_credential' || !which) return send({ errcode: 40013, errmsg: 'invalid appid' });
        if (body.secret !== accounts[which]!.secret) return send({ errcode: 40125, errmsg: 'invalid appsecret' });
        // with one AppID for both, the token carries the account the path asks for (see below)
        const t = `TOKEN_${++tokenSeq}`;
        tokens.set(t, { account: which, expiresAt: fake.now() + fake.tokenSeconds * 1000 });
        return send({ access_token: t, expires_in: fake.tokenSeconds });
      }
      if (!token || !held) return send({ errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
      if (fake.now() >= held.expiresAt) return send({ errcode: 42001, errmsg: 'access_token expired' });
      const sameAppId = accounts.channels?.appId === accounts.shop?.appId;
      const wants = LIVE_PATHS.has(url.pathname) ? 'channels' : 'shop';
      if (!sameAppId && held.account !== wants) return send({ errcode: 48001, errmsg: 'api unauthorized' });
      switch (url.pathname) {
        case '/channels/livedashboard/getlivelist': {
          const from = body.next_key ? Number(body.next_key) : 0;
          const page = fake.liveItems.slice(from, from + fake.livePageSize);
          const more = from + fake.livePageSize < fake.liveItems.length;
          return send({ errcode: 0, errmsg: 'ok', live_items: page, has_more: more, next_key: more ? String(from + fake.livePageSize) : '' });
        }
        case '/channels/livedashboard/getlivedata': {
          const newest = [...fake.liveItems].sort((a, b) => b.create_time - a.create_time)[0];
          if (body.export_id !== newest?.export_id) return send({ errcode: 10020001, errmsg: 'export_id not found' });
          return send({
            errcode: 0,
            errmsg: 'ok',
            live_dashboard_data: JSON.stringify({ live_dashboard_data: { summary: { new_watch_uv: 900, average_watch_seconds_per_audience: 75 } }, live_duration: 600, start_time: 1 }),
            live_ec_data_summary: JSON.stringify({
              total_gmv: 500000,
              online_audience_count: fake.online,
              cumulative_audience_count: 1000,
              average_watch_seconds_per_audience: 80,
              gmv_per_thousand_cumulative_watch_pv: 250000,
            }),
            single_live_ec_spu_data_page_v2: JSON.stringify({
              spu_data_list: [{ base_data: { src_spu_id: 'SKU-A', spu_id: 10000123456789 }, exp_uv: 800, clk_uv: 120, pay_uv: 30, gmv: 300000 }],
              total_cnt: 1,
            }),
          });
        }
        case '/channels/ec/order/list/get': {
          const range = body.update_time_range ?? body.create_time_range;
          const field = body.update_time_range ? 'update' : 'create';
          if (!range) return send({ errcode: 47001, errmsg: 'data format error: a time range is required' });
          const at = (o: FakeOrder) => (field === 'update' ? (o.updateTime ?? o.payTime) : (o.createTime ?? o.payTime - 5));
          const all = fake.orders.filter((o) => at(o) >= range.start_time && at(o) <= range.end_time);
          const from = body.next_key ? Number(body.next_key) : 0;
          const size = Math.min(100, body.page_size ?? 10);
          const page = all.slice(from, from + size);
          const more = from + size < all.length;
          return send(null, `{"errcode":0,"errmsg":"ok","order_id_list":[${page.map((o) => o.id).join(',')}],"has_more":${more},"next_key":"${more ? from + size : ''}"}`);
        }
        case '/channels/ec/order/get': {
          const o = fake.orders.find((x) => x.id === String(body.order_id));
          if (!o) return send({ errcode: 10000, errmsg: 'order not found' });
          const ext =
            o.scene === undefined
              ? ''
              : `,"ext_info":{"order_scene":${o.scene}${o.finderId ? `,"finder_id":"${o.finderId}"` : ''}${o.liveId ? `,"live_id":"${o.liveId}"` : ''}}`;
          return send(
            null,
            `{"errcode":0,"errmsg":"ok","order":{"order_id":${o.id},"status":${o.status},"create_time":${o.createTime ?? o.payTime - 5},"update_time":${o.updateTime ?? o.payTime},` +
              `"order_detail":{"product_infos":[{"product_id":"${o.productId}","sku_cnt":1,"sale_price":${o.price}}],` +
              `"price_info":{"order_price":${o.price}},"pay_info":{"pay_time":${o.payTime}}${ext}}}}`,
          );
        }
        case '/channels/ec/product/list/get': {
          const from = body.next_key ? Number(body.next_key) : 0;
          const size = Math.min(30, body.page_size ?? 10);
          const page = fake.products.slice(from, from + size);
          const more = from + size < fake.products.length;
          return send(null, `{"errcode":0,"errmsg":"ok","product_ids":[${page.map((p) => p.productId).join(',')}],"next_key":"${more ? from + size : ''}","total_num":${fake.products.length}}`);
        }
        case '/channels/ec/product/get': {
          const p = fake.products.find((x) => x.productId === String(body.product_id));
          if (!p) return send({ errcode: 10020052, errmsg: 'product not exist' });
          const skus = p.skuPrices.map((price, i) => `{"sku_id":${p.productId}${i},"sale_price":${price},"stock_num":${p.stock},"thumb_img":""}`).join(',');
          return send(
            null,
            `{"errcode":0,"errmsg":"ok","product":{"product_id":${p.productId},"title":${JSON.stringify(p.title)},"head_imgs":[${JSON.stringify(`${fake.url}/img/${p.image}`)}],` +
              `"skus":[${skus}],"min_price":${Math.min(...p.skuPrices)},"status":${p.status}}}`,
          );
        }
        case '/channels/ec/product/h5url/get':
        case '/channels/ec/product/taglink/get':
        case '/channels/ec/product/qrcode/get': {
          const p = fake.products.find((x) => x.productId === String(body.product_id));
          if (!p) return send({ errcode: 10020052, errmsg: '商品不存在' });
          if (p.status !== 5) return send({ errcode: 10020065, errmsg: '商品未上架' });
          if (url.pathname.includes('h5url')) return send({ errcode: 0, errmsg: 'ok', product_h5url: `https://channels.weixin.qq.com/shop/a/${p.productId}` });
          if (url.pathname.includes('taglink')) return send({ errcode: 0, errmsg: 'ok', product_taglink: `#小店商品 ${p.title} ${p.productId}` });
          return send({ errcode: 0, errmsg: 'ok', product_qrcode: `${fake.url}/img/qr-${p.productId}.png` });
        }
      }
      send({ errcode: 404, errmsg: 'no such api' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}
