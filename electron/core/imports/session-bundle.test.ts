// The bundle reader on its own (no worker, no database): the byte scan's limits, rows read a batch at a time from
// where the scan found them, and the packed result. The plan is a small hand-written schema.
import { describe, expect, it } from 'vitest';
import { type BundlePlan, checkBundle, scanJson } from './session-bundle.ts';

const col = (name: string, type: string, notnull = false, pk = false) => ({ name, type, notnull, hasDefault: false, pk });
const plan: BundlePlan = {
  tables: [
    { name: 'sessions', columns: [col('id', 'INTEGER', false, true), col('title', 'TEXT', true)], fks: [], ownId: 'id' },
    {
      name: 'metric_seconds',
      columns: [col('session_id', 'INTEGER', true), col('ts', 'INTEGER', true), col('online', 'INTEGER'), col('note', 'TEXT')],
      fks: [{ from: 'session_id', table: 'sessions' }],
      ownId: null,
    },
  ],
  products: {
    name: 'products',
    columns: [col('id', 'INTEGER', false, true), col('title', 'TEXT', true), col('price', 'INTEGER', true)],
    fks: [],
    ownId: 'id',
  },
};

const bundle = (seconds: unknown[], extra: Record<string, unknown> = {}) => ({
  format: 'livecue.session',
  version: 1,
  exportedAt: 1_790_000_000_000,
  app: 'LiveCue test',
  data: { sessions: [{ id: 7, title: '晚场' }], metric_seconds: seconds, ...extra },
});
const bytes = (value: unknown, indent?: number) => new Uint8Array(Buffer.from(JSON.stringify(value, null, indent)));
const fail = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('did not throw');
};

describe('session bundle reader', () => {
  // 4 500 rows: three batches of 2 000 / 2 000 / 500, some with a text holding JSON punctuation and escaped quotes
  const seconds = Array.from({ length: 4500 }, (_, i) => ({
    session_id: 7,
    ts: 1000 + i,
    online: i % 7 === 0 ? null : i,
    note: i % 1000 === 0 ? `a "}],[{" \\ ${i}` : 'x',
  }));

  it('reads rows across batches, compact or pretty-printed, into columns (numbers as Float64Array)', () => {
    for (const indent of [undefined, 2]) {
      const out = checkBundle({ bytes: bytes(bundle(seconds), indent) }, plan);
      const [block] = out.tables.metric_seconds!;
      expect(out.tables.metric_seconds).toHaveLength(1);
      expect(block!.count).toBe(4500);
      expect(block!.columns).toEqual(['session_id', 'ts', 'online', 'note']);
      expect(block!.data[1]).toBeInstanceOf(Float64Array);
      expect(Array.from(block!.data[1] as Float64Array)).toEqual(seconds.map((s) => s.ts));
      // a column with nulls stays an array
      expect(block!.data[2]).toEqual(seconds.map((s) => s.online));
      expect((block!.data[3] as string[])[3000]).toBe('a "}],[{" \\ 3000');
      expect(out.tables.sessions![0]!.count).toBe(1);
    }
  });

  it('the same from JSON text, base64 of it, and the parsed value', () => {
    const value = bundle(seconds.slice(0, 10));
    const text = JSON.stringify(value);
    const want = checkBundle({ bytes: bytes(value) }, plan);
    expect(checkBundle({ text }, plan)).toEqual(want);
    expect(checkBundle({ text: Buffer.from(text).toString('base64') }, plan)).toEqual(want);
    expect(checkBundle({ value }, plan)).toEqual(want);
  });

  it('names a bad row by its index in the table, past the first batch', () => {
    const bad = structuredClone(seconds);
    (bad[4321] as Record<string, unknown>).online = 'lots';
    const e = fail(() => checkBundle({ bytes: bytes(bundle(bad), 2) }, plan));
    expect(e.code).toBe('bad_request');
    expect(e.message).toContain('data.metric_seconds.4321.online');
  });

  it('refuses by scan before parsing: depth, long strings, rows, cells', () => {
    const limits = { rows: 100, cells: 250, stringBytes: 64, depth: 4 };
    expect(fail(() => scanJson(Buffer.from('{"data":{"t":[{"v":[1]}]}}'), limits)).message).toMatch(
      /nested deeper than 4 levels at byte 19/,
    );
    expect(fail(() => scanJson(Buffer.from(`{"a":"${'x'.repeat(70)}"}`), limits)).message).toMatch(/string of more than/);
    // an escaped quote does not end a string; brackets inside strings are not nesting
    expect(() => scanJson(Buffer.from(`{"a":"\\"[[[[[[\\\\","data":{"t":[{"v":"]]]]"}]}}`), limits)).not.toThrow();
    expect(fail(() => scanJson(Buffer.from(`{"data":{"t":[${'{},'.repeat(100)}{}]}}`), limits)).message).toMatch(/more than 100 rows/);
    expect(fail(() => scanJson(Buffer.from(`{"data":{"t":[${'{"a":1,"b":2,"c":3},'.repeat(90)}{}]}}`), limits)).message).toMatch(
      /more than 250 values/,
    );
  });

  it('refuses what a batch reader could misread: scalars as rows, a table or data twice', () => {
    expect(fail(() => checkBundle({ text: JSON.stringify(bundle([1, 2])) }, plan)).message).toMatch(
      /a row of metric_seconds is not an object/,
    );
    expect(fail(() => checkBundle({ text: JSON.stringify(bundle(['x'])) }, plan)).message).toMatch(
      /a row of metric_seconds is not an object/,
    );
    const twice = JSON.stringify(bundle([])).replace(
      '"metric_seconds":[]',
      '"metric_seconds":[],"metric_seconds":[{"session_id":7,"ts":1}]',
    );
    expect(fail(() => checkBundle({ text: twice }, plan)).message).toMatch(/table metric_seconds appears twice/);
    const data2 = JSON.stringify(bundle([])).replace(/}$/, ',"data":{}}');
    expect(fail(() => checkBundle({ text: data2 }, plan)).message).toMatch(/data appears twice/);
  });

  it('the envelope and sessions: unknown tables, not exactly one session, not JSON', () => {
    expect(fail(() => checkBundle({ text: JSON.stringify(bundle([], { secrets: [] })) }, plan)).message).toMatch(/secrets/);
    const two = bundle([]);
    two.data.sessions.push({ id: 8, title: 'b' });
    expect(fail(() => checkBundle({ bytes: bytes(two) }, plan)).message).toMatch(/exactly one session/);
    expect(fail(() => checkBundle({ text: '{"format":' }, plan)).message).toMatch(/not JSON/);
  });
});
