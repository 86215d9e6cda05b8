// The Channels domain in the core: follows pins in LiveCue and mirrors them to 讲解 on Channels, stores the console's
// comments, keeps the connection status that the status bar shows. All browser work runs off the command path: a slow
// or broken console never delays a pin in LiveCue, and never throws into the core.
import path from 'node:path';
import type {
  ChannelsComment,
  CommentTemplate,
  ChannelsReading,
  ChannelsSettings,
  ChannelsSnapshot,
  ChannelsState,
  ChannelsStatus,
  PinOutcome,
} from '../../../shared/protocol/channels.ts';
import type { SessionState } from '../../../shared/domain.ts';
import type { Core } from '../core.ts';
import { CoreError, notFound } from '../errors.ts';
import type { CoreModule } from '../module.ts';
import { type ActResult, ConsoleBridge, type RowTarget, type Timings } from './bridge.ts';
import { findBrowser } from './browser.ts';
import { type ConsoleMap, defaultMapFile, loadConsoleMap } from './map.ts';
import { DEFAULT_KEYWORDS, type ParsedFeed, matchKeywords } from './parse.ts';
import { ChannelsRepo } from './repo.ts';
import type { RoomControl, RoomEvent } from '../room.ts';
import { runSelfCheck } from './selfcheck.ts';

/** Where the console's figures go besides this domain's own tables: the metrics store connects here (docs/channels.md). */
export interface ChannelsSink {
  onComment(sessionId: number | null, comment: { ts: number; text: string; nickname: string; keywords: string[] }): void;
  onReading(sessionId: number | null, reading: { ts: number; online: number | null; likes: number | null }): void;
}

export interface ChannelsOptions {
  /** console origin (tests: the loopback fixture); default the map's baseUrl */
  baseUrl?: string;
  mapFile?: string;
  /** browser binary; default: the configured one, else the first Chrome/Edge/Chromium found */
  executablePath?: string;
  headless?: boolean;
  args?: string[];
  timings?: Partial<Timings>;
  /** open the console when LiveCue starts (default: when it was connected at the last exit) */
  autoConnect?: boolean;
  sink?: ChannelsSink;
}

export const METRICS_SOURCE = 'channels-console';

const ACTIONS: Record<ChannelsState, string> = {
  off: '点击「连接视频号」打开视频号助手 / Click “Connect” to open the Channels console',
  starting: '正在打开浏览器… / Opening the browser…',
  login_required: '请在弹出的浏览器窗口中用微信扫码登录视频号助手 / Scan the QR code in the browser window with WeChat',
  not_live: '已登录，未开播：开播后 LiveCue 会自动进入直播中控台 / Logged in, not live: start the live room, LiveCue follows',
  live: '直播中：置顶商品会同步为视频号「讲解」 / Live: pins are mirrored to 讲解 on Channels',
  error: '浏览器无法启动 / the browser did not start',
};

const RECENT = 200;

/** the two templates the issue names; the producer edits them under 视频号设置 */
export const DEFAULT_TEMPLATES: CommentTemplate[] = [
  { name: '福利话术', text: '点击下方小黄车，今天直播间专属福利价，库存有限先到先得！' },
  { name: '下单提醒', text: '已经拍下的宝贝记得尽快付款哦，付款后按顺序发货～' },
];

export class ChannelsModule implements CoreModule {
  readonly name = 'channels';
  private readonly options: ChannelsOptions;
  private core!: Core;
  private repo!: ChannelsRepo;
  private map!: ConsoleMap;
  private bridge: ConsoleBridge | null = null;
  private status!: ChannelsStatus;
  private readonly sink: ChannelsSink | null;
  private readonly lastPinned = new Map<number, number | null>();
  /** the product last confirmed as 讲解 on Channels */
  private promoting: number | null = null;
  private liveSessionId: number | null = null;
  private queue: { productId: number | null; startedAt: number } | null = null;
  private working: Promise<void> | null = null;
  private lastReadingEmit = 0;

  constructor(options: ChannelsOptions = {}) {
    this.options = options;
    this.sink = options.sink ?? null;
  }

