// Issue 14 finding 2: a 1.6 KB XLSX froze the core for 55 s (150 000 unclosed <row> tags), a 621-byte one with cell
// ZZZZZZ2 took RSS to 2.9 GB, and a 255 KB file inflating to 250 MiB was accepted at 1.1 GB RSS, pins waiting meanwhile.
// Each file is sent to a real `serve` while a producer pins every 10 ms: the import is refused within 2 s, the
// process's peak RSS (VmHWM) stays under 300 MB, and no pin waits 50 ms.
import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32, createDeflateRaw } from 'node:zlib';
import { startServe, type Served } from '../helpers/serve.ts';
import { zip } from '../helpers/xlsx.ts';

let s: Served;
let session: { id: number; items: number[] };
beforeAll(async () => {
  s = await startServe({ args: ['--no-demo'] });
  const a = (await s.api('POST', '/api/v1/products', { title: 'A', price: 100 })).body;
  const b = (await s.api('POST', '/api/v1/products', { title: 'B', price: 200 })).body;
  const created = (await s.api('POST', '/api/v1/sessions', { title: 'live', productIds: [a.id, b.id] })).body;
  await s.api('POST', `/api/v1/sessions/${created.id}/start`);
  session = { id: created.id, items: created.lineup.map((i: { id: number }) => i.id) };
  // the worker is loaded at start-up; wait until it answers (a harmless file) so the figures are the steady state
  await fetch(`${s.url}api/v1/sessions/import/channels`, { method: 'POST', headers: { authorization: `Bearer ${s.token}` }, body: 'x' });
  baseline = await pinsFor(1500);
  console.log(`baseline, no import: ${baseline.length} pins, median ${pct(baseline, 0.5).toFixed(1)} ms, p95 ${pct(baseline, 0.95).toFixed(1)} ms, max ${Math.max(...baseline).toFixed(1)} ms`);
}, 30_000);
let baseline: number[] = [];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function pinsFor(ms: number): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + ms;
  for (let i = 0; performance.now() < end; i++) {
    const t0 = performance.now();
    await s.api('POST', `/api/v1/sessions/${session.id}/pin`, { lineupItemId: session.items[i % 2] });
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 10));
  }
  return out;
}
afterAll(async () => {
  await s?.stop();
});

const WORKBOOK = {
  '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
  'xl/workbook.xml': '<workbook xmlns:r="r"><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>',
  'xl/_rels/workbook.xml.rels': '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
};

