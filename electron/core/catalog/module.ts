// The catalog domain: products (create, edit, delete, list), the CSV import and product images kept in the data folder.
// Commands and their HTTP routes; the rows live in `core.products` (ProductRepo), which the lineup and other domains read.
import type { Product, SessionState } from '../../../shared/domain.ts';
import type { Core } from '../core.ts';
import { CoreError, conflict } from '../errors.ts';
import { MAX_IMAGE_BYTES, readStoredImage, storeImage } from '../images.ts';
import type { CoreModule } from '../module.ts';
import { bodyObject, idParam } from '../server/params.ts';
import type { CoreServer } from '../server/server.ts';
import { type ParsedCatalog, writeCatalog } from './import.ts';
import { type ProductRepo, withDefaults } from './products.ts';

/** What the catalog asks of the lineup before it changes a product (handed in by the registry: the lineup module). */
export interface LineupUse {
  /** titles of the sessions (not ended) whose lineup holds the product: such a product cannot be deleted */
  activeSessionsWith(productId: number): string[];
  /** the sessions not ended, with their pin: a product edited while on pin is re-sent to every view of its session */
  activeStates(): SessionState[];
}

export interface CatalogDeps {
  /** read lazily: the lineup is built after the catalog (it reads products through the catalog's API) */
  lineup: () => LineupUse;
}

export class CatalogModule implements CoreModule {
  readonly name = 'catalog';
  private readonly deps: CatalogDeps;
  private products!: ProductRepo;

  constructor(deps: CatalogDeps) {
    this.deps = deps;
  }

  // the catalog's API for other domains (the registry hands it to the lineup as its CatalogApi): reads, after attach
  get(id: number): Product {
    return this.products.get(id);
  }
  getIncludingDeleted(id: number): Product | null {
    return this.products.getIncludingDeleted(id);
  }
  exists(id: number): boolean {
    return this.products.exists(id);
  }

  attach(core: Core): void {
    const tx = <T>(fn: () => T): T => core.db.transaction(fn).immediate();
    const products = (this.products = core.products);

    core.handle('product.create', (input) => {
      const product = tx(() => products.create(withDefaults(input), core.now()));
      core.emit({ type: 'product.upserted', product });
      return product;
    });
    core.handle('product.update', ({ id, ...patch }) => {
      const product = tx(() => products.update(id, patch, core.now()));
      core.emit({ type: 'product.upserted', product });
      // a mid-show price change: every view of a session with this product on pin (host, overlay, OBS) is re-sent (#13)
      for (const state of this.deps.lineup().activeStates()) {
        if (state.pinned?.id === id) core.emit({ type: 'session.changed', session: state });
      }
      return product;
    });
    core.handle('product.delete', ({ id }) => {
      tx(() => {
        const inUse = this.deps.lineup().activeSessionsWith(id);
        if (inUse.length) throw conflict(`商品在排品中：${inUse.join('、')} / product is in the lineup of: ${inUse.join(', ')}`);
        products.delete(id, core.now());
      });
      core.emit({ type: 'product.removed', id });
      return { id };
    });
    core.handle('image.store', ({ base64 }) => storeImage(core.dataDir, Buffer.from(base64, 'base64')));
    core.handle('catalog.importCsv', async ({ base64 }) => {
      // parsed and validated in the import worker (time and heap limits); written here in one transaction
      const parsed = await core.imports.run<ParsedCatalog>({ kind: 'catalog-csv', bytes: Buffer.from(base64, 'base64') });
      const result = writeCatalog(core.db, products, parsed, core.now());
      core.emit({ type: 'catalog.replaced', products: products.list() });
      return { encoding: result.encoding, created: result.created, updated: result.updated };
    });
    core.handle('products.list', () => products.list());
  }

  routes(server: CoreServer): void {
    const core = server.core;
    const r = server.route.bind(server);
    // read-only views (host display, dashboard) hold a display token
    r('GET', '/api/v1/products', () => core.invoke('products.list', {}), { access: 'display' });
    r('POST', '/api/v1/products', (c) => core.invoke('product.create', c.body));
    r('PATCH', '/api/v1/products/:id', (c) => core.invoke('product.update', { ...bodyObject(c.body), id: idParam(c) }));
    r('DELETE', '/api/v1/products/:id', (c) => core.invoke('product.delete', { id: idParam(c) }));
    r('POST', '/api/v1/products/import', (c) => core.invoke('catalog.importCsv', { base64: c.raw.toString('base64') }), {
      raw: true,
      maxBody: 20 * 1024 * 1024,
    });

    // product images in the data folder (#13): upload the bytes; served without a token, like the overlay that shows
    // them on stream, under content-addressed names that never change (so cached for good)
    r('POST', '/api/v1/images', (c) => core.invoke('image.store', { base64: c.raw.toString('base64') }), {
      raw: true,
      maxBody: MAX_IMAGE_BYTES,
    });
    r(
      'GET',
      '/images/:name',
      (c) => {
        const image = readStoredImage(core.dataDir, c.params.name ?? '');
        if (!image) throw new CoreError('not_found', '图片不存在 / image not found');
        c.res.writeHead(200, {
          'content-type': image.contentType,
          'content-length': image.body.length,
          'cache-control': 'public, max-age=31536000, immutable',
          'x-content-type-options': 'nosniff',
          'access-control-allow-origin': '*',
        });
        c.res.end(c.req.method === 'HEAD' ? undefined : image.body);
      },
      { public: true, manual: true },
    );
  }
}
