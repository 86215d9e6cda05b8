// The review domain (直播复盘): reports, replay, compare (report.ts and its handlers), and moving sessions in and out of
// LiveCue — bundles, 视频号助手 exports, the OBS recording served with HTTP ranges (transfer.ts and its handlers).
import type { Core } from '../core.ts';
import type { AutomationApi } from '../automation-api.ts';
import type { LineupApi } from '../lineup-api.ts';
import type { MetricsApi } from '../metrics-api.ts';
import type { ObsApi } from '../obs-api.ts';
import type { PushApi } from '../push-api.ts';
import type { CoreModule } from '../module.ts';
import type { CoreServer } from '../server/server.ts';
import { attachReport, reportRoutes } from './report-handlers.ts';
import { attachTransfer, transferRoutes } from './transfer-handlers.ts';

/** What review reads from other domains, handed in by modules.ts: each domain's typed API, never its tables. */
export interface ReviewDeps {
  /** the metrics domain's rollups, readings and orders (electron/core/metrics-api.ts) */
  metrics: MetricsApi;
  /** pushes and their deliveries (electron/core/push-api.ts) */
  push: PushApi;
  /** stream health, OBS output events, recordings linked by hand (electron/core/obs-api.ts) */
  obs: ObsApi;
  /** sessions, lineup, segments (electron/core/lineup-api.ts) */
  lineup: LineupApi;
  /** what room automation sent (electron/core/automation-api.ts) */
  automation: AutomationApi;
}

export class ReviewModule implements CoreModule {
  readonly name = 'review';
  private readonly deps: ReviewDeps;

  constructor(deps: ReviewDeps) {
    this.deps = deps;
  }

  attach(core: Core): void {
    attachReport(core, this.deps);
    attachTransfer(core, this.deps);
  }

  routes(server: CoreServer): void {
    reportRoutes(server);
    transferRoutes(server, this.deps);
  }
}
