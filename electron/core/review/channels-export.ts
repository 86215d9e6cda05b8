// The 视频号助手 live-data export (直播数据, one row per time point) as an ended LiveCue session, for lives that were not
// recorded live. CSV (UTF-8 with/without BOM, GBK) or XLSX. Headers are matched by a set of Chinese and English aliases
// (docs/review.md lists them): 视频号助手 renames columns now and then, and no public spec of the file exists.
import type { ImportSessionResult } from '../../../shared/protocol/review.ts';
import { MAX_BATCH, type MetricEventInput } from '../../../shared/protocol/metrics.ts';
import { CsvSyntaxError, DecodeError, decodeCsvBytes, parseCsv } from '../csv.ts';
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import { XlsxError, isZip, readFirstSheet } from './xlsx.ts';
import type { ReviewDeps } from './module.ts';

type Field = 'time' | 'online' | 'viewers' | 'newViewers' | 'views' | 'avgWatch' | 'comments' | 'commentsCum' | 'gmv' | 'orders' | 'payUv' | 'exposureUv' | 'clickUv';

/** Aliases after normalising (no spaces, ASCII brackets, lower case, units in brackets removed). First match wins. */
export const ALIASES: Record<Field, string[]> = {
  time: ['时间', '时间点', '统计时间', '日期时间', '数据时间', '时刻', '时间段', 'time', 'timestamp', 'datetime'],
  online: ['在线人数', '实时在线人数', '当前在线人数', '同时在线人数', '在线观众数', '在线', 'online'],
  viewers: ['累计观看人数', '观看人数', '总观看人数', '累计观众数', '观众数', 'viewers', 'viewersuv', 'uv'],
  newViewers: ['新增观看人数', '新增观看', '新增观众数', '进入直播间人数', '进房人数', 'newviewers'],
  views: ['累计观看次数', '观看次数', '总观看次数', 'views', 'viewspv', 'pv'],
  avgWatch: ['人均观看时长', '平均观看时长', 'avgwatchseconds', 'avgwatch'],
  comments: ['评论次数', '评论数', '新增评论数', '新增评论', '评论', 'comments'],
  commentsCum: ['累计评论次数', '累计评论数'],
  gmv: ['累计成交金额', '成交金额', '直播间成交金额', '成交额', '销售额', '交易额', 'gmv'],
  orders: ['累计成交订单数', '成交订单数', '订单数', '成交笔数', '成交单数', 'orders'],
  payUv: ['累计成交人数', '成交人数', '支付人数', '下单人数', 'payuv'],
  exposureUv: ['商品曝光人数', '曝光人数', 'exposureuv'],
  clickUv: ['商品点击人数', '点击人数', 'clickuv'],
};
/** counters that may come either as running totals or per row: bare names are judged by the data (see countsAsTotals) */
const SUMMABLE: Field[] = ['viewers', 'views', 'gmv', 'orders', 'payUv', 'exposureUv', 'clickUv'];
/** the one product key the export's shop-wide funnel is filed under (the file has no per-product rows) */
export const EXPORT_PRODUCT = 'channels-export';
/** 视频号助手 shows Beijing time without a zone */
const BEIJING_OFFSET_MS = 8 * 3600_000;
const MAX_ROWS = 100_000;

export interface RowError {
  line: number;
  column: string;
  message: string;
}

interface ColumnMap {
  field: Field;
  index: number;
  header: string;
  unit: 'yuan' | 'fen' | 'seconds' | 'minutes' | null;
  /** 累计 in the header: a running total; 新增: per row; null: decided by the data */
  cumulative: boolean | null;
}

interface ParsedRow {
  line: number;
  ts: number;
  values: Partial<Record<Field, number>>;
}

export interface ParsedExport {
  rows: ParsedRow[];
  columns: ColumnMap[];
  format: 'csv' | 'xlsx';
  encoding: string;
}

