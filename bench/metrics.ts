// Metrics benchmark: ingest throughput through the core's ingest path vs the raw better-sqlite3 ceiling (same rows,
// prepared inserts, one transaction) measured in the same run; live snapshot p99 at hour 8 (1 Hz readings, 50 orders/s,
// a pin every 5 minutes); RSS of a serve child running an 8-hour simulated session at 600×.
// Prints progress on stderr only; returns { ingest, snapshot, soak }.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Core } from '../electron/core/core.ts';
import { MetricsModule } from '../electron/core/metrics/module.ts';
import { migrations } from '../electron/core/store/migrations/index.ts';
import type { MetricEventInput } from '../shared/protocol/metrics.ts';
import { root, startServe, tempDir } from '../tests/helpers/serve.ts';
import { createDeskModules } from '../electron/core/modules.ts';

const progress = (line: string) => process.stderr.write(`bench metrics: ${line}\n`);
const T0 = 1_790_000_000_000;

function makeCore(now: () => number) {
  const core = new Core({ dataDir: tempDir('livecue-bench-'), resourcesDir: path.join(root, 'resources'), version: 'bench', seedDemo: false, now, log: () => {} });
  for (const m of createDeskModules()) m.attach(core);
  const metrics = new MetricsModule();
  metrics.attach(core);
  return { core, metrics };
}

/** a realistic mix: per second 1 reading, 50 orders, joins/leaves and comments */
function eventsFor(second: number, productIds: number[], out: MetricEventInput[], perSecond = { orders: 50, joins: 20, comments: 5 }): void {
  const ts = T0 + second * 1000;
  out.push({ type: 'reading', ts, online: 1000 + (second % 300), viewersUv: second * 20, viewsPv: second * 25, products: [{ productId: productIds[second % productIds.length]!, exposureUv: second * 3, clickUv: second, payUv: second >> 2, gmv: second * 1000 }] });
  for (let i = 0; i < perSecond.orders; i++) out.push({ type: 'order', ts: ts + i, orderId: `37${String(second).padStart(8, '0')}${String(i).padStart(9, '0')}`, amount: 6900, productId: productIds[(second + i) % productIds.length]!, status: 'paid' });
  for (let i = 0; i < perSecond.joins; i++) out.push({ type: 'join', ts: ts + i, viewerId: `v${second}-${i}` });
  for (let i = 0; i < perSecond.joins && second > 60; i++) out.push({ type: 'leave', ts: ts + 500 + i, viewerId: `v${second - 60}-${i}` });
  for (let i = 0; i < perSecond.comments; i++) out.push({ type: 'comment', ts: ts + 700 + i, text: '多少钱？' });
}

async function setupSession(core: Core) {
  const ids: number[] = [];
  for (let i = 0; i < 8; i++) ids.push((await core.call('product.create', { title: `P${i}`, price: 9900 })).id);
  const s = await core.call('session.create', { title: 'bench', productIds: ids });
  await core.call('metrics.setSource', { sessionId: s.id, source: 'ingest' });
  await core.call('session.start', { sessionId: s.id });
  return { sessionId: s.id, productIds: ids, lineup: (await core.call('session.get', { sessionId: s.id })).lineup };
}

/**
 * Ingest vs the raw ceiling, interleaved batch by batch so both see the same machine load: each 5 000-event batch goes
 * through the core's ingest path (metrics.ingest over the invoke boundary: parse, one transaction with the raw rows and
 * the rollups, the running aggregate), then the same rows go into a second file with prepared inserts and nothing else,
 * inside one transaction held open across all batches (the ceiling as measured before: a single commit at the end,
 * counted on the raw side). The same 300 000 events, one round of each.
 */
