// Drives the 视频号助手 web console in the user's own browser: detects login / live state, clicks 讲解 / 结束讲解 on the
// on-sale products page, and hands every live/msg response of the console to the caller. Everything it touches on the
// console comes from the console map. It never throws into its caller: failures become states and pin outcomes.
import type { BrowserContext, Frame, Page, Response } from 'playwright-core';
import type { ChannelsState, ConsoleProduct, PinFailure } from '../../../shared/protocol/channels.ts';
import { type ConsoleMap, consoleUrl, pageKind } from './map.ts';
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

export interface PromoteTarget {
  channelsProductId: string | null;
  title: string | null;
}

export type PromoteResult = { ok: true; clicked: boolean } | { ok: false; reason: PinFailure; message: string };

const REASONS: Record<PinFailure, string> = {
  not_connected: '未连接视频号控制台 / the Channels console is not connected',
  logged_out: '视频号助手已退出登录，请扫码重新登录 / logged out of the Channels console: scan the QR code again',
  not_live: '视频号当前未开播 / Channels is not live',
  product_missing: '直播商品列表中没有这个商品 / the product is not in the live product list',
  page_changed: '视频号控制台页面已变化，请运行自检 / the console page changed: run the self-check',
  not_confirmed: '已点击，但按钮状态未变化 / clicked, but the button did not change',
  timeout: '视频号控制台响应超时 / the Channels console did not answer in time',
};

