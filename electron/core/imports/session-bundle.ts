// Reading and checking a session bundle (review/bundle.ts) in the import worker (issue 14: "XLSX/CSV/bundle parsing
// runs off the main thread ... every imported row is validated with the same schemas as live input"). Nothing here
// touches the database: the core hands over the schema facts it read (BundlePlan), this file parses the JSON, checks
// the envelope, every row against the schema built from the table's columns, and products, titles and lineup texts
// against the live-input schemas; it answers the rows as flat arrays per table (cheap to structured-clone back and to
// bind), and the core writes them in one transaction.
import { z } from 'zod';
import { epochMs, id } from '../../../shared/protocol/fields.ts';
import { ProductCreate, commandSchemas, describeIssues } from '../../../shared/protocol/index.ts';
import { CoreError } from '../errors.ts';

export const BUNDLE_FORMAT = 'livecue.session';
export const BUNDLE_VERSION = 1;

/**
 * Limits checked by one linear pass over the bytes before JSON.parse builds anything, so a bundle that would cost
 * the worker's heap or minutes is refused in milliseconds. A bundle is { envelope, data: { table: [ { column: scalar } ] } }:
 * four levels of nesting; every value in a row is a number, a string or null (JSON-in-text columns stay strings).
 */
export const BUNDLE_LIMITS = {
  /** rows in all tables (an 8-hour session at one reading a second with 100 000 orders has about 160 000) */
  rows: 5_000_000,
  /** row values in all tables (the same 8-hour session: about 1.6 million) */
  cells: 25_000_000,
  /** one string's bytes as sent (escapes included); the longest real text is a selling-points list of a few KB */
  stringBytes: 10 * 1024 * 1024,
  depth: 4,
};

/** one column as PRAGMA table_info reports it (type upper-cased) */
export interface Column {
  name: string;
  type: string;
  notnull: boolean;
  hasDefault: boolean;
  pk: boolean;
}
export interface ForeignKey {
  from: string;
  table: string;
}
export interface TableInfo {
  name: string;
  columns: Column[];
  fks: ForeignKey[];
  /** the INTEGER PRIMARY KEY that aliases the rowid and is not itself a reference: a new value on import */
  ownId: string | null;
}
/** What the worker needs of the target's schema: the session tables in insert order (sessions first) and products. */
export interface BundlePlan {
  tables: TableInfo[];
  products: TableInfo;
}

/**
 * `count` rows that share one key list, by column: row r's value for columns[c] is data[c][r]. A column of numbers only
 * is a Float64Array, moved to the core without a copy (JSON numbers are doubles: nothing is lost); others are arrays.
 */
export interface RowBlock {
  columns: string[];
  count: number;
  data: (Float64Array | unknown[])[];
}
export interface CheckedBundle {
  exportedAt: number;
  /** table → its rows in bundle order, one block per run of rows with the same keys (one block for an export) */
  tables: Record<string, RowBlock[]>;
}

/** the bundle as the core received it: the raw upload, JSON text, base64 of JSON, or an already-parsed value */
export type BundleInput = { bytes: Uint8Array } | { text: string } | { value: unknown };

export const PRODUCTS = 'products';
export const CHANNELS = 'push_channels';

type Issue = { path: PropertyKey[]; message: string; code?: string };

