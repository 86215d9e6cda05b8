// Pure parts of the OBS domain, and what only a protocol-level fake obs-websocket can show (browser_source, requests
// that never get an answer). The real-OBS checks are in tests/integration/obs.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeObs, type FakeObs } from '../../../tests/helpers/fake-obs.ts';
import { tempDir } from '../../../tests/helpers/serve.ts';
import type { RunningHost } from '../host.ts';
import { testHost } from '../../../tests/helpers/core.ts';
import { HealthMeter } from './health.ts';
import { ObsLink } from './link.ts';
import { BROWSER_SOURCE_NAME, ObsModule } from './module.ts';
import { cardTexts, pickTextKind } from './text-overlay.ts';

const stream = (bytes: number, total: number, skipped: number, active = true) => ({
  outputActive: active,
  outputBytes: bytes,
  outputTotalFrames: total,
  outputSkippedFrames: skipped,
  outputTimecode: '00:00:01.000',
  outputCongestion: 0.25,
});
const rec = { outputActive: false, outputTimecode: '00:00:00.000' };

describe('stream health meter', () => {
  it('bitrate is Δ outputBytes × 8 ÷ Δt and dropped ratio is Δ skipped ÷ Δ total', () => {
    const m = new HealthMeter();
    const first = m.sample(1, 1000, stream(0, 0, 0), rec);
    expect(first.bitrateKbps).toBeNull();
    const s = m.sample(1, 2000, stream(750_000, 30, 3), rec); // 750 kB in 1 s = 6000 kbit/s
    expect(s.bitrateKbps).toBe(6000);
    expect(s.droppedRatio).toBeCloseTo(0.1);
    expect(s.congestion).toBe(0.25);
    expect(s.timecode).toBe('00:00:01.000');
  });
  it('starts over when the output restarts (counters fall back) instead of reporting a negative bitrate', () => {
    const m = new HealthMeter();
    m.sample(1, 1000, stream(5_000_000, 300, 0), rec);
    expect(m.sample(1, 2000, stream(1000, 30, 0), rec).bitrateKbps).toBeNull();
    expect(m.sample(1, 2000 + 500, stream(1000 + 62_500, 45, 0), rec).bitrateKbps).toBe(1000);
  });
  it('reports nothing but state when not streaming', () => {
    const s = new HealthMeter().sample(1, 1000, stream(0, 0, 0, false), { outputActive: true, outputTimecode: '00:10:00.000' });
    expect(s).toMatchObject({ streaming: false, recording: true, timecode: '00:10:00.000', bitrateKbps: null, congestion: null });
  });
});

describe('text overlay', () => {
  it('finds the text source kind by name on every platform', () => {
    expect(pickTextKind(['image_source', 'text_ft2_source_v2'])).toBe('text_ft2_source_v2');
    expect(pickTextKind(['text_gdiplus_v2', 'text_gdiplus_v3'])).toBe('text_gdiplus_v3');
    expect(pickTextKind(['browser_source'])).toBeNull();
  });
  it('labels the original price (text sources cannot strike through) and leaves the coupon empty when there is none', () => {
    const base = { sessionId: 1, pinnedAt: 0, product: { id: 1, title: '<b>x</b>', price: 9900, livePrice: 5990, coupon: null, stock: null, imageUrl: null } };
    expect(cardTexts(base)).toEqual({ title: '<b>x</b>', price: '直播价 ¥59.9  原价 ¥99', coupon: '' });
    expect(cardTexts({ ...base, product: { ...base.product, livePrice: null, coupon: '满99减20' } })).toEqual({ title: '<b>x</b>', price: '¥99', coupon: '券 满99减20' });
  });
});

