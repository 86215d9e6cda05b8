// The session bundle: one session and every per-session row as JSON, imported into another LiveCue with new ids.
// Tables are discovered from the schema (PRAGMA table_info / foreign_key_list), so a table a later migration adds with
// a session_id column (or a foreign key to such a table) travels without touching this file.
// Parsing and checking an uploaded bundle happen in the import worker (imports/session-bundle.ts); this file reads the
// schema facts the worker needs (bundlePlan) and writes the checked rows (applyBundle).
import type { ImportSessionResult, SessionBundle } from '../../../shared/protocol/review.ts';
import { CoreError, notFound } from '../errors.ts';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  CHANNELS,
  type BundlePlan,
  type CheckedBundle,
  type ForeignKey,
  PRODUCTS,
  type RowBlock,
  type TableInfo,
} from '../imports/session-bundle.ts';
import type { Db } from '../store/db.ts';

export { BUNDLE_FORMAT, BUNDLE_VERSION };
/** the JSON a user may upload (≈ a 10-hour session at one reading a second, with rollups) */
export const MAX_BUNDLE_BYTES = 200 * 1024 * 1024;

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
// rows that point at PRODUCTS and CHANNELS are resolved against the target's own rows, never inserted as they are

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
      .map((c) => ({
        name: c.name,
        type: c.type.toUpperCase(),
        notnull: c.notnull === 1,
        hasDefault: c.dflt_value !== null,
        pk: c.pk > 0,
      }));
    const fks = db
      .prepare<[], { from: string; table: string }>(`PRAGMA foreign_key_list(${quote(t.name)})`)
      .all()
      .map((f) => ({ from: f.from, table: f.table }));
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
  for (let grew = true; grew;) {
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
    const channels = selectIn(db, CHANNELS, 'id', channelIds) as {
      id: number;
      kind: string;
      name: string;
      url: string;
      secret: string | null;
    }[];
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
    out.push(
      ...(db.prepare(`SELECT * FROM ${quote(table)} WHERE ${quote(column)} IN (${chunk.map(() => '?').join(',')})`).all(...chunk) as Record<
        string,
        unknown
      >[]),
    );
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

export interface ImportOutcome extends ImportSessionResult {
  products: { reused: number; created: number };
}

/** What the import worker needs of this database's schema to check a bundle (imports/session-bundle.ts). */
export function bundlePlan(db: Db): BundlePlan {
  const info = schema(db);
  return { tables: sessionTables(info), products: info.get(PRODUCTS)! };
}

/** a table's rows one at a time, as objects with their block's keys (the few rows that need per-row rules) */
function* rowsOf(blocks: RowBlock[] | undefined): Generator<Record<string, unknown>> {
  for (const { columns, count, data } of blocks ?? []) {
    for (let r = 0; r < count; r++) {
      const row: Record<string, unknown> = {};
      for (let c = 0; c < columns.length; c++) row[columns[c]!] = data[c]![r];
      yield row;
    }
  }
}

/** tables whose rows get rules of their own on import (below): written row by row as objects */
const PER_ROW = new Set(['segments', 'channels_comments', 'stream_events', 'push_deliveries']);

/**
 * Writes a bundle the worker checked against `plan` (checkBundle) in one transaction with new ids; a row SQLite
 * refuses (a CHECK, UNIQUE or foreign key) or a reference to a row the bundle lacks leaves the database as it was.
 */
export function applyBundle(
  db: Db,
  plan: BundlePlan,
  bundle: CheckedBundle,
  now: number,
  rebuildRollups: (sessionId: number) => void,
  fileName?: string,
): ImportOutcome {
  const info = schema(db);
  const tables = plan.tables;
  const data = bundle.tables;
  return db
    .transaction((): ImportOutcome => {
      const maps = new Map<string, Map<number, number>>();
      const productMap = new Map<number, number>();
      let reused = 0;
      let created = 0;
      let i = 0;
      for (const p of rowsOf(data[PRODUCTS])) {
        const found = matchProduct(db, p);
        if (found !== null) {
          reused++;
          productMap.set(p.id as number, found);
        } else {
          const { id: _old, ...rest } = p;
          productMap.set(p.id as number, insert(db, PRODUCTS, rest, `${PRODUCTS}[${i}]`));
          created++;
        }
        i++;
      }
      maps.set(PRODUCTS, productMap);
      const channelMap = new Map<number, number>();
      i = 0;
      for (const c of rowsOf(data[CHANNELS])) {
        // an imported robot is a name on the history only: deleted, disabled, no URL, so nothing is ever sent to it
        const row = { kind: c.kind, name: c.name, url: '', enabled: 0, created_at: now, deleted_at: now };
        channelMap.set(c.id as number, insert(db, CHANNELS, row, `${CHANNELS}[${i++}]`));
      }
      maps.set(CHANNELS, channelMap);

      const s = rowsOf(data.sessions).next().value!;
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
        const own = t.ownId ? new Map<number, number>() : null;
        if (own) maps.set(t.name, own);
        const ctx = { sessionId, maps, where: '', info };
        if (!PER_ROW.has(t.name)) {
          let first = 0;
          for (const block of data[t.name] ?? []) {
            insertBlock(db, t, block, first, own, ctx);
            first += block.count;
          }
          rows += first;
          continue;
        }
        i = 0;
        for (const original of rowsOf(data[t.name])) {
          const where = `${t.name}[${i++}]`;
          const row = remap(t, original, { ...ctx, where });
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
        db.prepare(
          "INSERT OR REPLACE INTO session_imports (session_id, kind, file_name, rows, imported_at) VALUES (?, 'bundle', ?, ?, ?)",
        ).run(sessionId, fileName ?? null, rows, now);
      }
      return { sessionId, title: String(s.title), rows, products: { reused, created } };
    })
    .immediate();
}

/** what insertBlock does with a column's value */
const Take = { Plain: 0, Session: 1, Ref: 2, NoMap: 3, ProductKey: 4, ReadingProducts: 5 } as const;
type Take = (typeof Take)[keyof typeof Take];

/**
 * The bulk of a bundle (readings, seconds, orders): one statement per block, the column rules decided once per block
 * instead of per value. The same rules as remap, which the per-row tables use.
 */
function insertBlock(db: Db, t: TableInfo, block: RowBlock, first: number, own: Map<number, number> | null, ctx: RemapContext): void {
  const keep: number[] = [];
  const take: Take[] = [];
  const refMaps: (Map<number, number> | undefined)[] = [];
  const products = ctx.maps.get(PRODUCTS)!;
  for (let c = 0; c < block.columns.length; c++) {
    const name = block.columns[c]!;
    if (name === t.ownId) continue;
    keep.push(c);
    const fk = t.fks.find((f) => f.from === name);
    const map = fk ? ctx.maps.get(fk.table) : undefined;
    refMaps.push(map);
    if (name === 'session_id') take.push(Take.Session);
    else if (fk) take.push(map ? Take.Ref : Take.NoMap);
    else if (name === 'product_key') take.push(Take.ProductKey);
    else if (name === 'products' && t.name === 'metric_readings') take.push(Take.ReadingProducts);
    else take.push(Take.Plain);
  }
  const columns = keep.map((c) => block.columns[c]!);
  const stmt = statement(db, t.name, columns);
  const ownCol = t.ownId ? block.columns.indexOf(t.ownId) : -1;
  const values: unknown[] = new Array(keep.length);
  for (let r = 0; r < block.count; r++) {
    for (let j = 0; j < keep.length; j++) {
      const v = block.data[keep[j]!]![r];
      switch (take[j]!) {
        case Take.Plain:
          values[j] = v;
          break;
        case Take.Session:
          values[j] = ctx.sessionId;
          break;
        case Take.Ref: {
          if (v === null || v === undefined) {
            values[j] = v;
            break;
          }
          const to = refMaps[j]!.get(v as number);
          if (to === undefined)
            throw bad(
              `${t.name}[${first + r}]`,
              columns[j]!,
              `refers to ${t.fks.find((f) => f.from === columns[j])!.table} id ${String(v)} which is not in the bundle`,
            );
          values[j] = to;
          break;
        }
        case Take.NoMap: {
          // a reference to local configuration (e.g. a push rule) that the bundle does not carry
          const fk = t.fks.find((f) => f.from === columns[j])!;
          if (v !== null && v !== undefined && t.columns.find((c) => c.name === columns[j])!.notnull)
            throw bad(`${t.name}[${first + r}]`, columns[j]!, `refers to ${fk.table} which a bundle does not carry`);
          values[j] = v === undefined ? v : null;
          break;
        }
        case Take.ProductKey:
          values[j] = productKey(v, products);
          break;
        case Take.ReadingProducts:
          values[j] = typeof v === 'string' ? readingProducts(v, products) : v;
      }
    }
    const newId = run(stmt, values, `${t.name}[${first + r}]`);
    if (own && ownCol >= 0 && typeof block.data[ownCol]![r] === 'number') own.set(block.data[ownCol]![r] as number, newId);
  }
}

/** the same SKU, else the same title and price; a live product before a deleted one */
function matchProduct(db: Db, p: Record<string, unknown>): number | null {
  if (typeof p.sku === 'string' && p.sku) {
    const bySku = db
      .prepare<[string], { id: number }>('SELECT id FROM products WHERE sku = ? ORDER BY deleted_at IS NOT NULL, id LIMIT 1')
      .get(p.sku);
    if (bySku) return bySku.id;
  }
  const byTitle = db
    .prepare<[unknown, unknown], { id: number }>(
      'SELECT id FROM products WHERE title = ? AND price = ? ORDER BY deleted_at IS NOT NULL, id LIMIT 1',
    )
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
  if ('product_key' in row) row.product_key = productKey(row.product_key, products);
  if (t.name === 'metric_readings' && typeof row.products === 'string') row.products = readingProducts(row.products, products);
  return row;
}

/** metric rows name products by text: a LiveCue id ("12") follows the product, a source's own id stays as it is */
function productKey(value: unknown, products: Map<number, number>): unknown {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return value;
  const to = products.get(Number(value));
  return to === undefined ? value : String(to);
}

/** a reading's product list (JSON text) with LiveCue product ids moved to the target's */
function readingProducts(text: string, products: Map<number, number>): string {
  const list = parseProducts(text);
  return JSON.stringify(
    list.map((p) => (typeof p.productId === 'number' && products.has(p.productId) ? { ...p, productId: products.get(p.productId) } : p)),
  );
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

function statement(db: Db, table: string, cols: string[]): Insert {
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
  return stmt;
}

function insert(db: Db, table: string, row: Record<string, unknown>, where: string): number {
  const cols = Object.keys(row);
  return run(
    statement(db, table, cols),
    cols.map((c) => row[c]),
    where,
  );
}

function run(stmt: Insert, values: unknown[], where: string): number {
  try {
    return Number(stmt.run(...values).lastInsertRowid);
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