const invalid = (issues: Issue[]) =>
  new CoreError(
    'bad_request',
    `文件无效，未导入 / invalid bundle, nothing imported: ${describeIssues({ issues: issues as z.core.$ZodIssue[] })}`,
    {
      issues: issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  );

const refused = (zh: string, en: string) => new CoreError('too_large', `${zh}，未导入 / ${en}, nothing imported`);

/** rows parsed per JSON.parse: a batch's objects are checked and packed by column before the next is read */
const BATCH = 2000;

/** where one table's rows are in the bytes: the "[" and "]" around them, how many, and where every BATCH-th starts */
export interface TableSpan {
  name: string;
  open: number;
  close: number;
  count: number;
  batchStarts: number[];
}

const malformed = (zh: string, en: string) =>
  new CoreError('bad_request', `文件无效，未导入：${zh} / invalid bundle, nothing imported: ${en}`);

/**
 * One pass over the JSON bytes: nesting depth, rows (objects or arrays at row depth), cells (members of rows) and the
 * longest string, each refused as soon as it passes its limit; and where each table of `data` has its rows, so they
 * can be parsed a batch at a time. Structural characters are ASCII, so bytes suffice.
 */
export function scanJson(bytes: Uint8Array, limits = BUNDLE_LIMITS): TableSpan[] {
  let depth = 0;
  let rows = 0;
  let cells = 0;
  let strStart = -1;
  let strEnd = -1;
  let rootKey: string | null = null;
  let tableKey: string | null = null;
  let dataSeen = false;
  let inData = false;
  let table: TableSpan | null = null;
  const tables: TableSpan[] = [];
  const names = new Set<string>();
  const key = () => {
    try {
      return JSON.parse(decode(bytes.subarray(strStart, strEnd + 1))) as string;
    } catch {
      return '';
    }
  };
  for (let i = 0, n = bytes.length; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0x22 /* " */) {
      const start = i;
      for (i++; i < n; i++) {
        const c = bytes[i]!;
        if (c === 0x5c /* \ */) i++;
        else if (c === 0x22) break;
      }
      if (i - start > limits.stringBytes) {
        throw refused(
          `有一段文字超过 ${limits.stringBytes / 1024 / 1024} MiB（第 ${start} 字节起）`,
          `a string of more than ${limits.stringBytes / 1024 / 1024} MiB at byte ${start}`,
        );
      }
      if (table && depth === 3)
        throw malformed(`${table.name} 的第 ${table.count + 1} 行不是对象`, `a row of ${table.name} is not an object (byte ${start})`);
      strStart = start;
      strEnd = i;
    } else if (b === 0x7b /* { */ || b === 0x5b /* [ */) {
      if (++depth > limits.depth)
        throw malformed(`第 ${i} 字节处嵌套超过 ${limits.depth} 层`, `nested deeper than ${limits.depth} levels at byte ${i}`);
      if (depth === limits.depth) {
        if (++rows > limits.rows) throw refused(`行数超过 ${limits.rows}`, `more than ${limits.rows} rows`);
        if (table && table.count++ % BATCH === 0) table.batchStarts.push(i);
      } else if (depth === 2 && b === 0x7b && rootKey === 'data') {
        if (dataSeen) throw malformed('data 出现两次', 'data appears twice');
        dataSeen = inData = true;
      } else if (depth === 3 && inData && b === 0x5b) {
        table = { name: tableKey ?? '', open: i, close: -1, count: 0, batchStarts: [] };
      }
    } else if (b === 0x7d /* } */ || b === 0x5d /* ] */) {
      if (depth === 3 && table && b === 0x5d) {
        table.close = i;
        tables.push(table);
        table = null;
      } else if (depth === 2 && inData) {
        inData = false;
      }
      depth--;
    } else if (b === 0x3a /* : */) {
      if (depth === limits.depth) {
        if (++cells > limits.cells) throw refused(`数据格超过 ${limits.cells}`, `more than ${limits.cells} values`);
      } else if (depth === 1) {
        rootKey = key();
      } else if (depth === 2 && inData) {
        tableKey = key();
        if (names.has(tableKey)) throw malformed(`表 ${tableKey} 出现两次`, `table ${tableKey} appears twice`);
        names.add(tableKey);
      }
    } else if (table && depth === 3 && b !== 0x2c && b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) {
      throw malformed(`${table.name} 的第 ${table.count + 1} 行不是对象`, `a row of ${table.name} is not an object (byte ${i})`);
    }
  }
  return tables;
}

/** the text of JSON bytes: UTF-8 only (a byte-order mark is dropped), as the exporter writes it */
function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CoreError('bad_request', '文件不是 UTF-8 文本，未导入 / the bundle is not UTF-8 text, nothing imported');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CoreError(
      'bad_request',
      `文件不是 JSON，未导入 / the bundle is not JSON, nothing imported: ${(error as Error).message.slice(0, 200)}`,
    );
  }
}

/** a bundle whose rows are read a batch at a time: the envelope (tables emptied), and each table's rows */
interface Source {
  envelope: unknown;
  count(table: string): number;
  batches(table: string): Generator<{ first: number; rows: unknown[] }>;
}

function fromValue(value: unknown): Source {
  const data = (value as { data?: Record<string, unknown> } | null)?.data;
  const list = (table: string) => (data && typeof data === 'object' && Array.isArray(data[table]) ? (data[table] as unknown[]) : []);
  return {
    envelope: value,
    count: (table) => list(table).length,
    *batches(table) {
      yield { first: 0, rows: list(table) };
    },
  };
}

