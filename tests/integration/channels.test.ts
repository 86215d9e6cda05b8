// The Channels bridge end to end: a real Core on SQLite, real Chromium (headless, Debian's) driven by Playwright through
// the bridge, against the loopback console fixture.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelsState, PinOutcome } from '../../shared/protocol/channels.ts';
import type { CoreEvent } from '../../shared/protocol/index.ts';
import { ChannelsModule, type ChannelsSink } from '../../electron/core/channels/module.ts';
import { type ConsoleFixture, startConsoleFixture } from '../fixtures/channels-console/server.ts';
import { testCore } from '../helpers/core.ts';
import { root, tempDir } from '../helpers/serve.ts';

const CHROMIUM = process.env.LIVECUE_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update'];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  fixture: ConsoleFixture;
  channels: ChannelsModule;
  core: ReturnType<typeof testCore>['core'];
  events: CoreEvent[];
  states: ChannelsState[];
  pins: PinOutcome[];
  sink: { comments: string[]; readings: (number | null)[] };
}

async function rig(options: { drift?: boolean; loggedIn?: boolean; live?: boolean } = {}): Promise<Rig> {
  const fixture = await startConsoleFixture({ drift: options.drift, state: { loggedIn: options.loggedIn ?? true, live: options.live ?? true } });
  cleanups.push(() => fixture.close());
  const { core } = testCore();
  cleanups.push(() => core.close());
  const sinkData = { comments: [] as string[], readings: [] as (number | null)[] };
  const sink: ChannelsSink = {
    onComment: (_s, c) => sinkData.comments.push(c.text),
    onReading: (_s, r) => sinkData.readings.push(r.online),
  };
  const channels = new ChannelsModule({
    baseUrl: fixture.url,
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    timings: { watchMs: 200, notLiveRecheckMs: 600, navTimeoutMs: 10_000 },
    autoConnect: false,
    sink,
  });
  channels.attach(core);
  cleanups.push(() => channels.stop());
  const events: CoreEvent[] = [];
  const states: ChannelsState[] = [];
  const pins: PinOutcome[] = [];
  core.subscribe((e) => {
    events.push(e);
    if (e.type === 'channels.status' && states.at(-1) !== e.status.state) states.push(e.status.state);
    if (e.type === 'channels.pin') pins.push(e.outcome);
  });
  return { fixture, channels, core, events, states, pins, sink: sinkData };
}

