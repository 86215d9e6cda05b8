// Issue 14, findings 1, 3 and 5: one all-powerful token, an open overlay stream, and browser-origin holes. Each case
// replays the audit's request against a real host (Core + HTTP server, every domain module) and shows it refused.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../electron/core/host.ts';
import { createModules } from '../../electron/core/modules.ts';
import { root, tempDir } from '../helpers/serve.ts';

let h: RunningHost;
let base: string;
let dataDir: string;
/** a non-loopback address of this machine, to call from "the LAN" (null: the machine has none) */
const lanIp = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? null;

beforeAll(async () => {
  dataDir = tempDir();
  h = await startHost({
    dataDir,
    resourcesDir: path.join(root, 'resources'),
    rendererDir: path.join(dataDir, 'no-ui'),
    version: 'test',
    port: 0,
    host: '0.0.0.0',
    banner: false,
    seedDemo: false,
    log: () => {},
    modules: createModules({ env: {}, options: {} }),
  });
  base = `http://127.0.0.1:${h.server.address.port}`;
});
afterAll(async () => {
  await h?.stop();
});

type Res = { status: number; body: any };
async function call(method: string, p: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; host?: string } = {}): Promise<Res> {
  const res = await fetch(`${opts.host ?? base}${p}`, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}
const owner = () => h.core.token;
const invoke = (name: string, input: unknown, token: string, host?: string) => call('POST', `/api/v1/invoke/${name}`, { token, body: input, host });
const issue = async (role: 'producer' | 'display' | 'trigger', name: string = role) => (await invoke('access.create', { name, role }, owner())).body;

/** raw request, so headers fetch() forbids (Host, Origin) can be set */
function raw(method: string, p: string, headers: Record<string, string>, body?: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: h.server.address.port, method, path: p, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function wsOpen(url: string, headers: Record<string, string> = {}): Promise<{ ok: true; ws: WebSocket; first: any } | { ok: false; status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('message', (d) => resolve({ ok: true, ws, first: JSON.parse(String(d)) }));
    ws.once('unexpected-response', (_q, res) => resolve({ ok: false, status: res.statusCode ?? 0 }));
    ws.once('error', () => resolve({ ok: false, status: 0 }));
  });
}

async function liveSession(): Promise<{ id: number; items: number[]; products: number[] }> {
  // one session is live at a time (#13): end the one an earlier case left live
  for (const l of h.core.sessions.list().filter((x) => x.status === 'live')) await call('POST', `/api/v1/sessions/${l.id}/end`, { token: owner() });
  const a = (await call('POST', '/api/v1/products', { token: owner(), body: { title: 'A', price: 100 } })).body;
  const b = (await call('POST', '/api/v1/products', { token: owner(), body: { title: 'B', price: 200 } })).body;
  const s = (await call('POST', '/api/v1/sessions', { token: owner(), body: { title: 'live', productIds: [a.id, b.id] } })).body;
  expect((await call('POST', `/api/v1/sessions/${s.id}/start`, { token: owner() })).status).toBe(200);
  return { id: s.id, items: s.lineup.map((i: { id: number }) => i.id), products: [a.id, b.id] };
}

