// channelsPin: LiveCue pin → 讲解 confirmed on the console fixture (the wujie shadow-root model, 60 rows, all in the DOM),
// from the session.pin command to the channels.pin outcome event, through a real Core on SQLite and the bridge driving
// headless Chromium. Side by side in the same run, interleaved so both see the same machine load: a bare Playwright
// `click()` on the row's 讲解 button + waiting for the button text 结束讲解 in a page of its own. The same for unpin.
import { type Browser, chromium } from 'playwright-core';
import type { PinOutcome } from '../shared/protocol/channels.ts';
import { ChannelsModule } from '../electron/core/channels/module.ts';
import { testCore } from '../tests/helpers/core.ts';
import { startConsoleFixture } from '../tests/fixtures/channels-console/server.ts';
import { summarize } from './stats.ts';

const PINS = Number(process.env.LIVECUE_BENCH_CHANNELS_PINS ?? 100);
const WARMUP = 5;
const ROWS = 60;
const CHROMIUM = process.env.LIVECUE_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update'];

const ROW = '.commodity-list-wrap .table-body-wrap > div > span div.table-row-wrap';
const BUTTON = '.promoting-wrap .action-link span[class*="promoting"]';

const say = (m: string) => process.stderr.write(`bench channelsPin: ${m}\n`);

export async function run(): Promise<Record<string, unknown>> {
  const fixture = await startConsoleFixture({ state: { loggedIn: true, live: true, promoteDelayMs: 40 } });
  const { core } = testCore();
  const channels = new ChannelsModule({
    baseUrl: fixture.url,
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    timings: { watchMs: 500 },
    autoConnect: false,
  });
  let bare: Browser | null = null;
  try {
    channels.attach(core);
    await channels.connect();
    say(`bridge ${channels.connection?.state}`);
    const end = Date.now() + 30_000;
    while (channels.connection?.state !== 'live') {
      if (Date.now() > end) throw new Error('the bridge did not reach the live state');
      await new Promise((r) => setTimeout(r, 100));
    }
    const titles = fixture.state.products.slice(0, ROWS).map((p) => p.title);
    const products: { id: number }[] = [];
    for (const title of titles) {
      const p = await core.call('product.create', { title, price: 100 });
      await core.call('channels.map', { productId: p.id, channelsTitle: title });
      products.push(p);
    }
    const session = await core.call('session.create', { title: 'bench', productIds: products.map((p) => p.id) });
    await core.call('session.start', { sessionId: session.id });

    let waiting: ((outcome: PinOutcome | null) => void) | null = null;
    core.subscribe((e) => {
      if (e.type === 'channels.pin' && waiting) {
        const w = waiting;
        waiting = null;
        w(e.outcome);
      }
    });
    const timed = async (fn: () => Promise<unknown>) => {
      const done = new Promise<PinOutcome | null>((resolve) => {
        waiting = resolve;
        setTimeout(() => resolve(null), 5000);
      });
      const t0 = performance.now();
      await fn();
      const outcome = await done;
      if (!outcome?.ok) say(`failed: ${outcome?.message ?? 'no outcome within 5 s'}`);
      return { ms: performance.now() - t0, ok: !!outcome?.ok };
    };

    say('lineup ready');
    bare = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    say('bare browser up');
    const page = await bare.newPage();
    await page.goto(`${fixture.url}/platform/live/commodity/onsale/index`);
    await page.locator(ROW).nth(ROWS - 1).waitFor({ state: 'attached' });
    say('bare page ready');
    const bareToggle = async (index: number, want: string) => {
      const button = page.locator(ROW).nth(index).locator(BUTTON);
      const t0 = performance.now();
      await button.click();
      await button.filter({ hasText: new RegExp(`^${want}$`) }).waitFor({ state: 'attached', timeout: 3000 });
      return performance.now() - t0;
    };

    const pin: number[] = [];
    const unpin: number[] = [];
    const barePin: number[] = [];
    const bareUnpin: number[] = [];
    let failures = 0;
    for (let i = 0; i < PINS + WARMUP; i++) {
      const row = (i * 37 + 11) % ROWS; // spread over the whole list, far rows included
      if (i === 0) say('first pin');
      const p = await timed(() => core.call('session.pin', { sessionId: session.id, productId: products[row]!.id }));
      const u = await timed(() => core.call('session.unpin', { sessionId: session.id }));
      // the bare page shows the list as it loaded it; give it a row LiveCue did not just touch
      const other = (row + 30) % ROWS;
      const bp = await bareToggle(other, '结束讲解').catch(() => NaN);
      const bu = await bareToggle(other, '讲解').catch(() => NaN);
      if (!p.ok || !u.ok) failures++;
      if (i % 20 === 0) say(`${i} pins`);
      if (i < WARMUP) continue;
      pin.push(p.ms);
      unpin.push(u.ms);
      if (!Number.isNaN(bp)) barePin.push(bp);
      if (!Number.isNaN(bu)) bareUnpin.push(bu);
    }
    const a = summarize(pin);
    const b = summarize(barePin);
    const c = summarize(unpin);
    const d = summarize(bareUnpin);
    const ratio = (x: number, y: number) => Math.round((x / y) * 100) / 100;
    return {
      channelsPin: {
        pins: a.n,
        rows: ROWS,
        failures,
        pinP50Ms: a.p50,
        pinP95Ms: a.p95,
        barePinP50Ms: b.p50,
        barePinP95Ms: b.p95,
        pinP95VsBare: ratio(a.p95, b.p95),
        unpinP50Ms: c.p50,
        unpinP95Ms: c.p95,
        bareUnpinP50Ms: d.p50,
        bareUnpinP95Ms: d.p95,
        unpinP95VsBare: ratio(c.p95, d.p95),
        goal: 'p95 < 500 ms and ≤ 1.5 × bare',
      },
    };
  } finally {
    await bare?.close().catch(() => {});
    await channels.stop();
    core.close();
    await fixture.close();
  }
}