describe('against a protocol-level fake obs-websocket', () => {
  let fake: FakeObs | undefined;
  let running: RunningHost | undefined;
  afterEach(async () => {
    await running?.stop();
    await fake?.close();
    running = fake = undefined;
  });

  async function host(f: FakeObs) {
    const dataDir = tempDir();
    const module = new ObsModule({ options: { obs: f.url }, env: {}, link: { requestTimeoutMs: 400, backoffBaseMs: 100, backoffMaxMs: 300 } });
    running = await testHost([module], { dataDir: dataDir });
    for (let i = 0; i < 100 && (await running.core.call('obs.status')).textKind === null; i++) await new Promise((r) => setTimeout(r, 20));
    return { running, module };
  }

  it('adds the /overlay page as a browser source where OBS has one, and picks text_gdiplus_v3 on Windows builds', async () => {
    fake = await startFakeObs();
    const { running: h } = await host(fake);
    const s = await h.core.call('obs.status');
    expect(s).toMatchObject({ connection: 'connected', hasBrowserSource: true, textKind: 'text_gdiplus_v3', obsVersion: '31.0.0' });
    const r = await h.core.call('obs.addBrowserSource', { sceneName: 'Main' });
    expect(r.url).toBe(`http://127.0.0.1:${h.server.address.port}/overlay?token=${encodeURIComponent(h.core.displayLinkToken())}`);
    const created = fake.requests.find((q) => q.requestType === 'CreateInput' && q.requestData.inputKind === 'browser_source')!;
    expect(created.requestData).toMatchObject({ sceneName: 'Main', inputName: BROWSER_SOURCE_NAME, inputSettings: { url: r.url, width: 1920, height: 1080 } });
  });

  it('OBS starting and stopping the stream during a live session becomes obs.streamStarted / obs.streamStopped (the push trigger)', async () => {
    fake = await startFakeObs();
    const { running: h } = await host(fake);
    const seen: string[] = [];
    h.core.subscribe((e) => {
      if (e.type === 'obs.streamStarted' || e.type === 'obs.streamStopped') seen.push(`${e.type}:${e.sessionId}`);
    });
    fake.event('StreamStateChanged', { outputActive: true, outputState: 'OBS_WEBSOCKET_OUTPUT_STARTED' });
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([]); // no live session: nothing to announce
    const p = await h.core.call('product.create', { title: 'p', price: 1 });
    const s = await h.core.call('session.create', { title: 's', productIds: [p.id] });
    await h.core.call('session.start', { sessionId: s.id });
    fake.event('StreamStateChanged', { outputActive: false, outputState: 'OBS_WEBSOCKET_OUTPUT_STARTING' });
    fake.event('StreamStateChanged', { outputActive: true, outputState: 'OBS_WEBSOCKET_OUTPUT_STARTED' });
    fake.event('StreamStateChanged', { outputActive: false, outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPED' });
    for (let i = 0; i < 50 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([`obs.streamStarted:${s.id}`, `obs.streamStopped:${s.id}`]);
    const rows = h.core.db.prepare('SELECT state, active FROM stream_events WHERE session_id = ? ORDER BY id').all(s.id);
    expect(rows).toEqual([
      { state: 'starting', active: 0 },
      { state: 'started', active: 1 },
      { state: 'stopped', active: 0 },
    ]);
  });

  it('a request OBS never answers fails on its timeout instead of hanging the command', async () => {
    fake = await startFakeObs({ GetHotkeyList: () => 'hang' });
    const { running: h } = await host(fake);
    const t = Date.now();
    await expect(h.core.call('obs.hotkeys')).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/timed out/) });
    expect(Date.now() - t).toBeLessThan(2000);
  });

  it('reconnects with growing, jittered delays while OBS is away, and never piles up attempts', async () => {
    const link = new ObsLink({ backoffBaseMs: 50, backoffMaxMs: 400, connectTimeoutMs: 500 });
    const delays: number[] = [];
    link.onState((s) => {
      if (s.connection === 'unreachable' && s.retryAt) delays.push(s.retryAt - Date.now());
    });
    link.start('ws://127.0.0.1:1', undefined);
    await new Promise((r) => setTimeout(r, 1500));
    link.stop();
    expect(delays.length).toBeGreaterThanOrEqual(4);
    expect(delays[0]!).toBeLessThanOrEqual(60);
    expect(Math.max(...delays)).toBeLessThanOrEqual(400);
    expect(delays.slice(-2).every((d) => d >= 190)).toBe(true); // ceiling 400, half of it fixed
    expect(link.state.connection).toBe('disabled');
  });
});
