// 微信小店 catalog and product links (#11): import the shop's products into the catalog, refresh one, and the links
// other domains use for "the product being explained" (push templates, comment templates).
import { z } from 'zod';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const commands = {
  /** import every product of the 微信小店 (list + get), updating the catalog by the shop's product id */
  'catalog.shopImport': z.strictObject({}),
  /** re-read one imported product's price and stock from the shop */
  'catalog.shopRefresh': z.strictObject({ productId: id }),
  /** the product's H5 link, 微信口令 and QR code (cached; refresh asks WeChat again) */
  'catalog.productLinks': z.strictObject({ productId: id, refresh: z.boolean().optional() }),
} satisfies Record<string, z.ZodType>;

export interface ShopImportResult {
  /** products the shop listed */
  total: number;
  created: number;
  updated: number;
  failed: { shopProductId: string; error: string }[];
  images: { downloaded: number; reused: number; failed: number };
  ms: number;
}

export interface ProductLinks {
  productId: number;
  shopProductId: string;
  /** /channels/ec/product/h5url/get → product_h5url */
  h5url?: string;
  /** /channels/ec/product/taglink/get → product_taglink (微信口令) */
  taglink?: string;
  /** /channels/ec/product/qrcode/get → product_qrcode */
  qrcodeUrl?: string;
  fetchedAt: number;
  /** per link, why WeChat would not give it (e.g. 10020065 商品未上架) */
  errors?: Partial<Record<'h5url' | 'taglink' | 'qrcode', string>>;
}

export interface Results {
  'catalog.shopImport': ShopImportResult;
  'catalog.shopRefresh': import('../domain.ts').Product;
  'catalog.productLinks': ProductLinks;
}

export type Events = { type: 'catalog.shopImportProgress'; done: number; total: number };
