// The soak benchmark's memory probe: a debug-only route of a real serve child, off unless LIVECUE_DEBUG_MEMORY=1.
import { afterEach, describe, expect, it } from 'vitest';
import { type Served, startServe } from '../helpers/serve.ts';

describe('GET /api/v1/debug/memory', () => {
  let serve: Served | undefined;
  afterEach(async () => {
    await serve?.stop();
    serve = undefined;
  });

  it('does not exist unless LIVECUE_DEBUG_MEMORY=1', { timeout: 30_000 }, async () => {
    serve = await startServe({ args: ['--no-demo'], env: { LIVECUE_DEBUG_MEMORY: '' } });
    expect((await serve.api('GET', '/api/v1/debug/memory')).status).toBe(404);
  });

  it('with LIVECUE_DEBUG_MEMORY=1 reports the process heap, SQLite and the live session’s maps (token required)', { timeout: 30_000 }, async () => {
    serve = await startServe({ args: ['--no-demo'], env: { LIVECUE_DEBUG_MEMORY: '1' } });
    const p = (await serve.api('POST', '/api/v1/products', { title: 'P', price: 100 })).body;
    const s = (await serve.api('POST', '/api/v1/sessions', { title: 'm', productIds: [p.id] })).body;
    await serve.api('PUT', `/api/v1/sessions/${s.id}/metrics/source`, { source: 'simulator', options: { timeScale: 60, seed: 1, arrivalsPerSecond: 20 } });
    await serve.api('POST', `/api/v1/sessions/${s.id}/start`);
    let body: any;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 100));
      body = (await serve.api('GET', '/api/v1/debug/memory')).body;
      if (body.sources?.[s.id]?.present > 0) break;
    }
    expect(body.process.rss).toBeGreaterThan(body.process.heapUsed);
    expect(body.sqlite.pageSize).toBeGreaterThan(0);
    expect(body.sources[s.id].present).toBeGreaterThan(0);
    expect(body.aggs[s.id].present).toBe(body.sources[s.id].present);
    const anon = await fetch(`${serve.url}api/v1/debug/memory`);
    expect(anon.status).toBe(401);
  });
});
