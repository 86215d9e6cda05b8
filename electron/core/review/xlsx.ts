// A minimal XLSX reader: the first worksheet's cells as text rows, enough for the 视频号助手 export. An .xlsx is a
// zip of XML parts; we read the central directory, inflate the parts we need (node:zlib) and scan the XML.
import { inflateRawSync } from 'node:zlib';

export class XlsxError extends Error {}

export interface SheetRow {
  /** 1-based spreadsheet row number (what Excel shows on the left) */
  line: number;
  cells: string[];
}

/**
 * Limits (issue 14): a 255 KB zip bomb inflating to 250 MiB, a 621-byte sheet with cell ZZZZZZ2, and 150 000 unclosed
 * <row> tags each hurt the old reader. The parts we read may inflate to MAX_INFLATED_BYTES in all; a cell reference
 * beyond Excel's own grid (16 384 columns XFD, 1 048 576 rows; "Excel specifications and limits", Microsoft Support)
 * is refused; the grid we build (including the empty cells before a far column) is capped at MAX_CELLS.
 */
export const MAX_INFLATED_BYTES = 32 * 1024 * 1024;
export const MAX_COLUMNS = 16_384;
export const MAX_ROW_NUMBER = 1_048_576;
export const MAX_CELLS = 2_000_000;

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

function readEntry(buf: Buffer, e: Entry, budget: { left: number }): Buffer {
  // the central directory's declared size is checked first (cheap); the inflate limit catches a lying header
  if (e.size > budget.left) {
    throw new XlsxError(`XLSX 解压后超过 ${MAX_INFLATED_BYTES / 1024 / 1024} MiB / the XLSX inflates to more than ${MAX_INFLATED_BYTES / 1024 / 1024} MiB: refused`);
  }
  const p = e.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== 0x04034b50) throw new XlsxError(`XLSX 部件 ${e.name} 损坏 / damaged part ${e.name}`);
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) {
    budget.left -= data.length;
    return data;
  }
  if (e.method !== 8) throw new XlsxError(`XLSX 使用了不支持的压缩方式 ${e.method} / unsupported zip compression method ${e.method}`);
  try {
    const out = inflateRawSync(data, { maxOutputLength: Math.max(1, budget.left) });
    budget.left -= out.length;
    return out;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new XlsxError(`XLSX 解压后超过 ${MAX_INFLATED_BYTES / 1024 / 1024} MiB / the XLSX inflates to more than ${MAX_INFLATED_BYTES / 1024 / 1024} MiB: refused`);
    }
    throw new XlsxError(`XLSX 部件 ${e.name} 无法解压 / could not inflate ${e.name}: ${(error as Error).message}`);
  }
}

/** The first worksheet (in workbook order) as rows of text; empty rows are skipped, missing cells are ''. */
export function readFirstSheet(bytes: Uint8Array): SheetRow[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = zipEntries(buf);
  const budget = { left: MAX_INFLATED_BYTES };
  const text = (name: string): string | null => {
    const e = entries.get(name);
    return e ? readEntry(buf, e, budget).toString('utf8') : null;
  };
  const sheetPath = firstSheetPath(text('xl/workbook.xml'), text('xl/_rels/workbook.xml.rels'), [...entries.keys()]);
  const sheet = text(sheetPath);
  if (sheet === null) throw new XlsxError('XLSX 中没有工作表 / the XLSX file has no worksheet');
  const shared = sharedStrings(text('xl/sharedStrings.xml'));
  return sheetRows(sheet, shared);
}