/** The file's lines as cells: CSV (any of the accepted encodings) or the first sheet of an XLSX. */
function readRecords(bytes: Uint8Array): { records: { line: number; cells: string[] }[]; format: ParsedExport['format']; encoding: string } {
  try {
    if (isZip(bytes)) return { records: readFirstSheet(bytes), format: 'xlsx', encoding: 'xlsx' };
    const decoded = decodeCsvBytes(bytes);
    return { records: parseCsv(decoded.text), format: 'csv', encoding: decoded.encoding };
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw rejected([{ line: error.line, column: '', message: error.message }]);
    if (error instanceof DecodeError || error instanceof XlsxError) throw new CoreError('bad_request', error.message);
    throw error;
  }
}

/** What a 视频号助手 export holds: one live's time series, or a list of lives (one row each). Runs in the import worker; every bad cell is reported
 * with its line, nothing is written. */
export type ChannelsFile = { kind: 'series'; parsed: ParsedExport } | { kind: 'lives'; lives: LiveRow[] };

export function parseChannelsFile(bytes: Uint8Array, fileName?: string): ChannelsFile {
  const { records, format, encoding } = readRecords(bytes);
  const lives = parseLiveList(records, fileName);
  return lives ? { kind: 'lives', lives } : { kind: 'series', parsed: parseTimeSeries(records, format, encoding, fileName) };
}

function parseTimeSeries(records: { line: number; cells: string[] }[], format: ParsedExport['format'], encoding: string, fileName?: string): ParsedExport {
  // the export may open with a title line or two (直播标题, 导出时间) above the header
  const headerAt = records.slice(0, 10).findIndex((r) => r.cells.some((c) => matchField(c)?.field === 'time'));
  if (headerAt < 0) {
    const line = records[0]?.line ?? 1;
    throw rejected([{ line, column: '', message: `找不到“时间”列 / no time column: the header needs one of ${ALIASES.time.join('、')}` }]);
  }
  const header = records[headerAt]!;
  const columns = mapColumns(header.cells);
  if (columns.length < 2) {
    throw rejected([{ line: header.line, column: '', message: '除时间外没有可识别的数据列 / no known data column besides the time (see docs/review.md for the accepted headers)' }]);
  }
  const body = records.slice(headerAt + 1);
  if (!body.length) throw rejected([{ line: header.line, column: '', message: '文件中没有数据行 / the file has no data rows' }]);
  if (body.length > MAX_ROWS) throw new CoreError('too_large', `最多 ${MAX_ROWS} 行 / at most ${MAX_ROWS} rows per import`);

  const errors: RowError[] = [];
  const rows: ParsedRow[] = [];
  const baseDate = dateInName(fileName);
  let lastTs: number | null = null;
  for (const record of body) {
    const values: Partial<Record<Field, number>> = {};
    let ts: number | null = null;
    for (const col of columns) {
      const raw = (record.cells[col.index] ?? '').trim();
      if (col.field === 'time') {
        const t = parseTime(raw, baseDate, lastTs);
        if (typeof t === 'string') errors.push({ line: record.line, column: col.header, message: t });
        else ts = t;
        continue;
      }
      const v = parseValue(raw, col);
      if (typeof v === 'string') errors.push({ line: record.line, column: col.header, message: v });
      else if (v !== null) values[col.field] = v;
    }
    if (ts === null) continue;
    if (lastTs !== null && ts < lastTs) {
      errors.push({ line: record.line, column: columns.find((c) => c.field === 'time')!.header, message: '时间早于上一行，请按时间排序 / earlier than the row before: sort the rows by time' });
    }
    lastTs = ts;
    rows.push({ line: record.line, ts, values });
  }
  if (errors.length) throw rejected(errors);
  return { rows, columns, format, encoding };
}

/** what the import writes through: the imported session's row (lineup) and, on a failure, the metrics rows it made */
export type ImportDeps = Pick<ReviewDeps, 'lineup' | 'metrics'>;

