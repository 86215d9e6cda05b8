// The review domain (直播复盘): reports, replay, compare (report.ts and its handlers), and moving sessions in and out of
// LiveCue — bundles, 视频号助手 exports, the OBS recording served with HTTP ranges (transfer.ts and its handlers).
import type { Core } from '../core.ts';
import type { CoreModule } from '../module.ts';
import type { CoreServer } from '../server/server.ts';
import { attachReport, reportRoutes } from './report-handlers.ts';
import { attachTransfer, transferRoutes } from './transfer-handlers.ts';

export class ReviewModule implements CoreModule {
  readonly name = 'review';

  attach(core: Core): void {
    attachReport(core);
    attachTransfer(core);
  }

  routes(server: CoreServer): void {
    reportRoutes(server);
    transferRoutes(server);
  }
}