function firstSheetPath(workbook: string | null, rels: string | null, names: string[]): string {
  let rid: string | undefined;
  if (workbook) {
    scanTags(workbook, (tag) => {
      if (tag.name !== 'sheet' || tag.closing) return true;
      rid = attr(tag.attrs, 'r:id');
      return false;
    });
  }
  let found: string | undefined;
  if (rid && rels) {
    scanTags(rels, (tag) => {
      if (tag.name !== 'Relationship' || tag.closing || attr(tag.attrs, 'Id') !== rid) return true;
      const target = attr(tag.attrs, 'Target') ?? '';
      found = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
      return false;
    });
  }
  if (found) return found;
  const sheets = names.filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n)).sort((a, b) => sheetNo(a) - sheetNo(b));
  if (!sheets.length) throw new XlsxError('XLSX 中没有工作表 / the XLSX file has no worksheet');
  return sheets[0]!;
}

const sheetNo = (n: string) => Number(/(\d+)\.xml$/.exec(n)?.[1] ?? 0);

interface Tag {
  /** local name, without a namespace prefix ("x:row" → "row") */
  name: string;
  /** the text between the name and the closing bracket */
  attrs: string;
  closing: boolean;
  selfClosing: boolean;
}

/**
 * One pass over the XML: every tag once, and the text between tags. Linear in the input (each indexOf moves forward),
 * whatever the nesting or missing end tags; the regex reader it replaces was quadratic on unclosed elements.
 * onTag returns false to stop. CDATA sections are handed over as text; comments and processing instructions skipped.
 */
function scanTags(xml: string, onTag: (tag: Tag) => boolean, onText?: (text: string) => void): void {
  let i = 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      onText?.(xml.slice(i));
      return;
    }
    if (lt > i && onText) onText(xml.slice(i, lt));
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) return;
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) return;
      onText?.(xml.slice(lt + 9, end));
      i = end + 3;
      continue;
    }
    const gt = xml.indexOf('>', lt + 1);
    if (gt < 0) return;
    i = gt + 1;
    const c = xml.charCodeAt(lt + 1);
    if (c === 63 /* ? */ || c === 33 /* ! */) continue;
    const closing = c === 47; /* / */
    let body = xml.slice(closing ? lt + 2 : lt + 1, gt);
    const selfClosing = body.endsWith('/');
    if (selfClosing) body = body.slice(0, -1);
    let nameEnd = 0;
    while (nameEnd < body.length && !/\s/.test(body[nameEnd]!)) nameEnd++;
    const qname = body.slice(0, nameEnd);
    const colon = qname.indexOf(':');
    if (!onTag({ name: colon >= 0 ? qname.slice(colon + 1) : qname, attrs: body.slice(nameEnd), closing, selfClosing })) return;
  }
}

function sharedStrings(xml: string | null): string[] {
  if (!xml) return [];
  const out: string[] = [];
  let current: string | null = null;
  let inT = false;
  let inPhonetic = false;
  scanTags(
    xml,
    (tag) => {
      if (tag.name === 'si') {
        if (tag.closing) {
          if (current !== null) out.push(current);
          current = null;
        } else if (tag.selfClosing) out.push('');
        else {
          if (current !== null) out.push(current); // an <si> left open: what it had so far
          current = '';
        }
      } else if (tag.name === 'rPh') inPhonetic = !tag.closing && !tag.selfClosing;
      else if (tag.name === 't') inT = !tag.closing && !tag.selfClosing;
      return true;
    },
    (text) => {
      if (current !== null && inT && !inPhonetic) current += unescapeXml(text);
    },
  );
  if (current !== null) out.push(current);
  return out;
}