export async function importChannelsExport(core: Core, deps: ImportDeps, bytes: Uint8Array, options: { fileName?: string; title?: string }): Promise<ImportSessionResult> {
  // parsed in a worker with time and heap limits (#14, imports/run.ts); the rows come back as plain data. A list of
  // lives (one row per live: 开播时间, 直播时长, totals) is never read as one live's time series (#11).
  const file = await core.imports.run<ChannelsFile>({ kind: 'channels-export', bytes, ...(options.fileName ? { fileName: options.fileName } : {}) });
  if (file.kind === 'lives') return importLiveList(core, deps, file.lives, options.fileName);
  return importParsed(core, deps, file.parsed, options);
}

async function importParsed(
  core: Core,
  deps: ImportDeps,
  parsed: ParsedExport,
  options: { fileName?: string; title?: string; rows?: number; start?: number; end?: number },
): Promise<ImportSessionResult> {
  const events = toEvents(parsed);
  if (events.length > MAX_BATCH) {
    throw new CoreError('too_large', `文件产生 ${events.length} 条事件，最多 ${MAX_BATCH} / the file makes ${events.length} events, at most ${MAX_BATCH}`);
  }
  const first = options.start ?? parsed.rows[0]!.ts;
  const lastRow = parsed.rows.at(-1)!.ts;
  const title = options.title ?? defaultTitle(options.fileName, first);
  const now = core.now();
  const sessionId = core.db.transaction(() => {
    const id = deps.lineup.createEndedSession({ title, startedAt: first, endedAt: options.end ?? lastRow + 60_000 }, now);
    core.db
      .prepare("INSERT INTO session_imports (session_id, kind, file_name, rows, imported_at) VALUES (?, 'channels-export', ?, ?, ?)")
      .run(id, options.fileName ?? null, options.rows ?? parsed.rows.length, now);
    return id;
  }).immediate();
  try {
    // one batch, so metrics.ingest keeps it all or nothing (its own transaction, its running aggregate)
    await core.call('metrics.ingest', { sessionId, events });
  } catch (error) {
    core.db.transaction(() => {
      core.db.prepare('DELETE FROM session_imports WHERE session_id = ?').run(sessionId);
      deps.lineup.removeSession(sessionId);
    }).immediate();
    throw error;
  }
  return { sessionId, title, rows: parsed.rows.length };
}

/**
 * One reading per row (online, cumulative viewers / views, average watch, the shop funnel with its GMV); per-row
 * comment counts become that many comment events; new orders become orders splitting the GMV growth, so GMV, order
 * count and average order value all hold.
 */
