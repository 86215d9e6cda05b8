// The session bundle: one session and every per-session row as JSON, imported into another LiveCue with new ids.
// Tables are discovered from the schema (PRAGMA table_info / foreign_key_list), so a table a later migration adds with
// a session_id column (or a foreign key to such a table) travels without touching this file.
import { z } from 'zod';
import { epochMs, id } from '../../../shared/protocol/fields.ts';
import { ProductCreate, commandSchemas, describeIssues } from '../../../shared/protocol/index.ts';
import type { ImportSessionResult, SessionBundle } from '../../../shared/protocol/review.ts';
import { CoreError, notFound } from '../errors.ts';
import type { Db } from '../store/db.ts';

export const BUNDLE_FORMAT = 'livecue.session';
export const BUNDLE_VERSION = 1;
/** the JSON a user may upload (≈ a 10-hour session at one reading a second, with rollups) */
export const MAX_BUNDLE_BYTES = 200 * 1024 * 1024;
const MAX_ROWS = 5_000_000;

/**
 * Tables with a session_id that do not travel: the WeChat push receiver's dedupe log (its orders are already in
 * metric_orders, and its raw bodies carry buyer data the review does not need), and the summary rollups
 * metric_product_minutes and metric_session_totals, derived on import (the metrics API's rebuildRollups) whichever LiveCue wrote the
 * bundle.
 */
// the per-product minute and per-session total rollups are rebuilt on import (#17)
const EXCLUDED = new Set(['wechat_push_events', 'metric_product_minutes', 'metric_session_totals']);
/**
 * Tables that travel for the record but are never written on import (issue 14 finding 8): OBS cues fire scene changes
 * and hotkeys on pin (a bundle's StopStreaming hotkey would end the target's broadcast), so they are dropped and the
 * producer sets cues again where wanted.
 */
const IMPORT_DROPPED = new Set(['obs_item_cues']);
/** rows that point at these are resolved against the target's own rows, never inserted from the bundle as they are */
const PRODUCTS = 'products';
const CHANNELS = 'push_channels';

interface Column {
  name: string;
  type: string;
  notnull: boolean;
  hasDefault: boolean;
  pk: boolean;
}
interface ForeignKey {
  from: string;
  table: string;
}
interface TableInfo {
  name: string;
  columns: Column[];
  fks: ForeignKey[];
  /** the INTEGER PRIMARY KEY that aliases the rowid and is not itself a reference: a new value on import */
  ownId: string | null;
}

/** The schema facts the bundle needs, read once per call (cheap: a few dozen PRAGMAs). */
function schema(db: Db): Map<string, TableInfo> {
  const tables = db
    .prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all();
  const out = new Map<string, TableInfo>();
  for (const t of tables) {
    const columns = db
      .prepare<[], { name: string; type: string; notnull: number; dflt_value: unknown; pk: number }>(`PRAGMA table_info(${quote(t.name)})`)
      .all()
      .map((c) => ({ name: c.name, type: c.type.toUpperCase(), notnull: c.notnull === 1, hasDefault: c.dflt_value !== null, pk: c.pk > 0 }));
    const fks = db.prepare<[], { from: string; table: string }>(`PRAGMA foreign_key_list(${quote(t.name)})`).all().map((f) => ({ from: f.from, table: f.table }));
    const pks = columns.filter((c) => c.pk);
    const withoutRowid = /WITHOUT\s+ROWID/i.test(t.sql);
    const alias = pks.length === 1 && pks[0]!.type === 'INTEGER' && !withoutRowid ? pks[0]!.name : null;
    const ownId = alias && alias !== 'session_id' && !fks.some((f) => f.from === alias) ? alias : null;
    out.set(t.name, { name: t.name, columns, fks, ownId });
  }
  return out;
}

