// The 微信小店's products in the catalog (#11), with the shop account's API client:
// - list: POST /channels/ec/product/list/get {page_size ≤ 30, next_key} → product_ids[], next_key, total_num
//   (developers.weixin.qq.com/doc/store/API/product/list_get.html);
// - get: POST /channels/ec/product/get {product_id, data_type: 1 (线上数据)} → product {product_id, title, head_imgs[],
//   skus[] {sku_id, sale_price (分), stock_num}, min_price (分), status (5 上架)} (doc/store/API/product/get.html);
// - links: /channels/ec/product/h5url/get → product_h5url (doc/store/API/product/get_h5url.html),
//   /channels/ec/product/taglink/get → product_taglink, /channels/ec/product/qrcode/get → product_qrcode (the sibling
//   pages get_taglink.html / get_qrcode.html; those two field names are ASSUMED from the h5url page's pattern).
// Products are matched by the shop's product id (kept as the catalog SKU, which the live data's src_spu_id and the
// orders' product_id attribute to). The main image is downloaded once into the data folder (the same cache OBS uses).
import path from 'node:path';
import { z } from 'zod';
import type { Product } from '../../../shared/domain.ts';
import type { ProductLinks, ShopImportResult } from '../../../shared/protocol/shop.ts';
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import { WechatApiError, type WechatApiClient } from '../wechat/api.ts';
import { explainErrcode } from '../wechat/errors.ts';
import { DOWNLOADED_IMAGES_DIR, ImageCache } from '../images.ts';

/** WeChat answers money and ids as numbers or digit strings; ids may exceed 2^53 (kept as text by parseWechatJson) */
const digits = z.union([z.string().regex(/^\d{1,24}$/), z.number().int().nonnegative()]).transform(String);
const fen = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number).pipe(z.number().int().min(0).max(100_000_000_000));

export const ShopProduct = z.object({
  product_id: digits,
  title: z.string().trim().min(1).max(200),
  head_imgs: z.array(z.string()).max(50).default([]),
  skus: z
    .array(z.object({ sale_price: fen, stock_num: fen.optional() }))
    .max(1000)
    .default([]),
  min_price: fen.optional(),
  status: z.coerce.number().int().default(0),
});
export type ShopProduct = z.output<typeof ShopProduct>;

/** 上架 (on sale) in doc/store/API/product/get.html's status list; links exist only for products on sale */
export const ON_SALE = 5;
/** a pinned shop product whose price/stock is older than this is read again */
export const STALE_MS = 5 * 60_000;
/** product links are asked for again after this long (WeChat documents no expiry: ASSUMED, see docs/metrics.md) */
const LINKS_TTL_MS = 24 * 3600_000;
const CONCURRENCY = 4;

interface ShopRow {
  shop_product_id: string;
  product_id: number;
  fetched_at: number;
  image_url: string | null;
  image_file: string | null;
  links: string | null;
  links_fetched_at: number | null;
}

export class ShopCatalog {
  private readonly core: Core;
  private readonly client: () => WechatApiClient | null;
  readonly images: ImageCache;
  private importing: Promise<ShopImportResult> | null = null;
  /** image URLs asked for since start (two products often share one picture) */
  private readonly seenImages = new Set<string>();

  constructor(core: Core, client: () => WechatApiClient | null) {
    this.core = core;
    this.client = client;
    // the OBS image overlay's cache folder: an image imported here is not downloaded again for the stream
    this.images = new ImageCache(path.join(core.dataDir, DOWNLOADED_IMAGES_DIR));
  }

  private api(): WechatApiClient {
    const api = this.client();
    if (!api) throw new CoreError('bad_request', '请先在设置中填写微信小店的 AppID 和 AppSecret / set the WeChat Shop AppID and AppSecret in Settings first');
    return api;
  }

  private row(productId: number): ShopRow | undefined {
    return this.core.db.prepare<[number], ShopRow>('SELECT * FROM shop_products WHERE product_id = ?').get(productId);
  }

  /** Every product of the shop into the catalog; one import at a time (a second call joins the running one). */
  importAll(onProgress: (done: number, total: number) => void = () => {}): Promise<ShopImportResult> {
    this.importing ??= this.runImport(onProgress).finally(() => (this.importing = null));
    return this.importing;
  }

