// Drives the 视频号助手 web console in the user's own browser: detects login / live state, clicks 讲解 / 结束讲解 on the
// on-sale products page by 序号, posts comments as the shop, puts comments on screen (上墙), clicks 新消息, and hands every
// live/msg response of the console to the caller. Everything it touches comes from the console map.
//
// The console's micro-app DOM lives in the OPEN shadow root of a <wujie-app class="wujie_iframe"> (Tencent/wujie
// shadow.ts); no iframe holds it. So every read and click goes through page-level Playwright locators, which pierce open
// shadow roots (as the peer qiutongxue/oba-live-tool does); never `document.querySelector` from the page and never
// `contentFrame()`. Inside `evaluateAll` we only look below elements a locator already found.
// It never throws into its caller: failures become states and results with a reason.
import type { BrowserContext, Locator, Page, Response } from 'playwright-core';
import type { ChannelsState, ConsoleProduct, PinFailure } from '../../../shared/protocol/channels.ts';
import { type ConsoleMap, consoleUrl, normTitle, pageKind } from './map.ts';
import { type ParsedFeed, parseLiveMsg } from './parse.ts';

export interface Timings {
  /** a pin on Channels is confirmed or reported failed within this budget */
  pinBudgetMs: number;
  /** how often the live tab's state is looked at */
  watchMs: number;
  /** while logged in but not live, reopen the live control page this often to notice a live room starting */
  notLiveRecheckMs: number;
  /** live, but no live/msg response for this long: the page stopped polling, reload it */
  staleFeedMs: number;
  navTimeoutMs: number;
}

export const DEFAULT_TIMINGS: Timings = {
  pinBudgetMs: 3000,
  watchMs: 2000,
  notLiveRecheckMs: 30_000,
  staleFeedMs: 90_000,
  navTimeoutMs: 20_000,
};

/** response bodies above this are not read (a live/msg poll is a few KB); keeps an 8-hour session's memory flat */
const MAX_BODY_BYTES = 1024 * 1024;
/** how often a click's result is looked for */
const CONFIRM_POLL_MS = 15;

export interface BridgeOptions {
  map: ConsoleMap;
  profileDir: string;
  executablePath: string;
  headless: boolean;
  args?: string[];
  timings?: Partial<Timings>;
  log?: (line: string) => void;
  onState?: (state: ChannelsState, info: { account: string | null; detail?: string }) => void;
  onFeed?: (feed: ParsedFeed) => void;
}

/** which row to 讲解: by the title mapped in LiveCue (the 序号 is read from the list now), or by a 序号 directly */
export type RowTarget = { title: string } | { seq: number };

export type ActResult =
  | { ok: true; clicked: boolean; seq: number | null; title: string | null; popped?: boolean }
  | { ok: false; reason: PinFailure; message: string };

const REASONS: Record<PinFailure, string> = {
  not_connected: '未连接视频号控制台 / the Channels console is not connected',
  logged_out: '视频号助手已退出登录，请扫码重新登录 / logged out of the Channels console: scan the QR code again',
  not_live: '视频号当前未开播 / Channels is not live',
  product_missing: '直播商品列表中没有这个商品 / the product is not in the live product list',
  not_mapped: '该商品未对应视频号商品 / this product is not mapped to a Channels product',
  page_changed: '视频号控制台页面已变化，请运行自检 / the console page changed: run the self-check',
  not_confirmed: '已点击，但控制台状态未变化 / clicked, but the console did not change',
  refused: '视频号控制台拒绝了这次操作 / the console refused',
  timeout: '视频号控制台响应超时 / the Channels console did not answer in time',
};

export const fail = (reason: PinFailure, extra?: string): ActResult & { ok: false } => ({
  ok: false,
  reason,
  message: extra ? `${REASONS[reason]} (${extra})` : REASONS[reason],
});