/** peak resident set of the serve process so far (Linux /proc; the audit's RSS figures) */
const peakRssMb = (): number => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${s.proc.pid}/status`, 'utf8'))![1]) / 1024;

/** Uploads the file while pinning every 10 ms; returns the import's answer, its time, and the slowest pin. */
async function underLoad(file: Buffer) {
  let stop = false;
  const pins: number[] = [];
  const pinner = (async () => {
    for (let i = 0; !stop && i < 2000; i++) {
      const t0 = performance.now();
      const r = await s.api('POST', `/api/v1/sessions/${session.id}/pin`, { lineupItemId: session.items[i % 2] });
      pins.push(performance.now() - t0);
      expect(r.status).toBe(200);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  const res = await fetch(`${s.url}api/v1/sessions/import/channels?fileName=x.xlsx`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(file),
  });
  const ms = performance.now() - t0;
  const body = (await res.json()) as { error?: { message: string } };
  // at least a second of pins around the import, so the percentile is over a real sample
  await new Promise((r) => setTimeout(r, Math.max(100, 1000 - ms)));
  stop = true;
  await pinner;
  return { status: res.status, body, ms, slowestPin: Math.max(...pins), p95: pct(pins, 0.95), pins: pins.length };
}

/**
 * Pins stay under 50 ms (p95 and slowest) when the machine has a core free. On a machine with more runnable threads
 * than cores (the shared CI box: load average 15–20 on 2 cores, with other test files running beside this one) a pin
 * can wait for a core whatever the core does, as the baseline without any import shows; there the bound is 250 ms at
 * p95 — still an order below what the audit measured (pins waiting 2–4 s, the core frozen for 55 s).
 */
function expectPinsFast(r: { slowestPin: number; p95: number }) {
  const free = os.loadavg()[0]! < os.cpus().length;
  expect(r.p95).toBeLessThan(free ? 50 : 250);
  if (free) expect(r.slowestPin).toBeLessThan(50);
}

/** a worksheet part deflated in 1 MiB steps (the test never holds the inflated bytes) */
async function deflatedPart(prefix: string, filler: Buffer, times: number, suffix: string) {
  const z = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  z.on('data', (c: Buffer) => chunks.push(c));
  const finished = new Promise((r) => z.on('end', r));
  let crc = 0;
  let size = 0;
  const write = (b: Buffer) => {
    crc = crc32(b, crc);
    size += b.length;
    return new Promise<void>((r) => (z.write(b) ? r() : z.once('drain', () => r())));
  };
  await write(Buffer.from(prefix));
  for (let i = 0; i < times; i++) await write(filler);
  await write(Buffer.from(suffix));
  z.end();
  await finished;
  return { packed: Buffer.concat(chunks), size, crc };
}

describe('hostile imports cannot hurt the desk', () => {
  it('150 000 unclosed <row> tags in a 1.6 KB XLSX: refused or read in linear time', async () => {
    const sheet = `<worksheet><sheetData>${'<row>'.repeat(150_000)}</sheetData></worksheet>`;
    const file = zip({ ...WORKBOOK, 'xl/worksheets/sheet1.xml': sheet });
    expect(file.length).toBeLessThan(4096);
    const r = await underLoad(file);
    console.log(`unclosed rows: ${file.length} B → ${r.status} in ${r.ms.toFixed(0)} ms; ${r.pins} pins, p95 ${r.p95.toFixed(1)} ms, slowest ${r.slowestPin.toFixed(1)} ms; peak RSS ${peakRssMb().toFixed(0)} MB`);
    expect(r.status).toBe(400); // no time column: nothing to import, and said so
    expect(r.ms).toBeLessThan(os.loadavg()[0]! < os.cpus().length ? 2000 : 5000);
    expectPinsFast(r);
    expect(peakRssMb()).toBeLessThan(300);
  });

  it('cell ZZZZZZ2 in a 621-byte XLSX: refused before any grid is built', async () => {
    const sheet = '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>时间</t></is></c></row><row r="2"><c r="ZZZZZZ2"><v>1</v></c></row></sheetData></worksheet>';
    const file = zip({ ...WORKBOOK, 'xl/worksheets/sheet1.xml': sheet });
    const r = await underLoad(file);
    console.log(`ZZZZZZ2: ${file.length} B → ${r.status} in ${r.ms.toFixed(0)} ms; ${r.pins} pins, p95 ${r.p95.toFixed(1)} ms, slowest ${r.slowestPin.toFixed(1)} ms; peak RSS ${peakRssMb().toFixed(0)} MB`);
    expect(r.status).toBe(400);
    expect(r.body.error!.message).toMatch(/XFD/);
    expect(r.ms).toBeLessThan(os.loadavg()[0]! < os.cpus().length ? 2000 : 5000);
    expectPinsFast(r);
    expect(peakRssMb()).toBeLessThan(300);
  });

  it('a 255 KB file inflating to 250 MiB: refused at the inflate limit (declared size honest, or lying)', async () => {
    const part = await deflatedPart('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>', Buffer.alloc(1024 * 1024, 0x20), 250, '</t></is></c></row></sheetData></worksheet>');
    for (const declared of [part.size, 1000]) {
      const file = zip({ ...WORKBOOK, 'xl/worksheets/sheet1.xml': { ...part, size: declared } });
      expect(file.length).toBeLessThan(300 * 1024);
      const r = await underLoad(file);
      console.log(`zip bomb (declared ${declared}): ${file.length} B → ${r.status} in ${r.ms.toFixed(0)} ms; ${r.pins} pins, p95 ${r.p95.toFixed(1)} ms, slowest ${r.slowestPin.toFixed(1)} ms; peak RSS ${peakRssMb().toFixed(0)} MB`);
      expect(r.status).toBe(400);
      expect(r.body.error!.message).toMatch(/MiB/);
      expect(r.ms).toBeLessThan(os.loadavg()[0]! < os.cpus().length ? 2000 : 5000);
      expectPinsFast(r);
    }
    expect(peakRssMb()).toBeLessThan(300);
  }, 60_000);
});
