// The metrics domain: ingest (all or nothing per batch, answered after commit), the running aggregate per session, the
// live snapshot and chart series, pluggable sources per session, the WeChat push callback, and a 1 Hz tick per live
// session. Push domain hook: call `metrics.notifyPush` or emit the core event `push.sent` (`sessionId`, `reach`: people reached or null).
import fs from 'node:fs';
import v8 from 'node:v8';
import type { SessionState } from '../../../shared/domain.ts';
import {
  type Alert,
  type AlertConfig,
  DEFAULT_ALERTS,
  alerts as computeAlerts,
  compare,
  figures,
  ratio,
} from '../../../shared/metrics/formulas.ts';
import type {
  MetricEvent,
  MetricsExt,
  MetricsSeries,
  MetricsSnapshot,
  MetricsTick,
  ProductFunnel,
  SegmentFigures,
  SeriesMinute,
  SourceName,
  WechatInfo,
} from '../../../shared/protocol/metrics.ts';
import { SimulatorOptions, WechatApiOptions } from '../../../shared/protocol/metrics.ts';
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import type { CoreModule, ModuleEnv } from '../module.ts';
import { bodyObject, positiveId } from '../server/params.ts';
import type { CoreServer } from '../server/server.ts';
import { type OrderChange, type SegmentAggregate, SessionAggregate, type CounterWindow } from './aggregate.ts';
import { AlertGate } from '../../../shared/metrics/alert-gate.ts';
import { MetricsStore } from './store.ts';
import { createMetricsApi } from './api.ts';
import type { MetricsApi } from '../metrics-api.ts';
import { Simulator } from './sources/simulator.ts';
import type { MetricsSource, SourceContext } from './sources/source.ts';
import { WechatApiPoller, cancelStatus, fetchOrder } from './sources/wechat-api.ts';
import { DEPRECATION_NOTICE, type WechatAccounts, wechatAccountsFor } from '../wechat/accounts.ts';
import { MAX_PUSH_BODY, ORDER_EVENTS, WechatPushReceiver, pushRequestProblem } from './sources/wechat-push.ts';

const MINUTE = 60_000;
const TICK_MS = 1000;
const CALLBACK_PATH = '/wechat/shop/callback';

export class MetricsModule implements CoreModule {
  readonly name = 'metrics';
  private core!: Core;
  private store!: MetricsStore;
  private push!: WechatPushReceiver;
  /** the 视频号助手 and 微信小店 credentials, one API client (one token cache) each */
  wechat!: WechatAccounts;
  private readonly env: ModuleEnv;
  private readonly aggs = new Map<number, SessionAggregate>();
  private readonly states = new Map<number, SessionState>();
  private readonly running = new Map<number, MetricsSource>();
  /** sessions whose chosen source could not start, with the reason every view shows instead of figures */
  private readonly refused = new Map<number, MetricsSnapshot['sourceStatus']>();
  private readonly gates = new Map<number, AlertGate>();
  private readonly lastTick = new Map<number, MetricsTick>();
  /** figures of closed segments, valid while the segment's version is unchanged */
  private readonly segCache = new Map<number, { version: number; figures: SegmentFigures }>();
  private readonly sourceCache = new Map<number, { source: SourceName; options: Record<string, unknown> }>();
  private timer: NodeJS.Timeout | undefined;
  private alertConfig: AlertConfig = DEFAULT_ALERTS;
  private started = false;
  /** what the review domain reads through (electron/core/metrics-api.ts); usable once the module is attached */
  readonly api: MetricsApi = createMetricsApi(() => this.core.db);

  constructor(env: ModuleEnv = { env: {}, options: {} }) {
    this.env = env;
  }