/** sessions first, then tables with a session_id, then child tables reaching a session through foreign keys */
function sessionTables(info: Map<string, TableInfo>): TableInfo[] {
  const picked = new Map<string, TableInfo>();
  picked.set('sessions', info.get('sessions')!);
  for (const t of info.values()) {
    if (t.name === 'sessions' || EXCLUDED.has(t.name)) continue;
    if (t.columns.some((c) => c.name === 'session_id')) picked.set(t.name, t);
  }
  // children: a table without session_id whose NOT NULL foreign key points at a picked table (push_deliveries, obs_item_cues)
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of info.values()) {
      if (picked.has(t.name) || EXCLUDED.has(t.name) || t.name === PRODUCTS || t.name === CHANNELS) continue;
      if (parentKey(t, picked)) {
        picked.set(t.name, t);
        grew = true;
      }
    }
  }
  return order([...picked.values()]);
}

function parentKey(t: TableInfo, picked: Map<string, TableInfo>): ForeignKey | null {
  for (const fk of t.fks) {
    const col = t.columns.find((c) => c.name === fk.from);
    // an INTEGER PRIMARY KEY reports notnull 0 but can never be NULL (obs_item_cues.lineup_item_id)
    if ((col?.notnull || col?.pk) && fk.table !== 'sessions' && picked.has(fk.table) && picked.get(fk.table)!.ownId) return fk;
  }
  return null;
}

/** a table after every table it references, so inserts never meet a missing parent */
function order(tables: TableInfo[]): TableInfo[] {
  const names = new Set(tables.map((t) => t.name));
  const done = new Set<string>();
  const out: TableInfo[] = [];
  while (out.length < tables.length) {
    const before = out.length;
    for (const t of tables) {
      if (done.has(t.name)) continue;
      const deps = t.fks.map((f) => f.table).filter((n) => n !== t.name && names.has(n));
      if (t.name !== 'sessions' && !done.has('sessions')) continue;
      if (deps.every((d) => done.has(d))) {
        done.add(t.name);
        out.push(t);
      }
    }
    if (out.length === before) throw new Error('cyclic foreign keys among session tables');
  }
  return out;
}

// ── export ─────────────────────────────────────────────────────────────────────────────────────────────────────────

export function exportBundle(db: Db, sessionId: number, now: number, app: string): SessionBundle {
  return db.transaction((): SessionBundle => {
    const info = schema(db);
    const session = db.prepare('SELECT * FROM sessions WHERE id = ?').get(sessionId) as Record<string, unknown> | undefined;
    if (!session) throw notFound('session', sessionId);
    const data: Record<string, Record<string, unknown>[]> = { sessions: [session] };
    const tables = sessionTables(info);
    for (const t of tables) {
      if (t.name === 'sessions') continue;
      if (t.columns.some((c) => c.name === 'session_id')) {
        data[t.name] = db.prepare(`SELECT * FROM ${quote(t.name)} WHERE session_id = ?`).all(sessionId) as Record<string, unknown>[];
        continue;
      }
      const fk = parentKey(t, new Map(tables.map((x) => [x.name, x])))!;
      const parent = info.get(fk.table)!;
      const ids = (data[fk.table] ?? []).map((r) => r[parent.ownId!] as number);
      data[t.name] = selectIn(db, t.name, fk.from, ids);
    }
    // robots are named only: their webhook URL and signing secret are credentials and never leave this machine
    const channelIds = [...new Set((data.push_deliveries ?? []).map((d) => d.channel_id as number))];
    const channels = selectIn(db, CHANNELS, 'id', channelIds) as { id: number; kind: string; name: string; url: string; secret: string | null }[];
    data[CHANNELS] = channels.map((c) => ({ id: c.id, kind: c.kind, name: c.name }));
    const secrets = channels.flatMap((c) => [c.url, c.secret]).filter((s): s is string => !!s && s.length >= 8);
    if (secrets.length && data.push_deliveries) data.push_deliveries = data.push_deliveries.map((r) => redact(r, secrets));
    data[PRODUCTS] = selectIn(db, PRODUCTS, 'id', [...referencedProducts(data, tables)]);
    return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, exportedAt: now, app, data };
  })();
}

