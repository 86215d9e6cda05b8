// The metrics commands (shared/protocol/metrics.ts) and the domain's snapshot part.
import { type AlertConfig, DEFAULT_ALERTS } from '../../../shared/metrics/formulas.ts';
import type { MetricsExt, SourceName, WechatInfo } from '../../../shared/protocol/metrics.ts';
import type { Core } from '../core.ts';
import type { WechatAccounts } from '../wechat/accounts.ts';
import type { SessionAggregates } from './aggregates.ts';
import type { LiveFigures } from './figures.ts';
import type { SessionSources } from './sources.ts';
import type { MetricsTicker } from './tick.ts';
import { CALLBACK_PATH } from './wechat-callback.ts';

export interface MetricsHandlerDeps {
  aggregates: SessionAggregates;
  sources: SessionSources;
  figures: LiveFigures;
  ticker: MetricsTicker;
  wechat: WechatAccounts;
  /** where secrets rest (shown in the WeChat settings) */
  secretStoreKind: string;
  /** the module runs (sources start only then) */
  started: () => boolean;
}

/** What Settings → WeChat shows: both accounts (masked), the API base, the callback path. */
export function wechatInfo(wechat: WechatAccounts, secretStoreKind: string): WechatInfo {
  return {
    channels: wechat.info('channels'),
    shop: wechat.info('shop'),
    apiBase: wechat.apiBase(),
    deprecatedEnv: wechat.deprecatedEnv,
    callbackPath: CALLBACK_PATH,
    secretStore: secretStoreKind,
  };
}

export function registerMetricsHandlers(core: Core, deps: MetricsHandlerDeps): void {
  const { aggregates, sources, figures, ticker, wechat } = deps;
  core.handle('metrics.ingest', ({ sessionId, events }) => aggregates.ingest(sessionId, events));
  core.handle('metrics.snapshot', ({ sessionId }) => figures.snapshot(sessionId));
  core.handle('metrics.series', ({ sessionId }) => figures.series(sessionId));
  core.handle('metrics.setSource', ({ sessionId, source, options }) => sources.choose(sessionId, source, options ?? {}, deps.started()));
  core.handle('metrics.setAlerts', (input) => {
    const config: AlertConfig = {
      ...DEFAULT_ALERTS,
      ...figures.alertConfig,
      ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
    };
    figures.alertConfig = config;
    core.settings.set('metrics.alerts', config);
    core.emit({ type: 'metrics.alertsChanged', config });
    return config;
  });
  core.handle('metrics.notifyPush', ({ sessionId, reach }) => {
    sources.notifyPush(sessionId, reach);
    return { ok: true };
  });
  core.handle('metrics.setWechat', ({ account, ...input }) => {
    wechat.set(account, input);
    sources.forgetChoices();
    return wechatInfo(wechat, deps.secretStoreKind);
  });
  core.handle('metrics.wechatInfo', () => wechatInfo(wechat, deps.secretStoreKind));
  core.handle('metrics.wechatTest', ({ account }) => wechat.test(account, core.now()));
  core.addSnapshotPart('metrics', (): MetricsExt => {
    const chosen: Record<number, SourceName> = {};
    for (const id of aggregates.states.keys()) chosen[id] = sources.choiceOf(id).source;
    return { alerts: figures.alertConfig, sources: chosen, ticks: [...ticker.lastTick.values()] };
  });
}