export function toEvents(parsed: ParsedExport): MetricEventInput[] {
  const { rows } = parsed;
  const totals = new Map<Field, boolean>();
  for (const col of parsed.columns) if (SUMMABLE.includes(col.field)) totals.set(col.field, col.cumulative ?? countsAsTotals(rows, col.field));
  const has = (f: Field) => parsed.columns.some((c) => c.field === f);
  const running: Partial<Record<Field, number>> = {};
  /** the running total of a field at this row: totals as given (never falling), per-row values summed */
  const cum = (f: Field, row: ParsedRow): number | undefined => {
    const v = row.values[f];
    if (totals.get(f)) running[f] = Math.max(running[f] ?? 0, v ?? 0);
    else running[f] = (running[f] ?? 0) + (v ?? 0);
    return running[f];
  };
  const events: MetricEventInput[] = [];
  let newViewersCum = 0;
  let prevGmv = 0;
  let prevOrders = 0;
  let pendingGmv = 0;
  let lastOrder: { amount: number } | null = null;
  let prevComments = 0;
  for (const row of rows) {
    const v = row.values;
    newViewersCum += v.newViewers ?? 0;
    const viewers = has('viewers') ? cum('viewers', row) : has('newViewers') ? newViewersCum : undefined;
    const gmv = has('gmv') ? cum('gmv', row)! : undefined;
    const funnel = {
      ...(has('exposureUv') ? { exposureUv: cum('exposureUv', row) } : {}),
      ...(has('clickUv') ? { clickUv: cum('clickUv', row) } : {}),
      ...(has('payUv') ? { payUv: cum('payUv', row) } : {}),
      ...(gmv !== undefined ? { gmv } : {}),
    };
    events.push({
      type: 'reading',
      ts: row.ts,
      ...(v.online !== undefined ? { online: v.online } : {}),
      ...(viewers !== undefined ? { viewersUv: viewers } : {}),
      ...(has('views') ? { viewsPv: cum('views', row) } : {}),
      ...(v.avgWatch !== undefined ? { avgWatchSeconds: v.avgWatch } : {}),
      ...(Object.keys(funnel).length ? { products: [{ productId: EXPORT_PRODUCT, ...funnel }] } : {}),
    });
    let comments = v.comments ?? 0;
    if (v.commentsCum !== undefined) {
      comments = Math.max(0, v.commentsCum - prevComments);
      prevComments = Math.max(prevComments, v.commentsCum);
    }
    for (let k = 0; k < comments; k++) events.push({ type: 'comment', ts: row.ts, text: '' });
    if (gmv !== undefined) {
      pendingGmv += gmv - prevGmv;
      prevGmv = gmv;
    }
    if (has('orders')) {
      const orders = cum('orders', row)!;
      const n = orders - prevOrders;
      prevOrders = orders;
      for (let k = 0; k < n; k++) {
        // the GMV growth since the last orders, split in whole fen: Σ amounts = the file's GMV
        const amount = Math.floor(pendingGmv / (n - k));
        pendingGmv -= amount;
        const order = { type: 'order' as const, ts: row.ts, orderId: `cx-${row.line}-${k + 1}`, amount, productId: EXPORT_PRODUCT, status: 'paid' as const };
        events.push(order);
        lastOrder = order;
      }
    }
  }
  if (lastOrder && pendingGmv > 0) lastOrder.amount += pendingGmv;
  return events;
}

// ── a list of lives: one row per live ────────────────────────────────────────────────────────────────────────────

/** headers only a per-live list has (its rows are lives, not time points); ASSUMED names, see docs/review.md */
const LIVE_ALIASES = {
  start: ['开播时间', '开始时间', '直播开始时间', '开播日期', 'starttime', 'start'],
  end: ['结束时间', '下播时间', '直播结束时间', 'endtime', 'end'],
  duration: ['直播时长', '开播时长', '时长', 'duration'],
  title: ['直播标题', '直播主题', '直播名称', '标题', 'title'],
  peak: ['最高在线人数', '最高在线', '峰值在线人数', '在线人数峰值', 'peakonline'],
} as const;
const MAX_LIVES = 500;

interface LiveRow {
  line: number;
  title: string | null;
  start: number;
  end: number;
  /** the live's totals, as one row of a time series at its end */
  parsed: ParsedExport;
}

function liveColumn(cells: string[], names: readonly string[]): number {
  return cells.findIndex((c) => (names as readonly string[]).includes(normalise(c).key));
}