function selectIn(db: Db, table: string, column: string, ids: number[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  // chunks stay under SQLite's bound-parameter limit
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    out.push(...(db.prepare(`SELECT * FROM ${quote(table)} WHERE ${quote(column)} IN (${chunk.map(() => '?').join(',')})`).all(...chunk) as Record<string, unknown>[]));
  }
  return out;
}

/** product ids the session uses: foreign keys (lineup, segments), numeric metric product keys, readings' product lists */
function referencedProducts(data: Record<string, Record<string, unknown>[]>, tables: TableInfo[]): Set<number> {
  const ids = new Set<number>();
  for (const t of tables) {
    const cols = t.fks.filter((f) => f.table === PRODUCTS).map((f) => f.from);
    const hasKey = t.columns.some((c) => c.name === 'product_key');
    for (const row of data[t.name] ?? []) {
      for (const c of cols) if (typeof row[c] === 'number') ids.add(row[c] as number);
      if (hasKey && typeof row.product_key === 'string' && /^\d{1,15}$/.test(row.product_key)) ids.add(Number(row.product_key));
      if (t.name === 'metric_readings' && typeof row.products === 'string') {
        for (const p of parseProducts(row.products)) if (typeof p.productId === 'number') ids.add(p.productId);
      }
    }
  }
  return ids;
}

function redact(row: Record<string, unknown>, secrets: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    let s = v;
    if (typeof s === 'string') for (const secret of secrets) s = (s as string).split(secret).join('[redacted]');
    out[k] = s;
  }
  return out;
}

// ── import ─────────────────────────────────────────────────────────────────────────────────────────────────────────

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

/** The envelope, built from this database's schema: unknown tables or columns and wrong types are rejected with their path. */
function bundleSchema(info: Map<string, TableInfo>, tables: TableInfo[]) {
  const data: Record<string, z.ZodType> = {};
  for (const t of tables) data[t.name] = z.array(rowSchema(t)).optional();
  data[CHANNELS] = z.array(z.strictObject({ id, kind: z.string().max(32), name: z.string().max(200) })).optional();
  data[PRODUCTS] = z.array(rowSchema(info.get(PRODUCTS)!)).optional();
  return z.strictObject({
    format: z.literal(BUNDLE_FORMAT),
    version: z.literal(BUNDLE_VERSION),
    exportedAt: epochMs,
    app: z.string().max(200),
    data: z.strictObject(data).refine((d) => Array.isArray(d.sessions) && d.sessions.length === 1, { message: 'data.sessions must hold exactly one session', path: ['sessions'] }),
  });
}

export interface ImportOutcome extends ImportSessionResult {
  products: { reused: number; created: number };
}