  attach(core: Core): void {
    this.core = core;
    this.repo = new ChannelsRepo(core.db);
    this.map = loadConsoleMap(this.options.mapFile ?? defaultMapFile(core.resourcesDir), this.options.baseUrl);
    this.status = { state: 'off', action: ACTIONS.off, account: null, browser: null, since: core.now(), lastPin: null, online: null, likes: null, lastFeedAt: null };
    for (const s of core.sessions.activeStates()) {
      this.lastPinned.set(s.id, s.pinned?.id ?? null);
      if (s.status === 'live') this.liveSessionId = s.id;
    }
    core.subscribe((event) => {
      if (event.type === 'session.changed') this.onSession(event.session);
    });
    core.addSnapshotPart('channels', (): ChannelsSnapshot => ({
      status: this.status,
      mappings: this.repo.mappings(),
      settings: this.settings(),
      recent: this.repo.recent(100),
    }));

    core.handle('channels.status', () => this.status);
    core.handle('channels.connect', async () => {
      await this.connect();
      return this.status;
    });
    core.handle('channels.disconnect', async () => {
      this.core.settings.set('channels.connected', false);
      await this.bridge?.stop();
      this.bridge = null;
      return this.status;
    });
    core.handle('channels.mappings', () => this.repo.mappings());
    core.handle('channels.map', ({ productId, channelsTitle }) => {
      if (!core.products.exists(productId)) throw notFound('product', productId);
      const mapping = core.db.transaction(() => this.repo.setMapping(productId, null, channelsTitle, core.now())).immediate();
      this.emitMappings();
      return mapping;
    });
    core.handle('channels.unmap', ({ productId }) => {
      core.db.transaction(() => this.repo.removeMapping(productId)).immediate();
      this.emitMappings();
      return { productId };
    });
    core.handle('channels.consoleProducts', async () => {
      const bridge = this.requireBridge();
      const rows = await bridge.listProducts();
      if (!Array.isArray(rows)) throw new CoreError('unavailable', rows.ok ? 'unavailable' : rows.message);
      return rows;
    });
    core.handle('channels.sendComment', async ({ text }) => {
      await this.room().sendComment(text);
      return { ok: true } as const;
    });
    core.handle('channels.pinComment', async ({ key }) => {
      await this.room().pinComment(key);
      return { ok: true } as const;
    });
    core.handle('channels.comments', ({ sessionId, limit }) => ({
      comments: this.repo.recent(limit ?? 200, sessionId),
      perMinute: this.repo.perMinute(core.now() - 60 * 60_000, sessionId),
      keywords: this.settings().keywords,
    }));
    core.handle('channels.selfcheck', async () => {
      const bridge = this.requireBridge();
      const ctx = bridge.browserContext;
      if (!ctx) throw new CoreError('unavailable', ACTIONS.off);
      return runSelfCheck(ctx, this.map, { navTimeoutMs: bridge.timings.navTimeoutMs, now: core.now, app: core.version });
    });
    core.handle('channels.settings', ({ executablePath, keywords, templates }) => {
      if (executablePath !== undefined) core.settings.set('channels.executablePath', executablePath || null);
      if (keywords !== undefined) core.settings.set('channels.keywords', [...new Set(keywords)]);
      if (templates !== undefined) core.settings.set('channels.templates', templates);
      return this.settings();
    });
  }

  async start(): Promise<void> {
    const auto = this.options.autoConnect ?? this.core.settings.get<boolean>('channels.connected') ?? false;
    // not awaited: a browser that takes long to open must not hold up the rest of LiveCue's start
    if (auto) void this.connect();
  }

  async stop(): Promise<void> {
    this.queue = null;
    await this.bridge?.stop();
    this.bridge = null;
  }

  /** resolves when queued pin work is done (tests, shutdown) */
  async idle(): Promise<void> {
    while (this.working) await this.working;
  }

  get connection(): ConsoleBridge | null {
    return this.bridge;
  }

  private settings(): ChannelsSettings {
    return {
      executablePath: this.core.settings.get<string | null>('channels.executablePath') ?? null,
      keywords: this.core.settings.get<string[]>('channels.keywords') ?? DEFAULT_KEYWORDS,
      templates: this.core.settings.get<CommentTemplate[]>('channels.templates') ?? DEFAULT_TEMPLATES,
    };
  }

  private requireBridge(): ConsoleBridge {
    if (!this.bridge?.running) throw new CoreError('unavailable', ACTIONS.off);
    return this.bridge;
  }

  async connect(): Promise<void> {
    if (this.bridge?.running) return;
    const executablePath = this.options.executablePath ?? findBrowser(this.settings().executablePath);
    if (!executablePath) {
      this.setStatus('error', '未找到 Chrome / Edge / Chromium：请安装其一，或在视频号页填写浏览器路径 / No Chrome, Edge or Chromium found: install one or set its path');
      return;
    }
    this.core.settings.set('channels.connected', true);
    this.status = { ...this.status, browser: path.basename(executablePath) };
    this.bridge = new ConsoleBridge({
      map: this.map,
      profileDir: path.join(this.core.dataDir, 'channels-profile'),
      executablePath,
      headless: this.options.headless ?? false,
      args: this.options.args,
      timings: this.options.timings,
      log: this.core.log,
      onState: (state, info) => this.setStatus(state, info.detail, info.account),
      onFeed: (feed) => this.onFeed(feed),
    });
    await this.bridge.start();
  }