  attach(core: Core): void {
    this.core = core;
    this.store = new MetricsStore(core.db);
    this.push = new WechatPushReceiver(core.db);
    this.wechat = wechatAccountsFor(core, this.env);
    if (this.wechat.deprecatedEnv) core.log(`metrics: ${DEPRECATION_NOTICE}`);
    this.alertConfig = { ...DEFAULT_ALERTS, ...(core.settings.get<AlertConfig>('metrics.alerts') ?? {}) };
    for (const s of core.sessions.activeStates()) this.states.set(s.id, s);

    core.handle('metrics.ingest', ({ sessionId, events }) => this.ingest(sessionId, events));
    core.handle('metrics.snapshot', ({ sessionId }) => this.snapshot(sessionId));
    core.handle('metrics.series', ({ sessionId }) => this.series(sessionId));
    core.handle('metrics.setSource', ({ sessionId, source, options }) => {
      core.sessions.summary(sessionId);
      const parsed = this.parseOptions(source, options ?? {});
      this.store.transaction(() => this.store.setSource(sessionId, source, parsed, core.now()));
      this.sourceCache.delete(sessionId);
      this.stopSource(sessionId);
      const state = this.stateOf(sessionId);
      if (this.started && state.status === 'live') this.startSource(state);
      const cannot = source === 'wechat-api' && !this.wechat.client('channels') && !this.wechat.client('shop');
      return {
        sessionId,
        source,
        ready: !cannot,
        message: cannot
          ? '已保存，但微信 API 还不能运行：请先在 设置 → 微信 填写视频号助手或微信小店的 AppID / AppSecret，在此之前不显示任何数据 / saved, but the WeChat API cannot run until the 视频号助手 or 微信小店 AppID and AppSecret are set in Settings → WeChat; no figures until then'
          : null,
      };
    });
    core.handle('metrics.setAlerts', (input) => {
      const config: AlertConfig = { ...DEFAULT_ALERTS, ...this.alertConfig, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
      this.alertConfig = config;
      core.settings.set('metrics.alerts', config);
      core.emit({ type: 'metrics.alertsChanged', config });
      return config;
    });
    core.handle('metrics.notifyPush', ({ sessionId, reach }) => {
      this.notifyPush(sessionId, reach);
      return { ok: true };
    });
    core.handle('metrics.setWechat', ({ account, ...input }) => {
      this.wechat.set(account, input);
      this.sourceCache.clear();
      return this.wechatInfo();
    });
    core.handle('metrics.wechatInfo', () => this.wechatInfo());
    core.handle('metrics.wechatTest', ({ account }) => this.wechat.test(account, core.now()));
    core.addSnapshotPart('metrics', (): MetricsExt => {
      const sources: Record<number, SourceName> = {};
      for (const id of this.states.keys()) sources[id] = this.sourceOf(id).source;
      return { alerts: this.alertConfig, sources, ticks: [...this.lastTick.values()] };
    });
    core.subscribe((event) => {
      if (event.type === 'session.changed') this.onSession(event.session);
      // the push domain's hook: a typed event of the shared protocol, so neither domain imports the other
      else if (event.type === 'push.sent') this.notifyPush(event.sessionId, event.reach ?? undefined);
    });
  }

  routes(server: CoreServer): void {
    const id = (raw: string | undefined) => positiveId(raw);
    server.route(
      'POST',
      '/api/v1/sessions/:id/events',
      (c) => {
        const body = c.body as { events?: unknown };
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new CoreError('bad_request', 'body must be {"events": [...]}');
        return this.core.invoke('metrics.ingest', { sessionId: id(c.params.id), events: body.events }).then((r) => ({ stored: (r as { stored: number }).stored, duplicates: (r as { duplicates: number }).duplicates }));
      },
      { maxBody: 16 * 1024 * 1024 },
    );
    server.route('GET', '/api/v1/sessions/:id/metrics', (c) => this.core.invoke('metrics.snapshot', { sessionId: id(c.params.id) }));
    server.route('GET', '/api/v1/sessions/:id/metrics/series', (c) => this.core.invoke('metrics.series', { sessionId: id(c.params.id) }));
    server.route('PUT', '/api/v1/sessions/:id/metrics/source', (c) =>
      this.core.invoke('metrics.setSource', { ...bodyObject(c.body), sessionId: id(c.params.id) }),
    );
    // debug only (LIVECUE_DEBUG_MEMORY=1): what the process and this domain hold, for the soak benchmark
    if (this.env.env.LIVECUE_DEBUG_MEMORY === '1') server.route('GET', '/api/v1/debug/memory', (c) => this.memory(c.url.searchParams.get('gc') === '1'));
    const reply = (res: import('node:http').ServerResponse, status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    };
    server.route(
      'GET',
      CALLBACK_PATH,
      (c) => {
        const out = this.push.verify(this.pushCreds(), c.url.searchParams, this.core.now());
        reply(c.res, out.status, out.body);
      },
      { public: true, manual: true },
    );
    server.route(
      'POST',
      CALLBACK_PATH,
      (c) => {
        const target = this.pushTarget();
        const out = this.push.receive(this.pushCreds(), c.url.searchParams, c.raw, target, this.core.now());
        if (out.status !== 200) this.core.log(`metrics: wechat push rejected (${out.status} ${out.body})`);
        reply(c.res, out.status, out.body);
        if (out.status === 200 && 'stored' in out && out.stored && out.event && target !== null) this.pushToOrder(target, out.event);
      },
      {
        public: true,
        raw: true,
        manual: true,
        maxBody: MAX_PUSH_BODY,
        // refused before the body is read: not configured, or no plausible signature / a stale timestamp in the query
        guard: (_req, url) => {
          const creds = this.pushCreds();
          if (!creds?.token || !creds.aesKey) throw new CoreError('unavailable', 'message push is not configured');
          const problem = pushRequestProblem(url.searchParams, this.core.now(), true);
          if (problem) throw new CoreError('unauthorized', problem);
        },
      },
    );
  }

  start(): void {
    this.started = true;
    for (const s of this.states.values()) if (s.status === 'live') this.startSource(s);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref?.();
  }

  stop(): void {
    this.started = false;
    clearInterval(this.timer);
    for (const id of [...this.running.keys()]) this.stopSource(id);
  }

  // ── ingest ──────────────────────────────────────────────────────────────────────────────────────────────────────

  /** One batch, one transaction; the running aggregate follows only a committed batch. */
  ingest(sessionId: number, events: MetricEvent[]): { stored: number; duplicates: number } {
    const agg = this.agg(sessionId);
    try {
      return this.store.transaction(() => {
        const changes: OrderChange[] = [];
        const stored = this.store.insertEvents(sessionId, events, changes);
        const delta = agg.apply(stored);
        agg.applyOrderChanges(changes, delta);
        this.store.writeRollups(sessionId, delta);
        return { stored: stored.length + changes.length, duplicates: events.length - stored.length - changes.length };
      });
    } catch (error) {
      // the aggregate may hold part of a batch that rolled back: rebuild it from SQLite next time
      this.aggs.delete(sessionId);
      throw error;
    }
  }

  /**
   * Figures read off the 视频号 console by the Channels bridge. Comments always count; its online readings only when the
   * session is not on the simulator (real and simulated audiences are never mixed). Never throws into the bridge.
   */
  ingestFromBridge(sessionId: number, event: MetricEvent): void {
    try {
      if (event.type === 'reading' && this.sourceOf(sessionId).source === 'simulator') return;
      this.ingest(sessionId, [event]);
    } catch (error) {
      this.core.log(`metrics: console figure for session ${sessionId} not stored: ${(error as Error).message}`);
    }
  }

  private agg(sessionId: number): SessionAggregate {
    let agg = this.aggs.get(sessionId);
    if (agg) return agg;
    const summary = this.core.sessions.summary(sessionId);
    agg = this.store.rebuild(sessionId, summary.startedAt ?? summary.createdAt, this.core.sessions.segments(sessionId));
    this.segCache.clear();
    this.aggs.set(sessionId, agg);
    return agg;
  }

  private stateOf(sessionId: number): SessionState {
    let s = this.states.get(sessionId);
    if (!s) {
      s = this.core.sessions.state(sessionId);
      if (s.status !== 'ended') this.states.set(sessionId, s);
    }
    return s;
  }

  private onSession(state: SessionState): void {
    const prev = this.states.get(state.id);
    if (state.status === 'ended') {
      this.states.delete(state.id);
      this.gates.delete(state.id);
    } else this.states.set(state.id, state);
    const agg = this.aggs.get(state.id);
    if (agg) {
      if (state.startedAt !== null) agg.startMs = state.startedAt;
      if (prev?.segmentsCount !== state.segmentsCount || prev?.segment?.endedAt !== state.segment?.endedAt || !state.segment || state.status === 'ended') {
        agg.setSegments(this.core.sessions.segments(state.id));
      }
    }
    if (!this.started) return;
    if (state.status === 'live' && !this.running.has(state.id)) this.startSource(state);
    else if (state.status !== 'live') this.stopSource(state.id);
    this.running.get(state.id)?.onSession?.(state);
    if (state.status === 'ended' && agg) this.emitTick(state.id, agg);
  }

  /** process memory, SQLite's settings and file sizes, and the size of every in-memory map of this domain */
  memory(collect = false): Record<string, unknown> {
    // ?gc=1 in an experiment started with --expose-gc: the live heap after a full collection, not a moment's garbage
    const gc = (globalThis as { gc?: () => void }).gc;
    if (collect && gc) gc();
    const db = this.core.db;
    const fileSize = (suffix: string) => {
      try {
        return fs.statSync(this.core.dbPath + suffix).size;
      } catch {
        return 0;
      }
    };
    const aggs: Record<string, Record<string, number>> = {};
    for (const [id, a] of this.aggs) {
      aggs[id] = {
        present: a.openVisits.size,
        minutes: a.minutes.size,
        segments: a.segments.length,
        recentOnline: a.recentOnline.length,
        pendingOnline: a.pendingOnline.length,
        products: a.products.size,
      };
    }
    const sources: Record<string, Record<string, number>> = {};
    for (const [id, r] of this.running) sources[id] = r.sizes?.() ?? {};
    return {
      process: process.memoryUsage(),
      /** the V8 flags this process was started with (scripts/node-flags.json) */
      execArgv: process.execArgv,
      // per V8 space: [used, committed] bytes
      heapSpaces: Object.fromEntries(
        v8
          .getHeapSpaceStatistics()
          .filter((s) => s.space_size > 0)
          .map((s) => [s.space_name, [s.space_used_size, s.space_size]]),
      ),
      // resident pages of the V8 heap (beside committed heapTotal) and V8's own malloc'd memory (zones, not the JS heap)
      heap: (({ total_heap_size, total_physical_size, malloced_memory, peak_malloced_memory, external_memory }) => ({ total_heap_size, total_physical_size, malloced_memory, peak_malloced_memory, external_memory }))(v8.getHeapStatistics()),
      sqlite: {
        cacheSize: db.pragma('cache_size', { simple: true }),
        mmapSize: db.pragma('mmap_size', { simple: true }),
        pageSize: db.pragma('page_size', { simple: true }),
        pageCount: db.pragma('page_count', { simple: true }),
        dbBytes: fileSize(''),
        walBytes: fileSize('-wal'),
        shmBytes: fileSize('-shm'),
      },
      maps: { aggs: this.aggs.size, states: this.states.size, lastTick: this.lastTick.size, segCache: this.segCache.size, sourceCache: this.sourceCache.size },
      aggs,
      sources,
    };
  }

  // ── sources ─────────────────────────────────────────────────────────────────────────────────────────────────────

  private wechatInfo(): WechatInfo {
    return {
      channels: this.wechat.info('channels'),
      shop: this.wechat.info('shop'),
      apiBase: this.wechat.apiBase(),
      deprecatedEnv: this.wechat.deprecatedEnv,
      callbackPath: CALLBACK_PATH,
      secretStore: this.env.secrets?.kind ?? 'file-0600',
    };
  }

  /** message push belongs to the 微信小店 account: its Token, EncodingAESKey and AppID (the payload's appid must match) */
  private pushCreds() {
    const c = this.wechat.creds('shop');
    return c.token ? { token: c.token, aesKey: c.aesKey, appId: c.appId } : null;
  }

  /** The stored choice, else the WeChat API when credentials exist, else the simulator (rehearsal). */
  private sourceOf(sessionId: number): { source: SourceName; options: Record<string, unknown> } {
    const cached = this.sourceCache.get(sessionId);
    if (cached) return cached;
    const stored = this.store.source(sessionId);
    if (stored) {
      this.sourceCache.set(sessionId, stored);
      return stored;
    }
    const ready = this.wechat.info('channels').ready || this.wechat.info('shop').ready;
    return { source: ready ? 'wechat-api' : 'simulator', options: {} };
  }

  private parseOptions(source: SourceName, options: Record<string, unknown>): Record<string, unknown> {
    const schema = source === 'simulator' ? SimulatorOptions : source === 'wechat-api' ? WechatApiOptions : null;
    if (!schema) return {};
    const parsed = schema.safeParse(options);
    if (!parsed.success) throw new CoreError('bad_request', `options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data as Record<string, unknown>;
  }

  private context(sessionId: number): SourceContext {
    return {
      sessionId,
      ingest: (events) => this.ingest(sessionId, events),
      now: () => this.core.now(),
      log: (line) => this.core.log(line),
      session: () => this.stateOf(sessionId),
      product: (id) => {
        try {
          return this.core.products.getIncludingDeleted(id);
        } catch {
          return null;
        }
      },
      productBySku: (sku) => this.core.products.list().find((p) => p.sku === sku) ?? null,
    };
  }

  private startSource(state: SessionState): void {
    const { source, options } = this.sourceOf(state.id);
    let runner: MetricsSource | null = null;
    this.refused.delete(state.id);
    if (source === 'simulator') runner = new Simulator(this.context(state.id), options);
    else if (source === 'wechat-api') {
      const clients = { live: this.wechat.client('channels'), shop: this.wechat.client('shop') };
      if (!clients.live && !clients.shop) {
        // a source that cannot run says why, and nothing simulated stands in for it (#13)
        const message =
          '微信 API 无法启动：视频号助手与微信小店的 AppID / AppSecret 都未填写（设置 → 微信）。在填写前不会显示任何数据 / WeChat API cannot run: neither the 视频号助手 nor the 微信小店 AppID/AppSecret is set (Settings → WeChat); no figures until they are';
        this.refused.set(state.id, { state: 'error', message });
        this.recordRun(state.id, source, 'refused', message);
        this.core.log('metrics: wechat-api source chosen but neither the 视频号助手 nor the 微信小店 AppID/AppSecret is set');
        return;
      }
      runner = new WechatApiPoller(this.context(state.id), clients, options);
    }
    this.recordRun(state.id, source, 'running', null);
    if (!runner) return; // push and generic ingest are passive: events arrive over HTTP
    this.running.set(state.id, runner);
    void Promise.resolve(runner.start()).catch((error: Error) => this.core.log(`metrics: source ${source} failed: ${error.message}`));
  }

  /** the session's source history, and the effective choice stored so review never reads 'none' for it */
  private recordRun(sessionId: number, source: SourceName, state: 'running' | 'refused', message: string | null): void {
    try {
      this.store.transaction(() => {
        if (!this.store.source(sessionId)) this.store.setSource(sessionId, source, this.sourceOf(sessionId).options, this.core.now());
        this.store.addRun(sessionId, source, state, message, this.core.now());
      });
    } catch (error) {
      this.core.log(`metrics: source history for session ${sessionId} not stored: ${(error as Error).message}`);
    }
  }

  private stopSource(sessionId: number): void {
    this.refused.delete(sessionId);
    const r = this.running.get(sessionId);
    if (!r) return;
    this.running.delete(sessionId);
    r.stop();
  }

  /** The running source of a session (tests and benchmarks drive the simulator directly). */
  source(sessionId: number): MetricsSource | undefined {
    return this.running.get(sessionId);
  }

  /** The chosen source's name ('simulator' = a rehearsal), for room automation (nothing runs in rehearsals unless asked). */
  sourceName(sessionId: number): SourceName {
    return this.sourceOf(sessionId).source;
  }

  /** For the push domain's lift figure (new viewers/min after a push vs before). */
  /** #12: the 视频号助手 account's API base and access token (its 直播预约 list), or null when no account is set */
  async assistantAccess(): Promise<{ base: string; token: string } | null> {
    // 直播预约 notices belong to the 视频号助手 account (#11: doc/channels/API/... accept only its AppID)
    const api = this.wechat.client('channels');
    return api ? { base: this.wechat.apiBase(), token: await api.accessToken() } : null;
  }

  /** #12: a session on the simulator is a rehearsal (push never reaches customers from it unless allowed) */
  isRehearsal(sessionId: number): boolean {
    return this.sourceOf(sessionId).source === 'simulator';
  }

  newViewersPerMinute(sessionId: number, fromMs: number, toMs: number): number | null {
    return this.store.newViewersPerMinute(sessionId, fromMs, toMs);
  }

  notifyPush(sessionId: number | undefined, reach: number | undefined): void {
    for (const [id, r] of this.running) if (sessionId === undefined || id === sessionId) r.onPush?.(reach);
  }

  private pushTarget(): number | null {
    const live = [...this.states.values()].filter((s) => s.status === 'live');
    return (live.find((s) => this.sourceOf(s.id).source === 'wechat-push') ?? live[0])?.id ?? null;
  }

  /**
   * An order push says only "order X did Y" (doc/store/API/order/callback/*): with the shop's API credentials, fetch
   * the order for its amount, product, scene and status. A cancel with cancel_type 3 is a full refund after sale.
   */
  private pushToOrder(sessionId: number, event: { event: string; orderId: string | null; raw: Record<string, unknown> }): void {
    const mapped = ORDER_EVENTS[event.event];
    const api = this.wechat.client('shop');
    if (!mapped || !event.orderId) return;
    if (!api) {
      this.core.log(`metrics: order event ${event.event} not read: the 微信小店 AppID/AppSecret is not set`);
      return;
    }
    const orderId = event.orderId;
    const info = (event.raw.order_info ?? {}) as Record<string, unknown>;
    const options = this.sourceOf(sessionId).options as { liveId?: string; finderId?: string };
    void fetchOrder(api, orderId, (spu) => this.core.products.list().find((p) => p.sku === spu)?.id ?? `wx:${spu}`, this.core.now(), options)
      .then((got) => {
        if (!got) return;
        const order = { ...got.event };
        if (event.event === 'channels_ec_order_cancel' && cancelStatus(info.cancel_type) === 'refunded') order.status = 'refunded';
        // an unpaid order is not stored; the pay event brings it
        if (order.status === 'created') return;
        // a status change is counted when it happens (a refund takes GMV down at the refund's time)
        if (order.status === 'refunded' || order.status === 'cancelled') order.ts = got.updatedAt ?? this.core.now();
        this.ingest(sessionId, [order]);
      })
      .catch((error: Error) => this.core.log(`metrics: order ${orderId.slice(0, 4)}… from push: ${error.message}`));
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────────────────────────────────

  snapshot(sessionId: number): MetricsSnapshot {
    const summary = this.states.get(sessionId) ?? this.core.sessions.summary(sessionId);
    const agg = this.agg(sessionId);
    const live = summary.status !== 'ended';
    const end = live ? Math.max(this.core.now(), agg.latestTs()) : Math.max(summary.endedAt ?? 0, agg.latestTs());
    const start = summary.startedAt ?? agg.startMs;
    const session = figures(agg.total.counters(start, end, { n: agg.openVisits.size, joinSum: agg.openJoinSum }, true));
    const segments = agg.segments.map((s) => {
      if (s.segment.endedAt === null) return this.segmentFigures(agg, s, end);
      const hit = this.segCache.get(s.segment.id);
      if (hit && hit.version === s.version) return hit.figures;
      const figures = this.segmentFigures(agg, s, end);
      this.segCache.set(s.segment.id, { version: s.version, figures });
      return figures;
    });
    const open = segments.find((s) => s.endedAt === null) ?? segments.at(-1) ?? null;
    const dataEnd = agg.latestTs();
    const cur = dataEnd - (dataEnd % MINUTE);
    const last10 = compare(agg.windowCounters(cur - 19 * MINUTE, cur - 9 * MINUTE), {
      ...agg.windowCounters(cur - 9 * MINUTE, cur + MINUTE),
      endMs: Math.max(dataEnd, cur - 9 * MINUTE + 1000),
    });
    const online60sAgo = agg.onlineAt(dataEnd - 60_000);
    const state = this.states.get(sessionId);
    const item = state?.segment ? state.lineup.find((i) => i.id === state.segment!.lineupItemId) : undefined;
    const openSeg = open && open.endedAt === null ? open : null;
    return {
      sessionId,
      provisional: live,
      source: this.sourceOf(sessionId).source,
      sourceStatus: this.running.get(sessionId)?.status() ?? this.refused.get(sessionId) ?? { state: 'idle', message: null },
      computedAt: this.core.now(),
      lastEventAt: agg.total.lastTs || null,
      session,
      segment: open,
      segments,
      last10,
      online60sAgo,
      counts: { ...agg.counts },
      otherOrders: { ...agg.otherOrders },
      alerts: this.gated(sessionId, openSeg?.segmentId ?? null, computeAlerts({
        config: this.alertConfig,
        online60sAgo,
        onlineNow: session.onlineNow,
        segmentStartedAt: openSeg?.startedAt ?? null,
        plannedMinutes: item?.plannedMinutes ?? null,
        now: this.core.now(),
        segmentConversion: openSeg?.figures.viewerConversion ?? null,
        segmentViewers: openSeg?.figures.viewersUv ?? 0,
        sessionConversion: session.viewerConversion,
      })),
    };
  }

  /** the alerts after hysteresis (shared/metrics/alert-gate.ts): one gate per session, kept while it is live */
  private gated(sessionId: number, segmentId: number | null, raw: Alert[]): Alert[] {
    let gate = this.gates.get(sessionId);
    if (!gate) {
      gate = new AlertGate();
      this.gates.set(sessionId, gate);
    }
    return gate.update(raw, String(segmentId ?? ''), this.core.now(), this.alertConfig);
  }

  private segmentFigures(agg: SessionAggregate, s: SegmentAggregate, end: number): SegmentFigures {
    const segEnd = s.segment.endedAt ?? Math.max(end, s.window.lastTs);
    const now = agg.products.get(String(s.segment.productId)) ?? { exposureUv: 0, clickUv: 0, payUv: 0, gmv: 0 };
    const base = s.productBase ?? now;
    const product: ProductFunnel = {
      exposureUv: Math.max(0, now.exposureUv - base.exposureUv),
      clickUv: Math.max(0, now.clickUv - base.clickUv),
      payUv: Math.max(0, now.payUv - base.payUv),
      gmv: s.productOrders > 0 ? s.productGmv : Math.max(0, now.gmv - base.gmv),
      orders: s.productOrders,
      ctr: null,
      clickToPay: null,
    };
    // a closed segment's product funnel ends at its last reading, not at "now"
    if (s.segment.endedAt !== null) {
      const d = s.window.growth();
      product.exposureUv = Math.min(product.exposureUv, d.exposureUv);
      product.clickUv = Math.min(product.clickUv, d.clickUv);
      product.payUv = Math.min(product.payUv, d.payUv);
    }
    product.ctr = ratio(product.clickUv, product.exposureUv);
    product.clickToPay = ratio(product.payUv, product.clickUv);
    return {
      segmentId: s.segment.id,
      productId: s.segment.productId,
      startedAt: s.segment.startedAt,
      endedAt: s.segment.endedAt,
      figures: figures(s.window.counters(s.segment.startedAt, segEnd)),
      product,
    };
  }

  series(sessionId: number): MetricsSeries {
    const agg = this.agg(sessionId);
    const minutes: SeriesMinute[] = [];
    const keys = [...agg.minutes.keys()].sort((a, b) => a - b);
    let prevUv = 0;
    let orders = 0;
    let joins = 0;
    let cum = { uv: 0, pay: 0, rgmv: 0 };
    const useOrders = agg.total.orders > 0;
    for (const t of keys) {
      const w = agg.minutes.get(t)!;
      orders += w.orders;
      joins += w.joins;
      if (w.readings) cum = { uv: Math.max(cum.uv, w.latest.viewersUv), pay: Math.max(cum.pay, w.latest.payUv), rgmv: Math.max(cum.rgmv, w.latest.readingsGmv) };
      minutes.push(this.minutePoint(t, w, useOrders, { uv: cum.uv, prevUv, pay: cum.pay, orders, joins, hasUv: agg.total.hasUv }));
      prevUv = cum.uv;
    }
    return {
      sessionId,
      online: this.store.onlineSeries(sessionId),
      minutes,
      segments: agg.segments.map((s) => ({ segmentId: s.segment.id, productId: s.segment.productId, startedAt: s.segment.startedAt, endedAt: s.segment.endedAt })),
    };
  }

  private minutePoint(
    t: number,
    w: CounterWindow,
    useOrders: boolean,
    c: { uv: number; prevUv: number; pay: number; orders: number; joins: number; hasUv: boolean },
  ): SeriesMinute {
    const d = w.growth();
    const viewers = c.hasUv ? c.uv : c.joins;
    const payers = c.pay > 0 ? c.pay : c.orders;
    return {
      t,
      newViewers: c.hasUv ? Math.max(0, c.uv - c.prevUv) : w.joins,
      gmv: useOrders ? w.gmv : d.readingsGmv,
      orders: w.orders,
      conversion: ratio(payers, viewers),
    };
  }

  // ── the 1 Hz tick ───────────────────────────────────────────────────────────────────────────────────────────────

  private tick(): void {
    for (const [id, state] of this.states) {
      if (state.status !== 'live') continue;
      const agg = this.aggs.get(id) ?? (this.running.has(id) ? this.agg(id) : undefined);
      if (!agg) continue;
      try {
        this.emitTick(id, agg);
      } catch (error) {
        this.core.log(`metrics: tick for session ${id} failed: ${(error as Error).message}`);
      }
    }
  }

  private emitTick(sessionId: number, agg: SessionAggregate): void {
    const snap = this.snapshot(sessionId);
    const f = snap.session;
    const cur = agg.latestTs() - (agg.latestTs() % MINUTE);
    const w = agg.minutes.get(cur);
    const prev = agg.minuteBefore(cur);
    const seg = snap.segment && snap.segment.endedAt === null ? snap.segment : null;
    const tick: MetricsTick = {
      sessionId,
      ts: this.core.now(),
      source: snap.source,
      sourceStatus: snap.sourceStatus,
      ...(snap.otherOrders && snap.otherOrders.orders !== 0 ? { otherOrders: snap.otherOrders } : {}),
      session: {
        onlineNow: f.onlineNow,
        peakOnline: f.peakOnline,
        viewersUv: f.viewersUv,
        viewsPv: f.viewsPv,
        newViewersPerMinute: f.newViewersPerMinute,
        averageDwell: f.averageDwell,
        productCtr: f.productCtr,
        clickToPay: f.clickToPay,
        viewerConversion: f.viewerConversion,
        gmv: f.gmv,
        gpm: f.gpm,
        uvValue: f.uvValue,
        averageOrderValue: f.averageOrderValue,
        orders: f.orders,
      },
      segment: seg
        ? {
            segmentId: seg.segmentId,
            productId: seg.productId,
            startedAt: seg.startedAt,
            viewersUv: seg.figures.viewersUv,
            gmv: seg.figures.gmv,
            orders: seg.figures.orders,
            viewerConversion: seg.figures.viewerConversion,
            product: seg.product,
          }
        : null,
      alerts: snap.alerts,
      online: agg.pendingOnline,
      minute: w
        ? this.minutePoint(cur, w, agg.total.orders > 0, {
            uv: agg.cumulative.viewersUv,
            prevUv: prev ? prev.latest.viewersUv : 0,
            pay: agg.cumulative.payUv,
            orders: agg.total.orders,
            joins: agg.total.joins,
            hasUv: agg.total.hasUv,
          })
        : null,
      counts: snap.counts,
    };
    agg.pendingOnline = [];
    this.lastTick.set(sessionId, { ...tick, online: [] });
    this.core.emit({ type: 'metrics.tick', tick });
  }
}

export function createMetricsModule(env: ModuleEnv): MetricsModule {
  return new MetricsModule(env);
}
