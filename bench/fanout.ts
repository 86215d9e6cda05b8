// Fan-out: pin → session.changed reaching every LAN screen, against a real `serve` with the overlay page's own stream
// connected too. 50 WebSocket screens vs one screen in the same run, in alternating blocks (the 49 extra screens connect
// for a block and close after it) so both see the same machine load. A pin's sample is the time until the LAST screen
// has the new pinned product. Returns { fanout }.
import WebSocket from 'ws';
import { startServe } from '../tests/helpers/serve.ts';
import { summarize } from './stats.ts';

const SCREENS = 50;
const BLOCKS = 6;
const PINS_PER_BLOCK = 50;
const WARMUP = 20;

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('message', () => resolve(ws)); // the snapshot (the overlay stream's first message is its full state)
    ws.once('error', reject);
  });
}

export async function run(): Promise<Record<string, unknown>> {
  const s = await startServe({ args: ['--no-demo'] });
  const sockets: WebSocket[] = [];
  try {
    const a = (await s.api('POST', '/api/v1/products', { title: '扇出 A', price: 100 })).body;
    const b = (await s.api('POST', '/api/v1/products', { title: '扇出 B', price: 200 })).body;
    const sess = (await s.api('POST', '/api/v1/sessions', { title: 'fanout', productIds: [a.id, b.id] })).body;
    await s.api('POST', `/api/v1/sessions/${sess.id}/start`);
    const streamUrl = `${s.url.replace('http', 'ws')}api/v1/stream?token=${s.token}`;
    const overlay = await connect(`${s.url.replace('http', 'ws')}overlay/stream?token=${s.token}`);
    sockets.push(overlay);
    let overlaySeen = 0;
    overlay.on('message', () => overlaySeen++);

    // every screen reports the pinned product of each session.changed it receives
    let expected = 0;
    let pending = 0;
    let done: (() => void) | null = null;
    const watch = (ws: WebSocket) =>
      ws.on('message', (data: Buffer) => {
        // 50 screens share this one bench process (on the LAN each is its own device): parse only what it waits for
        if (data.indexOf('"session.changed"') < 0) return;
        const m = JSON.parse(String(data)) as { type: string; session?: { pinned?: { id: number } | null } };
        if (m.type === 'session.changed' && m.session?.pinned?.id === expected && --pending === 0) done?.();
      });
    const first = await connect(streamUrl);
    sockets.push(first);
    watch(first);

    const headers = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
    const pinUrl = `${s.url}api/v1/sessions/${sess.id}/pin`;
    let n = 0;
    const pin = async (screens: number) => {
      const productId = n++ % 2 ? b.id : a.id;
      expected = productId;
      pending = screens;
      const all = new Promise<void>((resolve) => (done = resolve));
      const t0 = performance.now();
      const res = fetch(pinUrl, { method: 'POST', headers, body: JSON.stringify({ productId }) }).then((r) => r.arrayBuffer());
      await all;
      const dt = performance.now() - t0;
      await res;
      return dt;
    };
    for (let i = 0; i < WARMUP; i++) await pin(1);

    const one: number[] = [];
    const many: number[] = [];
    for (let block = 0; block < BLOCKS; block++) {
      for (let i = 0; i < PINS_PER_BLOCK; i++) one.push(await pin(1));
      const extra = await Promise.all(Array.from({ length: SCREENS - 1 }, () => connect(streamUrl)));
      extra.forEach(watch);
      // the first messages on new connections are not counted (as the one-screen phase runs on a warm connection)
      for (let i = 0; i < 5; i++) await pin(SCREENS);
      for (let i = 0; i < PINS_PER_BLOCK; i++) many.push(await pin(SCREENS));
      for (const ws of extra) ws.close();
      await new Promise((r) => setTimeout(r, 50));
    }
    const o = summarize(one);
    const m = summarize(many);
    process.stderr.write(`bench fanout: ${SCREENS} screens p95 ${m.p95} ms vs one screen p95 ${o.p95} ms; overlay saw ${overlaySeen} messages\n`);
    if (overlaySeen < n) throw new Error(`the overlay stream missed pins (${overlaySeen} of ${n})`);
    return {
      fanout: {
        screens: SCREENS,
        p50Ms: m.p50,
        p95Ms: m.p95,
        p99Ms: m.p99,
        oneScreenP50Ms: o.p50,
        oneScreenP95Ms: o.p95,
        p95VsOneScreen: Math.round((m.p95 / o.p95) * 100) / 100,
        pins: m.n,
        method: `pin over HTTP → session.changed at the last of ${SCREENS} WebSocket screens (plus the /overlay stream); one screen measured in alternating blocks of ${PINS_PER_BLOCK} pins`,
      },
    };
  } finally {
    for (const ws of sockets) ws.close();
    await s.stop();
  }
}
