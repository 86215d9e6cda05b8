// Every domain module the core runs, in start order. One line per domain (plus the wiring between domains).
import type { CoreModule, ModuleEnv } from './module.ts';
import { channelsModule } from './channels/index.ts';
import { createMetricsModule } from './metrics/module.ts';
import { ObsModule } from './obs/module.ts';
import { PushModule, pushOptionsFromEnv } from './push/module.ts';
import { ReviewModule } from './review/module.ts';

export function createModules(env: ModuleEnv): CoreModule[] {
  const metrics = createMetricsModule(env);
  // push lift = new viewers per minute after a push vs before, from the metrics rollups
  const push = new PushModule({
    ...pushOptionsFromEnv(env.env),
    newViewersPerMinute: (s, from, to) => metrics.newViewersPerMinute(s, from, to),
    // a rehearsal (simulator source) never reaches customer groups / 朋友圈 unless the producer allows it
    isRehearsal: (s) => metrics.isRehearsal(s),
    // 直播预约 notices are read with the 视频号助手 account's token (issue 11 splits the accounts: wire it there)
    assistantAccess: () => metrics.assistantAccess(),
    secrets: env.secrets,
  });
  const channels = channelsModule(env);
  // the 视频号 console's live comments and online count become metrics of the session
  channels.setSink({
    onComment: (sessionId, c) => {
      if (sessionId !== null) metrics.ingestFromBridge(sessionId, { type: 'comment', ts: c.ts, text: c.text });
    },
    onReading: (sessionId, r) => {
      if (sessionId !== null && r.online !== null) metrics.ingestFromBridge(sessionId, { type: 'reading', ts: r.ts, online: r.online });
    },
  });
  return [new ObsModule(env), metrics, push, channels, new ReviewModule()];
}