/**
 * The same schemas as live input (issue 14 finding 8: a `javascript:` image URL and control characters came in as they
 * were): every product as product.create would take it, the session title as session.create, lineup texts as
 * lineup.add.
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
  for (const [i, s] of (data.sessions ?? []).entries()) check(commandSchemas['session.create'].shape.title, s.title, `sessions[${i}].title`);
  for (const [i, item] of (data.lineup_items ?? []).entries()) {
    check(
      commandSchemas['lineup.update'],
      { itemId: 1, plannedMinutes: opt(item.planned_minutes), talkingPoints: opt(item.talking_points), notes: opt(item.notes) },
      `lineup_items[${i}]`,
    );
  }
  return out;
}

/** Validates the whole bundle, then writes it in one transaction with new ids; any bad row leaves the database as it was. */
export function importBundle(db: Db, input: unknown, now: number, rebuildRollups: (sessionId: number) => void, fileName?: string): ImportOutcome {
  const info = schema(db);
  const tables = sessionTables(info);
  const rowCount = countRows(input);
  if (rowCount > MAX_ROWS) throw new CoreError('too_large', `文件行数过多 / bundle has ${rowCount} rows, at most ${MAX_ROWS}`);
  const parsed = bundleSchema(info, tables).safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new CoreError('bad_request', `文件无效，未导入 / invalid bundle, nothing imported: ${describeIssues(parsed.error)}`, { issues });
  }
  const bundle = parsed.data as { exportedAt: number; data: Record<string, Record<string, unknown>[]> };
  const data = bundle.data;
  const problems = liveInputProblems(data);
  if (problems.length) {
    throw new CoreError('bad_request', `文件中有不合规的内容，未导入 / the bundle holds values live input would refuse, nothing imported: ${problems[0]!.path}: ${problems[0]!.message}`, { issues: problems.slice(0, 20) });
  }

  return db.transaction((): ImportOutcome => {
    const maps = new Map<string, Map<number, number>>();
    const productMap = new Map<number, number>();
    let reused = 0;
    let created = 0;
    for (const [i, p] of (data[PRODUCTS] ?? []).entries()) {
      const found = matchProduct(db, p);
      if (found !== null) {
        reused++;
        productMap.set(p.id as number, found);
        continue;
      }
      const { id: _old, ...rest } = p;
      productMap.set(p.id as number, insert(db, PRODUCTS, rest, `${PRODUCTS}[${i}]`));
      created++;
    }
    maps.set(PRODUCTS, productMap);
    const channelMap = new Map<number, number>();
    for (const [i, c] of (data[CHANNELS] ?? []).entries()) {
      // an imported robot is a name on the history only: deleted, disabled, no URL, so nothing is ever sent to it
      const row = { kind: c.kind, name: c.name, url: '', enabled: 0, created_at: now, deleted_at: now };
      channelMap.set(c.id as number, insert(db, CHANNELS, row, `${CHANNELS}[${i}]`));
    }
    maps.set(CHANNELS, channelMap);

    const s = { ...data.sessions![0]! };
    const oldSessionId = s.id as number;
    delete s.id;
    // a bundle exported while live arrives as an ended session: nothing here is running it
    const wasLive = s.status === 'live';
    if (wasLive) {
      s.status = 'ended';
      s.ended_at = (s.ended_at as number | null | undefined) ?? bundle.exportedAt;
    }
    const sessionId = insert(db, 'sessions', s, 'sessions[0]');
    maps.set('sessions', new Map([[oldSessionId, sessionId]]));

    let rows = 1;
    for (const t of tables) {
      if (t.name === 'sessions' || IMPORT_DROPPED.has(t.name)) continue;
      const list = data[t.name] ?? [];
      const own = t.ownId ? new Map<number, number>() : null;
      if (own) maps.set(t.name, own);
      for (const [i, original] of list.entries()) {
        const where = `${t.name}[${i}]`;
        const row = remap(t, original, { sessionId, maps, where, info });
        if (wasLive && t.name === 'segments' && row.ended_at == null) row.ended_at = s.ended_at;
        if (t.name === 'channels_comments' && typeof row.msg_key === 'string') row.msg_key = `import:${sessionId}:${row.msg_key}`;
        // a recording is never taken from a bundle's path (it could name any file here): the user re-links the file
        if (t.name === 'stream_events' && row.kind === 'record') row.output_path = null;
        // history, not work: the target's outbox must never pick an imported delivery up and send it again
        if (t.name === 'push_deliveries' && (row.status === 'queued' || row.status === 'sending' || row.status === 'retrying')) {
          row.status = row.status === 'queued' ? 'failed' : 'unknown';
          row.last_error = '导出时尚未送达 / not delivered when exported';
        }
        const newId = insert(db, t.name, row, where);
        if (own && typeof original[t.ownId!] === 'number') own.set(original[t.ownId!] as number, newId);
        rows++;
      }
    }
    if (info.has('metric_session_totals')) rebuildRollups(sessionId);
    if (info.has('session_imports')) {
      db.prepare("INSERT OR REPLACE INTO session_imports (session_id, kind, file_name, rows, imported_at) VALUES (?, 'bundle', ?, ?, ?)").run(sessionId, fileName ?? null, rows, now);
    }
    return { sessionId, title: String(s.title), rows, products: { reused, created } };
  }).immediate();
}

function countRows(input: unknown): number {
  const data = (input as { data?: unknown } | null)?.data;
  if (!data || typeof data !== 'object') return 0;
  let n = 0;
  for (const v of Object.values(data)) if (Array.isArray(v)) n += v.length;
  return n;
}

