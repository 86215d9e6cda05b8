// LiveCue against a real OBS Studio (Debian's OBS 29, obs-websocket 5.1) started headless by tests/helpers/obs.ts.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { OBSWebSocket } from 'obs-websocket-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHost } from '../../electron/core/host.ts';
import { testHost } from '../helpers/core.ts';
import { ObsModule } from '../../electron/core/obs/module.ts';
import { SECRETS_FILE } from '../../electron/core/secrets.ts';
import { TEXT_INPUTS } from '../../electron/core/obs/text-overlay.ts';
import { IMAGE_INPUT } from '../../electron/core/obs/image-overlay.ts';
import type { ObsStatus } from '../../shared/protocol/obs.ts';
import { type RealObs, obsAvailable, skipBanner, startObs } from '../helpers/obs.ts';
import { tempDir } from '../helpers/serve.ts';

const HAVE_OBS = obsAvailable();
if (!HAVE_OBS) skipBanner('tests/integration/obs.test.ts (real OBS)');

async function until<T>(what: string, read: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

async function host(obs: RealObs, password = obs.password, dataDir = tempDir()) {
  const module = new ObsModule({
    options: { obs: obs.url },
    env: { LIVECUE_OBS_PASSWORD: password },
    link: { backoffBaseMs: 200, backoffMaxMs: 1500, pingEveryMs: 1000, deadAfterMs: 4000 },
  });
  const running = await testHost([module], { dataDir: dataDir });
  return { running, module };
}

async function observer(obs: RealObs): Promise<OBSWebSocket> {
  const ws = new OBSWebSocket();
  await ws.connect(obs.url, obs.password);
  return ws;
}

const status = (h: RunningHost) => h.core.call('obs.status') as Promise<ObsStatus>;
const textOf = async (ws: OBSWebSocket, inputName: string) =>
  ((await ws.call('GetInputSettings', { inputName })).inputSettings as { text?: string }).text;
const enabledOf = async (ws: OBSWebSocket, sourceName: string, sceneName = 'Scene') => {
  const { sceneItemId } = await ws.call('GetSceneItemId', { sceneName, sourceName });
  return (await ws.call('GetSceneItemEnabled', { sceneName, sceneItemId })).sceneItemEnabled;
};

describe.skipIf(!HAVE_OBS)('OBS (real OBS Studio)', () => {
  let obs: RealObs;
  let h: RunningHost;
  let m: ObsModule;
  let peek: OBSWebSocket;
  let images: http.Server;
  let imageBase = '';
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    obs = await startObs();
    console.log(`real OBS ready in ${obs.startMs} ms on ${obs.url}`);
    ({ running: h, module: m } = await host(obs));
    peek = await observer(obs);
    // a product image host on loopback (a 1×1 PNG)
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    images = http.createServer((req, res) => {
      if (req.url === '/cream.png') res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => images.listen(0, '127.0.0.1', () => r()));
    imageBase = `http://127.0.0.1:${(images.address() as { port: number }).port}`;
  }, 90_000);

  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await peek?.disconnect().catch(() => {});
    images?.close();
    await h?.stop();
    await obs?.stop();
    if (obs) fs.rmSync(obs.home, { recursive: true, force: true });
  }, 30_000);

  it('connects with the password and reads what OBS offers', async () => {
    const s = await until('connected', () => status(h), (s) => s.connection === 'connected' && s.textKind !== null);
    expect(s.obsVersion).toMatch(/^\d+\.\d+/);
    expect(s.websocketVersion).toMatch(/^5\./);
    expect(s.textKind).toBe('text_ft2_source_v2');
    expect(s.hasBrowserSource).toBe(false);
    expect(s.scenes).toContain('Scene');
    expect(s.overlayScene).toBe('Scene');
    // the password never leaves the core
    expect(JSON.stringify(h.core.snapshot())).not.toContain(obs.password);
    expect(JSON.stringify(s)).not.toContain(obs.password);
  });

  it('reports a wrong password as auth failure and stops retrying', async () => {
    const bad = await host(obs, 'not-the-password');
    try {
      const s = await until('auth_failed', () => status(bad.running), (s) => s.connection === 'auth_failed');
      expect(s.lastError).toMatch(/4009|authentication/i);
      expect(s.retryAt).toBeNull();
      await new Promise((r) => setTimeout(r, 1500));
      expect((await status(bad.running)).connection).toBe('auth_failed');
    } finally {
      await bad.running.stop();
    }
  });

  it('pin creates the text sources and writes title, price and coupon; unpin hides them', async () => {
    const core = h.core;
    const title = '限时秒杀 “双引号” <script>alert(1)</script> 🎉';
    const a = await core.call('product.create', { title, price: 9900, livePrice: 5990, coupon: '满99减20', stock: 80, imageUrl: `${imageBase}/cream.png` });
    const b = await core.call('product.create', { title: 'Plain 保温杯', price: 3900 });
    const session = await core.call('session.create', { title: '测试场', productIds: [a.id, b.id] });
    await core.call('session.start', { sessionId: session.id });
    await core.call('session.pin', { sessionId: session.id, productId: a.id });
    await m.settled();
    expect(await textOf(peek, TEXT_INPUTS.title)).toBe(title);
    expect(await textOf(peek, TEXT_INPUTS.price)).toBe('直播价 ¥59.9  原价 ¥99');
    expect(await textOf(peek, TEXT_INPUTS.coupon)).toBe('券 满99减20');
    const { inputKind } = await peek.call('GetInputSettings', { inputName: TEXT_INPUTS.title });
    expect(inputKind).toBe('text_ft2_source_v2');
    for (const name of Object.values(TEXT_INPUTS)) expect(await enabledOf(peek, name)).toBe(true);
    expect((await status(h)).overlayProductId).toBe(a.id);
    // the product image: downloaded into the data folder once, shown by an image source
    const file = ((await peek.call('GetInputSettings', { inputName: IMAGE_INPUT })).inputSettings as { file: string }).file;
    expect(file.startsWith(path.join(h.core.dataDir, 'obs-images'))).toBe(true);
    expect(fs.readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    expect(await enabledOf(peek, IMAGE_INPUT)).toBe(true);

    await core.call('session.pin', { sessionId: session.id, productId: b.id });
    await m.settled();
    expect(await textOf(peek, TEXT_INPUTS.title)).toBe('Plain 保温杯');
    expect(await textOf(peek, TEXT_INPUTS.price)).toBe('¥39');
    expect(await textOf(peek, TEXT_INPUTS.coupon)).toBe(''); // no coupon: nothing drawn, no scene change needed
    expect(await enabledOf(peek, IMAGE_INPUT)).toBe(false); // no image: hidden

    // a live price edit of the pinned product reaches the stream without a re-pin
    await core.call('product.update', { id: b.id, livePrice: 2900 });
    await m.settled();
    expect(await textOf(peek, TEXT_INPUTS.price)).toBe('直播价 ¥29  原价 ¥39');

    await core.call('session.unpin', { sessionId: session.id });
    await m.settled();
    for (const name of [...Object.values(TEXT_INPUTS), IMAGE_INPUT]) expect(await enabledOf(peek, name)).toBe(false);
    expect((await status(h)).overlayProductId).toBeNull();
  });

  it('switches the program scene and triggers a hotkey when a cued lineup item is pinned', async () => {
    const core = h.core;
    await peek.call('CreateScene', { sceneName: '产品特写 Close-up' });
    await until('scene list', () => status(h), (s) => s.scenes.includes('产品特写 Close-up'));
    const p = await core.call('product.create', { title: 'Cued', price: 100 });
    const session = (await core.call('sessions.list')).find((s) => s.status === 'live')!;
    const item = await core.call('lineup.add', { sessionId: session.id, productId: p.id });
    await core.call('obs.setItemCue', { lineupItemId: item.id, sceneName: '产品特写 Close-up', hotkeyName: 'OBSBasic.StartRecording' });
    expect(await core.call('obs.itemCues', { sessionId: session.id })).toEqual([
      { lineupItemId: item.id, sceneName: '产品特写 Close-up', hotkeyName: 'OBSBasic.StartRecording' },
    ]);
    expect((await peek.call('GetCurrentProgramScene')).currentProgramSceneName).toBe('Scene');
    await core.call('session.pin', { sessionId: session.id, lineupItemId: item.id });
    await m.settled();
    expect((await peek.call('GetCurrentProgramScene')).currentProgramSceneName).toBe('产品特写 Close-up');
    // the card stays in the overlay scene; the hotkey started a recording, which the session records as an event
    expect(await textOf(peek, TEXT_INPUTS.title)).toBe('Cued');
    await until('recording', () => peek.call('GetRecordStatus'), (r) => r.outputActive, 15_000);
    await until('recording in status', () => status(h), (s) => s.recording);
    await peek.call('SetCurrentProgramScene', { sceneName: 'Scene' });
  }, 30_000);

  it('records stream health once a second while the session is live, and the recording path', async () => {
    const session = (await h.core.call('sessions.list')).find((s) => s.status === 'live')!;
    const health = await until(
      '3 samples',
      () => h.core.call('obs.streamHealth', { sessionId: session.id }),
      (x) => x.samples.filter((s) => s.recording).length >= 3,
      10_000,
    );
    const recorded = health.samples.filter((s) => s.recording);
    expect(recorded.at(-1)!.timecode).toMatch(/^\d\d:\d\d:\d\d/);
    expect(recorded.every((s) => s.streaming === false && s.bitrateKbps === null)).toBe(true);
    const gaps = recorded.slice(1).map((s, i) => s.ts - recorded[i]!.ts);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(700);
    expect(Math.max(...gaps)).toBeLessThan(2500);
    await peek.call('StopRecord');
    const after = await until(
      'record stopped event with path',
      () => h.core.call('obs.streamHealth', { sessionId: session.id }),
      (x) => x.recordings.length > 0,
      15_000,
    );
    expect(after.events.some((e) => e.kind === 'record' && e.active && e.state === 'started')).toBe(true);
    expect(after.recordings[0]).toMatch(/\.(mkv|mp4|flv|mov)$/);
    // the same over HTTP, for the review work
    const res = await fetch(`${h.url}api/v1/sessions/${session.id}/stream-health`, { headers: { authorization: `Bearer ${h.core.token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { samples: unknown[] }).samples.length).toBeGreaterThanOrEqual(3);
    expect((await fetch(`${h.url}api/v1/sessions/${session.id}/stream-health`)).status).toBe(401);
  }, 40_000);

  it('applies the 视频号 push address as a custom RTMP service and shows what was set', async () => {
    const r = await h.core.call('obs.applyPushAddress', { server: 'rtmp://push-test.example.com/live', key: 'stream-key-abcdef123' });
    expect(r.server).toBe('rtmp://push-test.example.com/live');
    expect(r.keyMasked).toBe('str••••123');
    const got = await peek.call('GetStreamServiceSettings');
    expect(got.streamServiceType).toBe('rtmp_custom');
    expect(got.streamServiceSettings).toMatchObject({ server: 'rtmp://push-test.example.com/live', key: 'stream-key-abcdef123' });
    expect(JSON.stringify(await status(h))).not.toContain('stream-key-abcdef123');
    await expect(h.core.call('obs.applyPushAddress', { server: 'http://x', key: 'k' })).rejects.toThrow(/rtmp/);
  });

  it('a hung OBS (socket open, no answers) is detected: requests time out and the link reconnects when it wakes', async () => {
    expect((await status(h)).connection).toBe('connected');
    const hungAt = Date.now();
    await obs.pause();
    try {
      // an OBS-bound command neither hangs nor waits for the dead-peer check: it fails on its own timeout
      await expect(h.core.call('obs.hotkeys')).rejects.toThrow(/timed out|lost|not connected/);
      await until('dead peer detected', () => status(h), (s) => s.connection !== 'connected', 10_000);
      console.log(`dead peer detected after ${Date.now() - hungAt} ms (deadAfterMs 4000 in this test, 15000 by default)`);
    } finally {
      obs.resume();
    }
    await until('reconnected after resume', () => status(h), (s) => s.connection === 'connected', 20_000);
    await m.settled();
    expect(await h.core.call('obs.hotkeys')).toContain('OBSBasic.StartRecording');
  }, 40_000);

  it('OBS killed mid-session and restarted on the same port: LiveCue reconnects and re-applies the overlay', async () => {
    const core = h.core;
    const session = (await core.call('sessions.list')).find((s) => s.status === 'live')!;
    const p = await core.call('product.create', { title: '断线重连 Reconnect ✓', price: 1990, coupon: '第二件半价' });
    await core.call('session.pin', { sessionId: session.id, productId: p.id });
    await m.settled();
    expect(await textOf(peek, TEXT_INPUTS.title)).toBe('断线重连 Reconnect ✓');
    await peek.disconnect().catch(() => {});

    const killedAt = Date.now();
    await obs.kill();
    await until('unreachable', () => status(h), (s) => s.connection === 'unreachable' || s.connection === 'connecting', 8000);
    // commands keep working while OBS is away, and an OBS-bound request fails fast instead of hanging
    await expect(core.call('obs.hotkeys')).rejects.toThrow(/not connected/);
    const p2 = await core.call('product.create', { title: '离线期间置顶 Pinned while away', price: 500 });
    await core.call('session.pin', { sessionId: session.id, productId: p2.id });

    const restartAt = Date.now();
    obs = await startObs({ port: obs.port, password: obs.password, home: obs.home });
    const back = await until('reconnected', () => status(h), (s) => s.connection === 'connected' && s.overlayProductId === p2.id, 20_000);
    const reconnectedAt = Date.now();
    console.log(
      `kill-and-restart: OBS restart ${obs.startMs} ms; LiveCue connected and overlay re-applied ${reconnectedAt - restartAt - obs.startMs} ms after OBS was ready ` +
        `(${reconnectedAt - killedAt} ms after the kill)`,
    );
    expect(back.connection).toBe('connected');
    peek = await observer(obs);
    expect(await textOf(peek, TEXT_INPUTS.title)).toBe('离线期间置顶 Pinned while away');
    expect(await textOf(peek, TEXT_INPUTS.price)).toBe('¥5');
    expect(await enabledOf(peek, TEXT_INPUTS.title)).toBe(true);
    expect(rejections).toEqual([]);
  }, 90_000);
});

describe('OBS password at rest (serve mode)', () => {
  it('is kept in a file only the user can read, never in the database or the status', async () => {
    const dataDir = tempDir();
    const module = new ObsModule({ env: {}, options: {} });
    const running = await testHost([module], { dataDir: dataDir });
    try {
      const s = await running.core.call('obs.configure', { url: 'ws://127.0.0.1:1', password: 'sekret-密码', enabled: false });
      expect(s).toMatchObject({ hasPassword: true, passwordSource: 'stored', connection: 'disabled' });
      expect(JSON.stringify(s)).not.toContain('sekret');
      const file = path.join(dataDir, SECRETS_FILE);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(path.join(dataDir, 'livecue.sqlite')).includes(Buffer.from('sekret'))).toBe(false);
      await running.core.call('obs.configure', { url: 'ws://127.0.0.1:1', password: null, enabled: false });
      expect((await running.core.call('obs.status')).hasPassword).toBe(false);
      await expect(running.core.call('obs.configure', { url: 'http://nope', enabled: false })).rejects.toThrow(/ws:\/\//);
    } finally {
      await running.stop();
    }
  });
});