describe('scoped tokens (finding 1)', () => {
  it('the LAN link and QR carry a display token: it reads the views but cannot pin, run a program or read secrets', async () => {
    const info = (await invoke('server.info', {}, owner())).body;
    const display = decodeURIComponent(/\?token=([^#]+)#\/host$/.exec(info.hostDisplayUrls[0])![1]!);
    expect(display).not.toBe(owner());
    const s = await liveSession();

    expect((await call('GET', '/api/v1/snapshot', { token: display })).status).toBe(200);
    expect((await call('GET', `/api/v1/sessions/${s.id}`, { token: display })).status).toBe(200);
    expect((await invoke('metrics.snapshot', { sessionId: s.id }, display)).status).toBe(200);
    const stream = await wsOpen(`ws://127.0.0.1:${h.server.address.port}/api/v1/stream?token=${encodeURIComponent(display)}`);
    expect(stream.ok && stream.first.type).toBe('snapshot');
    if (stream.ok) stream.ws.close();

    // the audit's chain: set a browser executable, then connect; or pin; or read the owner token
    expect((await invoke('channels.settings', { executablePath: '/tmp/evil' }, display)).status).toBe(403);
    expect((await call('POST', `/api/v1/sessions/${s.id}/pin`, { token: display, body: { productId: s.products[0] } })).status).toBe(403);
    expect((await invoke('access.create', { name: 'x', role: 'producer' }, display)).status).toBe(403);
    const seen = await invoke('server.info', {}, display);
    expect(seen.status).toBe(200);
    expect(seen.body.token).toBe('');
    expect(JSON.stringify(seen.body)).not.toContain(owner());
  });

  it('a producer drives the desk but cannot set the browser path, the WeChat secrets, robot URLs or tokens', async () => {
    const producer = (await issue('producer')).secret as string;
    const s = await liveSession();
    expect((await call('POST', `/api/v1/sessions/${s.id}/pin`, { token: producer, body: { productId: s.products[0] } })).status).toBe(200);
    expect((await invoke('channels.settings', { keywords: ['价格'] }, producer)).status).toBe(200);
    expect((await invoke('channels.settings', { executablePath: '/bin/sh' }, producer)).status).toBe(403);
    expect((await invoke('metrics.setWechat', { apiBase: 'http://127.0.0.1:1' }, producer)).status).toBe(403);
    expect((await invoke('push.channel.create', { kind: 'webhook', name: 'x', url: 'http://127.0.0.1:1/hook' }, producer)).status).toBe(403);
    expect((await invoke('access.tokens', {}, producer)).status).toBe(403);
    expect((await invoke('server.info', {}, producer)).body.token).toBe('');
  });

  it.skipIf(!lanIp)('the owner token from another machine cannot change what receives a secret; at the machine it can', async () => {
    const lan = `http://${lanIp}:${h.server.address.port}`;
    const fromLan = await invoke('channels.settings', { executablePath: '/bin/sh' }, owner(), lan);
    expect(fromLan.status).toBe(403);
    expect(fromLan.body.error.message).toMatch(/本机|at the machine/);
    expect((await invoke('metrics.setWechat', { apiBase: 'http://attacker.example' }, owner(), lan)).status).toBe(403);
    expect((await invoke('channels.settings', { executablePath: '' }, owner())).status).toBe(200);
    // other owner powers still work from the LAN
    expect((await invoke('access.tokens', {}, owner(), lan)).status).toBe(200);
  });

  it('changing the WeChat API base clears the stored AppSecret (it would be sent there)', async () => {
    // both accounts (#11): a new API base clears the 视频号助手 and the 微信小店 AppSecret
    expect((await invoke('metrics.setWechat', { account: 'shop', appId: 'wx0123456789abcdef', secret: 'S3CRET-value' }, owner())).body.shop.hasSecret).toBe(true);
    expect((await invoke('metrics.setWechat', { account: 'channels', appId: 'wxfedcba9876543210', secret: 'S3CRET-live' }, owner())).body.channels.hasSecret).toBe(true);
    const moved = await invoke('metrics.setWechat', { account: 'shop', apiBase: 'http://127.0.0.1:9/' }, owner());
    expect(moved.status).toBe(200);
    expect(moved.body.shop.hasSecret).toBe(false);
    expect(moved.body.channels.hasSecret).toBe(false);
    expect(h.core.secrets.get('wechat.shop.secret')).toBeUndefined();
    expect(h.core.secrets.get('wechat.channels.secret')).toBeUndefined();
  });

  it('a new robot URL or OBS address clears the secret the old one had (it would be sent there)', async () => {
    const ch = (await invoke('push.channel.create', { kind: 'webhook', name: 'relay', url: 'https://relay.example/hook/abc', secret: 'SIGNING-SECRET-1' }, owner())).body;
    expect(ch.hasSecret).toBe(true);
    const moved = (await invoke('push.channel.update', { id: ch.id, url: 'https://attacker.example/hook/abc' }, owner())).body;
    expect(moved.hasSecret).toBe(false);
    const kept = (await invoke('push.channel.update', { id: ch.id, url: 'https://relay.example/hook/abc', secret: 'NEW-SECRET-2' }, owner())).body;
    expect(kept.hasSecret).toBe(true);
    expect((await invoke('obs.configure', { url: 'ws://127.0.0.1:4455', password: 'obs-pass', enabled: false }, owner())).status).toBe(200);
    expect(h.core.secrets.get('obs.password')).toBe('obs-pass');
    expect((await invoke('obs.configure', { url: 'ws://192.0.2.99:4455', enabled: false }, owner())).status).toBe(200);
    expect(h.core.secrets.get('obs.password')).toBeUndefined();
  });

  it('tokens are listed with last use, revoked and rotated; only a hash rests in SQLite', async () => {
    const issued = await issue('display', '前台大屏');
    expect(issued.links.map((l: { url: string }) => l.url).join()).toContain('#/host');
    expect(issued.links[0].qrSvg).toContain('<svg');
    expect((await call('GET', '/api/v1/snapshot', { token: issued.secret })).status).toBe(200);
    const listed = (await invoke('access.tokens', {}, owner())).body.find((t: { id: number }) => t.id === issued.token.id);
    expect(listed).toMatchObject({ name: '前台大屏', role: 'display' });
    expect(listed.lastUsedAt).toBeGreaterThan(0);

    h.core.db.pragma('wal_checkpoint(TRUNCATE)');
    const file = fs.readFileSync(path.join(dataDir, 'livecue.sqlite'));
    expect(file.includes(Buffer.from(issued.secret))).toBe(false);
    expect(file.includes(Buffer.from(owner()))).toBe(false);

    const rotated = (await invoke('access.rotate', { id: issued.token.id }, owner())).body;
    expect((await call('GET', '/api/v1/snapshot', { token: issued.secret })).status).toBe(401);
    expect((await call('GET', '/api/v1/snapshot', { token: rotated.secret })).status).toBe(200);
    expect((await invoke('access.revoke', { id: rotated.token.id }, owner())).status).toBe(200);
    expect((await call('GET', '/api/v1/snapshot', { token: rotated.secret })).status).toBe(401);
  });
});

describe('trigger URLs (Stream Deck / Companion)', () => {
  it('a trigger token fires named actions on the live session by GET, and nothing else', async () => {
    for (const s of h.core.sessions.activeStates()) if (s.status === 'live') await h.core.call('session.end', { sessionId: s.id });
    const trig = (await issue('trigger', 'Stream Deck')).secret as string;
    const t = encodeURIComponent(trig);
    const s = await liveSession();
    const next = await call('GET', `/api/v1/trigger/next?token=${t}`);
    expect(next.status).toBe(200);
    expect(next.body.session.pinned.id).toBe(s.products[0]);
    expect((await call('GET', `/api/v1/trigger/pin?n=2&token=${t}`)).body.session.pinned.id).toBe(s.products[1]);
    expect((await call('GET', `/api/v1/trigger/undo?token=${t}`)).body.session.pinned.id).toBe(s.products[0]);
    expect((await call('GET', `/api/v1/trigger/unpin?token=${t}`)).body.session.pinned).toBeNull();
    expect((await call('GET', `/api/v1/trigger/pin?n=9&token=${t}`)).status).toBe(404);
    expect((await call('GET', `/api/v1/trigger/shutdown?token=${t}`)).status).toBe(404);
    // the same token reaches nothing else
    expect((await call('GET', `/api/v1/snapshot?token=${t}`)).status).toBe(403);
    expect((await invoke('session.pin', { sessionId: s.id, productId: s.products[0] }, trig)).status).toBe(403);
    expect((await wsOpen(`ws://127.0.0.1:${h.server.address.port}/api/v1/stream?token=${t}`)).ok).toBe(false);
  });
});

describe('browser-origin rules (finding 5)', () => {
  it('a POST with ?token= instead of the Authorization header is refused', async () => {
    const r = await call('POST', `/api/v1/products?token=${encodeURIComponent(owner())}`, { body: { title: 'x', price: 1 } });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/Authorization/);
  });

  it('a body that is not Content-Type: application/json is not read as a command (no-preflight form post)', async () => {
    const r = await call('POST', '/api/v1/invoke/snapshot', { token: owner(), headers: { 'content-type': 'text/plain' } });
    expect(r.status).toBe(200); // an empty body is fine (curl -X POST …/start)
    const plain = await raw('POST', '/api/v1/products', { host: `127.0.0.1:${h.server.address.port}`, authorization: `Bearer ${owner()}`, 'content-type': 'text/plain' }, '{"title":"x","price":1}');
    expect(plain.status).toBe(400);
    expect(plain.body.error.message).toMatch(/application\/json/);
  });

  it('a state-changing request from another web page (Origin) is refused; the same origin is served', async () => {
    const port = h.server.address.port;
    const body = '{"title":"from a page","price":1}';
    const headers = { host: `127.0.0.1:${port}`, authorization: `Bearer ${owner()}`, 'content-type': 'application/json' };
    expect((await raw('POST', '/api/v1/products', { ...headers, origin: 'https://evil.example' }, body)).status).toBe(403);
    expect((await raw('POST', '/api/v1/products', { ...headers, origin: 'null' }, body)).status).toBe(403);
    expect((await raw('POST', '/api/v1/products', { ...headers, origin: `http://127.0.0.1:${port}` }, body)).status).toBe(200);
  });

  it('DNS rebinding: a request naming another Host is refused even from loopback with the right token', async () => {
    const r = await raw('GET', '/api/v1/snapshot', { host: `rebind.evil.example:${h.server.address.port}`, authorization: `Bearer ${owner()}` });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/Host/);
  });

  it('the WebSocket checks Origin and Host', async () => {
    const url = `ws://127.0.0.1:${h.server.address.port}/api/v1/stream?token=${encodeURIComponent(owner())}`;
    expect(await wsOpen(url, { origin: 'https://evil.example' })).toEqual({ ok: false, status: 403 });
    expect(await wsOpen(url, { host: 'rebind.evil.example' })).toEqual({ ok: false, status: 403 });
    const ok = await wsOpen(url, { origin: `http://127.0.0.1:${h.server.address.port}` });
    expect(ok.ok).toBe(true);
    if (ok.ok) ok.ws.close();
  });
});

describe('CSP (Electron finding: WebSocket to any host)', () => {
  it('the overlay page may connect only to this server', async () => {
    const res = await fetch(`${base}/overlay`);
    const policy = res.headers.get('content-security-policy') ?? '';
    expect(policy).toContain(`connect-src 'self' ws://127.0.0.1:${h.server.address.port};`);
    expect(policy).not.toMatch(/connect-src[^;]*\b(ws|wss):(\s|;)/);
  });
});

describe('overlay stream (finding 3)', () => {
  it('needs a display token, and one peer cannot hold more than a few sockets', async () => {
    const port = h.server.address.port;
    expect(await wsOpen(`ws://127.0.0.1:${port}/overlay/stream`)).toEqual({ ok: false, status: 401 });
    expect(await wsOpen(`ws://127.0.0.1:${port}/overlay/stream`, { origin: 'https://evil.example' })).toEqual({ ok: false, status: 403 });
    const token = encodeURIComponent(h.core.displayLinkToken());
    const open: WebSocket[] = [];
    let refused = 0;
    for (let i = 0; i < 12; i++) {
      const r = await wsOpen(`ws://127.0.0.1:${port}/overlay/stream?token=${token}`);
      if (r.ok) {
        expect(r.first.type).toBe('overlay');
        open.push(r.ws);
      } else refused++;
    }
    expect(open.length).toBe(8);
    expect(refused).toBe(4);
    for (const ws of open) ws.close();
  });
});

describe('failed-auth rate limit (finding 5)', () => {
  it('after 20 wrong tokens in a minute, even the right one is refused from that address', async () => {
    h.server.failures.clear();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await call('GET', '/api/v1/snapshot', { token: `guess-${i}` })).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
    expect((await call('GET', '/api/v1/snapshot', { token: owner() })).status).toBe(429);
    h.server.failures.clear();
    expect((await call('GET', '/api/v1/snapshot', { token: owner() })).status).toBe(200);
  });
});
