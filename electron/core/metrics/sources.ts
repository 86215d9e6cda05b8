// Source selection per session: the stored choice (else the WeChat API when credentials exist, else the simulator),
// starting and stopping the chosen source as the session goes live and ends, the source history review reads, and the
// push hook the simulator reacts to.
import type { SessionState } from '../../../shared/domain.ts';
import type { MetricEvent, MetricsSnapshot, SourceName } from '../../../shared/protocol/metrics.ts';
import { SimulatorOptions, WechatApiOptions } from '../../../shared/protocol/metrics.ts';
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import type { WechatAccounts } from '../wechat/accounts.ts';
import { Simulator } from './sources/simulator.ts';
import type { MetricsSource, SourceContext } from './sources/source.ts';
import { WechatApiPoller } from './sources/wechat-api.ts';
import type { MetricsRepo } from './repo.ts';

type SourceStatus = MetricsSnapshot['sourceStatus'];

export interface SourceChoice {
  source: SourceName;
  options: Record<string, unknown>;
}

export interface SourceDeps {
  core: Core;
  store: MetricsRepo;
  wechat: () => WechatAccounts;
  ingest: (sessionId: number, events: MetricEvent[]) => { stored: number; duplicates: number };
  state: (sessionId: number) => SessionState;
}

export class SessionSources {
  private readonly deps: SourceDeps;
  readonly running = new Map<number, MetricsSource>();
  /** sessions whose chosen source could not start, with the reason every view shows instead of figures */
  private readonly refused = new Map<number, SourceStatus>();
  readonly choiceCache = new Map<number, SourceChoice>();

  constructor(deps: SourceDeps) {
    this.deps = deps;
  }

  /** The stored choice, else the WeChat API when credentials exist, else the simulator (rehearsal). */
  choiceOf(sessionId: number): SourceChoice {
    const cached = this.choiceCache.get(sessionId);
    if (cached) return cached;
    const stored = this.deps.store.source(sessionId);
    if (stored) {
      this.choiceCache.set(sessionId, stored);
      return stored;
    }
    const wechat = this.deps.wechat();
    const ready = wechat.info('channels').ready || wechat.info('shop').ready;
    return { source: ready ? 'wechat-api' : 'simulator', options: {} };
  }

  /** credentials changed: the default choice may change with them */
  forgetChoices(): void {
    this.choiceCache.clear();
  }

  /** the running source's status, else why it was refused, else idle */
  status(sessionId: number): SourceStatus {
    return this.running.get(sessionId)?.status() ?? this.refused.get(sessionId) ?? { state: 'idle', message: null };
  }

  /** metrics.setSource: stores the choice and restarts the session's source when it is live and the module runs */
  choose(sessionId: number, source: SourceName, options: Record<string, unknown>, started: boolean) {
    const { core, store } = this.deps;
    core.sessions.summary(sessionId);
    const parsed = parseOptions(source, options);
    store.transaction(() => store.setSource(sessionId, source, parsed, core.now()));
    this.choiceCache.delete(sessionId);
    this.stop(sessionId);
    const state = this.deps.state(sessionId);
    if (started && state.status === 'live') this.start(state);
    const wechat = this.deps.wechat();
    const cannot = source === 'wechat-api' && !wechat.client('channels') && !wechat.client('shop');
    return {
      sessionId,
      source,
      ready: !cannot,
      message: cannot
        ? '已保存，但微信 API 还不能运行：请先在 设置 → 微信 填写视频号助手或微信小店的 AppID / AppSecret，在此之前不显示任何数据 / saved, but the WeChat API cannot run until the 视频号助手 or 微信小店 AppID and AppSecret are set in Settings → WeChat; no figures until then'
        : null,
    };
  }

  /** the session's status changed: its source runs exactly while it is live */
  onSession(state: SessionState): void {
    if (state.status === 'live' && !this.running.has(state.id)) this.start(state);
    else if (state.status !== 'live') this.stop(state.id);
    this.running.get(state.id)?.onSession?.(state);
  }