/** The bytes are scanned (limits, where the rows are), the envelope is parsed with the tables cut out, rows later in batches. */
function fromBytes(bytes: Uint8Array): Source {
  const spans = scanJson(bytes);
  const pieces: string[] = [];
  let at = 0;
  for (const t of spans) {
    pieces.push(decode(bytes.subarray(at, t.open + 1)));
    at = t.close;
  }
  pieces.push(decode(bytes.subarray(at)));
  const envelope = parseJson(pieces.join(''));
  const byName = new Map(spans.map((t) => [t.name, t]));
  return {
    envelope,
    count: (table) => byName.get(table)?.count ?? 0,
    *batches(table) {
      const t = byName.get(table);
      if (!t) return;
      for (let b = 0; b < t.batchStarts.length; b++) {
        const end = b + 1 < t.batchStarts.length ? t.batchStarts[b + 1]! : t.close;
        // from this batch's first row to the next batch's (or the "]"): drop the comma between them
        const text = decode(bytes.subarray(t.batchStarts[b]!, end)).trimEnd();
        yield { first: b * BATCH, rows: parseJson(`[${text.endsWith(',') ? text.slice(0, -1) : text}]`) as unknown[] };
      }
    },
  };
}

function source(input: BundleInput): Source {
  if ('value' in input) return fromValue(input.value);
  if ('text' in input) {
    const trimmed = input.text.trimStart();
    // JSON text starts with "{"; anything else is taken as base64 of it (base64 has no "{")
    return fromBytes(Buffer.from(trimmed, trimmed.startsWith('{') ? 'utf8' : 'base64'));
  }
  return fromBytes(input.bytes);
}

// ── schemas ────────────────────────────────────────────────────────────────────────────────────────────────────────

function columnSchema(c: Column, optionalId: boolean): z.ZodType {
  let base: z.ZodType;
  if (c.type === 'INTEGER') base = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
  else if (c.type === 'REAL') base = z.number().finite();
  else if (c.type === 'TEXT') base = z.string().max(10_000_000);
  else base = z.union([z.number(), z.string(), z.null()]);
  const nullable = !c.notnull || optionalId;
  const s = nullable ? base.nullable() : base;
  return nullable || c.hasDefault ? s.optional() : s;
}

function rowSchema(t: TableInfo): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const c of t.columns) shape[c.name] = columnSchema(c, c.name === t.ownId);
  return z.strictObject(shape);
}

/** the envelope: known tables only, each an array (its rows are checked one by one after; from bytes, they are cut out here) */
function envelopeSchema(plan: BundlePlan) {
  const data: Record<string, z.ZodType> = {};
  for (const t of [...plan.tables.map((t) => t.name), CHANNELS, PRODUCTS]) data[t] = z.array(z.unknown()).optional();
  return z.strictObject({
    format: z.literal(BUNDLE_FORMAT),
    version: z.literal(BUNDLE_VERSION),
    exportedAt: epochMs,
    app: z.string().max(200),
    data: z.strictObject(data),
  });
}

/**
 * The same schemas as live input (issue 14 finding 8: a `javascript:` image URL and control characters came in as they
 * were): every product as product.create would take it, the session title as session.create, lineup texts as
 * lineup.update.
 */
function liveInputProblems(data: Record<string, Record<string, unknown>[] | undefined>): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const check = (schema: z.ZodType, value: unknown, where: string) => {
    const r = schema.safeParse(value);
    if (!r.success) for (const i of r.error.issues.slice(0, 3)) out.push({ path: [where, ...i.path].join('.'), message: i.message });
  };
  const opt = <T>(v: T | null | undefined) => (v === null || v === undefined ? undefined : v);
  for (const [i, p] of (data[PRODUCTS] ?? []).entries()) {
    let sellingPoints: unknown = [];
    try {
      sellingPoints = JSON.parse(String(p.selling_points ?? '[]'));
    } catch {
      out.push({ path: `${PRODUCTS}[${i}].selling_points`, message: 'not JSON' });
    }
    check(
      ProductCreate,
      {
        title: p.title,
        price: p.price,
        livePrice: p.live_price ?? null,
        sku: p.sku ?? null,
        stock: p.stock ?? null,
        imageUrl: p.image_url ?? null,
        sellingPoints,
        coupon: p.coupon ?? null,
        link: p.link ?? null,
        hot: p.hot === 1 || p.hot === true,
      },
      `${PRODUCTS}[${i}]`,
    );
  }
  for (const [i, s] of (data.sessions ?? []).entries())
    check(commandSchemas['session.create'].shape.title, s.title, `sessions[${i}].title`);
  for (const [i, item] of (data.lineup_items ?? []).entries()) {
    check(
      commandSchemas['lineup.update'],
      { itemId: 1, plannedMinutes: opt(item.planned_minutes), talkingPoints: opt(item.talking_points), notes: opt(item.notes) },
      `lineup_items[${i}]`,
    );
  }
  return out;
}

