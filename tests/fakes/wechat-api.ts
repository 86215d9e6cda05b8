// A local stand-in for api.weixin.qq.com speaking the documented shapes: stable_token, livedashboard getlivelist /
// getlivedata (blocks as JSON strings, as the API sends them), WeChat Shop order list/get (19-digit order ids as bare
// JSON numbers, as WeChat sends them). Knobs let a test inject errcodes (quota, bad secret, expired token).
import http from 'node:http';

export interface FakeWechat {
  url: string;
  calls: { path: string; body: any; token: string | null }[];
  /** next answers for a path: an errcode to return once each */
  failNext: Map<string, number[]>;
  online: number;
  orders: { id: string; status: number; price: number; productId: string; payTime: number }[];
  close(): Promise<void>;
}

export async function startFakeWechat(opts: { appId: string; secret: string }): Promise<FakeWechat> {
  let tokenSeq = 0;
  const valid = new Set<string>();
  const fake: FakeWechat = { url: '', calls: [], failNext: new Map(), online: 321, orders: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = raw ? JSON.parse(raw) : {};
      const token = url.searchParams.get('access_token');
      fake.calls.push({ path: url.pathname, body, token });
      const send = (o: unknown, text?: string) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text ?? JSON.stringify(o));
      };
      const fail = fake.failNext.get(url.pathname)?.shift();
      if (fail !== undefined) return send({ errcode: fail, errmsg: `injected ${fail}` });
      if (url.pathname === '/cgi-bin/stable_token') {
        if (body.grant_type !== 'client_credential' || body.appid !== opts.appId) return send({ errcode: 40013, errmsg: 'invalid appid' });
        if (body.secret !== opts.secret) return send({ errcode: 40125, errmsg: 'invalid appsecret' });
        const t = `TOKEN_${++tokenSeq}`;
        valid.add(t);
        return send({ access_token: t, expires_in: 7200 });
      }
      if (!token || !valid.has(token)) return send({ errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
      switch (url.pathname) {
        case '/channels/livedashboard/getlivelist':
          return send({ errcode: 0, errmsg: 'ok', live_items: [{ export_id: 'export/OLD', create_time: 1 }, { export_id: 'export/NEW', create_time: 2 }], has_more: false });
        case '/channels/livedashboard/getlivedata':
          if (body.export_id !== 'export/NEW') return send({ errcode: 10020001, errmsg: 'export_id not found' });
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
        case '/channels/ec/order/list/get':
          return send(null, `{"errcode":0,"errmsg":"ok","order_id_list":[${fake.orders.map((o) => o.id).join(',')}],"has_more":false,"next_key":""}`);
        case '/channels/ec/order/get': {
          const o = fake.orders.find((x) => x.id === String(body.order_id));
          if (!o) return send({ errcode: 10000, errmsg: 'order not found' });
          return send(
            null,
            `{"errcode":0,"errmsg":"ok","order":{"order_id":${o.id},"status":${o.status},"create_time":${o.payTime - 5},` +
              `"order_detail":{"product_infos":[{"product_id":"${o.productId}","sku_cnt":1,"sale_price":${o.price}}],` +
              `"price_info":{"order_price":${o.price}},"pay_info":{"pay_time":${o.payTime}}}}}`,
          );
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
