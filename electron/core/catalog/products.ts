// Product repository: rows ⇄ Product, statements prepared once.
import type { Db } from '../store/db.ts';
import type { Product } from '../../../shared/domain.ts';
import { conflict, notFound } from '../errors.ts';

interface ProductRow {
  id: number;
  title: string;
  price: number;
  live_price: number | null;
  sku: string | null;
  stock: number | null;
  image_url: string | null;
  selling_points: string;
  coupon: string | null;
  link: string | null;
  hot: number;
  created_at: number;
  updated_at: number;
}

export type ProductInput = Omit<Product, 'id' | 'createdAt' | 'updatedAt'>;
export type ProductPatch = Partial<ProductInput>;

export function toProduct(r: ProductRow): Product {
  return {
    id: r.id,
    title: r.title,
    price: r.price,
    livePrice: r.live_price,
    sku: r.sku,
    stock: r.stock,
    imageUrl: r.image_url,
    sellingPoints: JSON.parse(r.selling_points) as string[],
    coupon: r.coupon,
    link: r.link,
    hot: r.hot === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function withDefaults(p: Partial<ProductInput> & Pick<ProductInput, 'title' | 'price'>): ProductInput {
  return {
    title: p.title,
    price: p.price,
    livePrice: p.livePrice ?? null,
    sku: p.sku ?? null,
    stock: p.stock ?? null,
    imageUrl: p.imageUrl ?? null,
    sellingPoints: p.sellingPoints ?? [],
    coupon: p.coupon ?? null,
    link: p.link ?? null,
    hot: p.hot ?? false,
  };
}

export class ProductRepo {
  private readonly sql;
  constructor(db: Db) {
    this.sql = {
      get: db.prepare<[number], ProductRow>('SELECT * FROM products WHERE id = ? AND deleted_at IS NULL'),
      getAny: db.prepare<[number], ProductRow>('SELECT * FROM products WHERE id = ?'),
      bySku: db.prepare<[string], ProductRow>('SELECT * FROM products WHERE sku = ? AND deleted_at IS NULL'),
      idBySku: db.prepare<[string], { id: number }>('SELECT id FROM products WHERE sku = ? ORDER BY deleted_at IS NOT NULL, id LIMIT 1'),
      list: db.prepare<[], ProductRow>('SELECT * FROM products WHERE deleted_at IS NULL ORDER BY id'),
      insert: db.prepare(
        `INSERT INTO products (title, price, live_price, sku, stock, image_url, selling_points, coupon, link, hot, created_at, updated_at)
         VALUES (@title, @price, @livePrice, @sku, @stock, @imageUrl, @sellingPoints, @coupon, @link, @hot, @now, @now)`,
      ),
      update: db.prepare(
        `UPDATE products SET title=@title, price=@price, live_price=@livePrice, sku=@sku, stock=@stock, image_url=@imageUrl,
         selling_points=@sellingPoints, coupon=@coupon, link=@link, hot=@hot, updated_at=@now WHERE id=@id`,
      ),
      softDelete: db.prepare('UPDATE products SET deleted_at = ?, sku = NULL WHERE id = ? AND deleted_at IS NULL'),
    };
  }

  get(id: number): Product {
    const row = this.sql.get.get(id);
    if (!row) throw notFound('product', id);
    return toProduct(row);
  }

  /** also finds deleted products, which old sessions still reference */
  getIncludingDeleted(id: number): Product | null {
    const row = this.sql.getAny.get(id);
    return row ? toProduct(row) : null;
  }

  exists(id: number): boolean {
    return this.sql.get.get(id) !== undefined;
  }

  bySku(sku: string): Product | null {
    const row = this.sql.bySku.get(sku);
    return row ? toProduct(row) : null;
  }

  /** the id of the product with this SKU, a live one before a deleted one (orders that name a product only by SKU) */
  idBySku(sku: string): number | null {
    return this.sql.idBySku.get(sku)?.id ?? null;
  }

  list(): Product[] {
    return this.sql.list.all().map(toProduct);
  }

  create(input: ProductInput, now: number): Product {
    this.assertSkuFree(input.sku, null);
    const info = this.sql.insert.run(params(input, now));
    return this.get(Number(info.lastInsertRowid));
  }

  update(id: number, patch: ProductPatch, now: number): Product {
    const current = this.get(id);
    const merged: ProductInput = { ...current, ...stripUndefined(patch) };
    this.assertSkuFree(merged.sku, id);
    this.sql.update.run({ ...params(merged, now), id });
    return this.get(id);
  }

  delete(id: number, now: number): void {
    const info = this.sql.softDelete.run(now, id);
    if (info.changes === 0) throw notFound('product', id);
  }

  private assertSkuFree(sku: string | null, selfId: number | null): void {
    if (!sku) return;
    const other = this.bySku(sku);
    if (other && other.id !== selfId) throw conflict(`SKU ${sku} 已被商品 #${other.id} 使用 / SKU already used by product #${other.id}`);
  }
}

function params(p: ProductInput, now: number) {
  return {
    title: p.title,
    price: p.price,
    livePrice: p.livePrice,
    sku: p.sku,
    stock: p.stock,
    imageUrl: p.imageUrl,
    sellingPoints: JSON.stringify(p.sellingPoints),
    coupon: p.coupon,
    link: p.link,
    hot: p.hot ? 1 : 0,
    now,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
