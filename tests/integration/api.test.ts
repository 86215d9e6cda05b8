// HTTP API v1 against a real `serve` child process: auth, errors, the event stream, and crash safety.
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServe, type Served } from '../helpers/serve.ts';

let s: Served;
beforeAll(async () => {
  s = await startServe({ args: ['--no-demo'] });
});
afterAll(async () => {
  await s?.stop();
});

function openStream(url: string): Promise<{ ws: WebSocket; messages: any[]; next: (pred: (m: any) => boolean) => Promise<any> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: any[] = [];
    const waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      messages.push(m);
      for (const w of [...waiters]) {
        if (w.pred(m)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    ws.once('open', () =>
      resolve({
        ws,
        messages,
        next: (pred) =>
          new Promise((res, rej) => {
            const hit = messages.find(pred);
            if (hit) return res(hit);
            waiters.push({ pred, resolve: res });
            setTimeout(() => rej(new Error('no matching message in 5 s')), 5000);
          }),
      }),
    );
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('HTTP API v1', () => {
  it('health needs no token and names the version', async () => {
    const res = await fetch(`${s.url}api/v1/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, version: expect.any(String) });
  });

  it('everything else needs the bearer token', async () => {
    const none = await fetch(`${s.url}api/v1/products`);
    expect(none.status).toBe(401);
    const wrong = await fetch(`${s.url}api/v1/products`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe('unauthorized');
  });

  it('listens on loopback only by default', () => {
    expect(s.output()).not.toMatch(/listening on 0\.0\.0\.0/);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  it('product → session → start → pin → next → unpin → end, with the documented shapes', async () => {
    const a = await s.api('POST', '/api/v1/products', { title: '普洱茶', price: 29900, livePrice: 19900, sellingPoints: ['干仓'], coupon: '满199减30' });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ id: expect.any(Number), title: '普洱茶', price: 29900, livePrice: 19900 });
    const b = await s.api('POST', '/api/v1/products', { title: '大米', price: 12800 });
    const list = await s.api('GET', '/api/v1/products');
    expect(list.body.map((p: any) => p.title)).toEqual(['普洱茶', '大米']);

    const sess = await s.api('POST', '/api/v1/sessions', { title: '测试场', productIds: [a.body.id, b.body.id] });
    expect(sess.body).toMatchObject({ id: expect.any(Number), status: 'draft', pinned: null });
    const id = sess.body.id;
    expect((await s.api('POST', `/api/v1/sessions/${id}/pin`, { productId: a.body.id })).status).toBe(409);
    expect((await s.api('POST', `/api/v1/sessions/${id}/start`)).body.status).toBe('live');
    const pinned = await s.api('POST', `/api/v1/sessions/${id}/pin`, { productId: a.body.id });
    expect(pinned.body.pinned.title).toBe('普洱茶');
    const got = await s.api('GET', `/api/v1/sessions/${id}`);
    expect(got.body.pinned.id).toBe(a.body.id);
    expect(got.body.lineup).toHaveLength(2);
    expect((await s.api('POST', `/api/v1/sessions/${id}/next`)).body.pinned.title).toBe('大米');
    expect((await s.api('POST', `/api/v1/sessions/${id}/unpin`)).body.pinned).toBeNull();
    expect((await s.api('POST', `/api/v1/sessions/${id}/end`)).body.status).toBe('ended');
  });

  it('errors are JSON with code and message, 400/404/409/413, never a stack', async () => {
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/api/v1/products', { title: 'x', price: 'cheap' }, 400, 'bad_request'],
      ['POST', '/api/v1/products', '{not json', 400, 'bad_request'],
      ['GET', '/api/v1/sessions/9999', undefined, 404, 'not_found'],
      ['GET', '/api/v1/sessions/abc', undefined, 400, 'bad_request'],
      ['GET', '/api/v1/nothing-here', undefined, 404, 'not_found'],
      ['POST', '/api/v1/invoke/no.such.command', {}, 404, 'not_found'],
      ['POST', '/api/v1/products', { title: 'x'.repeat(2 * 1024 * 1024), price: 1 }, 413, 'too_large'],
    ];
    for (const [method, p, body, status, code] of cases) {
      const res = await s.api(method, p, body);
      expect([p, res.status]).toEqual([p, status]);
      expect(res.body.error.code).toBe(code);
      expect(typeof res.body.error.message).toBe('string');
      expect(JSON.stringify(res.body)).not.toMatch(/\.ts:\d+|node:internal|at async/);
    }
    const sess = await s.api('POST', '/api/v1/sessions', { title: 'c' });
    expect((await s.api('POST', `/api/v1/sessions/${sess.body.id}/next`)).status).toBe(409);
  });

  it('the stream sends a full snapshot on connect, then every event; token via ?token=', async () => {
    await expect(openStream(`${s.url.replace('http', 'ws')}api/v1/stream`)).rejects.toThrow(/401/);
    const stream = await openStream(`${s.url.replace('http', 'ws')}api/v1/stream?token=${s.token}`);
    const snap = await stream.next((m) => m.type === 'snapshot');
    expect(snap.snapshot.products.length).toBeGreaterThanOrEqual(2);
    const p = await s.api('POST', '/api/v1/products', { title: '<script>alert(1)</script>', price: 100 });
    const sess = await s.api('POST', '/api/v1/sessions', { title: 'stream', productIds: [p.body.id] });
    await s.api('POST', `/api/v1/sessions/${sess.body.id}/start`);
    await s.api('POST', `/api/v1/sessions/${sess.body.id}/next`);
    const ev = await stream.next((m) => m.type === 'session.changed' && m.session.pinned?.id === p.body.id);
    expect(ev.session.pinned.title).toBe('<script>alert(1)</script>');
    expect(stream.messages.some((m) => m.type === 'product.upserted' && m.product.id === p.body.id)).toBe(true);
    stream.ws.close();
  });
});

describe('crash safety', () => {
  it('SIGKILL right after a pin: the restarted server shows the same session, lineup and pin; quick_check ok', async () => {
    const first = await startServe({ args: ['--no-demo'] });
    const a = await first.api('POST', '/api/v1/products', { title: '保温杯', price: 15900 });
    const b = await first.api('POST', '/api/v1/products', { title: '围巾', price: 19900 });
    const sess = await first.api('POST', '/api/v1/sessions', { title: '断电演练', productIds: [a.body.id, b.body.id] });
    await first.api('POST', `/api/v1/sessions/${sess.body.id}/start`);
    const pin = await first.api('POST', `/api/v1/sessions/${sess.body.id}/pin`, { productId: b.body.id });
    expect(pin.status).toBe(200);
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));

    const db = new Database(path.join(first.dataDir, 'livecue.sqlite'), { readonly: true });
    expect(db.pragma('quick_check', { simple: true })).toBe('ok');
    db.close();

    const second = await startServe({ dataDir: first.dataDir, args: ['--no-demo'] });
    try {
      const st = await second.api('GET', `/api/v1/sessions/${sess.body.id}`);
      expect(st.body.status).toBe('live');
      expect(st.body.lineup.map((i: any) => i.productId)).toEqual([a.body.id, b.body.id]);
      expect(st.body.pinned?.title).toBe('围巾');
      expect(st.body.segment.startedAt).toBe(pin.body.segment.startedAt);
    } finally {
      await second.stop();
    }
  });
});