export const fail = (reason: PinFailure, extra?: string): PromoteResult => ({
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

/** Page-side search through a virtual-scroll list: only the visible rows exist in the DOM, so scroll and look. */
interface SearchArgs {
  list: string;
  row: string;
  rowId: string;
  rowTitle: string;
  button: string;
  idPattern: string;
  id: string | null;
  title: string | null;
  token: string;
  scan: boolean;
}
interface SearchResult {
  found: boolean;
  noList?: boolean;
  button?: string | null;
  rows?: { id: string | null; title: string; button: string | null }[];
}

async function searchList(a: SearchArgs): Promise<SearchResult> {
  const list = document.querySelector(a.list) as HTMLElement | null;
  if (!list) return { found: false, noList: true };
  const re = new RegExp(a.idPattern);
  const norm = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
  const read = (el: Element) => {
    const m = re.exec(el.querySelector(a.rowId)?.textContent ?? '');
    const btn = el.querySelector(a.button);
    return { id: m ? (m[1] ?? m[0]) : null, title: norm(el.querySelector(a.rowTitle)?.textContent), button: btn ? norm(btn.textContent) : null };
  };
  const wanted = (r: { id: string | null; title: string }) => (a.id ? r.id === a.id : !!a.title && r.title === norm(a.title));
  // the element that actually scrolls: the list itself or the nearest scrollable ancestor
  let box: HTMLElement = list;
  while (box.parentElement && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
  if (box.scrollHeight <= box.clientHeight + 1) box = (document.scrollingElement as HTMLElement) ?? list;
  const settle = () =>
    new Promise<void>((r) => {
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          setTimeout(r, 0);
        }
      };
      requestAnimationFrame(finish);
      // a hidden tab may produce no frames: do not wait for one
      setTimeout(finish, 40);
    });
  const seen = new Map<string, { id: string | null; title: string; button: string | null }>();
  const look = () => {
    for (const el of list.querySelectorAll(a.row)) {
      const r = read(el);
      if (a.scan) seen.set(r.id ?? r.title, r);
      else if (wanted(r)) {
        el.setAttribute('data-livecue-row', a.token);
        return r;
      }
    }
    return null;
  };
  let hit = look();
  if (hit) return { found: true, button: hit.button };
  box.scrollTop = 0;
  box.dispatchEvent(new Event('scroll'));
  await settle();
  for (let i = 0; i < 5000; i++) {
    hit = look();
    if (hit) return { found: true, button: hit.button };
    const before = box.scrollTop;
    if (before + box.clientHeight >= box.scrollHeight - 1) break;
    box.scrollTop = before + Math.max(20, Math.floor(box.clientHeight * 0.8));
    box.dispatchEvent(new Event('scroll'));
    await settle();
    if (box.scrollTop === before) break;
  }
  return { found: false, rows: a.scan ? [...seen.values()] : undefined };
}

/** Page-side: the promote button text of the row with this id/title among the rows rendered now. */
function buttonOf(a: SearchArgs): string | null | undefined {
  const re = new RegExp(a.idPattern);
  const norm = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
  for (const el of document.querySelectorAll(`${a.list} ${a.row}`)) {
    const m = re.exec(el.querySelector(a.rowId)?.textContent ?? '');
    const id = m ? (m[1] ?? m[0]) : null;
    const match = a.id ? id === a.id : norm(el.querySelector(a.rowTitle)?.textContent) === norm(a.title);
    if (match) return norm(el.querySelector(a.button)?.textContent) || null;
  }
  return undefined;
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
  private tokenSeq = 0;
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

  /** The micro-app iframe's frame of a console page (the console renders its pages inside a wujie iframe). */
  async microFrame(page: Page, timeout: number): Promise<Frame | null> {
    try {
      const handle = await page.waitForSelector(this.map.selectors.microAppIframe, { timeout, state: 'attached' });
      const frame = await handle.contentFrame();
      if (frame) await frame.waitForLoadState('domcontentloaded', { timeout }).catch(() => {});
      return frame;
    } catch {
      return null;
    }
  }

  /** Reads the state of a console page: its URL says login / home, the live control iframe says live or not. */
  async detect(page: Page, waitMs = 1500): Promise<ChannelsState> {
    const kind = pageKind(this.map, page.url());
    if (kind === 'login') return 'login_required';
    if (kind === 'other') {
      // a login prompt may appear off the usual URL (re-login dialog)
      const qr = await page.locator(this.map.selectors.loginQrCode).count().catch(() => 0);
      return qr > 0 ? 'login_required' : 'not_live';
    }
    await this.readAccount(page);
    if (kind !== 'liveControl') return 'not_live';
    const frame = await this.microFrame(page, waitMs);
    if (!frame) return 'not_live';
    const s = this.map.selectors;
    try {
      const which = await frame.waitForSelector(`${s.liveMarker}, ${s.notLiveMarker}, ${s.loginQrCode}`, { timeout: waitMs, state: 'attached' });
      if (await which.evaluate((el, sel) => el.matches(sel), s.liveMarker)) return 'live';
      if (await which.evaluate((el, sel) => el.matches(sel), s.loginQrCode)) return 'login_required';
    } catch {
      /* neither marker: treat as not live */
    }
    return 'not_live';
  }

  private async readAccount(page: Page) {
    const name = await page
      .locator(this.map.selectors.accountName)
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => null);
    if (name?.trim()) this.account = name.trim().slice(0, 80);
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
      const kind = pageKind(this.map, this.livePage.url());
      const since = Date.now() - this.lastNavAt;
      if (state === 'not_live' && (before === 'login_required' || kind !== 'liveControl' || since > this.timings.notLiveRecheckMs)) {
        // just logged in (the console lands on its home page), or waiting for a live room to start
        await this.openLiveControl();
        this.setState(await this.detect(this.livePage));
      } else if (state === 'live' && since > this.timings.staleFeedMs && Date.now() - this.lastFeedAt > this.timings.staleFeedMs) {
        this.log('channels: no live/msg response for a while, reloading the live control page');
        await this.openLiveControl();
      }
      if (this.state === 'live' && (!this.productsPage || this.productsPage.isClosed())) await this.openProducts(this.timings.navTimeoutMs);
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

  private searchArgs(target: PromoteTarget, scan = false): SearchArgs {
    const s = this.map.selectors;
    return {
      list: s.productList,
      row: s.productRow,
      rowId: s.productRowId,
      rowTitle: s.productRowTitle,
      button: s.promoteButton,
      idPattern: this.map.productIdPattern,
      id: target.channelsProductId,
      title: target.title,
      token: `t${++this.tokenSeq}`,
      scan,
    };
  }

  /** The on-sale list's frame, ready to search; or why it is not. */
  private async productsFrame(deadline: Deadline): Promise<Frame | PromoteResult> {
    if (!this.context) return fail('not_connected');
    if (this.state === 'login_required') return fail('logged_out');
    if (this.state !== 'live') return fail(this.state === 'not_live' ? 'not_live' : 'not_connected');
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
    // a loaded page shows its iframe and list at once; waiting the whole budget for a renamed one would only hide the
    // reason, so a missing element is reported as a page change after a short wait
    const shortWait = () => Math.max(200, Math.min(deadline.left() - 300, 1500));
    const frame = await this.microFrame(page, shortWait());
    if (!frame) return fail('page_changed', this.map.selectors.microAppIframe);
    const list = await frame.waitForSelector(this.map.selectors.productList, { timeout: shortWait(), state: 'attached' }).catch(() => null);
    if (!list) {
      if (await frame.locator(this.map.selectors.loginQrCode).count().catch(() => 0)) return fail('logged_out');
      return fail('page_changed', this.map.selectors.productList);
    }
    // a notice dialog the console sometimes shows over the list
    const close = frame.locator(this.map.selectors.dialogClose);
    if (await close.count().catch(() => 0)) await close.first().click({ timeout: 300 }).catch(() => {});
    return frame;
  }

  /** Clicks 讲解 (on = true) or 结束讲解 on the product and waits until its button shows the new state. */
  async promote(target: PromoteTarget, on: boolean): Promise<PromoteResult> {
    // the inner deadline ends a little early so the reason is the real one (not_confirmed …) rather than the budget's
    const deadline = new Deadline(this.timings.pinBudgetMs - 150);
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<PromoteResult>((resolve) => {
      timer = setTimeout(() => resolve(fail('timeout')), this.timings.pinBudgetMs);
    });
    try {
      return await Promise.race([this.promoteInner(target, on, deadline), budget]);
    } catch (error) {
      return fail(this.context ? 'page_changed' : 'not_connected', firstLine(error));
    } finally {
      clearTimeout(timer);
    }
  }

  private async promoteInner(target: PromoteTarget, on: boolean, deadline: Deadline): Promise<PromoteResult> {
    const { promote, endPromote } = this.map.texts;
    const want = on ? endPromote : promote;
    const from = on ? promote : endPromote;
    const frameOr = await this.productsFrame(deadline);
    if (!('evaluate' in frameOr)) return frameOr;
    let frame = frameOr;
    let args = this.searchArgs(target);
    let found = await frame.evaluate(searchList, args);
    if (!found.found && !found.noList && Date.now() - this.productsLoadedAt > 10_000 && deadline.left(0) > 1500) {
      // the list may predate a product added to the live room: load it afresh once
      this.productsLoadedAt = 0;
      const again = await this.productsFrame(deadline);
      if (!('evaluate' in again)) return again;
      frame = again;
      args = this.searchArgs(target);
      found = await frame.evaluate(searchList, args);
    }
    if (found.noList) return fail('page_changed', this.map.selectors.productList);
    if (!found.found) return fail('product_missing', target.channelsProductId ?? target.title ?? '');
    if (found.button === want) return { ok: true, clicked: false };
    if (found.button !== from) return fail('page_changed', `button “${found.button ?? '—'}”`);
    const button = frame.locator(`[data-livecue-row="${args.token}"] ${this.map.selectors.promoteButton}`).first();
    try {
      await button.click({ timeout: Math.min(1500, deadline.left()) });
    } catch {
      // a backgrounded tab can stall Playwright's actionability checks; the element's own click still reaches the page
      const clicked = await button.evaluate((el) => (el as HTMLElement).click()).then(
        () => true,
        () => false,
      );
      if (!clicked) return fail(deadline.over ? 'timeout' : 'page_changed', 'promote button');
    }
    while (!deadline.over) {
      const now = await frame.evaluate(buttonOf, args).catch(() => undefined);
      if (now === want) return { ok: true, clicked: true };
      await new Promise((r) => setTimeout(r, 50));
    }
    return fail('not_confirmed');
  }

  /** Every product in the on-sale list (for the mapping screen). */
  async listProducts(): Promise<ConsoleProduct[] | PromoteResult> {
    const deadline = new Deadline(15_000);
    const frame = await this.productsFrame(deadline);
    if (!('evaluate' in frame)) return frame;
    const res = await frame.evaluate(searchList, this.searchArgs({ channelsProductId: null, title: null }, true));
    if (res.noList) return fail('page_changed', this.map.selectors.productList);
    return (res.rows ?? []).map((r) => ({ channelsProductId: r.id, title: r.title, promoting: r.button === this.map.texts.endPromote }));
  }
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
