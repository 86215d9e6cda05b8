// The registry: every domain module the core runs, in start order. Each is built the same way, `new <Name>Module(deps)`,
// from explicit typed dependencies: the host's environment (ModuleEnv) and the functions of other domains it uses. This
// is the only place where one domain is handed another's API; a domain never imports another (livecue/boundaries).
// A dependency that would form a cycle is a lazy getter, read when a command or event runs, never at construction.
import type { CoreModule, ModuleEnv } from './module.ts';
import { AutomationModule } from './automation/module.ts';
import { SimulatedRoom } from './automation/sim-room.ts';
import { CatalogModule } from './catalog/module.ts';
import { ShopModule } from './catalog/shop-module.ts';
import { ChannelsModule, channelsOptionsFromEnv } from './channels/index.ts';
import { LineupModule } from './lineup/module.ts';
import { MetricsModule } from './metrics/module.ts';
import { ObsModule } from './obs/module.ts';
import { PushModule, pushOptionsFromEnv } from './push/module.ts';
import { ReviewModule } from './review/module.ts';

/** The desk itself, which every host runs (tests too): the catalog and the lineup, each handed the other's API. */
export function createDeskModules(): [CatalogModule, LineupModule] {
  // the catalog asks the lineup before it deletes or re-sends a product (lazy: the lineup is built next, with the
  // catalog as its CatalogApi)
  const catalog: CatalogModule = new CatalogModule({ lineup: () => lineup });
  const lineup = new LineupModule({ catalog });
  return [catalog, lineup];
}

export function createModules(env: ModuleEnv): CoreModule[] {
  const [catalog, lineup] = createDeskModules();
  const obs = new ObsModule(env);
  const metrics = new MetricsModule(env);
  // 微信小店 catalog and product links; the push preview shows the pinned product's link (#11)
  const shop = new ShopModule(env);
  const push = new PushModule({
    ...pushOptionsFromEnv(env.env),
    // push lift = new viewers per minute after a push vs before, from the metrics rollups
    newViewersPerMinute: (s, from, to) => metrics.newViewersPerMinute(s, from, to),
    // a rehearsal (simulator source) never reaches customer groups / 朋友圈 unless the producer allows it
    isRehearsal: (s) => metrics.isRehearsal(s),
    // 直播预约 notices are read with the 视频号助手 account's token (issue 11 splits the accounts: wire it there)
    assistantAccess: () => metrics.assistantAccess(),
    productLinks: (productId) => shop.productLinks(productId),
    secrets: env.secrets,
  });
  const channels = new ChannelsModule({
    ...channelsOptionsFromEnv(env),
    // the 视频号 console's live comments and online count become metrics of the session
    sink: {
      onComment: (sessionId, c) => {
        if (sessionId !== null) metrics.ingestFromBridge(sessionId, { type: 'comment', ts: c.ts, text: c.text });
      },
      onReading: (sessionId, r) => {
        if (sessionId !== null && r.online !== null) metrics.ingestFromBridge(sessionId, { type: 'reading', ts: r.ts, online: r.online });
      },
    },
  });
  // room automation drives the 视频号 console through the bridge's RoomControl (electron/core/room.ts); rehearsals are
  // sessions on the simulator (LIVECUE_ROOM_SIM=1: a simulated room instead, to try rules; docs/automation.md)
  const simRoom =
    env.env.LIVECUE_ROOM_SIM === '1' ? new SimulatedRoom({ gapMs: Number(env.env.LIVECUE_ROOM_SIM_GAP_MS) || undefined }) : null;
  const automation = new AutomationModule({
    room: () => simRoom ?? (channels.connection?.running ? channels.room() : null),
    sourceOf: (id) => metrics.sourceName(id),
    secrets: env.secrets,
  });
  const review = new ReviewModule({ metrics: metrics.api, push: push.api, obs: obs.api, lineup: lineup.api, automation: automation.api });
  return [catalog, lineup, obs, metrics, push, channels, automation, review, shop];
}