/** null when the file is not a list of lives; else every row checked (errors with their line, nothing written) */
export function parseLiveList(records: { line: number; cells: string[] }[], fileName?: string): LiveRow[] | null {
  const headerAt = records.slice(0, 10).findIndex((r) => liveColumn(r.cells, LIVE_ALIASES.start) >= 0);
  if (headerAt < 0) return null;
  const header = records[headerAt]!;
  const at = {
    start: liveColumn(header.cells, LIVE_ALIASES.start),
    end: liveColumn(header.cells, LIVE_ALIASES.end),
    duration: liveColumn(header.cells, LIVE_ALIASES.duration),
    title: liveColumn(header.cells, LIVE_ALIASES.title),
    peak: liveColumn(header.cells, LIVE_ALIASES.peak),
  };
  const columns = mapColumns(header.cells).filter((c) => c.field !== 'time' && c.field !== 'online');
  const body = records.slice(headerAt + 1).filter((r) => r.cells.some((c) => c.trim() !== ''));
  const listError = (line: number, message: string) =>
    rejected([{ line, column: '', message: `这是按场次的直播列表（每行一场），${message} / this is a list of lives (one row per live): ${message}` }]);
  if (at.end < 0 && at.duration < 0) throw listError(header.line, '缺少“结束时间”或“直播时长”列，无法导入 / it needs an end time or a duration column');
  if (!body.length) throw listError(header.line, '没有数据行 / it has no rows');
  if (body.length > MAX_LIVES) throw new CoreError('too_large', `最多 ${MAX_LIVES} 场 / at most ${MAX_LIVES} lives per file`);
  const errors: RowError[] = [];
  const lives: LiveRow[] = [];
  const baseDate = dateInName(fileName);
  for (const r of body) {
    const cell = (i: number) => (i >= 0 ? (r.cells[i] ?? '').trim() : '');
    const start = parseTime(cell(at.start), baseDate, null);
    if (typeof start === 'string') {
      errors.push({ line: r.line, column: header.cells[at.start]!.trim(), message: start });
      continue;
    }
    let end: number | string | null = at.end >= 0 && cell(at.end) ? parseTime(cell(at.end), baseDate, start) : null;
    if (end === null && at.duration >= 0) {
      const d = parseDuration(cell(at.duration).replace(/[,，\s]/g, ''), normalise(header.cells[at.duration]!).unit ?? 'seconds');
      end = typeof d === 'string' ? d : start + Math.round(d * 1000);
    }
    if (end === null || typeof end === 'string' || end <= start) {
      errors.push({ line: r.line, column: header.cells[at.end >= 0 ? at.end : at.duration]!.trim(), message: typeof end === 'string' ? end : '结束时间须晚于开播时间 / the end must be after the start' });
      continue;
    }
    const values: Partial<Record<Field, number>> = {};
    for (const col of columns) {
      const v = parseValue(cell(col.index), col);
      if (typeof v === 'string') errors.push({ line: r.line, column: col.header, message: v });
      else if (v !== null) values[col.field] = v;
    }
    const peakCol: ColumnMap | null = at.peak >= 0 ? { field: 'online', index: at.peak, header: header.cells[at.peak]!.trim(), unit: null, cumulative: null } : null;
    if (peakCol) {
      const v = parseValue(cell(peakCol.index), peakCol);
      if (typeof v === 'string') errors.push({ line: r.line, column: peakCol.header, message: v });
      else if (v !== null) values.online = v;
    }
    // the live's totals are running totals at its end: every summable column is cumulative here
    const cols = [...columns.map((c) => ({ ...c, cumulative: true })), ...(peakCol ? [peakCol] : [])];
    lives.push({ line: r.line, title: cell(at.title) || null, start, end, parsed: { rows: [{ line: r.line, ts: end, values }], columns: cols, format: 'csv', encoding: '' } });
  }
  if (errors.length) throw rejected(errors);
  return lives;
}

/** One ended session per live, each with its summary figures; all of them or none. */
async function importLiveList(core: Core, deps: ImportDeps, lives: LiveRow[], fileName?: string): Promise<ImportSessionResult> {
  const made: ImportSessionResult[] = [];
  try {
    for (const live of lives) {
      const title = (live.title ?? `${defaultTitle(fileName, live.start)} #${live.line}`).slice(0, 120);
      made.push(await importParsed(core, deps, live.parsed, { fileName, title, rows: 1, start: live.start, end: live.end }));
    }
  } catch (error) {
    core.db.transaction(() => {
      for (const m of made) {
        deps.metrics.discardSession(m.sessionId);
        core.db.prepare('DELETE FROM session_imports WHERE session_id = ?').run(m.sessionId);
        deps.lineup.removeSession(m.sessionId);
      }
    }).immediate();
    throw error;
  }
  return { sessionId: made[0]!.sessionId, title: made[0]!.title, rows: lives.length, sessionIds: made.map((m) => m.sessionId), lives: made.length };
}

