// The metrics domain wired into the core: the parts, each in its own file —
//   aggregates.ts  ingest and the running aggregate per session (aggregate.ts) rebuilt from SQLite (repo.ts)
//   sources.ts     the source chosen per session (simulator, WeChat API poller, push, generic ingest), started while live
//   figures.ts     the live snapshot, segment figures, alerts and chart series the views read
//   tick.ts        the 1 Hz `metrics.tick` per live session
//   wechat-callback.ts  the 微信小店 message push callback; handlers.ts commands; routes.ts HTTP; api.ts what review reads
// Push domain hook: call `metrics.notifyPush` or emit the core event `push.sent` (`sessionId`, `reach`: people reached or null).
import type { SessionState } from '../../../shared/domain.ts';
import { type AlertConfig, DEFAULT_ALERTS } from '../../../shared/metrics/formulas.ts';
import type { MetricEvent, MetricsSeries, MetricsSnapshot, SourceName } from '../../../shared/protocol/metrics.ts';
import type { Core } from '../core.ts';
import type { MetricsApi } from '../metrics-api.ts';
import type { CoreModule, ModuleEnv } from '../module.ts';
import type { CoreServer } from '../server/server.ts';
import { DEPRECATION_NOTICE, type WechatAccounts, wechatAccountsFor } from '../wechat/accounts.ts';
import { SessionAggregates } from './aggregates.ts';
import { createMetricsApi } from './api.ts';
import { LiveFigures } from './figures.ts';
import { registerMetricsHandlers } from './handlers.ts';
import { memoryReport } from './memory.ts';
import { metricsRoutes } from './routes.ts';
import { SessionSources } from './sources.ts';
import type { MetricsSource } from './sources/source.ts';
import { MetricsRepo } from './repo.ts';
import { MetricsTicker } from './tick.ts';
import { WechatCallback } from './wechat-callback.ts';

export class MetricsModule implements CoreModule {
  readonly name = 'metrics';
  private core!: Core;
  /** the 视频号助手 and 微信小店 credentials, one API client (one token cache) each */
  wechat!: WechatAccounts;
  /** what the review domain reads through (electron/core/metrics-api.ts); usable once the module is attached */
  readonly api: MetricsApi = createMetricsApi(() => this.core.db);
  private readonly env: ModuleEnv;
  private store!: MetricsRepo;
  private aggregates!: SessionAggregates;
  private sources!: SessionSources;
  private figures!: LiveFigures;
  private ticker!: MetricsTicker;
  private callback!: WechatCallback;
  private started = false;

  constructor(env: ModuleEnv = { env: {}, options: {} }) {
    this.env = env;
  }

  attach(core: Core): void {
    this.core = core;
    this.store = new MetricsRepo(core.db);
    this.wechat = wechatAccountsFor(core, this.env);
    if (this.wechat.deprecatedEnv) core.log(`metrics: ${DEPRECATION_NOTICE}`);
    this.aggregates = new SessionAggregates(core, this.store, () => this.figures.segmentCache.clear());
    this.sources = new SessionSources({
      core,
      store: this.store,
      wechat: () => this.wechat,
      ingest: (sessionId, events) => this.ingest(sessionId, events),
      state: (sessionId) => this.aggregates.state(sessionId),
    });
    this.figures = new LiveFigures(core, this.store, this.aggregates, this.sources);
    this.figures.alertConfig = { ...DEFAULT_ALERTS, ...(core.settings.get<AlertConfig>('metrics.alerts') ?? {}) };
    this.ticker = new MetricsTicker(core, this.aggregates, this.figures, this.sources);
    this.callback = new WechatCallback({
      core,
      wechat: () => this.wechat,
      target: () => this.sources.pushTarget(this.aggregates.states.values()),
      sourceOptions: (sessionId) => this.sources.choiceOf(sessionId).options,
      ingest: (sessionId, events) => this.ingest(sessionId, events),
    });
    registerMetricsHandlers(core, {
      aggregates: this.aggregates,
      sources: this.sources,
      figures: this.figures,
      ticker: this.ticker,
      wechat: this.wechat,
      secretStoreKind: this.env.secrets?.kind ?? 'file-0600',
      started: () => this.started,
    });
    core.subscribe((event) => {
      if (event.type === 'session.changed') this.onSession(event.session);
      // the push domain's hook: a typed event of the shared protocol, so neither domain imports the other
      else if (event.type === 'push.sent') this.notifyPush(event.sessionId, event.reach ?? undefined);
    });
  }

