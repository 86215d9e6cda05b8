// The Channels bridge end to end: a real Core on SQLite, real Chromium (headless, Debian's) driven by Playwright through
// the bridge, against the loopback console fixture.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelsState, PinOutcome } from '../../shared/protocol/channels.ts';
import type { CoreEvent } from '../../shared/protocol/index.ts';
import type { RoomEvent } from '../../electron/core/room.ts';
import { ChannelsModule, type ChannelsSink } from '../../electron/core/channels/module.ts';
import { type ConsoleFixture, type FixtureState, startConsoleFixture } from '../fixtures/channels-console/server.ts';
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

async function rig(options: { drift?: boolean; loggedIn?: boolean; live?: boolean; state?: Partial<FixtureState> } = {}): Promise<Rig> {
  const fixture = await startConsoleFixture({ drift: options.drift, state: { loggedIn: options.loggedIn ?? true, live: options.live ?? true, ...options.state } });
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

/** a live LiveCue session with three lineup products; A and B carry titles of the console's rows 43 and 5 */
async function liveSession(r: Rig) {
  const a = await r.core.call('product.create', { title: '羊毛围巾 43号', price: 9900 });
  const b = await r.core.call('product.create', { title: '蓝牙耳机 5号', price: 5900 });
  const c = await r.core.call('product.create', { title: '只在 LiveCue 里的商品', price: 100 });
  const session = await r.core.call('session.create', { title: '周五专场', productIds: [a.id, b.id, c.id] });
  await r.core.call('session.start', { sessionId: session.id });
  return { a, b, c, sessionId: session.id };
}

async function connected(options: Parameters<typeof rig>[0] = {}) {
  const r = await rig(options);
  await r.core.call('channels.connect', {});
  await until('live', () => r.channels.connection?.state === 'live');
  return r;
}

/** the bridge's live control tab, to look at what the console shows (its DOM is in the wujie shadow root) */
const liveTab = (r: Rig) => r.channels.connection!.browserContext!.pages()[0]!;

describe('channels console bridge on the wujie shadow-root console', () => {
  it('detects the three login states: login page → logged in, not live (home page) → live', async () => {
    const r = await rig({ loggedIn: false, live: false });
    await r.core.call('channels.connect', {});
    await until('login_required', () => r.channels.connection?.state === 'login_required');
    const status = await r.core.call('channels.status', {});
    expect(status.action).toMatch(/扫码/);
    // the user scans the QR code: the console lands on its home page; liveBuild sends a not-live account back there
    r.fixture.state.loggedIn = true;
    await until('not_live', () => r.channels.connection?.state === 'not_live');
    // the account name is read on /platform (a narrow window hides it on the other pages)
    await until('account name in the status', () => r.events.some((e) => e.type === 'channels.status' && e.status.account === 'LiveCue 测试小店'));
    // the live room starts: the bridge notices on its next look at the live control page (the comment box shows)
    r.fixture.state.live = true;
    await until('live', () => r.channels.connection?.state === 'live');
    expect(r.states).toEqual(['starting', 'login_required', 'not_live', 'live']);
    // the micro-app is in an open shadow root: document.querySelector from the page sees none of it
    const page = liveTab(r);
    expect(await page.evaluate(() => document.querySelector('.live-message-input-container'))).toBeNull();
    expect(await page.evaluate(() => document.querySelector('wujie-app.wujie_iframe')?.shadowRoot?.querySelector('.live-message-input-container') !== null)).toBe(true);
    expect(await page.locator('iframe[data-wujie-flag]').evaluate((el) => [el.className, getComputedStyle(el).display])).toEqual(['', 'none']);
    // and the login expiring mid-live is noticed from the console's own responses
    r.fixture.state.loggedIn = false;
    await until('login_required again', () => r.channels.connection?.state === 'login_required');
  });

  it('pins by title on row 43 of 60 (讲解 confirmed), re-pin pops again, switch, unpin — each within 3 s', async () => {
    const r = await connected();
    const { a, b, sessionId } = await liveSession(r);
    await r.core.call('channels.map', { productId: a.id, channelsTitle: '羊毛围巾 43号' });
    // normalised match: full-width letters and spaces differ from the console's row title
    await r.core.call('channels.map', { productId: b.id, channelsTitle: '蓝牙耳机５号' });

    await r.core.call('session.pin', { sessionId, productId: a.id });
    const pinA = await until('pin A', () => r.pins[0]);
    expect(pinA).toMatchObject({ action: 'pin', productId: a.id, ok: true, reason: null, seq: 43, popped: false });
    expect(pinA.ms).toBeLessThan(3000);
    expect(r.fixture.state.promoting).toBe('羊毛围巾 43号');

    // re-pin of the product on 讲解: 结束讲解 then 讲解, the card pops again
    await r.core.call('session.unpin', { sessionId });
    await until('unpin', () => r.pins[1]);
    r.fixture.state.promoting = '羊毛围巾 43号'; // the host put it back on 讲解 by hand
    r.fixture.state.calls.length = 0;
    await new Promise((res) => setTimeout(res, 1200)); // the console's list refreshes
    await r.core.call('session.pin', { sessionId, productId: a.id });
    const again = await until('re-pin', () => r.pins[2]);
    expect(again).toMatchObject({ ok: true, popped: true, seq: 43 });
    expect(r.fixture.state.calls).toEqual(['off 羊毛围巾 43号', 'on 羊毛围巾 43号']);
    expect(again.ms).toBeLessThan(3000);

    await r.core.call('session.pin', { sessionId, productId: b.id });
    const pinB = await until('pin B', () => r.pins[3]);
    expect(pinB).toMatchObject({ action: 'pin', productId: b.id, ok: true, seq: 5 });
    expect(r.fixture.state.promoting).toBe('蓝牙耳机 5号');

    await r.core.call('session.unpin', { sessionId });
    const unpin = await until('unpin', () => r.pins[4]);
    expect(unpin).toMatchObject({ action: 'unpin', productId: b.id, ok: true });
    expect(r.fixture.state.promoting).toBeNull();
    console.log(`channels pin latency ms: A ${pinA.ms}, re-pin ${again.ms}, B ${pinB.ms}, unpin ${unpin.ms}`);

    // the mapping screen reads the whole list: 序号, title, price in fen, image
    const rows = await r.core.call('channels.consoleProducts', {});
    expect(rows).toHaveLength(60);
    expect(rows[42]).toEqual({ seq: 43, title: '羊毛围巾 43号', priceFen: 1990 + 42 * 100, image: '/img/43.png', promoting: false });
  });

  it('a pin made the moment the previous outcome arrives is not lost (back-to-back, as a Stream Deck does)', async () => {
    const r = await connected();
    const { a, b, sessionId } = await liveSession(r);
    await r.core.call('channels.map', { productId: a.id, channelsTitle: '羊毛围巾 43号' });
    await r.core.call('channels.map', { productId: b.id, channelsTitle: '蓝牙耳机 5号' });
    let waiting: ((o: PinOutcome | null) => void) | null = null;
    r.core.subscribe((e) => {
      if (e.type === 'channels.pin' && waiting) {
        const w = waiting;
        waiting = null;
        w(e.outcome);
      }
    });
    // the next command goes out a few microtasks after the outcome event, before the bridge's queue has settled
    const timed = async (fn: () => Promise<unknown>) => {
      const done = new Promise<PinOutcome | null>((resolve) => {
        waiting = resolve;
        setTimeout(() => resolve(null), 5000);
      });
      await fn();
      return done;
    };
    for (const productId of [a.id, null, b.id, null]) {
      const o = await timed(() => (productId ? r.core.call('session.pin', { sessionId, productId }) : r.core.call('session.unpin', { sessionId })));
      expect(o, `after ${productId ?? 'unpin'}`).toMatchObject({ ok: true, action: productId ? 'pin' : 'unpin' });
    }
  });

  it('pinning an unmapped product ends the current 讲解 on Channels and says so', async () => {
    const r = await connected();
    const { a, c, sessionId } = await liveSession(r);
    await r.core.call('channels.map', { productId: a.id, channelsTitle: '羊毛围巾 43号' });
    await r.core.call('session.pin', { sessionId, productId: a.id });
    await until('pin A', () => r.pins[0]);
    expect(r.fixture.state.promoting).toBe('羊毛围巾 43号');
    await r.core.call('session.pin', { sessionId, productId: c.id });
    const out = await until('unmapped', () => r.pins[1]);
    expect(out).toMatchObject({ action: 'pin', productId: c.id, ok: false, reason: 'not_mapped' });
    expect(out.message).toMatch(/已结束视频号当前讲解/);
    expect(out.ms).toBeLessThan(3000);
    expect(r.fixture.state.promoting).toBeNull();
  });

  it('a reordered (and descending) list: the title decides, the 序号 is read again before the click', async () => {
    const r = await connected({ state: { descending: true } });
    const { a, sessionId } = await liveSession(r);
    await r.core.call('channels.map', { productId: a.id, channelsTitle: '羊毛围巾 43号' });
    await r.core.call('session.pin', { sessionId, productId: a.id });
    expect(await until('pin', () => r.pins[0])).toMatchObject({ ok: true, seq: 43 });
    await r.core.call('session.unpin', { sessionId });
    await until('unpin', () => r.pins[1]);
    // the shop moves the product to the top of the live list: it is 序号 1 now
    const moved = r.fixture.state.products.splice(42, 1)[0]!;
    r.fixture.state.products.unshift(moved);
    await new Promise((res) => setTimeout(res, 1200)); // the console's list refreshes
    await r.core.call('session.pin', { sessionId, productId: a.id });
    const pin = await until('pin after reorder', () => r.pins[2]);
    expect(pin).toMatchObject({ ok: true, seq: 1, title: '羊毛围巾 43号' });
    expect(r.fixture.state.promoting).toBe('羊毛围巾 43号');
  });

  it('reports a product missing from the live list, a click that does not take, and a logout, each within 3 s', async () => {
    const r = await connected();
    const { a, b, sessionId } = await liveSession(r);
    await r.core.call('channels.map', { productId: a.id, channelsTitle: '不在直播间的商品' });
    await r.core.call('session.pin', { sessionId, productId: a.id });
    const missing = await until('missing', () => r.pins[0], 5000);
    expect(missing).toMatchObject({ ok: false, reason: 'product_missing' });
    expect(missing.message).toMatch(/not in the live product list/);
    expect(missing.ms).toBeLessThan(3000);

    r.fixture.state.ignoreClicks = true;
    await r.core.call('channels.map', { productId: b.id, channelsTitle: '蓝牙耳机 5号' });
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

  it('reads comments and replies into the store once each; clicks 新消息 when it shows', async () => {
    const r = await connected();
    const { sessionId } = await liveSession(r);
    r.fixture.pushComment('小王', '这个多少钱？');
    r.fixture.pushComment('阿丽', '求链接');
    r.fixture.redeliver();
    r.fixture.pushReply('LiveCue 测试小店', '39 元，链接在 3 号');
    r.fixture.pushComment('Kim', '好看');
    const all = () => r.events.flatMap((e) => (e.type === 'channels.comments' ? e.comments : []));
    await until('comments stored', () => all().length >= 4);
    await new Promise((res) => setTimeout(res, 700)); // a few more polls: a re-delivered message must not appear twice
    const result = await r.core.call('channels.comments', { sessionId });
    // one poll carries msgList then appMsgList: the reply's place among them is the console's to decide
    expect(result.comments.filter((c) => c.kind === 'comment').map((c) => c.content)).toEqual(['这个多少钱？', '求链接', '好看']);
    expect(result.comments.filter((c) => c.kind === 'reply').map((c) => [c.nickname, c.content])).toEqual([['LiveCue 测试小店', '39 元，链接在 3 号']]);
    expect(result.comments[0]).toMatchObject({ nickname: '小王', keywords: ['多少钱'], sessionId, stuckAt: null });
    expect(result.comments[1]!.keywords).toEqual(['链接']);
    // replies are not viewer comments: not in the per-minute count, not in the metrics sink
    expect(result.perMinute.reduce((n, m) => n + m.count, 0)).toBe(3);
    expect(r.sink.comments).toEqual(['这个多少钱？', '求链接', '好看']);
    expect(r.sink.readings).toContain(1234);
    expect((await r.core.call('channels.status', {})).online).toBe(1234);
    // the console held them behind 新消息; the bridge clicked it, so they are on the console's list
    const page = liveTab(r);
    await expect
      .poll(async () => (await page.locator('.live-message-item-container .message-content').allTextContents()).sort(), { timeout: 5000 })
      .toEqual(['39 元，链接在 3 号', '好看', '求链接', '这个多少钱？']);
    expect(await page.locator('.comment__load').isVisible()).toBe(false);
  });

  it('sends a comment as the shop, and refuses honestly when the console does', async () => {
    const r = await connected();
    await r.core.call('channels.sendComment', { text: '点击下方小黄车，福利价限时！' });
    expect(r.fixture.state.sent).toEqual(['点击下方小黄车，福利价限时！']);
    r.fixture.state.refuseComments = true;
    await expect(r.core.call('channels.sendComment', { text: '第二条' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/refused/) });
    expect(r.fixture.state.sent).toHaveLength(1);
    await expect(r.core.call('channels.sendComment', { text: '  ' })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('上墙: puts a viewer comment on screen through the action popover; the console confirms it', async () => {
    const r = await connected();
    await liveSession(r);
    r.fixture.pushComment('小王', '主播穿的是几号？');
    const id = r.fixture.pushComment('阿丽', '求链接');
    r.fixture.pushComment('Kim', '求链接'); // the same text from someone else: the nickname tells them apart
    await until('stored', () => r.events.flatMap((e) => (e.type === 'channels.comments' ? e.comments : [])).length >= 3);
    await r.core.call('channels.pinComment', { key: id });
    // the click is the bridge's part; the console records 上墙 with its own request afterwards (console.js posts
    // stick_comment), as the real one confirms with its 10017 message later: wait for the fixture to have it
    await until('fixture stuck', () => (r.fixture.state.stuck.length ? true : null));
    expect(r.fixture.state.stuck).toEqual([id]);
    const stuck = await until('stuck event', () => r.events.find((e) => e.type === 'channels.stuck'));
    expect(stuck).toMatchObject({ key: id });
    await expect(r.core.call('channels.pinComment', { key: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('RoomControl: events from the console, 讲解 by 序号 (re-pop), end, and refusal when not live', async () => {
    const r = await connected();
    const room = r.channels.room();
    expect(room.live).toBe(true);
    const seen: RoomEvent[] = [];
    const off = room.onEvent((e) => seen.push(e));
    r.fixture.pushEnter('路人甲');
    const cid = r.fixture.pushComment('小王', '多少钱');
    await until('enter and comment', () => seen.length >= 2);
    r.fixture.pushReply('小店', '39 元');
    await until('room events', () => seen.length >= 3);
    // in the order the console delivered them
    expect(seen.map((e) => [e.kind, e.nickname, e.text])).toEqual([
      ['enter', '路人甲', ''],
      ['comment', '小王', '多少钱'],
      ['reply', '小店', '39 元'],
    ]);
    expect(seen[1]!.id).toBe(cid);
    expect(seen.every((e) => e.sessionId === null && e.ts > 0)).toBe(true);
    off();
    await room.explainSeq(3);
    expect(r.fixture.state.promoting).toBe(r.fixture.state.products[2]!.title);
    r.fixture.state.calls.length = 0;
    await room.explainSeq(3);
    expect(r.fixture.state.calls).toEqual([`off ${r.fixture.state.products[2]!.title}`, `on ${r.fixture.state.products[2]!.title}`]);
    await room.endExplain();
    expect(r.fixture.state.promoting).toBeNull();
    await expect(room.explainSeq(99)).rejects.toMatchObject({ code: 'not_found' });
    await r.core.call('channels.disconnect', {});
    expect(room.live).toBe(false);
    await expect(room.sendComment('hi')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('self-check: everything matches on the console as mapped, each entry with its source', async () => {
    const good = await connected();
    good.fixture.pushComment('小王', '你好');
    await until('comment', () => good.events.some((e) => e.type === 'channels.comments'));
    const t = Date.now();
    const report = await good.core.call('channels.selfcheck', {});
    console.log(`self-check took ${Date.now() - t} ms`);
    expect(report.state).toBe('live');
    expect(report.items.filter((i) => i.status === 'drift')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.mapVersion).toBe(2);
    const ok = new Set(report.items.filter((i) => i.status === 'ok').map((i) => i.key));
    for (const key of ['liveControl', 'onSale', 'home', 'microApp', 'sandboxIframe', 'liveMarker', 'commentInput', 'commentSend', 'commentItem', 'commentAction', 'pinComment', 'productRow', 'productRowSeq', 'productRowTitle', 'promoteButton', 'promote', 'accountName', 'commentsField', 'repliesField'])
      expect(ok, key).toContain(key);
    expect(report.items.find((i) => i.key === 'microApp')).toMatchObject({ source: 'framework', detail: expect.stringMatching(/open shadow root/) });
    expect(report.items.find((i) => i.key === 'productRow')).toMatchObject({ source: 'peer', detail: '60 rows in the DOM' });
    expect(report.items.find((i) => i.key === 'productRowTitle')).toMatchObject({ source: 'assumed' });
    // the report is plain JSON a user can copy out and send back
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  }, 60_000);

  it('self-check reports drift on a changed console, and a pin there says the page changed', async () => {
    const drifted = await connected({ drift: true });
    const t = Date.now();
    const bad = await drifted.core.call('channels.selfcheck', {});
    console.log(`self-check (drift) took ${Date.now() - t} ms`);
    expect(bad.ok).toBe(false);
    const drift = bad.items.filter((i) => i.status === 'drift').map((i) => i.key);
    expect(drift).toEqual(expect.arrayContaining(['productList', 'productRow']));
    // what did not change still matches
    expect(bad.items.find((i) => i.key === 'liveMarker')!.status).toBe('ok');
    expect(bad.items.find((i) => i.key === 'microApp')!.status).toBe('ok');
    // and a pin on the drifted console says the page changed instead of hanging
    const { a, sessionId } = await liveSession(drifted);
    await drifted.core.call('channels.map', { productId: a.id, channelsTitle: '羊毛围巾 43号' });
    await drifted.core.call('session.pin', { sessionId, productId: a.id });
    const pin = await until('pin', () => drifted.pins[0], 5000);
    expect(pin).toMatchObject({ ok: false, reason: 'page_changed' });
    expect(pin.ms).toBeLessThan(3300);
  }, 60_000);

  it('npm run channels:selfcheck exits 1 and names the drifted selectors; 0 on the console as mapped', async () => {
    const run = async (drift: boolean) => {
      const fixture = await startConsoleFixture({ drift, state: { loggedIn: true, live: true } });
      cleanups.push(() => fixture.close());
      fixture.pushComment('小王', '你好');
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
    expect(drifted.out).toMatch(/DRIFT\s+selector\s+productList\s+\[peer\]/);
    const good = await run(false);
    expect(good.code, good.out).toBe(0);
    expect(good.out).not.toMatch(/DRIFT/);
  }, 60_000);
});