  start(state: SessionState): void {
    const { core } = this.deps;
    const { source, options } = this.choiceOf(state.id);
    let runner: MetricsSource | null = null;
    this.refused.delete(state.id);
    if (source === 'simulator') runner = new Simulator(this.context(state.id), options);
    else if (source === 'wechat-api') {
      const wechat = this.deps.wechat();
      const clients = { live: wechat.client('channels'), shop: wechat.client('shop') };
      if (!clients.live && !clients.shop) {
        // a source that cannot run says why, and nothing simulated stands in for it (#13)
        const message =
          '微信 API 无法启动：视频号助手与微信小店的 AppID / AppSecret 都未填写（设置 → 微信）。在填写前不会显示任何数据 / WeChat API cannot run: neither the 视频号助手 nor the 微信小店 AppID/AppSecret is set (Settings → WeChat); no figures until they are';
        this.refused.set(state.id, { state: 'error', message });
        this.recordRun(state.id, source, 'refused', message);
        core.log('metrics: wechat-api source chosen but neither the 视频号助手 nor the 微信小店 AppID/AppSecret is set');
        return;
      }
      runner = new WechatApiPoller(this.context(state.id), clients, options);
    }
    this.recordRun(state.id, source, 'running', null);
    if (!runner) return; // push and generic ingest are passive: events arrive over HTTP
    this.running.set(state.id, runner);
    void Promise.resolve(runner.start()).catch((error: Error) => core.log(`metrics: source ${source} failed: ${error.message}`));
  }

  stop(sessionId: number): void {
    this.refused.delete(sessionId);
    const r = this.running.get(sessionId);
    if (!r) return;
    this.running.delete(sessionId);
    r.stop();
  }

  stopAll(): void {
    for (const id of [...this.running.keys()]) this.stop(id);
  }

  /** a push reached people: the running sources (the simulator's audience) react to it */
  notifyPush(sessionId: number | undefined, reach: number | undefined): void {
    for (const [id, r] of this.running) if (sessionId === undefined || id === sessionId) r.onPush?.(reach);
  }

  /** the session a WeChat order push belongs to: the live one on the push source, else the first live one */
  pushTarget(states: Iterable<SessionState>): number | null {
    const live = [...states].filter((s) => s.status === 'live');
    return (live.find((s) => this.choiceOf(s.id).source === 'wechat-push') ?? live[0])?.id ?? null;
  }

  /** the session's source history, and the effective choice stored so review never reads 'none' for it */
  private recordRun(sessionId: number, source: SourceName, state: 'running' | 'refused', message: string | null): void {
    const { core, store } = this.deps;
    try {
      store.transaction(() => {
        if (!store.source(sessionId)) store.setSource(sessionId, source, this.choiceOf(sessionId).options, core.now());
        store.addRun(sessionId, source, state, message, core.now());
      });
    } catch (error) {
      core.log(`metrics: source history for session ${sessionId} not stored: ${(error as Error).message}`);
    }
  }

  private context(sessionId: number): SourceContext {
    const { core } = this.deps;
    return {
      sessionId,
      ingest: (events) => this.deps.ingest(sessionId, events),
      now: () => core.now(),
      log: (line) => core.log(line),
      session: () => this.deps.state(sessionId),
      product: (id) => {
        try {
          return core.products.getIncludingDeleted(id);
        } catch {
          return null;
        }
      },
      productBySku: (sku) => core.products.list().find((p) => p.sku === sku) ?? null,
    };
  }
}

function parseOptions(source: SourceName, options: Record<string, unknown>): Record<string, unknown> {
  const schema = source === 'simulator' ? SimulatorOptions : source === 'wechat-api' ? WechatApiOptions : null;
  if (!schema) return {};
  const parsed = schema.safeParse(options);
  if (!parsed.success)
    throw new CoreError('bad_request', `options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data as Record<string, unknown>;
}
