// 微信小店 catalog import benchmark (#11): 500 products (list pages of 30, get each, 4 at a time) with 250 distinct main
// images against the local document-built fake; then the same import again (everything updated in place, no image
// downloaded). Returns { shop: {...} } with both times and their ratio.
import path from 'node:path';
import { ShopModule } from '../electron/core/catalog/shop-module.ts';
import { Core } from '../electron/core/core.ts';
import { startFakeWechat } from '../tests/fakes/wechat-api.ts';
import { root, tempDir } from '../tests/helpers/serve.ts';
import { createDeskModules } from '../electron/core/modules.ts';

export async function run(): Promise<Record<string, unknown>> {
  const SHOP = { appId: 'wx5h0p00000000shop', secret: 'bench-secret' };
  const fake = await startFakeWechat({ shop: SHOP });
  const N = 500;
  fake.products = Array.from({ length: N }, (_, i) => ({
    productId: String(10_000_000_000_000_000n + BigInt(i)),
    title: `商品 ${i}`,
    skuPrices: [9900 + i],
    stock: 10,
    status: 5,
    image: `p${i % 250}.png`,
  }));
  const core = new Core({ dataDir: tempDir(), resourcesDir: path.join(root, 'resources'), version: 'bench', seedDemo: false, log: () => {} });
  for (const m of createDeskModules()) m.attach(core);
  const shop = new ShopModule({ env: { LIVECUE_SHOP_APPID: SHOP.appId, LIVECUE_SHOP_SECRET: SHOP.secret, LIVECUE_WECHAT_API_BASE: fake.url }, options: {} });
  shop.attach(core);
  try {
    let t0 = performance.now();
    const first = await core.call('catalog.shopImport', {});
    const firstMs = performance.now() - t0;
    t0 = performance.now();
    const second = await core.call('catalog.shopImport', {});
    const secondMs = performance.now() - t0;
    return {
      shop: {
        products: N,
        importMs: Math.round(firstMs),
        productsPerSec: Math.round((N / firstMs) * 1000),
        imagesDownloaded: first.images.downloaded,
        reimportMs: Math.round(secondMs),
        reimportImagesDownloaded: second.images.downloaded,
        reimportVsImport: Math.round((secondMs / firstMs) * 100) / 100,
      },
    };
  } finally {
    core.close();
    await fake.close();
  }
}
