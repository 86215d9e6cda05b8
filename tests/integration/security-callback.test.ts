// Issue 14 finding 4: the public WeChat callback spent ~0.8 s of the event loop per crafted 246 KB body before the
// signature check; 20 such requests delayed pins to 2–4 s. Now: size and query checks before the body is read, the
// signature before anything is decrypted or parsed, linear parsing, and a timestamp window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { xmlField } from '../../electron/core/metrics/sources/wechat-push.ts';
import { signature } from '../../electron/core/metrics/sources/wechat-crypto.ts';
import { startServe, type Served } from '../helpers/serve.ts';

const TOKEN = 'callbacktoken';
const AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
let s: Served;
let session: { id: number; items: number[] };
beforeAll(async () => {
  s = await startServe({ args: ['--no-demo'], env: { LIVECUE_WECHAT_TOKEN: TOKEN, LIVECUE_WECHAT_AES_KEY: AES, LIVECUE_WECHAT_APPID: 'wxapp' } });
  const a = (await s.api('POST', '/api/v1/products', { title: 'A', price: 100 })).body;
  const b = (await s.api('POST', '/api/v1/products', { title: 'B', price: 200 })).body;
  const created = (await s.api('POST', '/api/v1/sessions', { title: 'live', productIds: [a.id, b.id] })).body;
  await s.api('POST', `/api/v1/sessions/${created.id}/start`);
  session = { id: created.id, items: created.lineup.map((i: { id: number }) => i.id) };
}, 30_000);
afterAll(async () => {
  await s?.stop();
});

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
/** the audit's body: a lazy-regex trap (<Encrypt><![CDATA[ opened again and again, never closed) */
const crafted = (bytes: number) => `<xml>${'<Encrypt><![CDATA['.repeat(Math.floor(bytes / 18))}</xml>`;

describe('public WeChat callback', () => {
  it('reads a crafted body in linear time', () => {
    const body = crafted(246 * 1024);
    const t0 = performance.now();
    expect(xmlField(body, 'Encrypt')).toBeNull();
    // linear: well under a millisecond per 246 KB on an idle core; the lazy regex took ~0.8 s
    expect(performance.now() - t0).toBeLessThan(250);
    expect(xmlField('<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>', 'Encrypt')).toBe('abc');
  });

  it('refuses stale timestamps, missing signatures and big bodies before reading them; a flood keeps pins fast', async () => {
    const now = String(Math.floor(Date.now() / 1000));
    const post = (query: Record<string, string>, body: string) =>
      fetch(`${s.url}wechat/shop/callback?${new URLSearchParams(query)}`, { method: 'POST', body }).then((r) => r.status);
    const sig = (ts: string, enc: string) => signature(TOKEN, ts, 'n1', enc);
    expect(await post({ timestamp: '1700000000', nonce: 'n1', msg_signature: sig('1700000000', 'x') }, '{"Encrypt":"x"}')).toBe(401);
    expect(await post({ timestamp: now, nonce: 'n1' }, '{"Encrypt":"x"}')).toBe(401);
    expect(await post({ timestamp: now, nonce: 'n1', msg_signature: sig(now, 'x') }, crafted(246 * 1024))).toBe(413);

    // the flood: 20 crafted bodies just under the limit, with a plausible query and a wrong signature, while pinning
    const pins: number[] = [];
    let stop = false;
    const pinner = (async () => {
      for (let i = 0; !stop; i++) {
        const t0 = performance.now();
        await s.api('POST', `/api/v1/sessions/${session.id}/pin`, { lineupItemId: session.items[i % 2] });
        pins.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    // the flood comes from its own thread (its own event loop), as it would from another machine: 20 crafted bodies
    // just under the size limit with a plausible query and a wrong signature, again every 100 ms for two seconds
    const flood = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       (async () => {
         const body = '<xml>' + '<Encrypt><![CDATA['.repeat(Math.floor(60 * 1024 / 18)) + '</xml>';
         const statuses = []; let rounds = 0; const t0 = performance.now();
         while (performance.now() - t0 < 2000) {
           statuses.push(...(await Promise.all(Array.from({ length: 20 }, () => fetch(workerData.url, { method: 'POST', body }).then((r) => r.status)))));
           rounds++;
           await new Promise((r) => setTimeout(r, 100));
         }
         parentPort.postMessage({ statuses, rounds, ms: performance.now() - t0 });
       })();`,
      { eval: true, workerData: { url: `${s.url}wechat/shop/callback?${new URLSearchParams({ timestamp: now, nonce: 'n1', msg_signature: 'a'.repeat(40) })}` } },
    );
    const { statuses, rounds, ms } = await new Promise<{ statuses: number[]; rounds: number; ms: number }>((r) => flood.once('message', r));
    await flood.terminate();
    const floodMs = ms / rounds;
    stop = true;
    await pinner;
    console.log(`callback flood: ${rounds} rounds of 20 × 60 KB, ${floodMs.toFixed(0)} ms a round (100 ms pause included); ${pins.length} pins, median ${pct(pins, 0.5).toFixed(1)} ms, p95 ${pct(pins, 0.95).toFixed(1)} ms, slowest ${Math.max(...pins).toFixed(1)} ms (load ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`);
    expect(statuses.every((st) => st === 400 || st === 401)).toBe(true);
    // 50 ms at p95 and for the slowest pin where the machine has a core free; 250 ms at p95 on an overloaded box (the
    // audit measured 2–4 s): see expectPinsFast in security-imports.test.ts
    const free = os.loadavg()[0]! < os.cpus().length;
    expect(pct(pins, 0.95)).toBeLessThan(free ? 50 : 250);
    if (free) expect(Math.max(...pins)).toBeLessThan(50);
  });
});