/** the same SKU, else the same title and price; a live product before a deleted one */
function matchProduct(db: Db, p: Record<string, unknown>): number | null {
  if (typeof p.sku === 'string' && p.sku) {
    const bySku = db.prepare<[string], { id: number }>('SELECT id FROM products WHERE sku = ? ORDER BY deleted_at IS NOT NULL, id LIMIT 1').get(p.sku);
    if (bySku) return bySku.id;
  }
  const byTitle = db
    .prepare<[unknown, unknown], { id: number }>('SELECT id FROM products WHERE title = ? AND price = ? ORDER BY deleted_at IS NOT NULL, id LIMIT 1')
    .get(p.title, p.price);
  return byTitle?.id ?? null;
}

interface RemapContext {
  sessionId: number;
  maps: Map<string, Map<number, number>>;
  where: string;
  info: Map<string, TableInfo>;
}

function remap(t: TableInfo, original: Record<string, unknown>, ctx: RemapContext): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(original)) {
    if (k === t.ownId) continue;
    if (k === 'session_id') {
      row[k] = ctx.sessionId;
      continue;
    }
    const fk = t.fks.find((f) => f.from === k);
    if (fk && v !== null && v !== undefined) {
      const map = ctx.maps.get(fk.table);
      if (!map) {
        // a reference to local configuration (e.g. a push rule) that the bundle does not carry
        const col = t.columns.find((c) => c.name === k)!;
        if (col.notnull) throw bad(ctx.where, k, `refers to ${fk.table} which a bundle does not carry`);
        row[k] = null;
        continue;
      }
      const to = map.get(v as number);
      if (to === undefined) throw bad(ctx.where, k, `refers to ${fk.table} id ${String(v)} which is not in the bundle`);
      row[k] = to;
      continue;
    }
    row[k] = v;
  }
  const products = ctx.maps.get(PRODUCTS)!;
  // metric rows name products by text: a LiveCue id ("12") follows the product, a source's own id stays as it is
  if (typeof row.product_key === 'string' && /^\d{1,15}$/.test(row.product_key)) {
    const to = products.get(Number(row.product_key));
    if (to !== undefined) row.product_key = String(to);
  }
  if (t.name === 'metric_readings' && typeof row.products === 'string') {
    const list = parseProducts(row.products);
    row.products = JSON.stringify(list.map((p) => (typeof p.productId === 'number' && products.has(p.productId) ? { ...p, productId: products.get(p.productId) } : p)));
  }
  return row;
}

function parseProducts(text: string): { productId?: unknown }[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as { productId?: unknown }[]) : [];
  } catch {
    return [];
  }
}

type Insert = { run(...values: unknown[]): { lastInsertRowid: number | bigint } };
const statements = new WeakMap<Db, Map<string, Insert>>();

function insert(db: Db, table: string, row: Record<string, unknown>, where: string): number {
  const cols = Object.keys(row);
  const key = `${table}(${cols.join(',')})`;
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(key);
  if (!stmt) {
    stmt = (cols.length
      ? db.prepare(`INSERT INTO ${quote(table)} (${cols.map(quote).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
      : db.prepare(`INSERT INTO ${quote(table)} DEFAULT VALUES`)) as unknown as Insert;
    cache.set(key, stmt);
  }
  try {
    return Number(stmt.run(...cols.map((c) => row[c])).lastInsertRowid);
  } catch (error) {
    // a CHECK, UNIQUE or foreign key the schema enforces: name the row, the whole import rolls back
    throw new CoreError('bad_request', `文件无效，未导入 / invalid bundle, nothing imported: data.${where}: ${(error as Error).message}`, {
      issues: [{ path: `data.${where}`, message: (error as Error).message }],
    });
  }
}

function bad(where: string, column: string, message: string): CoreError {
  return new CoreError('bad_request', `文件无效，未导入 / invalid bundle, nothing imported: data.${where}.${column} ${message}`, {
    issues: [{ path: `data.${where}.${column}`, message }],
  });
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
