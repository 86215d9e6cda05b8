// Issue 14 finding 9: a read-only database started and then answered every write with 500; a full disk answered 500.
// Now: 503 with a Chinese/English reason, a store.failed event (the UI banner) and nothing half-written; the banner
// clears once a write succeeds again. SQLite's own switches stand in for the disk: PRAGMA query_only gives
// SQLITE_READONLY on every write, PRAGMA max_page_count gives SQLITE_FULL (the tests run as root, whom chmod won't stop).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHost } from '../../electron/core/host.ts';
import type { CoreEvent } from '../../shared/protocol/index.ts';
import { testHost } from '../helpers/core.ts';

let h: RunningHost;
const events: CoreEvent[] = [];
beforeAll(async () => {
  h = await testHost([]);
  h.core.subscribe((e) => events.push(e));
});
afterAll(async () => {
  await h?.stop();
});

const post = (p: string, body: unknown, raw = false) =>
  fetch(`${h.url}${p.slice(1)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.core.token}`, 'content-type': raw ? 'text/csv' : 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
const count = () => (h.core.db.prepare('SELECT count(*) n FROM products').get() as { n: number }).n;

describe('clear failures when the disk refuses', () => {
  it('read-only: 503 with the reason in Chinese and English, an event for the banner, and recovery', async () => {
    const before = count();
    h.core.db.pragma('query_only = ON');
    const r = await post('/api/v1/products', { title: '面霜', price: 100 });
    expect(r.status).toBe(503);
    expect(r.body.error.message).toMatch(/只读.*read-only/);
    expect(r.body.error.details).toEqual({ storage: 'readonly' });
    expect(events.some((e) => e.type === 'store.failed' && e.problem.reason === 'readonly')).toBe(true);
    expect((h.core.snapshot().ext as Record<string, unknown>).store).toMatchObject({ reason: 'readonly' });
    // reads still work: the desk can show what it has
    expect((await fetch(`${h.url}api/v1/products`, { headers: { authorization: `Bearer ${h.core.token}` } })).status).toBe(200);
    h.core.db.pragma('query_only = OFF');
    await new Promise((r) => setTimeout(r, 5500));
    expect(events.at(-1)).toEqual({ type: 'store.recovered' });
    expect(h.core.snapshot().ext.store).toBeNull();
    expect(count()).toBe(before);
  }, 15_000);

  it('full disk in the middle of a catalog import: 503, and not one row of it is kept', async () => {
    const before = count();
    const pages = Number(h.core.db.pragma('page_count', { simple: true }));
    h.core.db.pragma(`max_page_count = ${pages + 2}`);
    const csv = ['title,price', ...Array.from({ length: 3000 }, (_, i) => `商品${i} ${'很长的标题'.repeat(10)},${i + 1}`)].join('\n');
    const r = await post('/api/v1/products/import', csv, true);
    expect(r.status).toBe(503);
    expect(r.body.error.message).toMatch(/磁盘已满.*disk is full/);
    expect(count()).toBe(before);
    h.core.db.pragma('max_page_count = 4294967294');
  });
});