/** Packs rows by column as they come; a key whose value is undefined (only in a value handed over as an object) is left out. */
class Packer {
  readonly blocks: RowBlock[] = [];
  private key = '';
  add(row: Record<string, unknown>): void {
    const columns = Object.keys(row).filter((k) => row[k] !== undefined);
    const key = columns.join('\u0000');
    let block = this.blocks.at(-1);
    if (!block || key !== this.key) {
      block = { columns, count: 0, data: columns.map(() => []) };
      this.blocks.push(block);
      this.key = key;
    }
    block.count++;
    for (let c = 0; c < columns.length; c++) (block.data[c] as unknown[]).push(row[columns[c]!]);
  }
  done(): RowBlock[] {
    for (const b of this.blocks)
      b.data = b.data.map((col) => ((col as unknown[]).every((v) => typeof v === 'number') ? Float64Array.from(col as number[]) : col));
    return this.blocks;
  }
}

/** the buffers of a checked bundle's number columns, to move rather than copy */
export function transferables(bundle: CheckedBundle): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const blocks of Object.values(bundle.tables))
    for (const b of blocks) for (const col of b.data) if (col instanceof Float64Array) out.push(col.buffer as ArrayBuffer);
  return out;
}

/** tables whose rows are also checked against live-input schemas, kept as objects for that */
const LIVE_CHECKED = new Set(['sessions', 'lineup_items', PRODUCTS]);

/**
 * Parses and checks a bundle against the plan; throws a CoreError naming what is wrong, or answers its rows packed by
 * column. Every row is checked against its table's schema (stopping at 20 issues, so a million bad rows cost no more
 * than twenty), then products, the title and lineup texts as live input would be.
 */
export function checkBundle(input: BundleInput, plan: BundlePlan): CheckedBundle {
  const src = source(input);
  const envelope = envelopeSchema(plan).safeParse(src.envelope);
  if (!envelope.success) throw invalid(envelope.error.issues);
  const { exportedAt, data } = envelope.data as { exportedAt: number; data: Record<string, unknown[] | undefined> };
  if (!Array.isArray(data.sessions) || src.count('sessions') !== 1) {
    throw invalid([{ path: ['data', 'sessions'], message: 'data.sessions must hold exactly one session', code: 'custom' }]);
  }
  let rows = 0;
  for (const name of Object.keys(data)) rows += src.count(name);
  // a value handed over as an object did not pass the scan
  if (rows > BUNDLE_LIMITS.rows) throw refused(`行数超过 ${BUNDLE_LIMITS.rows}`, `more than ${BUNDLE_LIMITS.rows} rows`);

  const issues: Issue[] = [];
  const kept: Record<string, Record<string, unknown>[]> = {};
  const tables: Record<string, RowBlock[]> = {};
  const schemas: [string, z.ZodType][] = [
    ...plan.tables.map((t): [string, z.ZodType] => [t.name, rowSchema(t)]),
    [CHANNELS, z.strictObject({ id, kind: z.string().max(32), name: z.string().max(200) })],
    [PRODUCTS, rowSchema(plan.products)],
  ];
  for (const [table, schema] of schemas) {
    if (!Array.isArray(data[table])) continue;
    const packer = new Packer();
    for (const batch of src.batches(table)) {
      for (let i = 0; i < batch.rows.length; i++) {
        const row = batch.rows[i];
        const r = schema.safeParse(row);
        if (!r.success) {
          for (const issue of r.error.issues) {
            issues.push({ ...issue, path: ['data', table, batch.first + i, ...issue.path] });
            if (issues.length >= 20) throw invalid(issues);
          }
          continue;
        }
        if (issues.length) continue;
        packer.add(row as Record<string, unknown>);
        if (LIVE_CHECKED.has(table)) (kept[table] ??= []).push(row as Record<string, unknown>);
      }
    }
    tables[table] = packer.done();
  }
  if (issues.length) throw invalid(issues);
  const problems = liveInputProblems(kept);
  if (problems.length) {
    throw new CoreError(
      'bad_request',
      `文件中有不合规的内容，未导入 / the bundle holds values live input would refuse, nothing imported: ${problems[0]!.path}: ${problems[0]!.message}`,
      { issues: problems.slice(0, 20) },
    );
  }
  return { exportedAt, tables };
}
