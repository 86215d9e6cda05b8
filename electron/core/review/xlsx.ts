// A minimal XLSX reader: the first worksheet's cells as text rows, enough for the 视频号助手 export. An .xlsx is a
// zip of XML parts; we read the central directory, inflate the parts we need (node:zlib) and scan the XML.
import { inflateRawSync } from 'node:zlib';

export class XlsxError extends Error {}

export interface SheetRow {
  /** 1-based spreadsheet row number (what Excel shows on the left) */
  line: number;
  cells: string[];
}

/** a part may inflate to at most this much: a zip bomb is refused, not unpacked */
const MAX_PART_BYTES = 256 * 1024 * 1024;

export const isZip = (bytes: Uint8Array): boolean => bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** Entries from the end-of-central-directory record (classic zip; no ZIP64, which a spreadsheet this small never needs). */
export function zipEntries(buf: Buffer): Map<string, Entry> {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new XlsxError('不是有效的 XLSX（zip 目录缺失）/ not a valid XLSX file: no zip directory');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Entry>();
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new XlsxError('XLSX 的 zip 目录损坏 / damaged zip directory in the XLSX file');
    const nameLen = buf.readUInt16LE(p + 28);
    const entry: Entry = {
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
    };
    out.set(entry.name, entry);
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return out;
}

function readEntry(buf: Buffer, e: Entry): Buffer {
  const p = e.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== 0x04034b50) throw new XlsxError(`XLSX 部件 ${e.name} 损坏 / damaged part ${e.name}`);
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) return data;
  if (e.method !== 8) throw new XlsxError(`XLSX 使用了不支持的压缩方式 ${e.method} / unsupported zip compression method ${e.method}`);
  try {
    return inflateRawSync(data, { maxOutputLength: MAX_PART_BYTES });
  } catch (error) {
    throw new XlsxError(`XLSX 部件 ${e.name} 无法解压 / could not inflate ${e.name}: ${(error as Error).message}`);
  }
}

/** The first worksheet (in workbook order) as rows of text; empty rows are skipped, missing cells are ''. */
export function readFirstSheet(bytes: Uint8Array): SheetRow[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = zipEntries(buf);
  const text = (name: string): string | null => {
    const e = entries.get(name);
    return e ? readEntry(buf, e).toString('utf8') : null;
  };
  const sheetPath = firstSheetPath(text('xl/workbook.xml'), text('xl/_rels/workbook.xml.rels'), [...entries.keys()]);
  const sheet = text(sheetPath);
  if (sheet === null) throw new XlsxError('XLSX 中没有工作表 / the XLSX file has no worksheet');
  const shared = sharedStrings(text('xl/sharedStrings.xml'));
  return sheetRows(sheet, shared);
}

function firstSheetPath(workbook: string | null, rels: string | null, names: string[]): string {
  const rid = workbook ? /<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]+)"/.exec(workbook)?.[1] : undefined;
  if (rid && rels) {
    for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
      if (attr(m[0], 'Id') !== rid) continue;
      const target = attr(m[0], 'Target') ?? '';
      return target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
    }
  }
  const sheets = names.filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n)).sort((a, b) => sheetNo(a) - sheetNo(b));
  if (!sheets.length) throw new XlsxError('XLSX 中没有工作表 / the XLSX file has no worksheet');
  return sheets[0]!;
}

const sheetNo = (n: string) => Number(/(\d+)\.xml$/.exec(n)?.[1] ?? 0);

function sharedStrings(xml: string | null): string[] {
  if (!xml) return [];
  const out: string[] = [];
  for (const m of xml.matchAll(/<si>([\s\S]*?)<\/si>|<si\/>/g)) out.push(runs(m[1] ?? ''));
  return out;
}

/** the text runs of a string item, without phonetic (rPh) guides */
function runs(xml: string): string {
  let s = '';
  for (const m of xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '').matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)) s += unescapeXml(m[1]!);
  return s;
}

function sheetRows(xml: string, shared: string[]): SheetRow[] {
  const rows: SheetRow[] = [];
  let next = 1;
  for (const m of xml.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const line = Number(attr(m[1]!, 'r') ?? next);
    next = line + 1;
    const cells: string[] = [];
    let col = 0;
    for (const c of (m[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const ref = attr(c[1]!, 'r');
      if (ref) col = columnIndex(ref);
      const type = attr(c[1]!, 't');
      const inner = c[2] ?? '';
      const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
      let value = '';
      if (type === 's') value = shared[Number(v)] ?? '';
      else if (type === 'inlineStr') value = runs(/<is>([\s\S]*?)<\/is>/.exec(inner)?.[1] ?? '');
      else if (v !== undefined) value = unescapeXml(v);
      while (cells.length < col) cells.push('');
      cells[col] = value;
      col++;
    }
    if (cells.some((x) => x.trim() !== '')) rows.push({ line, cells });
  }
  return rows;
}

/** "AB12" → 27 (0-based column) */
function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const code = ch.charCodeAt(0);
    if (code < 65 || code > 90) break;
    n = n * 26 + (code - 64);
  }
  return n - 1;
}

function attr(tag: string, name: string): string | undefined {
  const v = new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
  return v === undefined ? undefined : unescapeXml(v);
}

function unescapeXml(s: string): string {
  return s
    .replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
      if (e === 'lt') return '<';
      if (e === 'gt') return '>';
      if (e === 'amp') return '&';
      if (e === 'quot') return '"';
      if (e === 'apos') return "'";
      return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    })
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}
