// The 微信小店 catalog against the document-built fake: 500 products (list pages of 30 + get each) with their main
// images downloaded once into the data folder and served at /media/products/:id; a second import updates in place and
// downloads nothing; refresh on demand and at a pin when stale; product links cached; the pinned product's link in the
// push preview. Figures are printed (import time for 500).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShopModule } from '../../electron/core/catalog/shop-module.ts';
import { startHost, type RunningHost } from '../../electron/core/host.ts';
import { PushModule } from '../../electron/core/push/module.ts';
import { startFakeWechat, type FakeWechat, PNG_1X1 } from '../fakes/wechat-api.ts';
import { root, tempDir } from '../helpers/serve.ts';
import { createDeskModules } from '../../electron/core/modules.ts';

const SHOP = { appId: 'wx5h0p00000000shop', secret: 'shop-secret-value' };
const N = 500;

describe('微信小店 catalog import', () => {
  let host: RunningHost;
  let fake: FakeWechat;
  let dataDir: string;
  let clock = Date.now();
  beforeAll(async () => {
    fake = await startFakeWechat({ shop: SHOP });
    fake.products = Array.from({ length: N }, (_, i) => ({
      productId: String(10_000_000_000_000_000n + BigInt(i)), // beyond 2^53, as WeChat's ids are
      title: `商品 ${i}`,
      skuPrices: [9900 + i, 12900 + i],
      stock: 10,
      status: i === 1 ? 11 : 5,
      image: `p${i % 250}.png`, // two products share each image: 250 downloads
    }));
    dataDir = tempDir();
    const shop = new ShopModule({ env: { LIVECUE_SHOP_APPID: SHOP.appId, LIVECUE_SHOP_SECRET: SHOP.secret, LIVECUE_WECHAT_API_BASE: fake.url }, options: {} });
    const push = new PushModule({ productLinks: (id) => shop.productLinks(id) });
    host = await startHost({
      dataDir,
      resourcesDir: path.join(root, 'resources'),
      rendererDir: path.join(root, 'out', 'renderer'),
      version: 'test',
      port: 0,
      banner: false,
      seedDemo: false,
      now: () => clock,
      log: () => {},
      modules: [...createDeskModules(), push, shop],
    });
  });
  afterAll(async () => {
    await host.stop();
    await fake.close();
  });

  it(`imports ${N} products with prices, stock and images (each image downloaded once), with progress`, async () => {
    const progress: number[] = [];
    host.core.subscribe((e) => e.type === 'catalog.shopImportProgress' && progress.push(e.done));
    const t0 = performance.now();
    const r = await host.core.call('catalog.shopImport', {});
    const ms = performance.now() - t0;
    console.log(`shop import: ${N} products in ${ms.toFixed(0)} ms (${((N / ms) * 1000).toFixed(0)} products/s), images downloaded ${r.images.downloaded}, reused ${r.images.reused}`);
    expect(r).toMatchObject({ total: N, created: N, updated: 0, failed: [] });
    expect(r.images).toEqual({ downloaded: 250, reused: 250, failed: 0 });
    expect([...fake.imageHits.values()].every((n) => n === 1)).toBe(true);
    expect(fake.imageHits.size).toBe(250);
    expect(progress.at(-1)).toBe(N);
    const products = host.core.products.list();
    expect(products).toHaveLength(N);
    const p7 = products.find((p) => p.sku === '10000000000000007')!;
    expect(p7).toMatchObject({ title: '商品 7', price: 9907, stock: 20 });
    const row = host.core.db.prepare('SELECT min_price, max_price, status FROM shop_products WHERE shop_product_id = ?').get('10000000000000007');
    expect(row).toEqual({ min_price: 9907, max_price: 12907, status: 5 });
    // the image, from the data folder
    const img = await fetch(`${host.url}media/products/${p7.id}`);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await img.arrayBuffer()).equals(PNG_1X1)).toBe(true);
    expect(fs.readdirSync(path.join(dataDir, 'obs-images')).length).toBe(250);
  });

  it('a second import updates in place (by product id) and downloads nothing', async () => {
    fake.products[7]!.skuPrices = [8800];
    const before = new Map(fake.imageHits);
    const r = await host.core.call('catalog.shopImport', {});
    expect(r).toMatchObject({ total: N, created: 0, updated: N, failed: [] });
    expect(r.images).toEqual({ downloaded: 0, reused: N, failed: 0 });
    expect(fake.imageHits).toEqual(before);
    expect(host.core.products.list()).toHaveLength(N);
    expect(host.core.products.bySku('10000000000000007')!.price).toBe(8800);
  });

  it('refreshes on demand, at a stale pin and the stale product up next; links are cached (and in the push preview), a product off sale says why', async () => {
    const p = host.core.products.bySku('10000000000000003')!;
    fake.products[3]!.skuPrices = [5000, 6000];
    fake.products[3]!.stock = 3;
    expect(await host.core.call('catalog.shopRefresh', { productId: p.id })).toMatchObject({ price: 5000, stock: 6 });
    // a pin within 5 minutes reads nothing; 6 minutes later it reads the product again
    const s = await host.core.call('session.create', { title: '直播', productIds: [p.id] });
    await host.core.call('session.start', { sessionId: s.id });
    const item = (await host.core.call('session.get', { sessionId: s.id })).lineup[0]!;
    fake.products[3]!.skuPrices = [4500];
    const gets = () => fake.calls.filter((c) => c.path === '/channels/ec/product/get' && String(c.body.product_id) === '10000000000000003').length;
    const before = gets();
    await host.core.call('session.pin', { sessionId: s.id, lineupItemId: item.id });
    await new Promise((r) => setTimeout(r, 200));
    expect(gets()).toBe(before);
    await host.core.call('session.unpin', { sessionId: s.id });
    clock += 6 * 60_000;
    await host.core.call('session.pin', { sessionId: s.id, lineupItemId: item.id });
    await expect.poll(() => host.core.products.get(p.id).price).toBe(4500);
    expect(gets()).toBe(before + 1);

    const links = await host.core.call('catalog.productLinks', { productId: p.id });
    expect(links).toMatchObject({ h5url: 'https://channels.weixin.qq.com/shop/a/10000000000000003', taglink: expect.stringContaining('商品 3'), qrcodeUrl: expect.stringMatching(/qr-10000000000000003/) });
    const linkCalls = () => fake.calls.filter((c) => c.path.endsWith('h5url/get')).length;
    const n = linkCalls();
    await host.core.call('catalog.productLinks', { productId: p.id });
    expect(linkCalls()).toBe(n); // cached
    const off = host.core.products.bySku('10000000000000001')!;
    const offLinks = await host.core.call('catalog.productLinks', { productId: off.id });
    expect(offLinks.h5url).toBeUndefined();
    expect(offLinks.errors?.h5url).toMatch(/10020065|商品未上架/);

    // the pinned product's link shows in the push preview
    const preview = await host.core.call('push.preview', { sessionId: s.id, text: '{{product}} 正在讲解' });
    expect(preview.productLinks).toMatchObject({ productId: p.id, title: '商品 3', h5url: 'https://channels.weixin.qq.com/shop/a/10000000000000003' });

    // before a pin: the product up next, when stale, is read again without waiting for its pin
    const q = host.core.products.bySku('10000000000000005')!;
    const r = host.core.products.bySku('10000000000000006')!;
    fake.products[6]!.skuPrices = [4200];
    await host.core.call('session.end', { sessionId: s.id }); // one session on air at a time
    const s2 = await host.core.call('session.create', { title: '第二场', productIds: [q.id, r.id] });
    await host.core.call('session.start', { sessionId: s2.id });
    await host.core.call('session.pin', { sessionId: s2.id, productId: q.id });
    await expect.poll(() => host.core.products.get(r.id).price).toBe(4200);
    expect(host.core.sessions.state(s2.id).pinned?.id).toBe(q.id);
  });
});
