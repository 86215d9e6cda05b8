// SIGKILL during ingest loses no acknowledged batch: a real `serve` child is hammered with order batches from several
// concurrent clients, killed with -9 mid-stream, restarted on the same data folder; every batch answered
// {"stored": n} must be there in full, and every batch is either fully there or fully absent.
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DB_FILE } from '../../electron/core/store/db.ts';
import { startServe, tempDir } from '../helpers/serve.ts';

describe('metrics ingest durability', () => {
  it('keeps every acknowledged batch across kill -9, and no batch is half-written', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    const serve = await startServe({ dataDir, args: ['--no-demo'] });
    const p = await serve.api('POST', '/api/v1/products', { title: 'A', price: 100 });
    const s = await serve.api('POST', '/api/v1/sessions', { title: 'kill', productIds: [p.body.id] });
    const sessionId = s.body.id as number;
    expect((await serve.api('PUT', `/api/v1/sessions/${sessionId}/metrics/source`, { source: 'ingest' })).status).toBe(200);
    await serve.api('POST', `/api/v1/sessions/${sessionId}/start`);

    const BATCH = 400;
    const acked = new Set<number>();
    const sent = new Set<number>();
    let next = 0;
    let dead = false;
    const client = async () => {
      while (!dead) {
        const b = next++;
        sent.add(b);
        const events = Array.from({ length: BATCH }, (_, i) => ({
          type: 'order',
          ts: 1_790_000_000_000 + b * 1000 + i,
          orderId: `${b}-${i}`,
          amount: 100,
          productId: p.body.id,
        }));
        try {
          const res = await serve.api('POST', `/api/v1/sessions/${sessionId}/events`, { events });
          if (res.status === 200 && res.body.stored === BATCH) acked.add(b);
        } catch {
          return; // the connection died with the process
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((r) => setTimeout(r, 1500 + Math.random() * 1000));
    await serve.stop('SIGKILL');
    dead = true;
    await Promise.all(clients);
    expect(acked.size).toBeGreaterThan(5);

    // restart on the same folder: the database opens (quick_check, WAL recovery) and the API answers
    const again = await startServe({ dataDir, args: ['--no-demo'] });
    const snap = await again.api('GET', `/api/v1/sessions/${sessionId}/metrics`);
    await again.stop();
    expect(snap.status).toBe(200);

    const db = new Database(path.join(dataDir, DB_FILE), { readonly: true });
    const perBatch = new Map<number, number>();
    for (const row of db.prepare('SELECT order_id FROM metric_orders WHERE session_id = ?').iterate(sessionId) as Iterable<{ order_id: string }>) {
      const b = Number(row.order_id.split('-')[0]);
      perBatch.set(b, (perBatch.get(b) ?? 0) + 1);
    }
    const rollup = db.prepare('SELECT sum(orders) AS n FROM metric_seconds WHERE session_id = ?').get(sessionId) as { n: number };
    db.close();
    for (const b of acked) expect(perBatch.get(b), `acknowledged batch ${b}`).toBe(BATCH);
    for (const [b, n] of perBatch) expect(n, `batch ${b} is all or nothing`).toBe(BATCH);
    // the rollups were written in the same transactions as the raw rows
    const total = [...perBatch.values()].reduce((a, n) => a + n, 0);
    expect(rollup.n).toBe(total);
    expect(snap.body.counts.orders).toBe(total);
    expect(snap.body.session.orders).toBe(total);
  });
});
