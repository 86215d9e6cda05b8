// The 微信小店 catalog domain (#11): commands catalog.shopImport / shopRefresh / productLinks, the downloaded product
// images at GET /media/products/:id (public, like the overlay page that shows them), and a refresh of a pinned shop
// product whose price/stock is stale. Other domains get product links through `productLinks` (push templates, #12;
// comment templates, #16).
import fs from 'node:fs';
import path from 'node:path';
import type { ProductLinks } from '../../../shared/protocol/shop.ts';
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import { wechatAccountsFor } from '../wechat/accounts.ts';
import type { CoreModule, ModuleEnv } from '../module.ts';
import type { CoreServer } from '../server/server.ts';
import { ShopCatalog } from './shop.ts';

const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.gif': 'image/gif', '.bmp': 'image/bmp', '.webp': 'image/webp' };

export class ShopModule implements CoreModule {
  readonly name = 'shop';
  private readonly env: ModuleEnv;
  private core!: Core;
  shop!: ShopCatalog;

  constructor(env: ModuleEnv = { env: {}, options: {} }) {
    this.env = env;
  }

  attach(core: Core): void {
    this.core = core;
    const accounts = wechatAccountsFor(core, this.env);
    this.shop = new ShopCatalog(core, () => accounts.client('shop'));
    core.handle('catalog.shopImport', () => this.shop.importAll((done, total) => core.emit({ type: 'catalog.shopImportProgress', done, total })));
    core.handle('catalog.shopRefresh', ({ productId }) => this.shop.refresh(productId));
    core.handle('catalog.productLinks', ({ productId, refresh }) => this.shop.productLinks(productId, refresh ?? false));
    // before a pin: the product up next in a live session is read again when older than a few minutes, so its price
    // and stock are fresh when it is pinned; a pin of a stale one (out of order) is refreshed right after, as a backup
    let seen = new Map<number, string>();
    core.subscribe((event) => {
      if (event.type !== 'session.changed' || event.session.status !== 'live') return;
      const st = event.session;
      const seg = st.segment && st.segment.endedAt === null ? st.segment : null;
      const key = `${seg?.id ?? ''}:${st.next?.id ?? ''}`;
      if (seen.get(st.id) === key) return;
      seen = new Map(seen).set(st.id, key);
      if (seg) void this.shop.refreshIfStale(seg.productId);
      if (st.next) void this.shop.refreshIfStale(st.next.productId);
    });
  }

  routes(server: CoreServer): void {
    server.route(
      'GET',
      '/media/products/:id',
      (c) => {
        const raw = c.params.id ?? '';
        if (!/^\d{1,15}$/.test(raw)) throw new CoreError('bad_request', 'id must be a positive integer');
        const file = this.shop.imagePath(Number(raw));
        if (!file) {
          // not a shop product (or its download failed): its own http(s) image URL, so every view asks one address
          const url = this.productImageUrl(Number(raw));
          if (!url || !/^https?:\/\//i.test(url)) throw new CoreError('not_found', `商品 #${raw} 没有图片 / product #${raw} has no image`);
          c.res.writeHead(302, { location: url, 'cache-control': 'no-store' });
          c.res.end();
          return;
        }
        const body = fs.readFileSync(file);
        c.res.writeHead(200, {
          'content-type': IMAGE_TYPES[path.extname(file)] ?? 'application/octet-stream',
          'content-length': body.length,
          'cache-control': 'max-age=300',
          'x-content-type-options': 'nosniff',
        });
        c.res.end(body);
      },
      { public: true, manual: true },
    );
  }

  private productImageUrl(id: number): string | null {
    try {
      return this.core.products.get(id).imageUrl;
    } catch {
      return null;
    }
  }

  /** for other domains: the links of the product being explained (cached), or null when it is not a shop product */
  async productLinks(productId: number): Promise<ProductLinks | null> {
    try {
      return await this.shop.productLinks(productId);
    } catch {
      return null;
    }
  }
}