  private setStatus(state: ChannelsState, detail?: string, account?: string | null): void {
    const changed = state !== this.status.state;
    this.status = {
      ...this.status,
      state,
      action: detail && (state === 'error' || state === 'off') ? `${detail} — ${ACTIONS[state === 'error' ? 'error' : 'off']}` : ACTIONS[state],
      account: account ?? this.status.account,
      since: changed ? this.core.now() : this.status.since,
    };
    if (state === 'error' && detail) this.status.action = detail;
    this.core.emit({ type: 'channels.status', status: this.status });
  }

  private emitMappings(): void {
    this.core.emit({ type: 'channels.mappings', mappings: this.repo.mappings() });
  }

  // ---- pins: LiveCue → Channels ----

  private onSession(session: SessionState): void {
    if (session.status === 'live') this.liveSessionId = session.id;
    else if (this.liveSessionId === session.id) this.liveSessionId = null;
    const pinned = session.status === 'ended' ? null : (session.pinned?.id ?? null);
    const before = this.lastPinned.get(session.id);
    this.lastPinned.set(session.id, pinned);
    if (session.status === 'ended') this.lastPinned.delete(session.id);
    if (before === undefined && pinned === null) return;
    if (before === pinned) return;
    // latest wins: a burst of pins collapses to the one the producer ended on
    this.queue = { productId: pinned, startedAt: performance.now() };
    this.kick();
  }

  private draining = false;

  /** Runs the queued job, then looks at the queue again in the same tick it clears `draining`: a pin made right after
   *  the previous outcome event is never left waiting (an await between the two would leave that gap). */
  private kick(): void {
    if (this.draining || !this.queue) return;
    const job = this.queue;
    this.queue = null;
    this.draining = true;
    this.working = this.mirror(job.productId, job.startedAt)
      .catch((error: unknown) => this.core.log(`channels: pin mirror failed: ${(error as Error).message}`))
      .finally(() => {
        this.draining = false;
        this.working = null;
        this.kick();
      });
  }

  private async mirror(productId: number | null, startedAt: number): Promise<void> {
    const mapped = productId !== null ? this.repo.mapping(productId) : null;
    const title = mapped?.channelsTitle ?? null;
    let outcome: PinOutcome;
    if (productId !== null && title) {
      // a re-pin of the product on 讲解 pops the card again (结束讲解 then 讲解)
      const result = await this.call((b) => b.explain({ title }, true));
      outcome = this.outcome('pin', productId, title, result, startedAt);
      if (result.ok) this.promoting = productId;
    } else if (productId !== null) {
      // pinned in LiveCue, no row on Channels: what Channels shows would be wrong, so end it and say so
      if (!this.bridge?.running) return;
      const result = await this.call((b) => b.endExplain());
      if (result.ok) this.promoting = null;
      const ended = result.ok && result.clicked;
      outcome = this.outcome('pin', productId, null, result, startedAt);
      outcome = {
        ...outcome,
        ok: false,
        reason: result.ok ? 'not_mapped' : result.reason,
        message: result.ok
          ? ended
            ? '该商品未对应视频号商品，已结束视频号当前讲解 / not mapped to a Channels product: the current 讲解 on Channels was ended'
            : '该商品未对应视频号商品，视频号未讲解 / not mapped to a Channels product: nothing is on 讲解 on Channels'
          : result.message,
      };
    } else if (this.promoting !== null) {
      const result = await this.call((b) => b.endExplain());
      outcome = this.outcome('unpin', this.promoting, this.repo.mapping(this.promoting)?.channelsTitle ?? null, result, startedAt);
      if (result.ok) this.promoting = null;
    } else return; // nothing on 讲解 from LiveCue: nothing to do on Channels
    this.status = { ...this.status, lastPin: outcome };
    this.core.emit({ type: 'channels.pin', outcome });
    this.core.emit({ type: 'channels.status', status: this.status });
  }

  private call(fn: (bridge: ConsoleBridge) => Promise<ActResult>): Promise<ActResult> {
    return this.bridge?.running ? fn(this.bridge) : Promise.resolve({ ok: false, reason: 'not_connected', message: ACTIONS.off } as const);
  }

  private outcome(action: 'pin' | 'unpin', productId: number, title: string | null, result: ActResult, startedAt: number): PinOutcome {
    return {
      action,
      productId,
      channelsProductId: null,
      title,
      seq: result.ok ? result.seq : null,
      popped: result.ok ? !!result.popped : false,
      ok: result.ok,
      reason: result.ok ? null : result.reason,
      message: result.ok
        ? action === 'pin'
          ? `视频号已讲解 · 序号 ${result.seq ?? '—'}${result.popped ? '（重新弹出 / popped again）' : ''} / presenting on Channels`
          : '视频号已结束讲解 / presentation ended on Channels'
        : result.message,
      ms: Math.round(performance.now() - startedAt),
      at: this.core.now(),
    };
  }