  private async runImport(onProgress: (done: number, total: number) => void): Promise<ShopImportResult> {
    const started = Date.now();
    const api = this.api();
    const ids: string[] = [];
    let nextKey = '';
    for (let page = 0; page < 1000; page++) {
      const out = await wechat(() => api.call('/channels/ec/product/list/get', { page_size: 30, ...(nextKey ? { next_key: nextKey } : {}) }));
      const list = z.array(digits).max(100).catch([]).parse(out.product_ids);
      ids.push(...list);
      nextKey = typeof out.next_key === 'string' ? out.next_key : '';
      if (!nextKey || !list.length) break;
    }
    const unique = [...new Set(ids)];
    const result: ShopImportResult = { total: unique.length, created: 0, updated: 0, failed: [], images: { downloaded: 0, reused: 0, failed: 0 }, ms: 0 };
    onProgress(0, unique.length);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < unique.length) {
        const shopId = unique[next++]!;
        try {
          const { created, image } = await this.importOne(api, shopId);
          if (created) result.created++;
          else result.updated++;
          result.images[image]++;
        } catch (error) {
          result.failed.push({ shopProductId: shopId, error: (error as Error).message.slice(0, 300) });
        }
        onProgress(++done, unique.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, unique.length) }, worker));
    result.ms = Date.now() - started;
    this.core.log(`catalog: 微信小店 import: ${result.created} new, ${result.updated} updated, ${result.failed.length} failed, images ${result.images.downloaded} downloaded / ${result.images.reused} reused`);
    return result;
  }

  private async fetchProduct(api: WechatApiClient, shopId: string): Promise<ShopProduct> {
    const out = await wechat(() => api.call('/channels/ec/product/get', { product_id: shopId, data_type: 1 }));
    const parsed = ShopProduct.safeParse(out.product ?? out.edit_product);
    if (!parsed.success) throw new CoreError('bad_request', `商品 ${shopId} 的应答无法识别 / unreadable product ${shopId}: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  /** get → image (once) → one transaction (catalog row + shop row) → the product event */
  private async importOne(api: WechatApiClient, shopId: string): Promise<{ created: boolean; image: 'downloaded' | 'reused' | 'failed'; product: Product }> {
    const p = await this.fetchProduct(api, shopId);
    const prices = p.skus.map((s) => s.sale_price);
    const min = p.min_price ?? (prices.length ? Math.min(...prices) : 0);
    const max = Math.max(min, ...prices);
    const stock = p.skus.some((s) => s.stock_num !== undefined) ? p.skus.reduce((n, s) => n + (s.stock_num ?? 0), 0) : null;
    const imageUrl = p.head_imgs.find((u) => /^https?:\/\//i.test(u)) ?? null;
    const existing = this.core.db.prepare<[string], ShopRow>('SELECT * FROM shop_products WHERE shop_product_id = ?').get(shopId);
    let image: 'downloaded' | 'reused' | 'failed' = 'reused';
    let imageFile = existing?.image_file ?? null;
    if (imageUrl && !(existing?.image_url === imageUrl && imageFile && this.images.file(imageFile) !== null)) {
      // the cache answers from the data folder when the same picture was fetched before (another product, an earlier pin)
      const known = this.seenImages.has(imageUrl) || this.images.cached(imageUrl) !== null;
      const file = await this.images.get(imageUrl);
      this.seenImages.add(imageUrl);
      image = file ? (known ? 'reused' : 'downloaded') : 'failed';
      imageFile = file ? path.basename(file) : null;
    }
    const now = this.core.now();
    const fields = { title: p.title, price: min, stock, imageUrl };
    const { product, created } = this.core.db.transaction(() => {
      const repo = this.core.products;
      let target = existing ? repo.getIncludingDeleted(existing.product_id) : null;
      if (target && !repo.exists(target.id)) target = null; // deleted in LiveCue since: import it again
      target ??= repo.bySku(shopId);
      const made = !target;
      const saved = target ? repo.update(target.id, fields, now) : repo.create({ ...fields, livePrice: null, sku: shopId, sellingPoints: [], coupon: null, link: null, hot: false }, now);
      this.core.db
        .prepare(
          `INSERT INTO shop_products (shop_product_id, product_id, min_price, max_price, stock, status, image_url, image_file, fetched_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (shop_product_id) DO UPDATE SET product_id = excluded.product_id, min_price = excluded.min_price,
           max_price = excluded.max_price, stock = excluded.stock, status = excluded.status, image_url = excluded.image_url,
           image_file = excluded.image_file, fetched_at = excluded.fetched_at`,
        )
        .run(shopId, saved.id, min, max, stock, p.status, imageUrl, imageFile, now);
      return { product: saved, created: made };
    }).immediate();
    this.core.emit({ type: 'product.upserted', product });
    return { created, image, product };
  }

  /** Price, stock, title and image of one imported product, read again from the shop. */
  async refresh(productId: number): Promise<Product> {
    const row = this.row(productId);
    if (!row) throw new CoreError('bad_request', `商品 #${productId} 不是从微信小店导入的 / product #${productId} was not imported from the WeChat Shop`);
    return (await this.importOne(this.api(), row.shop_product_id)).product;
  }

  /** before/at a pin: a shop product read more than STALE_MS ago is refreshed (never throws) */
  async refreshIfStale(productId: number): Promise<void> {
    const row = this.row(productId);
    if (!row || this.core.now() - row.fetched_at < STALE_MS || !this.client()) return;
    try {
      await this.refresh(productId);
    } catch (error) {
      this.core.log(`catalog: refresh of shop product #${productId} before the pin failed: ${(error as Error).message}`);
    }
  }

  /** the downloaded main image of a catalog product, if it was imported from the shop */
  imagePath(productId: number): string | null {
    const file = this.row(productId)?.image_file;
    if (!file || !/^[0-9a-f]{32}\.(png|jpg|gif|bmp|webp)$/.test(file)) return null;
    return this.images.file(file);
  }

  /**
   * The product's links for "the product being explained" (push templates, comment templates): H5 link, 微信口令,
   * QR code. Cached per product; each link WeChat refuses (e.g. 10020065 商品未上架) is reported, the others kept.
   */
  async productLinks(productId: number, refresh = false): Promise<ProductLinks> {
    const row = this.row(productId);
    if (!row) throw new CoreError('bad_request', `商品 #${productId} 不是从微信小店导入的，没有小店链接 / product #${productId} is not a WeChat Shop product: no shop links`);
    if (!refresh && row.links && row.links_fetched_at !== null && this.core.now() - row.links_fetched_at < LINKS_TTL_MS) {
      return JSON.parse(row.links) as ProductLinks;
    }
    const api = this.api();
    const body = { product_id: row.shop_product_id };
    const links: ProductLinks = { productId, shopProductId: row.shop_product_id, fetchedAt: this.core.now() };
    const errors: NonNullable<ProductLinks['errors']> = {};
    const ask = async (kind: 'h5url' | 'taglink' | 'qrcode', apiPath: string, field: string): Promise<string | undefined> => {
      try {
        const out = await api.call(apiPath, body);
        const v = out[field];
        return typeof v === 'string' && v ? v : undefined;
      } catch (error) {
        errors[kind] = error instanceof WechatApiError ? (explainErrcode(error.errcode, 'shop')?.zh ?? `errcode ${error.errcode} ${error.errmsg}`) : (error as Error).message;
        return undefined;
      }
    };
    const [h5url, taglink, qrcodeUrl] = await Promise.all([
      ask('h5url', '/channels/ec/product/h5url/get', 'product_h5url'),
      ask('taglink', '/channels/ec/product/taglink/get', 'product_taglink'),
      ask('qrcode', '/channels/ec/product/qrcode/get', 'product_qrcode'),
    ]);
    if (h5url) links.h5url = h5url;
    if (taglink) links.taglink = taglink;
    if (qrcodeUrl) links.qrcodeUrl = qrcodeUrl;
    if (Object.keys(errors).length) links.errors = errors;
    // only what WeChat gave is cached; a product with no link at all is asked again next time
    if (h5url || taglink || qrcodeUrl) {
      this.core.db.prepare('UPDATE shop_products SET links = ?, links_fetched_at = ? WHERE product_id = ?').run(JSON.stringify(links), links.fetchedAt, productId);
    }
    return links;
  }
}

/** a WeChat error as a CoreError the seller can read (errcode explained for the shop account) */
async function wechat<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WechatApiError) {
      const help = explainErrcode(error.errcode, 'shop');
      throw new CoreError(QUOTA.has(error.errcode) ? 'unavailable' : 'bad_request', help ? `${help.zh} / ${help.en} (errcode ${error.errcode})` : error.message);
    }
    throw error;
  }
}
const QUOTA = new Set([45009, -1]);