  routes(server: CoreServer): void {
    metricsRoutes(server, this.core, { memory: this.env.env.LIVECUE_DEBUG_MEMORY === '1' ? (collect) => this.memory(collect) : null });
    this.callback.routes(server);
  }

  start(): void {
    this.started = true;
    for (const s of this.aggregates.states.values()) if (s.status === 'live') this.sources.start(s);
    this.ticker.start();
  }

  stop(): void {
    this.started = false;
    this.ticker.stop();
    this.sources.stopAll();
  }

  private onSession(state: SessionState): void {
    const aggregate = this.aggregates.follow(state);
    if (state.status === 'ended') this.figures.forgetGate(state.id);
    if (!this.started) return;
    this.sources.onSession(state);
    if (state.status === 'ended' && aggregate) this.ticker.emit(state.id, aggregate);
  }

  // ── what the other domains, the bridge, tests and benchmarks call (modules.ts wires them) ─────────────────────────

  /** One batch, one transaction; the running aggregate follows only a committed batch. */
  ingest(sessionId: number, events: MetricEvent[]): { stored: number; duplicates: number } {
    return this.aggregates.ingest(sessionId, events);
  }

  /**
   * Figures read off the 视频号 console by the Channels bridge. Comments always count; its online readings only when the
   * session is not on the simulator (real and simulated audiences are never mixed). Never throws into the bridge.
   */
  ingestFromBridge(sessionId: number, event: MetricEvent): void {
    try {
      if (event.type === 'reading' && this.sources.choiceOf(sessionId).source === 'simulator') return;
      this.ingest(sessionId, [event]);
    } catch (error) {
      this.core.log(`metrics: console figure for session ${sessionId} not stored: ${(error as Error).message}`);
    }
  }

  snapshot(sessionId: number): MetricsSnapshot {
    return this.figures.snapshot(sessionId);
  }

  series(sessionId: number): MetricsSeries {
    return this.figures.series(sessionId);
  }

  /** As after a restart: every running aggregate is rebuilt from SQLite on its next use (tests). */
  forgetAggregates(): void {
    this.aggregates.aggregates.clear();
  }

  /** process memory, SQLite's settings and file sizes, and the size of every in-memory map of this domain */
  memory(collect = false): Record<string, unknown> {
    return memoryReport(
      this.core,
      {
        aggregates: this.aggregates.aggregates,
        running: this.sources.running,
        sizes: {
          states: this.aggregates.states.size,
          lastTick: this.ticker.lastTick.size,
          segCache: this.figures.segmentCache.size,
          sourceCache: this.sources.choiceCache.size,
        },
      },
      collect,
    );
  }

  /** The running source of a session (tests and benchmarks drive the simulator directly). */
  source(sessionId: number): MetricsSource | undefined {
    return this.sources.running.get(sessionId);
  }

  /** The chosen source's name ('simulator' = a rehearsal), for room automation (nothing runs in rehearsals unless asked). */
  sourceName(sessionId: number): SourceName {
    return this.sources.choiceOf(sessionId).source;
  }

  /** #12: the 视频号助手 account's API base and access token (its 直播预约 list), or null when no account is set */
  async assistantAccess(): Promise<{ base: string; token: string } | null> {
    // 直播预约 notices belong to the 视频号助手 account (#11: doc/channels/API/... accept only its AppID)
    const api = this.wechat.client('channels');
    return api ? { base: this.wechat.apiBase(), token: await api.accessToken() } : null;
  }

  /** #12: a session on the simulator is a rehearsal (push never reaches customers from it unless allowed) */
  isRehearsal(sessionId: number): boolean {
    return this.sources.choiceOf(sessionId).source === 'simulator';
  }

  /** For the push domain's lift figure (new viewers/min after a push vs before). */
  newViewersPerMinute(sessionId: number, fromMs: number, toMs: number): number | null {
    return this.store.newViewersPerMinute(sessionId, fromMs, toMs);
  }

  notifyPush(sessionId: number | undefined, reach: number | undefined): void {
    this.sources.notifyPush(sessionId, reach);
  }
}