function sheetRows(xml: string, shared: string[]): SheetRow[] {
  const rows: SheetRow[] = [];
  let next = 1;
  let row: SheetRow | null = null;
  let col = 0;
  let cells = 0;
  // the open cell: its type, its <v> text, its inline-string text
  let cell: { type: string | undefined; v: string | null; inline: string } | null = null;
  let capture: 'v' | 't' | null = null;
  let inIs = false;
  let inPhonetic = false;

  const finishCell = () => {
    if (!row || !cell) return;
    let value = '';
    if (cell.type === 's') value = shared[Number(cell.v)] ?? '';
    else if (cell.type === 'inlineStr') value = cell.inline;
    else if (cell.v !== null) value = unescapeXml(cell.v);
    place(value);
    cell = null;
    capture = null;
    inIs = false;
  };
  const place = (value: string) => {
    if (col >= MAX_COLUMNS) throw new XlsxError(`XLSX 列超出 Excel 范围（最多 ${MAX_COLUMNS} 列）/ a cell beyond column XFD (${MAX_COLUMNS}) on row ${row!.line}: refused`);
    cells += col + 1 - row!.cells.length;
    if (cells > MAX_CELLS) throw new XlsxError(`XLSX 单元格超过 ${MAX_CELLS} 个 / more than ${MAX_CELLS} cells: refused`);
    while (row!.cells.length < col) row!.cells.push('');
    row!.cells[col] = value;
    col++;
  };
  const finishRow = () => {
    finishCell();
    if (row && row.cells.some((x) => x.trim() !== '')) rows.push(row);
    row = null;
  };

  scanTags(
    xml,
    (tag) => {
      switch (tag.name) {
        case 'row': {
          if (tag.closing) {
            finishRow();
            break;
          }
          finishRow(); // a <row> left open ends where the next begins
          const r = attr(tag.attrs, 'r');
          const line = r !== undefined && /^\d{1,7}$/.test(r) ? Number(r) : next;
          if (line > MAX_ROW_NUMBER) throw new XlsxError(`XLSX 行号超出 Excel 范围 / row ${line} is beyond Excel's ${MAX_ROW_NUMBER} rows: refused`);
          next = line + 1;
          row = { line, cells: [] };
          col = 0;
          if (tag.selfClosing) finishRow();
          break;
        }
        case 'c': {
          if (!row) break;
          if (tag.closing) {
            finishCell();
            break;
          }
          finishCell();
          const ref = attr(tag.attrs, 'r');
          if (ref) col = columnIndex(ref);
          cell = { type: attr(tag.attrs, 't'), v: null, inline: '' };
          if (tag.selfClosing) finishCell();
          break;
        }
        case 'v':
          capture = cell && !tag.closing && !tag.selfClosing ? 'v' : null;
          if (cell && !tag.closing && cell.v === null) cell.v = '';
          break;
        case 'is':
          inIs = !!cell && !tag.closing && !tag.selfClosing;
          break;
        case 'rPh':
          inPhonetic = !tag.closing && !tag.selfClosing;
          break;
        case 't':
          capture = cell && inIs && !tag.closing && !tag.selfClosing ? 't' : null;
          break;
      }
      return true;
    },
    (text) => {
      if (!cell || capture === null) return;
      if (capture === 'v') cell.v += text;
      else if (!inPhonetic) cell.inline += unescapeXml(text);
    },
  );
  finishRow();
  return rows;
}

/** "AB12" → 27 (0-based column); a reference past XFD is refused before any cell is padded */
function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const code = ch.charCodeAt(0);
    if (code < 65 || code > 90) break;
    n = n * 26 + (code - 64);
    if (n > MAX_COLUMNS) throw new XlsxError(`XLSX 单元格 ${ref.slice(0, 12)} 超出 Excel 范围（最多 XFD 列）/ cell ${ref.slice(0, 12)} is beyond column XFD: refused`);
  }
  return n - 1;
}

function attr(tag: string, name: string): string | undefined {
  const at = tag.search(new RegExp(`(^|\\s)${name.replace(':', '\\:')}="`));
  if (at < 0) return undefined;
  const start = tag.indexOf('"', at) + 1;
  const end = tag.indexOf('"', start);
  return end < 0 ? undefined : unescapeXml(tag.slice(start, end));
}

function unescapeXml(s: string): string {
  return s
    .replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_, e: string) => {
      if (e === 'lt') return '<';
      if (e === 'gt') return '>';
      if (e === 'amp') return '&';
      if (e === 'quot') return '"';
      if (e === 'apos') return "'";
      const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
      return code <= 0x10ffff ? String.fromCodePoint(code) : '';
    })
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}
