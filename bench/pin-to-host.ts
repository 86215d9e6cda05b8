// pinToHost: from the pin command (HTTP, as the producer's browser sends it) to the session.changed event reaching a
// second WebSocket client (the host display), over ≥ 500 pins against a real `serve` process. Side by side: the floor of
// a bare authenticated HTTP round trip on the same connection.
import WebSocket from 'ws';
import { startServe } from '../tests/helpers/serve.ts';
import { summarize } from './stats.ts';

export async function run(options: { pins?: number } = {}) {
  const pins = options.pins ?? 600;
  const s = await startServe({ args: ['--no-demo'] });
  try {
    const a = (await s.api('POST', '/api/v1/products', { title: '基准 A', price: 100 })).body;
    const b = (await s.api('POST', '/api/v1/products', { title: '基准 B', price: 200 })).body;
    const sess = (await s.api('POST', '/api/v1/sessions', { title: 'bench', productIds: [a.id, b.id] })).body;
    await s.api('POST', `/api/v1/sessions/${sess.id}/start`);

    const ws = new WebSocket(`${s.url.replace('http', 'ws')}api/v1/stream?token=${s.token}`);
    await new Promise((r) => ws.once('message', r)); // snapshot
    let waiting: { productId: number; resolve: () => void } | null = null;
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (waiting && m.type === 'session.changed' && m.session.pinned?.id === waiting.productId) {
        const w = waiting;
        waiting = null;
        w.resolve();
      }
    });

    const headers = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
    const pinUrl = `${s.url}api/v1/sessions/${sess.id}/pin`;
    const samples: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < pins + 20; i++) {
      const productId = i % 2 ? b.id : a.id;
      const arrived = new Promise<void>((resolve) => (waiting = { productId, resolve }));
      const t0 = performance.now();
      const res = fetch(pinUrl, { method: 'POST', headers, body: JSON.stringify({ productId }) }).then((r) => r.arrayBuffer());
      await arrived;
      const dt = performance.now() - t0;
      await res;
      const f0 = performance.now();
      await fetch(`${s.url}api/v1/sessions/${sess.id}`, { headers }).then((r) => r.arrayBuffer());
      const fdt = performance.now() - f0;
      if (i >= 20) {
        samples.push(dt); // first 20 warm the JIT and the connection
        floor.push(fdt);
      }
    }
    ws.close();
    const pin = summarize(samples);
    const base = summarize(floor);
    return { pinToHost: { p50Ms: pin.p50, p95Ms: pin.p95, pins: pin.n, httpFloorP50Ms: base.p50, httpFloorP95Ms: base.p95 } };
  } finally {
    await s.stop();
  }
}
