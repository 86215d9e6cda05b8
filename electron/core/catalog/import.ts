// Catalog import from CSV: every row is validated with the same schema as the API; any bad row → nothing is imported,
// and every bad row is reported with its line number.
import { ProductCreate, describeIssues } from '../../../shared/protocol/index.ts';
import type { CsvRowError, ImportResult } from '../../../shared/domain.ts';
import { parseYuan } from '../../../shared/money.ts';
import type { Db } from '../store/db.ts';
import { CoreError } from '../errors.ts';
import { CsvSyntaxError, DecodeError, decodeCsvBytes, parseCsv } from '../csv.ts';
import { type ProductInput, type ProductRepo, withDefaults } from './products.ts';

type Field =
  | 'title'
  | 'price'
  | 'priceFen'
  | 'livePrice'
  | 'livePriceFen'
  | 'sku'
  | 'stock'
  | 'imageUrl'
  | 'sellingPoints'
  | 'coupon'
  | 'link'
  | 'hot';

/** Header aliases, English and the names Chinese shop exports use. Prices without "fen" are in yuan (元). */
const HEADERS: Record<string, Field> = {
  title: 'title', 标题: 'title', 商品名称: 'title', 商品标题: 'title', 名称: 'title',
  price: 'price', 价格: 'price', 原价: 'price', 售价: 'price', '原价(元)': 'price',
  price_fen: 'priceFen', pricefen: 'priceFen', '原价(分)': 'priceFen',
  live_price: 'livePrice', liveprice: 'livePrice', 直播价: 'livePrice', 到手价: 'livePrice', '直播价(元)': 'livePrice',
  live_price_fen: 'livePriceFen', livepricefen: 'livePriceFen', '直播价(分)': 'livePriceFen',
  sku: 'sku', 商品编码: 'sku', 货号: 'sku', 规格编码: 'sku',
  stock: 'stock', 库存: 'stock',
  image: 'imageUrl', image_url: 'imageUrl', imageurl: 'imageUrl', 图片: 'imageUrl', 主图: 'imageUrl',
  selling_points: 'sellingPoints', sellingpoints: 'sellingPoints', 卖点: 'sellingPoints',
  coupon: 'coupon', 优惠券: 'coupon', 优惠: 'coupon',
  link: 'link', 链接: 'link', 商品链接: 'link',
  hot: 'hot', 爆款: 'hot',
};

const MAX_ROWS = 20_000;

export function importCatalogCsv(db: Db, products: ProductRepo, bytes: Uint8Array, now: number): ImportResult & { products: number[] } {
  return writeCatalog(db, products, parseCatalog(bytes), now);
}

export interface ParsedCatalog {
  encoding: string;
  rows: { line: number; input: ProductInput }[];
}

/**
 * Decodes, parses and validates a catalog CSV without touching the database: what the import worker runs
 * (imports/import-worker.ts), so a 20 MiB file never holds the core's event loop. Throws CoreError with every bad row.
 */