/** a bare counter is a running total when it never falls (per-minute counts go up and down) */
function countsAsTotals(rows: ParsedRow[], f: Field): boolean {
  let prev = -1;
  let seen = 0;
  for (const r of rows) {
    const v = r.values[f];
    if (v === undefined) continue;
    if (v < prev) return false;
    prev = v;
    seen++;
  }
  return seen > 0;
}

function normalise(header: string): { key: string; unit: ColumnMap['unit'] } {
  let h = header.replace(/^\uFEFF/, '').replace(/\s+/g, '').replace(/（/g, '(').replace(/）/g, ')').toLowerCase();
  let unit: ColumnMap['unit'] = null;
  const m = /\(([^)]*)\)$/.exec(h);
  if (m) {
    const u = m[1]!;
    if (u === '元' || u === '¥' || u === '￥') unit = 'yuan';
    else if (u === '分' || u === 'fen') unit = 'fen';
    else if (u === '秒' || u === 's') unit = 'seconds';
    else if (u === '分钟' || u === 'min') unit = 'minutes';
    h = h.slice(0, m.index);
  }
  return { key: h, unit };
}

function matchField(header: string): { field: Field; unit: ColumnMap['unit']; key: string } | null {
  const { key, unit } = normalise(header);
  if (!key) return null;
  for (const [field, names] of Object.entries(ALIASES) as [Field, string[]][]) if (names.includes(key)) return { field, unit, key };
  return null;
}

function mapColumns(cells: string[]): ColumnMap[] {
  const out: ColumnMap[] = [];
  cells.forEach((cell, index) => {
    const m = matchField(cell);
    if (!m || out.some((c) => c.field === m.field)) return;
    const cumulative = m.key.startsWith('累计') || m.key.startsWith('总') ? true : m.key.startsWith('新增') ? false : null;
    out.push({ field: m.field, index, header: cell.trim(), unit: m.unit, cumulative });
  });
  return out;
}

/** a count, money (yuan unless the header says 分) or a duration in seconds; '' and '-' are "no value" */
function parseValue(raw: string, col: ColumnMap): number | null | string {
  let s = raw.replace(/[,，\s¥￥]/g, '').replace(/(人|次|元|单|笔)$/, '');
  if (s === '' || s === '-' || s === '--' || s === '—') return null;
  if (col.field === 'avgWatch') return parseDuration(s, col.unit);
  let scale = 1;
  if (s.endsWith('万')) {
    scale = 10_000;
    s = s.slice(0, -1);
  } else if (s.endsWith('亿')) {
    scale = 100_000_000;
    s = s.slice(0, -1);
  }
  if (!/^\d+(\.\d+)?$/.test(s)) return `“${raw}” 不是有效数值 / not a number`;
  if (col.field === 'gmv' && col.unit !== 'fen') {
    // yuan → fen in exact decimal arithmetic where the text allows it (0.1 + 0.2 is not 0.3 in floating point)
    const [int, frac = ''] = s.split('.') as [string, string?];
    if (scale === 1 && frac.length <= 2) return Number(int) * 100 + Number(frac.padEnd(2, '0'));
    return Math.round(Number(s) * scale * 100);
  }
  // counts and fen are whole numbers ("1.25万" people is 12,500)
  return Math.round(Number(s) * scale);
}

