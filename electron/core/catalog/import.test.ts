import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { testCore } from '../../../tests/helpers/core.ts';
import { parseCsv } from '../csv.ts';

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const GOOD = [
  '商品名称,原价,直播价,商品编码,库存,卖点,优惠券,爆款',
  '云南普洱茶 357g,299,199.9,TEA-1,500,干仓存放|汤色红浓,满199减30,是',
  '"加厚四件套, 1.8m",259,159,BED-1,,"不掉毛|""A 类""标准",,',
].join('\r\n');

describe('catalog CSV import', () => {
  it('imports UTF-8 with BOM: yuan to fen exactly, quoted commas and quotes, selling points split', async () => {
    const { core } = testCore();
    const r = await core.call('catalog.importCsv', { base64: b64(Buffer.concat([BOM, Buffer.from(GOOD)])) });
    expect(r).toEqual({ encoding: 'utf-8-bom', created: 2, updated: 0 });
    const [tea, bed] = core.products.list();
    expect(tea).toMatchObject({ title: '云南普洱茶 357g', price: 29900, livePrice: 19990, sku: 'TEA-1', stock: 500, hot: true, coupon: '满199减30' });
    expect(tea!.sellingPoints).toEqual(['干仓存放', '汤色红浓']);
    expect(bed).toMatchObject({ title: '加厚四件套, 1.8m', stock: null, hot: false, coupon: null });
    expect(bed!.sellingPoints).toEqual(['不掉毛', '"A 类"标准']);
  });

  it('imports UTF-8 without BOM and GBK from Excel, with the same result', async () => {
    const plain = testCore();
    const gbk = testCore();
    const r1 = await plain.core.call('catalog.importCsv', { base64: b64(GOOD) });
    const r2 = await gbk.core.call('catalog.importCsv', { base64: b64(iconv.encode(GOOD, 'gbk')) });
    expect(r1.encoding).toBe('utf-8');
    expect(r2.encoding).toBe('gb18030');
    const strip = (ps: { title: string; price: number; sellingPoints: string[] }[]) => ps.map((p) => [p.title, p.price, p.sellingPoints]);
    expect(strip(gbk.core.products.list())).toEqual(strip(plain.core.products.list()));
  });

  it('rejects bytes that are neither UTF-8 nor GBK with a clear message', async () => {
    const { core } = testCore();
    const junk = Buffer.from([0x74, 0x69, 0x74, 0x6c, 0x65, 0x0a, 0xff, 0xff, 0xff, 0x80, 0x0a]);
    await expect(core.call('catalog.importCsv', { base64: b64(junk) })).rejects.toThrow(/CSV UTF-8/);
    expect(core.products.list()).toHaveLength(0);
  });

  it('reports every bad row with its line number and imports nothing', async () => {
    const { core } = testCore();
    const csv = [
      'title,price,stock,sku,link',
      'ok one,10,1,S1,',
      ',10,1,S2,', // line 3: empty title
      'bad price,ten,1,S3,', // line 4
      '"multi',
      'line title",12.345,1,S4,', // record starts on line 5: 3 decimals
      'dup,10,1,S1,', // line 7: duplicate SKU of line 2
      'neg stock,10,-1,S5,', // line 8
      'bad link,10,1,S6,javascript:alert(1)', // line 9
    ].join('\n');
    const error = await core.call('catalog.importCsv', { base64: b64(csv) }).catch((e) => e);
    expect(error.code).toBe('bad_request');
    const lines = (error.details.errors as { line: number }[]).map((e) => e.line);
    expect(lines).toEqual([3, 4, 5, 7, 8, 9]);
    expect(error.message).toMatch(/nothing imported/);
    expect(core.products.list()).toHaveLength(0);
  });

  it('needs a title and a price column', async () => {
    const { core } = testCore();
    const error = await core.call('catalog.importCsv', { base64: b64('名称X,foo\na,b') }).catch((e) => e);
    expect(error.details.errors.map((e: { line: number }) => e.line)).toEqual([1, 1]);
  });

  it('updates products whose SKU already exists instead of duplicating them', async () => {
    const { core } = testCore();
    await core.call('catalog.importCsv', { base64: b64(GOOD) });
    const again = GOOD.replace('299,199.9', '299,188');
    const r = await core.call('catalog.importCsv', { base64: b64(again) });
    expect(r).toMatchObject({ created: 0, updated: 2 });
    expect(core.products.list()).toHaveLength(2);
    expect(core.products.bySku('TEA-1')?.livePrice).toBe(18800);
  });

  it('reports an unterminated quote with the line it starts on', async () => {
    const { core } = testCore();
    const error = await core.call('catalog.importCsv', { base64: b64('title,price\na,1\n"broken,2\n') }).catch((e) => e);
    expect(error.details.errors[0].line).toBe(3);
  });

  it('parser: CRLF, empty lines, embedded newlines keep physical line numbers', () => {
    const recs = parseCsv('a,b\r\n\r\n"x\ny",2\r\nlast,3');
    expect(recs).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 3, cells: ['x\ny', '2'] },
      { line: 5, cells: ['last', '3'] },
    ]);
  });
});
