import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv-export.ts';

describe('CSV export', () => {
  it('starts with a UTF-8 BOM and uses CRLF', () => {
    const csv = toCsv(['商品', 'GMV'], [['普洱茶', 19900]]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toBe('\uFEFF商品,GMV\r\n普洱茶,19900\r\n');
  });
  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
  ])('escapes formula-looking text %j', (input, out) => expect(csvCell(input)).toBe(out));
  it('keeps numbers (also negative) as numbers and quotes commas, quotes and newlines', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('说"好"')).toBe('"说""好"""');
    expect(csvCell('两行\n文字')).toBe('"两行\n文字"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(NaN)).toBe('');
  });
});
