// Every domain module the core runs, in start order. One line per domain (plus the wiring between domains).
import type { CoreModule, ModuleEnv } from './module.ts';
import { channelsModule } from './channels/index.ts';
import { createMetricsModule } from './metrics/module.ts';
import { ObsModule } from './obs/module.ts';
import { PushModule, pushOptionsFromEnv } from './push/module.ts';
import { ReviewModule } from './review/module.ts';
import { AutomationModule } from './automation/module.ts';
import { SimulatedRoom } from './automation/sim-room.ts';
import { ShopModule } from './catalog/shop-module.ts';

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
  // room automation drives the 视频号 console through the bridge's RoomControl (electron/core/room.ts); rehearsals are
  // sessions on the simulator (LIVECUE_ROOM_SIM=1: a simulated room instead, to try rules; docs/automation.md)
  const simRoom = env.env.LIVECUE_ROOM_SIM === '1' ? new SimulatedRoom({ gapMs: Number(env.env.LIVECUE_ROOM_SIM_GAP_MS) || undefined }) : null;
  const automation = new AutomationModule({ room: () => simRoom ?? (channels.connection?.running ? channels.room() : null), sourceOf: (id) => metrics.sourceName(id), secrets: env.secrets });
  // 微信小店 catalog and product links; the push preview shows the pinned product's link (#11)
  const shop = new ShopModule(env);
  push.setProductLinks((productId) => shop.productLinks(productId));
  return [new ObsModule(env), metrics, push, channels, automation, new ReviewModule({ metrics: metrics.api }), shop];
}