export function parseCatalog(bytes: Uint8Array): ParsedCatalog {
  let decoded;
  let records;
  try {
    decoded = decodeCsvBytes(bytes);
    records = parseCsv(decoded.text);
  } catch (error) {
    if (error instanceof DecodeError) throw new CoreError('bad_request', error.message);
    if (error instanceof CsvSyntaxError) {
      throw new CoreError('bad_request', error.message, { errors: [{ line: error.line, message: error.message }] });
    }
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) throw new CoreError('bad_request', '文件是空的 / the file is empty');
  if (rows.length > MAX_ROWS) throw new CoreError('too_large', `最多 ${MAX_ROWS} 行 / at most ${MAX_ROWS} rows per import`);

  const columns = header.cells.map((h) => HEADERS[h.trim().toLowerCase()] ?? HEADERS[h.trim()] ?? null);
  const has = (f: Field) => columns.includes(f);
  const errors: CsvRowError[] = [];
  if (!has('title')) errors.push({ line: header.line, message: '缺少“商品名称/title”列 / missing a title column' });
  if (!has('price') && !has('priceFen')) errors.push({ line: header.line, message: '缺少“价格/price”列 / missing a price column' });
  if (errors.length) throw importError(errors);

  const seenSku = new Map<string, number>();
  const parsed: { line: number; input: ProductInput }[] = [];
  for (const record of rows) {
    const raw: Partial<Record<Field, string>> = {};
    columns.forEach((field, i) => {
      if (field) raw[field] = (record.cells[i] ?? '').trim();
    });
    const rowErrors: CsvRowError[] = [];
    const money = (yuan: Field, fen: Field): number | null | undefined => {
      const y = raw[yuan];
      const f = raw[fen];
      if (f) {
        if (!/^\d+$/.test(f)) rowErrors.push({ line: record.line, column: fen, message: `“${f}” 不是整数分 / not an integer amount of fen` });
        return Number(f);
      }
      if (y) {
        const v = parseYuan(y);
        if (v === null) rowErrors.push({ line: record.line, column: yuan, message: `“${y}” 不是有效金额 / not a valid amount in yuan` });
        return v ?? undefined;
      }
      return null;
    };
    const price = money('price', 'priceFen');
    const livePrice = money('livePrice', 'livePriceFen');
    let stock: number | null = null;
    if (raw.stock) {
      if (/^\d+$/.test(raw.stock)) stock = Number(raw.stock);
      else rowErrors.push({ line: record.line, column: 'stock', message: `“${raw.stock}” 不是整数 / stock must be a whole number` });
    }
    const candidate = {
      title: raw.title ?? '',
      price: price ?? undefined,
      livePrice,
      sku: raw.sku || null,
      stock,
      imageUrl: raw.imageUrl || null,
      sellingPoints: raw.sellingPoints ? raw.sellingPoints.split(/[|｜；;\n]/).map((s) => s.trim()).filter(Boolean) : [],
      coupon: raw.coupon || null,
      link: raw.link || null,
      hot: raw.hot ? /^(1|true|yes|y|是|✓)$/i.test(raw.hot) : false,
    };
    if (rowErrors.length === 0) {
      const result = ProductCreate.safeParse(candidate);
      if (!result.success) {
        for (const issue of result.error.issues) {
          rowErrors.push({ line: record.line, column: String(issue.path[0] ?? ''), message: describeIssues({ issues: [issue] }) });
        }
      } else {
        const input = withDefaults(result.data);
        if (input.sku) {
          const first = seenSku.get(input.sku);
          if (first) rowErrors.push({ line: record.line, column: 'sku', message: `SKU ${input.sku} 与第 ${first} 行重复 / duplicate of line ${first}` });
          else seenSku.set(input.sku, record.line);
        }
        if (rowErrors.length === 0) parsed.push({ line: record.line, input });
      }
    }
    errors.push(...rowErrors);
  }
  if (errors.length) throw importError(errors);
  return { encoding: decoded.encoding, rows: parsed };
}

/** Writes validated rows in one transaction: a row whose SKU exists updates that product. */
export function writeCatalog(db: Db, products: ProductRepo, catalog: ParsedCatalog, now: number): ImportResult & { products: number[] } {
  const parsed = catalog.rows;
  let created = 0;
  let updated = 0;
  const ids: number[] = [];
  db.transaction(() => {
    for (const { input } of parsed) {
      const existing = input.sku ? products.bySku(input.sku) : null;
      if (existing) {
        ids.push(products.update(existing.id, input, now).id);
        updated++;
      } else {
        ids.push(products.create(input, now).id);
        created++;
      }
    }
  })();
  return { encoding: catalog.encoding, created, updated, products: ids };
}

function importError(errors: CsvRowError[]): CoreError {
  const first = errors.slice(0, 3).map((e) => `第 ${e.line} 行 line ${e.line}: ${e.message}`).join('; ');
  return new CoreError('bad_request', `导入失败，未导入任何商品 / import rejected, nothing imported — ${errors.length} error(s): ${first}`, {
    errors,
  });
}
