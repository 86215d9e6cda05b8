// Issue 14, "imports that cannot hurt the desk", for session bundles: the upload (POST /api/v1/sessions/import, up to
// 200 MiB) is parsed and checked in the import worker, never on the core's event loop. Each hostile bundle is sent to
// a real `serve` while a producer pins every 10 ms: refused with a 4xx naming the problem (Chinese / English) within
// 2 s, the process's peak RSS (VmHWM) under 300 MB, pins unaffected. Then an 8-hour session's bundle (28 800 readings,
// 100 000 orders, 33 MiB) is imported into a fresh `serve` under the same pinning, and the figures are printed.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../bench/report.ts';
import { Core } from '../../electron/core/core.ts';
import { MetricsModule } from '../../electron/core/metrics/module.ts';
import { reviewModule } from '../helpers/review.ts';
import { root, startServe, tempDir, type Served } from '../helpers/serve.ts';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const loaded = () => os.loadavg()[0]! >= os.cpus().length;

/** peak resident set of a serve process so far (Linux /proc; the audit's RSS figures) */
const peakRssMb = (s: Served): number => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${s.proc.pid}/status`, 'utf8'))![1]) / 1024;

/** a live session to pin on */
async function liveSession(s: Served) {
  const a = (await s.api('POST', '/api/v1/products', { title: 'A', price: 100 })).body;
  const b = (await s.api('POST', '/api/v1/products', { title: 'B', price: 200 })).body;
  const created = (await s.api('POST', '/api/v1/sessions', { title: 'live', productIds: [a.id, b.id] })).body;
  await s.api('POST', `/api/v1/sessions/${created.id}/start`);
  return { id: created.id as number, items: created.lineup.map((i: { id: number }) => i.id) as number[] };
}

/**
 * Sends a file from a child process (so this process's event loop, which times the pins, does not also stream tens of
 * megabytes) and answers its status, body and time as the child measured it.
 */
const UPLOAD = `const [url, token, file, type] = process.argv.slice(1);
const body = require('node:fs').readFileSync(file);
const t0 = performance.now();
fetch(url, { method: 'POST', headers: { authorization: 'Bearer ' + token, 'content-type': type }, body }).then(async (r) => {
  const text = await r.text();
  process.stdout.write(JSON.stringify({ status: r.status, ms: performance.now() - t0, body: text }));
});`;
function upload(s: Served, file: string, type = 'application/json'): Promise<{ status: number; ms: number; body: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', UPLOAD, `${s.url}api/v1/sessions/import`, s.token, file, type],
      { maxBuffer: 1 << 20 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))),
    );
  });
}

/** Uploads the bundle while pinning every 10 ms; returns the answer, its time, and the pins' figures. */
async function underLoad(s: Served, live: { id: number; items: number[] }, body: Buffer) {
  const file = path.join(tempDir('livecue-bundle-'), 'bundle.json');
  fs.writeFileSync(file, body);
  let stop = false;
  const pins: number[] = [];
  // pins during the transport-only upload, apart: the yardstick for what receiving these bytes costs right now
  let phase: 'transport' | 'import' | null = null;
  const transportPins: number[] = [];
  const pinner = (async () => {
    for (let i = 0; !stop && i < 5000; i++) {
      const t0 = performance.now();
      const during = phase;
      const r = await s.api('POST', `/api/v1/sessions/${live.id}/pin`, { lineupItemId: live.items[i % 2] });
      (during === 'transport' ? transportPins : pins).push(performance.now() - t0);
      expect(r.status).toBe(200);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  await new Promise((r) => setTimeout(r, 100));
  // the same bytes as text/plain: refused once read, before any parsing — what moving them costs on this machine now
  phase = 'transport';
  const transport = await upload(s, file, 'text/plain');
  expect(transport.status).toBe(400);
  phase = 'import';
  const res = await upload(s, file);
  const answer = JSON.parse(res.body) as { error?: { code: string; message: string }; sessionId?: number; rows?: number };
  // at least a second of pins around the import, so the percentile is over a real sample
  await new Promise((r) => setTimeout(r, Math.max(100, 1000 - res.ms)));
  stop = true;
  await pinner;
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return {
    status: res.status,
    body: answer,
    ms: res.ms,
    transportMs: transport.ms,
    slowestPin: Math.max(...pins),
    transportSlowestPin: transportPins.length ? Math.max(...transportPins) : 0,
    p95: pct(pins, 0.95),
    pins: pins.length,
  };
}

/**
 * The XLSX cases' bound (security-imports.test.ts: p95 50 ms with a core free, 250 ms on a crowded machine). The
 * slowest pin is measured against the same bytes uploaded as text/plain and refused unread (up to 18 MB cross the
 * event loop either way): parsing on the event loop would stall a pin for the parse's whole time (seconds for six
 * million rows), far beyond three times the transport's own stall.
 */
function expectPinsFast(r: { slowestPin: number; p95: number; transportSlowestPin: number }) {
  expect(r.p95).toBeLessThan(loaded() ? 250 : 50);
  // a parse on the event loop stalls a pin for seconds (six million rows); the slack covers a worker thread and a
  // second test file sharing 2 cores with the core's event loop (CI: 541 ms once beside a 237 ms transport stall)
  expect(r.slowestPin).toBeLessThan(Math.max(loaded() ? 1000 : 150, 3 * r.transportSlowestPin + 100));
}

const bilingual = (message: string) => expect(message).toMatch(/[\u4e00-\u9fff].* \/ [A-Za-z]/);

const ENVELOPE = '{"format":"livecue.session","version":1,"exportedAt":1790000000000,"app":"LiveCue x","data":{';

describe('hostile bundles end in the worker', () => {
  let s: Served;
  let live: { id: number; items: number[] };
  let good: any;
  beforeAll(async () => {
    s = await startServe({ args: ['--no-demo'] });
    live = await liveSession(s);
    // a real bundle of 3 000 readings to spoil: exported by this serve from a session it recorded
    const p = (await s.api('POST', '/api/v1/products', { title: '面霜', price: 9900 })).body;
    const made = (await s.api('POST', '/api/v1/sessions', { title: '晚场', productIds: [p.id] })).body;
    await s.api('POST', `/api/v1/sessions/${made.id}/start`);
    const t0 = Date.now() - 3_000_000;
    const events = Array.from({ length: 3000 }, (_, i) => ({
      type: 'reading',
      ts: t0 + i * 1000,
      online: 100 + (i % 50),
      viewersUv: 200 + i,
      products: [{ productId: p.id, exposureUv: i, clickUv: i >> 2, payUv: i >> 5 }],
    }));
    expect((await s.api('POST', '/api/v1/invoke/metrics.ingest', { sessionId: made.id, events })).status).toBe(200);
    await s.api('POST', `/api/v1/sessions/${made.id}/end`);
    good = (await s.api('GET', `/api/v1/sessions/${made.id}/bundle`)).body;
    expect(good.data.metric_readings.length).toBe(3000);
    // the worker answers once (a harmless refusal) so the figures are the steady state
    await fetch(`${s.url}api/v1/sessions/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
  });
  const sessions = async () => (await s.api('GET', '/api/v1/sessions')).body.length as number;

  const cases: { name: string; body: () => string | Uint8Array; status: number; message: RegExp }[] = [
    {
      name: 'nesting a million levels deep (1 MB)',
      body: () => `${ENVELOPE}"sessions":[${'['.repeat(1_000_000)}`,
      status: 400,
      message: /nested deeper than 4 levels/,
    },
    {
      name: 'a 12 MiB string',
      body: () => `${ENVELOPE}"sessions":[{"title":"${'a'.repeat(12 * 1024 * 1024)}"}]}}`,
      status: 413,
      message: /string of more than 10 MiB/,
    },
    {
      name: 'six million tiny rows (18 MB)',
      body: () => `${ENVELOPE}"sessions":${JSON.stringify(good.data.sessions)},"metric_seconds":[${'{},'.repeat(6_000_000)}{}]}}`,
      status: 413,
      message: /more than 5000000 rows/,
    },
    {
      name: 'a million rows of the wrong shape within the limits (16 MB)',
      body: () => `${ENVELOPE}"sessions":${JSON.stringify(good.data.sessions)},"metric_seconds":[${'{"ts":"1"},'.repeat(1_000_000)}{}]}}`,
      status: 400,
      message: /metric_seconds/,
    },
    {
      name: 'a wrong type in the 3 000th reading of a real bundle',
      body: () => {
        const b = structuredClone(good);
        b.data.metric_readings[2999].online = 'lots';
        return JSON.stringify(b);
      },
      status: 400,
      message: /metric_readings\.2999\.online/,
    },
    {
      name: 'an object nested in the 3 000th reading of a real bundle',
      body: () => {
        const b = structuredClone(good);
        b.data.metric_readings[2999].products = [{ productId: { $ref: 1 } }];
        return JSON.stringify(b);
      },
      status: 400,
      message: /nested deeper than 4 levels/,
    },
    {
      name: 'not UTF-8',
      body: () => Buffer.concat([Buffer.from(`${ENVELOPE}"sessions":[{"title":"`), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from('"}]}}')]),
      status: 400,
      message: /not UTF-8/,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: refused within 2 s, RSS under 300 MB, pins unaffected`, { timeout: 60_000 }, async () => {
      const before = await sessions();
      // encoded here, not while the pins are timed (this process sends both)
      const body = Buffer.from(c.body());
      const r = await underLoad(s, live, body);
      console.log(
        `${c.name}: ${r.status} in ${r.ms.toFixed(0)} ms (upload alone ${r.transportMs.toFixed(0)} ms, slowest pin meanwhile ${r.transportSlowestPin.toFixed(1)} ms); ${r.pins} pins, p95 ${r.p95.toFixed(1)} ms, slowest ${r.slowestPin.toFixed(1)} ms; peak RSS ${peakRssMb(s).toFixed(0)} MB; ${r.body.error?.message.slice(0, 160)}`,
      );
      expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(c.status);
      expect(r.body.error!.message).toMatch(c.message);
      bilingual(r.body.error!.message);
      // refused within 2 s (5 s on a crowded machine) of what the upload alone takes
      expect(r.ms - r.transportMs).toBeLessThan(loaded() ? 5000 : 2000);
      expectPinsFast(r);
      expect(peakRssMb(s)).toBeLessThan(300);
      expect(await sessions()).toBe(before);
    });
  }

  it('the real bundle unspoilt imports (upload, JSON text, base64), and the upload still wants a JSON Content-Type', async () => {
    const r = await underLoad(s, live, Buffer.from(JSON.stringify(good)));
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
    expect(r.body.rows).toBeGreaterThan(3000);
    // the command takes the bundle as JSON text or base64 of it too (no object graph built on the core's thread)
    const asText = await s.api('POST', '/api/v1/invoke/review.importBundle', { bundle: JSON.stringify(good) });
    expect(asText.status, JSON.stringify(asText.body).slice(0, 300)).toBe(200);
    expect(asText.body.rows).toBe(r.body.rows);
    const asBase64 = await s.api('POST', '/api/v1/invoke/review.importBundle', {
      bundle: Buffer.from(JSON.stringify(good)).toString('base64'),
    });
    expect(asBase64.status, JSON.stringify(asBase64.body).slice(0, 300)).toBe(200);
    const form = await fetch(`${s.url}api/v1/sessions/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'text/plain' },
      body: JSON.stringify(good),
    });
    expect(form.status).toBe(400);
  }, 60_000);
});