async function until<T>(what: string, fn: () => T | undefined | null | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** a live LiveCue session with two lineup products */
async function liveSession(r: Rig) {
  const a = await r.core.call('product.create', { title: '纯棉T恤 150号', price: 9900 });
  const b = await r.core.call('product.create', { title: '保温杯', price: 5900 });
  const session = await r.core.call('session.create', { title: '周五专场', productIds: [a.id, b.id] });
  await r.core.call('session.start', { sessionId: session.id });
  return { a, b, sessionId: session.id };
}

describe('channels console bridge', () => {
  it('detects the three login states: login page → logged in, not live → live control page', async () => {
    const r = await rig({ loggedIn: false, live: false });
    await r.core.call('channels.connect', {});
    await until('login_required', () => r.channels.connection?.state === 'login_required');
    const status = await r.core.call('channels.status', {});
    expect(status.action).toMatch(/扫码/);
    // the user scans the QR code: the console moves to its home page, the bridge on to the live control page
    r.fixture.state.loggedIn = true;
    await until('not_live', () => r.channels.connection?.state === 'not_live');
    // the account name is read from the console header once a console page shows it
    await until('account name in the status', () => r.events.some((e) => e.type === 'channels.status' && e.status.account === 'LiveCue 测试小店'));
    expect((await r.core.call('channels.status', {})).account).toBe('LiveCue 测试小店');
    // the live room starts: the bridge notices on its next look at the live control page
    r.fixture.state.live = true;
    await until('live', () => r.channels.connection?.state === 'live');
    expect(r.states).toEqual(['starting', 'login_required', 'not_live', 'live']);
    // and the login expiring mid-live is noticed from the console's own responses
    r.fixture.state.loggedIn = false;
    await until('login_required again', () => r.channels.connection?.state === 'login_required');
  });

  it('pins and unpins on Channels: 讲解 deep in a virtual-scroll list, by id and by title, confirmed within 3 s', async () => {
    const r = await rig();
    await r.core.call('channels.connect', {});
    await until('live', () => r.channels.connection?.state === 'live');
    const { a, b, sessionId } = await liveSession(r);
    const target = r.fixture.state.products[149]!; // row 150 of 200: far below the ~10 rendered rows
    await r.core.call('channels.map', { productId: a.id, channelsProductId: target.id });
    await r.core.call('channels.map', { productId: b.id, channelsTitle: r.fixture.state.products[4]!.title });

    await r.core.call('session.pin', { sessionId, productId: a.id });
    const pinA = await until('pin A', () => r.pins[0]);
    expect(pinA).toMatchObject({ action: 'pin', productId: a.id, ok: true, reason: null });
    expect(pinA.ms).toBeLessThan(3000);
    expect(r.fixture.state.promoting).toBe(target.id);

    await r.core.call('session.pin', { sessionId, productId: b.id });
    const pinB = await until('pin B', () => r.pins[1]);
    expect(pinB).toMatchObject({ action: 'pin', productId: b.id, ok: true });
    expect(r.fixture.state.promoting).toBe(r.fixture.state.products[4]!.id);

    await r.core.call('session.unpin', { sessionId });
    const unpin = await until('unpin', () => r.pins[2]);
    expect(unpin).toMatchObject({ action: 'unpin', productId: b.id, ok: true });
    expect(r.fixture.state.promoting).toBeNull();
    console.log(`channels pin latency ms: A ${pinA.ms}, B ${pinB.ms}, unpin ${unpin.ms}`);

    // the mapping screen reads the whole on-sale list through the virtual scroll
    const rows = await r.core.call('channels.consoleProducts', {});
    expect(rows).toHaveLength(200);
    expect(rows[199]).toMatchObject({ channelsProductId: r.fixture.state.products[199]!.id, promoting: false });
  });

  it('reports a product missing from the live list, a click that does not take, and a logout, each within 3 s', async () => {
    const r = await rig();
    await r.core.call('channels.connect', {});
    await until('live', () => r.channels.connection?.state === 'live');
    const { a, b, sessionId } = await liveSession(r);
    await r.core.call('channels.map', { productId: a.id, channelsProductId: '99999999999' });
    await r.core.call('session.pin', { sessionId, productId: a.id });
    const missing = await until('missing', () => r.pins[0], 5000);
    expect(missing).toMatchObject({ ok: false, reason: 'product_missing' });
    expect(missing.message).toMatch(/not in the live product list/);
    expect(missing.ms).toBeLessThan(3000);

    r.fixture.state.ignoreClicks = true;
    await r.core.call('channels.map', { productId: b.id, channelsProductId: r.fixture.state.products[2]!.id });
    await r.core.call('session.pin', { sessionId, productId: b.id });
    const stuck = await until('not confirmed', () => r.pins[1], 5000);
    expect(stuck).toMatchObject({ ok: false, reason: 'not_confirmed' });
    expect(stuck.ms).toBeLessThan(3300);

    r.fixture.state.ignoreClicks = false;
    r.fixture.state.loggedIn = false;
    await until('logged out seen', () => r.channels.connection?.state === 'login_required');
    await r.core.call('session.pin', { sessionId, productId: a.id });
    const out = await until('logged out', () => r.pins[2], 5000);
    expect(out).toMatchObject({ ok: false, reason: 'logged_out' });
    // LiveCue itself pinned regardless: the bridge never blocks the desk
    expect((await r.core.call('session.get', { sessionId })).pinned?.id).toBe(a.id);
  });

  it('reads live comments and the online count from the console responses into the store, once each', async () => {
    const r = await rig();
    await r.core.call('channels.connect', {});
    await until('live', () => r.channels.connection?.state === 'live');
    const { sessionId } = await liveSession(r);
    r.fixture.pushComment('小王', '这个多少钱？');
    r.fixture.pushComment('阿丽', '求链接');
    r.fixture.redeliver();
    r.fixture.pushComment('Kim', '好看');
    await until('comments stored', () => r.events.filter((e) => e.type === 'channels.comments').flatMap((e) => (e.type === 'channels.comments' ? e.comments : [])).length >= 3);
    await new Promise((res) => setTimeout(res, 700)); // a few more polls: a re-delivered message must not appear twice
    const result = await r.core.call('channels.comments', { sessionId });
    expect(result.comments.map((c) => c.content)).toEqual(['这个多少钱？', '求链接', '好看']);
    expect(result.comments[0]).toMatchObject({ nickname: '小王', keywords: ['多少钱'], sessionId });
    expect(result.comments[1]!.keywords).toEqual(['链接']);
    expect(result.perMinute.reduce((n, m) => n + m.count, 0)).toBe(3);
    expect(r.sink.comments).toEqual(['这个多少钱？', '求链接', '好看']);
    expect(r.sink.readings).toContain(1234);
    expect((await r.core.call('channels.status', {})).online).toBe(1234);
  });

  it('self-check: everything matches on the console as mapped', async () => {
    const good = await rig();
    await good.core.call('channels.connect', {});
    await until('live', () => good.channels.connection?.state === 'live');
    const t = Date.now();
    const report = await good.core.call('channels.selfcheck', {});
    console.log(`self-check took ${Date.now() - t} ms`);
    expect(report.state).toBe('live');
    expect(report.items.filter((i) => i.status === 'drift')).toEqual([]);
    expect(report.ok).toBe(true);
    const ok = new Set(report.items.filter((i) => i.status === 'ok').map((i) => i.key));
    for (const key of ['liveControl', 'onSale', 'microAppIframe', 'liveMarker', 'productList', 'productRow', 'productRowId', 'promoteButton', 'promote', 'liveMsg'])
      expect(ok, key).toContain(key);
  }, 60_000);

  it('self-check reports drift on a changed console, and a pin there says the page changed', async () => {
    const drifted = await rig({ drift: true });
    await drifted.core.call('channels.connect', {});
    await until('live', () => drifted.channels.connection?.state === 'live');
    const t = Date.now();
    const bad = await drifted.core.call('channels.selfcheck', {});
    console.log(`self-check (drift) took ${Date.now() - t} ms`);
    expect(bad.ok).toBe(false);
    const drift = bad.items.filter((i) => i.status === 'drift').map((i) => i.key);
    expect(drift).toContain('productList');
    // what did not change still matches
    expect(bad.items.find((i) => i.key === 'liveMarker')!.status).toBe('ok');
    // and a pin on the drifted console says the page changed instead of hanging
    const { a, sessionId } = await liveSession(drifted);
    await drifted.core.call('channels.map', { productId: a.id, channelsProductId: drifted.fixture.state.products[0]!.id });
    await drifted.core.call('session.pin', { sessionId, productId: a.id });
    const pin = await until('pin', () => drifted.pins[0], 5000);
    expect(pin).toMatchObject({ ok: false, reason: 'page_changed' });
    expect(pin.ms).toBeLessThan(3300);
  }, 60_000);

  it('npm run channels:selfcheck exits 1 and names the drifted selectors; 0 on the console as mapped', async () => {
    const run = async (drift: boolean) => {
      const fixture = await startConsoleFixture({ drift, state: { loggedIn: true, live: true } });
      cleanups.push(() => fixture.close());
      const proc = spawn(
        process.execPath,
        [path.join(root, 'electron/core/channels/selfcheck-cli.ts'), '--url', fixture.url, '--browser', CHROMIUM, '--headless', '--data-dir', tempDir()],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      proc.stdout.on('data', (d) => (out += d));
      proc.stderr.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
      return { code, out };
    };
    const drifted = await run(true);
    expect(drifted.code, drifted.out).toBe(1);
    expect(drifted.out).toMatch(/DRIFT\s+selector\s+productList/);
    const good = await run(false);
    expect(good.code, good.out).toBe(0);
    expect(good.out).not.toMatch(/DRIFT/);
  }, 60_000);
});