export async function ingestBench() {
  const BATCH = 5000;
  const now = T0;
  const { core } = makeCore(() => now);
  const { sessionId, productIds } = await setupSession(core);
  const events: MetricEventInput[] = [];
  for (let s = 0; events.length < 300_000; s++) eventsFor(s, productIds, events);

  const dir = tempDir('livecue-bench-raw-');
  const db = new Database(path.join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  for (const m of migrations) if (m.name === 'metrics') db.exec(m.sql.replace(/REFERENCES sessions\(id\) ON DELETE CASCADE/g, ''));
  const ins = {
    reading: db.prepare('INSERT INTO metric_readings (session_id, ts, online, viewers_uv, views_pv, avg_watch, products) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    order: db.prepare('INSERT OR IGNORE INTO metric_orders (session_id, order_id, ts, amount, product_key, sku, status) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    comment: db.prepare('INSERT INTO metric_comments (session_id, ts, text) VALUES (?, ?, ?)'),
    presence: db.prepare('INSERT INTO metric_presence (session_id, ts, viewer_id, kind) VALUES (?, ?, ?, ?)'),
  };
  const rawBatch = (batch: any[]) => {
    for (const e of batch) {
      if (e.type === 'reading') ins.reading.run(1, e.ts, e.online, e.viewersUv, e.viewsPv, null, JSON.stringify(e.products));
      else if (e.type === 'order') ins.order.run(1, e.orderId, e.ts, e.amount, String(e.productId), null, e.status);
      else if (e.type === 'comment') ins.comment.run(1, e.ts, e.text);
      else ins.presence.run(1, e.ts, e.viewerId, e.type === 'join' ? 1 : 0);
    }
  };
  let coreMs = 0;
  let rawMs = 0;
  let t = performance.now();
  db.exec('BEGIN');
  rawMs += performance.now() - t;
  for (let i = 0; i < events.length; i += BATCH) {
    const batch = events.slice(i, i + BATCH);
    t = performance.now();
    await core.call('metrics.ingest', { sessionId, events: batch });
    coreMs += performance.now() - t;
    t = performance.now();
    rawBatch(batch);
    rawMs += performance.now() - t;
  }
  t = performance.now();
  db.exec('COMMIT');
  rawMs += performance.now() - t;
  core.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const eventsPerSec = events.length / (coreMs / 1000);
  const ceilingPerSec = events.length / (rawMs / 1000);
  return {
    eventsPerSec: Math.round(eventsPerSec),
    ceilingPerSec: Math.round(ceilingPerSec),
    ratio: +(eventsPerSec / ceilingPerSec).toFixed(3),
    events: events.length,
    batch: BATCH,
    method: 'interleaved batch by batch: core ingest of a batch, then the same rows raw (one transaction held open, committed at the end)',
  };
}

async function snapshotBench() {
  let now = T0;
  const { core, metrics } = makeCore(() => now);
  const { sessionId, lineup } = await setupSession(core);
  const HOURS = 8;
  const seconds = HOURS * 3600;
  let pin = 0;
  const chunk: MetricEventInput[] = [];
  const t = performance.now();
  for (let s = 0; s < seconds; s++) {
    if (s % 300 === 0) {
      now = T0 + s * 1000;
      await core.call('session.pin', { sessionId, lineupItemId: lineup[pin++ % lineup.length]!.id });
    }
    eventsFor(s, lineup.map((i) => i.productId), chunk, { orders: 50, joins: 3, comments: 1 });
    if (chunk.length >= 10_000) {
      metrics.ingest(sessionId, chunk.splice(0) as never);
    }
    if (s % 3600 === 0 && s) progress(`snapshot: filled hour ${s / 3600}`);
  }
  metrics.ingest(sessionId, chunk.splice(0) as never);
  progress(`snapshot: 8 h filled in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  // live: 1 s of data arrives between snapshots, as during the broadcast
  const times: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const s = seconds + i;
    now = T0 + s * 1000;
    const one: MetricEventInput[] = [];
    eventsFor(s, lineup.map((x) => x.productId), one, { orders: 50, joins: 3, comments: 1 });
    metrics.ingest(sessionId, one as never);
    const a = performance.now();
    const snap = await core.call('metrics.snapshot', { sessionId });
    times.push(performance.now() - a);
    if (i === 0 && snap.counts.orders < seconds * 50) throw new Error('snapshot bench: data missing');
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => +times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(3);
  core.close();
  return { p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1), atHour: HOURS, segments: Math.ceil(seconds / 300), ordersPerSec: 50 };
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

export async function soakBench() {
  // the debug route only reports; it changes nothing the serve child does
  const serve = await startServe({ args: ['--no-demo'], env: { LIVECUE_DEBUG_MEMORY: '1' } });
  try {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push((await serve.api('POST', '/api/v1/products', { title: `P${i}`, price: 5900 + i * 1000, hot: i === 0 })).body.id);
    const s = (await serve.api('POST', '/api/v1/sessions', { title: 'soak', productIds: ids })).body;
    await serve.api('PUT', `/api/v1/sessions/${s.id}/metrics/source`, { source: 'simulator', options: { timeScale: 600, seed: 1, arrivalsPerSecond: 20, clock: 'model' } });
    const started = (await serve.api('POST', `/api/v1/sessions/${s.id}/start`)).body;
    const startMs = started.startedAt as number;
    const simHours = async () => {
      const snap = (await serve.api('GET', `/api/v1/sessions/${s.id}/metrics`)).body;
      return ((snap.lastEventAt ?? startMs) - startMs) / 3_600_000;
    };
    const pid = serve.proc.pid!;
    const samples: { h: number; rssKb: number; heapUsedKb: number; heapTotalKb: number; newSpaceKb: number; externalKb: number; nonV8Kb: number }[] = [];
    type Memory = { process: NodeJS.MemoryUsage; heapSpaces: Record<string, [used: number, committed: number]>; heap: { total_physical_size: number } } & Record<string, unknown>;
    const memory = async () => (await serve.api('GET', '/api/v1/debug/memory')).body as Memory;
    const kb = (b: number) => Math.round(b / 1024);
    // RSS that is not V8's resident heap: malloc (SQLite's page cache, better-sqlite3, libuv, V8's zones), code, stacks
    const nonV8Kb = (rss: number, m: Memory) => rss - kb(m.heap.total_physical_size);
    let after1h = 0;
    let heapAfter1h = 0;
    let heapAfterWarmup = 0;
    let heapTotalAfter1h = 0;
    let newSpaceAfter1h = 0;
    let nonV8After1h = 0;
    // at 600× the first simulated hour is 6 s of wall time, before V8 has sized its heap for the ingest rate:
    // also report growth from the first sample taken after 20 s of wall time (V8 warm-up), side by side
    const wallStart = performance.now();
    let afterWarmup = 0;
    let warmupH = 0;
    let item = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const h = await simHours();
      const rss = rssKb(pid);
      const all = await memory();
      const mem = all.process;
      const newSpace = kb(all.heapSpaces.new_space?.[1] ?? 0);
      samples.push({ h: +h.toFixed(2), rssKb: rss, heapUsedKb: kb(mem.heapUsed), heapTotalKb: kb(mem.heapTotal), newSpaceKb: newSpace, externalKb: kb(mem.external), nonV8Kb: nonV8Kb(rss, all) });
      if (!after1h && h >= 1) {
        after1h = rss;
        heapAfter1h = kb(mem.heapUsed);
        heapTotalAfter1h = kb(mem.heapTotal);
        newSpaceAfter1h = newSpace;
        nonV8After1h = nonV8Kb(rss, all);
      }
      if (!afterWarmup && h >= 1 && performance.now() - wallStart >= 20_000) {
        afterWarmup = rss;
        heapAfterWarmup = kb(mem.heapUsed);
        warmupH = h;
      }
      // the producer keeps pinning (every ~5 simulated minutes at 600×: every 0.5 s of wall time → once a second here)
      await serve.api('POST', `/api/v1/sessions/${s.id}/pin`, { lineupItemId: started.lineup[item++ % started.lineup.length].id });
      if (h >= 8) break;
      if (samples.length > 150) throw new Error('soak: the simulator did not reach 8 h in 150 s');
    }
    const end = rssKb(pid);
    const endMemory = await memory();
    const heapEnd = kb(endMemory.process.heapUsed);
    const snap = (await serve.api('GET', `/api/v1/sessions/${s.id}/metrics`)).body;
    progress(`soak: 8 h simulated, rss after 1 h ${after1h} kB, at 8 h ${end} kB, ${snap.counts.orders} orders, ${snap.counts.joins} joins`);
    return {
      rssGrowthPct: +(((end - after1h) / after1h) * 100).toFixed(1),
      rssAfter1hKb: after1h,
      rssGrowthPctAfterWarmup: +(((end - afterWarmup) / afterWarmup) * 100).toFixed(1),
      warmupSimulatedHours: +warmupH.toFixed(2),
      rssAt8hKb: end,
      // the highest RSS sampled over the soak: V8 collects the old generation in a sawtooth, so peak beside the two points
      rssMaxKb: Math.max(end, ...samples.map((x) => x.rssKb)),
      nonV8After1hKb: nonV8After1h,
      nonV8At8hKb: nonV8Kb(end, endMemory),
      // what grows inside the process, beside RSS: V8's heap in use (heapUsed: sampled at any moment, so it includes
      // garbage not yet collected, up to a young generation's worth), V8's committed heap (heapTotal) and, of that, the
      // young generation (new space), which V8 sizes up under a sustained allocation rate
      heapTotalAfter1hKb: heapTotalAfter1h,
      heapTotalAt8hKb: kb(endMemory.process.heapTotal),
      newSpaceAfter1hKb: newSpaceAfter1h,
      newSpaceAt8hKb: kb(endMemory.heapSpaces.new_space?.[1] ?? 0),
      heapUsedGrowthPct: +(((heapEnd - heapAfter1h) / heapAfter1h) * 100).toFixed(1),
      heapUsedGrowthPctAfterWarmup: +(((heapEnd - heapAfterWarmup) / heapAfterWarmup) * 100).toFixed(1),
      heapUsedAfter1hKb: heapAfter1h,
      heapUsedAt8hKb: heapEnd,
      memoryAt8h: endMemory,
      simulatedHours: 8,
      timeScale: 600,
      events: Object.values(snap.counts as Record<string, number>).reduce((a, b) => a + b, 0),
      samples: samples.filter((_, i) => i % 5 === 0),
    };
  } finally {
    await serve.stop();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  progress('ingest…');
  const ingest = await ingestBench();
  progress(`ingest ${ingest.eventsPerSec}/s vs ceiling ${ingest.ceilingPerSec}/s`);
  progress('snapshot at hour 8…');
  const snapshot = await snapshotBench();
  progress(`snapshot p99 ${snapshot.p99Ms} ms`);
  progress('soak (8 h at 600×)…');
  const soak = await soakBench();
  return { ingest, snapshot, soak };
}

if (import.meta.main) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