describe('an 8-hour bundle imports while the desk pins', () => {
  let s: Served;
  let text: Buffer;
  let rowCount = 0;
  beforeAll(async () => {
    // built through the real ingest path (bench/report.ts), exported by a Core on that folder
    const dir = tempDir('livecue-8h-');
    const { sessionId, end } = await build(dir, { hours: 8, segments: 40, orders: 100_000 });
    const core = new Core({
      dataDir: dir,
      resourcesDir: path.join(root, 'resources'),
      version: 'test',
      seedDemo: false,
      now: () => end,
      log: () => {},
    });
    const metrics = new MetricsModule();
    metrics.attach(core);
    reviewModule(metrics).attach(core);
    const bundle = await core.call('review.exportBundle', { sessionId });
    core.close();
    for (const [name, rows] of Object.entries(bundle.data))
      if (name !== 'products' && name !== 'push_channels' && name !== 'obs_item_cues') rowCount += rows!.length;
    text = Buffer.from(JSON.stringify(bundle));
    s = await startServe({ args: ['--no-demo'] });
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
  });

  it('28 800 readings and 100 000 orders: pins p95 under 50 ms meanwhile (figures printed)', { timeout: 120_000 }, async () => {
    const live = await liveSession(s);
    const r = await underLoad(s, live, text);
    console.log(
      `8-hour bundle (${(text.length / 1024 / 1024).toFixed(1)} MiB, ${rowCount} rows): ${r.status} in ${r.ms.toFixed(0)} ms; ${r.pins} pins, p95 ${r.p95.toFixed(1)} ms, slowest ${r.slowestPin.toFixed(1)} ms; peak RSS ${peakRssMb(s).toFixed(0)} MB; load ${os.loadavg()[0]!.toFixed(1)}`,
    );
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
    expect(r.body.rows).toBe(rowCount);
    const orders = (await s.api('GET', `/api/v1/sessions/${r.body.sessionId}/report`)).body.summary.orders;
    expect(orders).toBeGreaterThan(90_000);
    // the one transaction that writes the rows still holds the event loop once (the slowest pin: see docs/security.md)
    expect(r.p95).toBeLessThan(loaded() ? 250 : 50);
  });
});