  // ---- the live room for other domains (room automation): RoomControl ----

  private readonly listeners = new Set<(e: RoomEvent) => void>();
  private roomControl: RoomControl | null = null;

  room(): RoomControl {
    if (this.roomControl) return this.roomControl;
    const unavailable = (r: ActResult & { ok: false }) =>
      new CoreError(r.reason === 'product_missing' ? 'not_found' : r.reason === 'refused' ? 'conflict' : 'unavailable', r.message, { reason: r.reason });
    const must = async (fn: (b: ConsoleBridge) => Promise<ActResult>) => {
      const r = await this.call(fn);
      if (!r.ok) throw unavailable(r);
      return r;
    };
    const isLive = () => !!this.bridge?.running && this.bridge.state === 'live';
    this.roomControl = {
      get live() {
        return isLive();
      },
      sendComment: async (text) => {
        const clean = text.trim();
        if (!clean) throw new CoreError('bad_request', '评论不能为空 / the comment is empty');
        await must((b) => b.sendComment(clean));
      },
      pinComment: async (eventId) => {
        const c = this.repo.byKey(eventId);
        if (!c || c.kind !== 'comment') throw notFound('comment', eventId);
        await must((b) => b.pinComment(c.nickname, c.content));
      },
      explainSeq: async (seq) => {
        if (!Number.isInteger(seq) || seq < 1) throw new CoreError('bad_request', `序号 ${seq} 无效 / invalid row number`);
        const target: RowTarget = { seq };
        await must((b) => b.explain(target, true));
      },
      endExplain: async () => {
        await must((b) => b.endExplain());
        this.promoting = null;
      },
      onEvent: (fn) => {
        this.listeners.add(fn);
        return () => this.listeners.delete(fn);
      },
    };
    return this.roomControl;
  }

  private emitRoom(e: RoomEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch (error) {
        this.core.log(`channels: room listener failed: ${(error as Error).message}`);
      }
    }
  }

  // ---- console feed: Channels → LiveCue ----

  private onFeed(feed: ParsedFeed): void {
    const now = this.core.now();
    const sessionId = this.liveSessionId;
    const stored = feed.messages.filter((m) => m.kind === 'comment' || m.kind === 'reply');
    let fresh = new Set<string>();
    if (stored.length) {
      const keywords = this.settings().keywords;
      let added: ChannelsComment[] = [];
      try {
        added = this.repo.addComments(
          stored.map((c) => ({
            key: c.key,
            kind: c.kind as 'comment' | 'reply',
            sessionId,
            ts: now,
            nickname: c.nickname,
            content: c.content,
            keywords: c.kind === 'comment' ? matchKeywords(c.content, keywords) : [],
          })),
        );
      } catch (error) {
        this.core.log(`channels: storing comments failed: ${(error as Error).message}`);
      }
      if (added.length) {
        this.core.emit({ type: 'channels.comments', sessionId, comments: added.slice(-RECENT) });
        for (const c of added) {
          if (c.kind === 'comment') this.safeSink((s) => s.onComment(sessionId, { ts: c.ts, text: c.content, nickname: c.nickname, keywords: c.keywords }));
        }
      }
      fresh = new Set(added.map((c) => c.key));
    }
    // room events in the order the console delivered them; a re-delivered comment is not an event again
    for (const m of feed.messages) {
      if (m.kind === 'enter') this.emitRoom({ id: m.key, kind: 'enter', ts: now, nickname: m.nickname, text: '', sessionId });
      else if ((m.kind === 'comment' || m.kind === 'reply') && fresh.has(m.key))
        this.emitRoom({ id: m.key, kind: m.kind, ts: now, nickname: m.nickname, text: m.content, sessionId });
      else if (m.kind === 'stick') {
        const key = this.repo.markStuck(m.content, m.nickname, now);
        if (key) this.core.emit({ type: 'channels.stuck', key, at: now });
      }
    }
    if (feed.online !== null || feed.likes !== null) {
      this.status = { ...this.status, online: feed.online ?? this.status.online, likes: feed.likes ?? this.status.likes, lastFeedAt: now };
      this.safeSink((s) => s.onReading(sessionId, { ts: now, online: feed.online, likes: feed.likes }));
      // the console polls about once a second; views need no more than that
      if (now - this.lastReadingEmit >= 1000) {
        this.lastReadingEmit = now;
        const reading: ChannelsReading = { ts: now, online: feed.online, likes: feed.likes, liveId: feed.liveId };
        this.core.emit({ type: 'channels.reading', reading });
      }
    } else this.status = { ...this.status, lastFeedAt: now };
  }

  private safeSink(fn: (sink: ChannelsSink) => void): void {
    if (!this.sink) return;
    try {
      fn(this.sink);
    } catch (error) {
      this.core.log(`channels: metrics sink failed: ${(error as Error).message}`);
    }
  }
}