class Deadline {
  readonly end: number;
  constructor(ms: number) {
    this.end = Date.now() + ms;
  }
  left(min = 50): number {
    return Math.max(min, this.end - Date.now());
  }
  get over(): boolean {
    return Date.now() >= this.end;
  }
}

/** One row of the on-sale list as read from the page. */
export interface ConsoleRow {
  seq: number | null;
  title: string;
  price: string;
  image: string | null;
  button: string | null;
}

const exactText = (s: string) => new RegExp(`^\\s*${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** "¥1,299.00" → 129900 fen; null when the cell shows no price */
export function priceFen(text: string): number | null {
  const m = /(\d[\d,]*)(?:\.(\d{1,2}))?/.exec(text);
  if (!m) return null;
  return Number(m[1]!.replace(/,/g, '')) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

/** Picks the row for a title: exact first, then the normal form; several rows with the same normal form is ambiguous. */
export function matchRow(rows: ConsoleRow[], title: string): { row: ConsoleRow } | { missing: true } | { ambiguous: number } {
  const exact = rows.filter((r) => r.title === title.trim());
  if (exact.length >= 1) return { row: exact[0]! };
  const n = normTitle(title);
  const loose = rows.filter((r) => normTitle(r.title) === n);
  if (loose.length === 1) return { row: loose[0]! };
  if (loose.length > 1) return { ambiguous: loose.length };
  return { missing: true };
}

export class ConsoleBridge {
  readonly map: ConsoleMap;
  readonly timings: Timings;
  private readonly options: BridgeOptions;
  private readonly log: (line: string) => void;
  private context: BrowserContext | null = null;
  private livePage: Page | null = null;
  private productsPage: Page | null = null;
  private productsLoadedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopping = false;
  private lastNavAt = 0;
  private accountTried = false;
  /** one action at a time per tab: a 讲解 never interleaves with another */
  private productsLock: Promise<unknown> = Promise.resolve();
  private liveLock: Promise<unknown> = Promise.resolve();
  state: ChannelsState = 'off';
  account: string | null = null;
  lastFeedAt = 0;

  constructor(options: BridgeOptions) {
    this.options = options;
    this.map = options.map;
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.log = options.log ?? (() => {});
  }

  get running(): boolean {
    return this.context !== null;
  }

  get browserContext(): BrowserContext | null {
    return this.context;
  }

  /** Opens the browser on the live control page. Never throws: a browser that cannot start becomes state 'error'. */
  async start(): Promise<void> {
    if (this.context) return;
    this.stopping = false;
    this.setState('starting');
    try {
      // loaded on first connect: a desk that never uses Channels does not pay for Playwright at start-up
      const { chromium } = await import('playwright-core');
      this.context = await chromium.launchPersistentContext(this.options.profileDir, {
        executablePath: this.options.executablePath,
        headless: this.options.headless,
        args: this.options.args ?? [],
        viewport: null,
        // the console is Chinese; keep its texts the ones in the map
        locale: 'zh-CN',
        timeout: this.timings.navTimeoutMs,
      });
    } catch (error) {
      this.context = null;
      this.setState('error', `浏览器无法启动 / the browser did not start: ${firstLine(error)}`);
      return;
    }
    const ctx = this.context;
    ctx.on('response', (r) => void this.onResponse(r));
    ctx.on('close', () => {
      if (this.context !== ctx) return;
      this.context = null;
      this.livePage = this.productsPage = null;
      this.clearTimer();
      if (!this.stopping) this.setState('off', '浏览器已关闭 / the browser was closed');
    });
    this.livePage = ctx.pages()[0] ?? (await ctx.newPage());
    this.watchPage(this.livePage);
    await this.openLiveControl();
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.timings.watchMs);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.clearTimer();
    const ctx = this.context;
    this.context = null;
    this.livePage = this.productsPage = null;
    if (ctx) await ctx.close().catch(() => {});
    this.setState('off');
  }

  private clearTimer() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private reportedAccount: string | null = null;

  private setState(state: ChannelsState, detail?: string) {
    const changed = state !== this.state || this.account !== this.reportedAccount;
    this.state = state;
    this.reportedAccount = this.account;
    if (state === 'login_required') this.accountTried = false;
    if (changed || detail) this.options.onState?.(state, { account: this.account, detail });
  }

  private watchPage(page: Page) {
    page.on('crash', () => {
      this.log('channels: console page crashed, reloading');
      void page.reload({ timeout: this.timings.navTimeoutMs }).catch(() => {});
    });
  }

  private async openLiveControl(): Promise<void> {
    const page = this.livePage;
    if (!page) return;
    this.lastNavAt = Date.now();
    try {
      await page.goto(consoleUrl(this.map, 'liveControl'), { waitUntil: 'domcontentloaded', timeout: this.timings.navTimeoutMs });
    } catch (error) {
      this.log(`channels: opening the live control page failed: ${firstLine(error)}`);
    }
  }

  /**
   * The state of a console page, the peer's way (index.ts connect): the login URL = logged out; the comment box on the
   * live control page = live; the console leaving liveBuild for the home page = logged in, not live.
   */
  async detect(page: Page, waitMs = 1500): Promise<ChannelsState> {
    const s = this.map.selectors;
    let kind = pageKind(this.map, page.url());
    if (kind === 'login') return 'login_required';
    if (kind === 'liveControl') {
      const marker = page.locator(s.liveMarker);
      if ((await marker.count().catch(() => 0)) > 0) return 'live';
      // still loading, or about to leave for the home page
      await Promise.race([
        marker.first().waitFor({ state: 'attached', timeout: waitMs }),
        page.waitForURL((u) => pageKind(this.map, u.href) !== 'liveControl', { timeout: waitMs, waitUntil: 'commit' }),
      ]).catch(() => {});
      kind = pageKind(this.map, page.url());
      if (kind === 'login') return 'login_required';
      if (kind === 'liveControl' && (await marker.count().catch(() => 0)) > 0) return 'live';
    }
    // a login prompt may appear off the usual URL (re-login dialog)
    if ((await page.locator(s.loginQrCode).count().catch(() => 0)) > 0) return 'login_required';
    if (kind === 'home') await this.readAccount(page, 300);
    return 'not_live';
  }

  private async readAccount(page: Page, timeout: number): Promise<boolean> {
    const name = await page
      .locator(this.map.selectors.accountName)
      .first()
      .textContent({ timeout })
      .catch(() => null);
    if (name?.trim()) {
      this.account = name.trim().slice(0, 80);
      return true;
    }
    return false;
  }

  /** The peer reads the account name on /platform in a tab of its own: a narrow window hides it elsewhere. */
  private async readAccountInOwnTab(): Promise<void> {
    if (!this.context || this.accountTried || this.account) return;
    this.accountTried = true;
    const tab = await this.context.newPage();
    try {
      await tab.goto(consoleUrl(this.map, 'home'), { waitUntil: 'domcontentloaded', timeout: this.timings.navTimeoutMs });
      await this.readAccount(tab, 3000);
    } catch (error) {
      this.log(`channels: reading the account name failed: ${firstLine(error)}`);
    } finally {
      await tab.close().catch(() => {});
    }
  }

  /** The watchdog: follows the live tab through logins, reloads and live rooms starting and ending. */
  private async tick(): Promise<void> {
    if (this.ticking || !this.context || this.stopping) return;
    this.ticking = true;
    try {
      if (!this.livePage || this.livePage.isClosed()) {
        this.livePage = await this.context.newPage();
        this.watchPage(this.livePage);
        await this.openLiveControl();
      }
      const before = this.state;
      const state = await this.detect(this.livePage);
      if (this.stopping) return;
      this.setState(state);
      const since = Date.now() - this.lastNavAt;
      if (state === 'not_live' && (before === 'login_required' || since > this.timings.notLiveRecheckMs)) {
        // just logged in (the console lands on its home page), or waiting for a live room to start
        await this.openLiveControl();
        this.setState(await this.detect(this.livePage));
      } else if (state === 'live' && since > this.timings.staleFeedMs && Date.now() - this.lastFeedAt > this.timings.staleFeedMs) {
        this.log('channels: no live/msg response for a while, reloading the live control page');
        await this.openLiveControl();
      }
      if (this.state === 'live') {
        await this.clickNewMessages();
        if (!this.account) {
          await this.readAccountInOwnTab();
          if (this.account) this.setState(this.state);
        }
        if (!this.productsPage || this.productsPage.isClosed()) await this.withProducts(() => this.openProducts(this.timings.navTimeoutMs));
      }
    } catch (error) {
      this.log(`channels: watch failed: ${firstLine(error)}`);
    } finally {
      this.ticking = false;
    }
  }

  private async onResponse(response: Response): Promise<void> {
    const spec = this.map.responses.liveMsg;
    if (!response.url().includes(spec.urlIncludes)) return;
    try {
      const length = Number(response.headers()['content-length'] ?? 0);
      if (length > MAX_BODY_BYTES) return;
      const body = await response.body();
      if (body.length > MAX_BODY_BYTES) return;
      const feed = parseLiveMsg(this.map, JSON.parse(body.toString('utf8')));
      this.lastFeedAt = Date.now();
      if (feed.loggedOut) this.setState('login_required');
      this.options.onFeed?.(feed);
    } catch (error) {
      // a page navigating away drops its bodies; a non-JSON body is not ours to read
      this.log(`channels: live/msg response skipped: ${firstLine(error)}`);
    }
  }

  private withProducts<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.productsLock.then(fn, fn);
    this.productsLock = run.catch(() => {});
    return run;
  }

  private withLive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.liveLock.then(fn, fn);
    this.liveLock = run.catch(() => {});
    return run;
  }

  // ---- the on-sale products page: 讲解 by 序号 ----

  private async openProducts(timeout: number): Promise<Page | null> {
    if (!this.context) return null;
    if (!this.productsPage || this.productsPage.isClosed()) {
      this.productsPage = await this.context.newPage();
      this.watchPage(this.productsPage);
      this.productsLoadedAt = 0;
    }
    const page = this.productsPage;
    if (!this.productsLoadedAt || pageKind(this.map, page.url()) !== 'onSale') {
      await page.goto(consoleUrl(this.map, 'onSale'), { waitUntil: 'domcontentloaded', timeout });
      this.productsLoadedAt = Date.now();
    }
    return page;
  }

  /** A room action on the live page: serialised with the other live-page work, within the pin budget, refused with its
   *  reason when the console is not connected, logged out or not live. */
  private onLivePage(fn: (page: NonNullable<ConsoleBridge['livePage']>, deadline: Deadline) => Promise<ActResult>): Promise<ActResult> {
    return this.withLive(() =>
      this.budget(async (deadline) => {
        const closed = this.gate();
        if (closed) return closed;
        const page = this.livePage;
        if (!page) return fail('not_connected');
        return fn(page, deadline);
      }),
    );
  }

  private gate(): ActResult | null {
    if (!this.context) return fail('not_connected');
    if (this.state === 'login_required') return fail('logged_out');
    if (this.state !== 'live') return fail(this.state === 'not_live' ? 'not_live' : 'not_connected');
    return null;
  }

  /** The on-sale page with its rows read, ready to click; or why it is not. */
  private async productsReady(deadline: Deadline): Promise<{ page: Page; rows: ConsoleRow[] } | (ActResult & { ok: false })> {
    const closed = this.gate();
    if (closed && !closed.ok) return closed;
    let page: Page | null;
    try {
      page = await this.openProducts(deadline.left());
    } catch (error) {
      return fail(deadline.over ? 'timeout' : 'page_changed', firstLine(error));
    }
    if (!page) return fail('not_connected');
    const kind = pageKind(this.map, page.url());
    if (kind === 'login') {
      this.setState('login_required');
      return fail('logged_out');
    }
    if (kind !== 'onSale') return fail('page_changed', `URL ${safeUrl(page.url())}`);
    const s = this.map.selectors;
    let rows = await this.readRows(page);
    if (!rows.length) {
      // a loaded page shows its rows at once; waiting the whole budget for a renamed one would only hide the reason
      const shortWait = Math.max(200, Math.min(deadline.left() - 300, 1500));
      await page.locator(s.productRow).first().waitFor({ state: 'attached', timeout: shortWait }).catch(() => {});
      rows = await this.readRows(page);
    }
    if (!rows.length) {
      if (await page.locator(s.loginQrCode).count().catch(() => 0)) return fail('logged_out');
      const list = await page.locator(s.productList).count().catch(() => 0);
      return list ? fail('product_missing', '直播商品列表为空 / the live product list is empty') : fail('page_changed', s.productRow);
    }
    // the notice the products page sometimes shows (peer overlays.CLOSE_BUTTON); dispatchEvent reaches the row anyway
    const close = page.locator(s.dialogClose);
    if (await close.count().catch(() => 0)) await close.first().dispatchEvent('click', undefined, { timeout: 300 }).catch(() => {});
    return { page, rows };
  }

  readRows(page: Page): Promise<ConsoleRow[]> {
    return readRows(page, this.map);
  }

  /** The 讲解 button of the row showing this 序号, found again at click time. */
  private buttonOf(page: Page, seq: number): Locator {
    const s = this.map.selectors;
    return page
      .locator(s.productRow)
      .filter({ has: page.locator(s.productRowSeq).filter({ hasText: exactText(String(seq)) }) })
      .locator(s.promoteButton)
      .first();
  }

  /** Clicks a row's button the peer's way (dispatchEvent: no actionability wait, works in a background tab) and waits
   *  until the button reads `want`. */
  private async toggle(page: Page, seq: number, want: string, deadline: Deadline): Promise<ActResult | null> {
    const button = this.buttonOf(page, seq);
    try {
      await button.dispatchEvent('click', undefined, { timeout: Math.min(1000, deadline.left()) });
    } catch {
      return fail(deadline.over ? 'timeout' : 'page_changed', `序号 ${seq}`);
    }
    while (!deadline.over) {
      const now = await button.textContent({ timeout: Math.min(300, deadline.left()) }).catch(() => null);
      if (now?.trim() === want) return null;
      await sleep(CONFIRM_POLL_MS);
    }
    return fail('not_confirmed');
  }

  private budget<T extends ActResult>(fn: (deadline: Deadline) => Promise<T>): Promise<ActResult> {
    // the inner deadline ends a little early so the reason is the real one (not_confirmed …) rather than the budget's
    const deadline = new Deadline(this.timings.pinBudgetMs - 150);
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<ActResult>((resolve) => {
      timer = setTimeout(() => resolve(fail('timeout')), this.timings.pinBudgetMs);
    });
    return Promise.race([
      fn(deadline).catch((error: unknown) => fail(this.context ? 'page_changed' : 'not_connected', firstLine(error))),
      cap,
    ]).finally(() => clearTimeout(timer));
  }

  /**
   * 讲解 the row (by title, or by 序号). When it is on 讲解 already, `repop` clicks 结束讲解 then 讲解 so the card pops
   * again, as the host expects from a re-pin (peer helper.ts toggleButton does the same).
   */
  explain(target: RowTarget, repop = true): Promise<ActResult> {
    return this.withProducts(() =>
      this.budget(async (deadline) => {
        const { promote, endPromote } = this.map.texts;
        const ready = await this.productsReady(deadline);
        if ('ok' in ready) return ready;
        let found = pick(ready.rows, target);
        if ('missing' in found && Date.now() - this.productsLoadedAt > 10_000 && deadline.left(0) > 1500) {
          // the list may predate a product added to the live room: load it afresh once
          this.productsLoadedAt = 0;
          const again = await this.productsReady(deadline);
          if ('ok' in again) return again;
          found = pick(again.rows, target);
        }
        if ('ambiguous' in found) return fail('product_missing', `${found.ambiguous} 行同名 / ${found.ambiguous} rows match`);
        if ('missing' in found) return fail('product_missing', 'title' in target ? target.title : `序号 ${target.seq}`);
        const row = found.row;
        if (row.seq === null) return fail('page_changed', `序号 ${this.map.selectors.productRowSeq}`);
        let popped = false;
        if (row.button === endPromote) {
          if (!repop) return { ok: true, clicked: false, seq: row.seq, title: row.title };
          const off = await this.toggle(ready.page, row.seq, promote, deadline);
          if (off) return off;
          popped = true;
        } else if (row.button !== promote) return fail('page_changed', `button “${row.button ?? '—'}”`);
        const on = await this.toggle(ready.page, row.seq, endPromote, deadline);
        return on ?? { ok: true, clicked: true, seq: row.seq, title: row.title, popped };
      }),
    );
  }

  /** 结束讲解 on whatever row shows it (normally one). ok with clicked false when nothing was on 讲解. */
  endExplain(): Promise<ActResult> {
    return this.withProducts(() =>
      this.budget(async (deadline) => {
        const ready = await this.productsReady(deadline);
        if ('ok' in ready) return ready;
        const on = ready.rows.filter((r) => r.button === this.map.texts.endPromote && r.seq !== null);
        for (const row of on) {
          const off = await this.toggle(ready.page, row.seq!, this.map.texts.promote, deadline);
          if (off) return off;
        }
        return { ok: true, clicked: on.length > 0, seq: on[0]?.seq ?? null, title: on[0]?.title ?? null };
      }),
    );
  }

  /** Every row of the on-sale list (for the mapping screen). */
  listProducts(): Promise<ConsoleProduct[] | ActResult> {
    return this.withProducts(async () => {
      const ready = await this.productsReady(new Deadline(15_000));
      if ('ok' in ready) return ready;
      return ready.rows
        .map((r) => ({ seq: r.seq, title: r.title, priceFen: priceFen(r.price), image: r.image, promoting: r.button === this.map.texts.endPromote }))
        .sort((a, b) => (a.seq ?? 1e9) - (b.seq ?? 1e9));
    });
  }

  // ---- the live control page: comments ----

  /** Clicks the 新消息 button when it shows (peer index.ts pinComment: new comments load only after it). */
  async clickNewMessages(): Promise<boolean> {
    const page = this.livePage;
    if (!page || this.state !== 'live') return false;
    const more = page.locator(this.map.selectors.newMessages).first();
    if (!(await more.isVisible().catch(() => false))) return false;
    return more.dispatchEvent('click', undefined, { timeout: 500 }).then(
      () => true,
      () => false,
    );
  }

  /** Posts a comment as the shop: fill the box, click 发送 (Enter when there is no button), confirmed by the box
   *  emptying (peer helper.ts comment). */
  sendComment(text: string): Promise<ActResult> {
    return this.onLivePage(async (page, deadline) => {
      const s = this.map.selectors;
      const box = page.locator(s.commentInput).first();
      try {
        await box.fill(text, { timeout: Math.min(1500, deadline.left()) });
      } catch {
        return fail('page_changed', s.commentInput);
      }
      const send = page.locator(s.commentSend).first();
      if ((await send.count().catch(() => 0)) > 0) {
        const cls = (await send.getAttribute('class', { timeout: 300 }).catch(() => '')) ?? '';
        if (cls.split(/\s+/).includes(this.map.texts.disabledClass)) return fail('refused', '发送按钮不可用 / the send button is disabled');
        await send.dispatchEvent('click', undefined, { timeout: 500 }).catch(() => {});
      } else await box.press('Enter', { timeout: 500 }).catch(() => {});
      while (!deadline.over) {
        const left = await box.inputValue({ timeout: 300 }).catch(() => null);
        if (left === '') return { ok: true, clicked: true, seq: null, title: null };
        await sleep(30);
      }
      return fail('refused', '评论框仍保留文字 / the console kept the text');
    });
  }

  /** 上墙: opens the action popover of the newest comment with this text (and nickname, when the row shows one) and
   *  clicks 上墙 (peer index.ts pinComment). The console's 10017 message confirms it afterwards. */
  pinComment(nickname: string, content: string): Promise<ActResult> {
    return this.onLivePage(async (page, deadline) => {
      const s = this.map.selectors;
      await this.clickNewMessages();
      const items = page.locator(s.commentItem);
      const seen = await items
        .evaluateAll(
          (els, a) =>
            els.map((el) => ({
              text: (el.querySelector(a.text)?.textContent ?? '').trim(),
              nick: (el.querySelector(a.nick)?.textContent ?? '').trim(),
            })),
          { text: s.commentText, nick: s.commentNickname },
        )
        .catch(() => [] as { text: string; nick: string }[]);
      let index = -1;
      for (let i = seen.length - 1; i >= 0; i--) {
        const c = seen[i]!;
        if (c.text === content.trim() && (!c.nick || !nickname || c.nick === nickname)) {
          index = i;
          break;
        }
      }
      if (index < 0) return fail(seen.length ? 'product_missing' : 'page_changed', `评论不在列表中 / the comment is not in the list: ${content.slice(0, 20)}`);
      try {
        await items.nth(index).locator(s.commentText).first().dispatchEvent('click', undefined, { timeout: 500 });
        const action = page.locator(s.commentAction).filter({ hasText: exactText(this.map.texts.pinComment) }).first();
        await action.waitFor({ state: 'visible', timeout: Math.min(1500, deadline.left()) });
        await action.dispatchEvent('click', undefined, { timeout: 500 });
      } catch {
        return fail('page_changed', `${s.commentAction} “${this.map.texts.pinComment}”`);
      }
      return { ok: true, clicked: true, seq: null, title: null };
    });
  }
}

/** Every row, read in one round trip below the rows the (shadow-piercing) locator found. */
export async function readRows(page: Page, map: ConsoleMap): Promise<ConsoleRow[]> {
    const s = map.selectors;
    return page
      .locator(s.productRow)
      .evaluateAll(
        (els, a) => {
          const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
          return els.map((el) => {
            // the 序号 is the span after the row's input, parsed with parseInt (peer IElementFinder.ts)
            const n = Number.parseInt(text(el.querySelector(a.seq)), 10);
            const img = el.querySelector(a.image);
            return {
              seq: Number.isNaN(n) ? null : n,
              title: text(el.querySelector(a.title)),
              price: text(el.querySelector(a.price)),
              image: img?.getAttribute('src') ?? null,
              button: el.querySelector(a.button) ? text(el.querySelector(a.button)) : null,
            };
          });
        },
        { seq: s.productRowSeq, title: s.productRowTitle, price: s.productRowPrice, image: s.productRowImage, button: s.promoteButton },
      )
      .catch(() => [] as ConsoleRow[]);
  }

function pick(rows: ConsoleRow[], target: RowTarget) {
  if ('seq' in target) {
    const row = rows.find((r) => r.seq === target.seq);
    return row ? { row } : { missing: true as const };
  }
  return matchRow(rows, target.title);
}

export function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!.slice(0, 300);
}

/** a URL without its query: console URLs can carry tokens that must not reach logs or the UI */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.origin + u.pathname;
  } catch {
    return '(invalid URL)';
  }
}
