// CSV for Excel users: UTF-8 with BOM (so Excel shows Chinese), CRLF, RFC 4180 quoting, and text cells that Excel would
// run as a formula (= + - @ tab CR at the start) prefixed with ' — OWASP's CSV-injection guidance. Numbers stay numbers.

export const UTF8_BOM = '\uFEFF';

export type Cell = string | number | boolean | null | undefined;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  const lines = [header.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))];
  return UTF8_BOM + lines.join('\r\n') + '\r\n';
}