function parseDuration(s: string, unit: ColumnMap['unit']): number | string {
  const hms = /^(?:(\d+):)?(\d{1,2}):(\d{2})$/.exec(s);
  if (hms) return Number(hms[1] ?? 0) * 3600 + Number(hms[2]) * 60 + Number(hms[3]);
  const zh = /^(?:(\d+)小时)?(?:(\d+)分(?:钟)?)?(?:(\d+(?:\.\d+)?)秒)?$/.exec(s);
  if (zh && (zh[1] || zh[2] || zh[3])) return Number(zh[1] ?? 0) * 3600 + Number(zh[2] ?? 0) * 60 + Number(zh[3] ?? 0);
  const plain = s.replace(/(秒|s)$/, '');
  if (!/^\d+(\.\d+)?$/.test(plain)) return `“${s}” 不是有效时长 / not a duration`;
  return Number(plain) * (unit === 'minutes' ? 60 : 1);
}

/**
 * Beijing date-times ("2026-11-30 20:01:00", "2026/11/30 20:01", "2026年11月30日 20:01"), ISO with a zone, epoch s/ms,
 * Excel serial days (XLSX date cells), or a bare "20:01" when the file name carries the date; a time range
 * ("20:00-20:05") counts from its start. A bare time that goes backwards has crossed midnight.
 */
export function parseTime(raw: string, baseDate: number | null, prev: number | null): number | string {
  const s = raw.trim().replace(/\s*(?:~|～|—|–)\s*.*$/, '').replace(/^(\d{1,2}:\d{2}(?::\d{2})?)\s*-\s*\d{1,2}:\d{2}(?::\d{2})?$/, '$1');
  if (!s) return '缺少时间 / missing time';
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    if (n > 1e12 && n < 1e14) return Math.round(n);
    if (n > 1e9 && n < 1e11) return Math.round(n * 1000);
    // Excel serial day (1900 date system): 25569 is 1970-01-01; the cell holds Beijing wall time
    if (n > 20_000 && n < 80_000) return Math.round((n - 25569) * 86_400_000) - BEIJING_OFFSET_MS;
    return `“${raw}” 不是有效时间 / not a time`;
  }
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(s) && /^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? `“${raw}” 不是有效时间 / not a time` : t;
  }
  const full = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}(?:\.\d+)?))?秒?)?$/.exec(s);
  if (full) {
    const [, y, mo, d, h = '0', mi = '0', se = '0'] = full as unknown as string[];
    const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), 0) + Math.round(Number(se) * 1000) - BEIJING_OFFSET_MS;
    if (Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59) return `“${raw}” 不是有效时间 / not a time`;
    return t;
  }
  const bare = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (bare) {
    if (baseDate === null) return `“${raw}” 只有时刻没有日期：请导出带日期的时间，或在文件名中写上日期（如 直播数据_2026-11-30.csv）/ a time without a date: export full date-times or put the date in the file name`;
    let t = baseDate + (Number(bare[1]) * 3600 + Number(bare[2]) * 60 + Number(bare[3] ?? 0)) * 1000;
    while (prev !== null && t < prev) t += 86_400_000;
    return t;
  }
  return `“${raw}” 不是有效时间 / not a time`;
}

/** Beijing midnight of a date written in the file name (2026-11-30, 2026_11_30, 20261130), epoch ms */
function dateInName(fileName: string | undefined): number | null {
  const m = /(20\d{2})[-_.年]?(\d{2})[-_.月]?(\d{2})/.exec(fileName ?? '');
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - BEIJING_OFFSET_MS;
}

function defaultTitle(fileName: string | undefined, first: number): string {
  const base = fileName?.replace(/^.*[\\/]/, '').replace(/\.(csv|xlsx)$/i, '').trim();
  if (base) return base.slice(0, 120);
  const d = new Date(first + BEIJING_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
  return `视频号助手导入 ${d}`;
}

function rejected(errors: RowError[]): CoreError {
  const first = errors.slice(0, 3).map((e) => `第 ${e.line} 行 line ${e.line}${e.column ? ` [${e.column}]` : ''}: ${e.message}`).join('; ');
  return new CoreError('bad_request', `导入失败，未导入任何数据 / import rejected, nothing imported — ${errors.length} error(s): ${first}`, {
    errors: errors.slice(0, 200),
  });
}
