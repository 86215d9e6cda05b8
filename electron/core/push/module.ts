// The push domain wired into the core: the outbox (outbox.ts) and its sender (sender.ts, one platform file each), the
// rule triggers (triggers.ts) behind their countdown (countdown.ts), message composition (compose.ts), WeCom customer
// groups and 朋友圈 (customer.ts, wecom-account.ts), posters (posters.ts), lifts (lifts.ts), the page state (state.ts),
// commands (handlers.ts) and HTTP routes (routes.ts).
import type { Push, PushLift, KindLift, WecomStatus } from '../../../shared/protocol/push.ts';
import type { NewViewersPerMinute } from '../../../shared/push/lift.ts';
import type { Core } from '../core.ts';
import type { CoreModule, ModuleEnv } from '../module.ts';
import type { SecretStore } from '../secrets.ts';
import type { CoreServer } from '../server/server.ts';
import type { PushApi } from '../push-api.ts';
import { createPushApi } from './api.ts';
import { MessageComposer, type ProductLinks } from './compose.ts';
import { RuleCountdown } from './countdown.ts';
import { CustomerEngine, CustomerRepo } from './customer.ts';
import { EntryRepo } from './entry.ts';
import { registerPushHandlers } from './handlers.ts';
import { PushLifts } from './lifts.ts';
import { PushRepo } from './outbox.ts';
import { PosterFiles } from './posters.ts';
import { pushRoutes } from './routes.ts';
import { Sender, type SenderOptions } from './sender.ts';
import { PushState } from './state.ts';
import { Triggers } from './triggers.ts';
import { WecomAccount } from './wecom-account.ts';

export type { NewViewersPerMinute };
export type { ProductLinks };

export interface PushModuleOptions extends SenderOptions {
  /** how often reminders are checked (ms) */
  reminderTickMs?: number;
  newViewersPerMinute?: NewViewersPerMinute;
  /** metrics: is this session a rehearsal (simulator source)? */
  isRehearsal?: (sessionId: number) => boolean;
  productLinks?: ProductLinks;
  /** the 视频号助手 account's API base + token, for its 直播预约 list (null when not set up) */
  assistantAccess?: () => Promise<{ base: string; token: string } | null>;
  /** how long an automatic push waits behind its countdown toast (default LIVECUE_PUSH_COUNTDOWN_MS or 10 s; 0 = none) */
  countdownMs?: number;
  /** process environment: LIVECUE_WECOM_CORPID / _SECRET / _API_BASE / _POLL_MS, LIVECUE_PUSH_COUNTDOWN_MS */
  env?: NodeJS.ProcessEnv;
  secrets?: SecretStore;
}

/** serve-mode settings: LIVECUE_PUSH_TIME_SCALE (tests only), LIVECUE_PUSH_TIMEOUT_MS */
export function pushOptionsFromEnv(env: ModuleEnv['env']): PushModuleOptions {
  const scale = Number(env.LIVECUE_PUSH_TIME_SCALE);
  const timeout = Number(env.LIVECUE_PUSH_TIMEOUT_MS);
  return {
    timeScale: Number.isFinite(scale) && scale > 0 && scale <= 1 ? scale : undefined,
    timeoutMs: Number.isFinite(timeout) && timeout >= 100 ? timeout : undefined,
    env,
  };
}

export class PushModule implements CoreModule {
  readonly name = 'push';
  private readonly options: PushModuleOptions;
  core!: Core;
  /** what the review domain reads through (electron/core/push-api.ts); usable once the module is attached */
  readonly api: PushApi = createPushApi(() => this.core.db);
  store!: PushRepo;
  sender!: Sender;
  triggers!: Triggers;
  customers!: CustomerRepo;
  engine!: CustomerEngine;
  entries!: EntryRepo;
  private composer!: MessageComposer;
  private wecom!: WecomAccount;
  private countdown!: RuleCountdown;
  private lifts!: PushLifts;
  private state!: PushState;
  /** #11: the 微信小店 domain's product links; may be set before attach (modules.ts) */
  /** #11: the 微信小店 domain's product links (the pinned product's, shown in the preview) */
  private readonly productLinks: ProductLinks | undefined;

  constructor(options: PushModuleOptions = {}) {
    this.options = options;
    this.productLinks = options.productLinks;
  }

  /** How many people a delivery to this channel could reach: unknown (null) for every channel kind today — robot
   * webhooks do not report the group's size (see the `push.sent` event). A channel kind that knows it returns it here. */
  reachOf(_channelId: number): number | null {
    return null;
  }

  attach(core: Core): void {
    const options = this.options;
    const env = options.env ?? {};
    this.core = core;
    this.store = new PushRepo(core.db, core.secrets);
    this.entries = new EntryRepo(core.db);
    this.state = new PushState(
      core,
      this.store,
      this.entries,
      () => this.sender,
      () => this.countdown,
    );
    this.sender = new Sender(this.store, {
      ...options,
      log: options.log ?? core.log,
      onPause: () => this.state.emit(),
      onChange: (id) => {
        const delivery = this.store.delivery(id);
        core.emit({ type: 'push.delivery', delivery });
        // a group reached: the metrics simulator reacts to it like an audience would
        if (delivery.status === 'sent' && delivery.part === 'message') {
          const push = this.store.push(delivery.pushId);
          core.emit({
            type: 'push.sent',
            sessionId: push.sessionId,
            pushId: delivery.pushId,
            channelId: delivery.channelId,
            reach: this.reachOf(delivery.channelId),
          });
        }
      },
    });
    this.triggers = new Triggers(
      core,
      this.store,
      (rule, sessionId, product) => this.countdown.announce(rule, sessionId, product),
      options.reminderTickMs,
    );
    this.wecom = new WecomAccount(core, options.secrets ?? core.secrets, env, options.timeoutMs);
    this.customers = new CustomerRepo(core.db);
    this.store.customerOf = (pushId) => this.customers.deliveriesOfPush(pushId);
    this.composer = new MessageComposer(core, this.store, this.entries);
    if (this.productLinks) this.composer.setProductLinks(this.productLinks);
    const posters = new PosterFiles(core, this.store, this.entries);
    const pollMs = Number(env.LIVECUE_WECOM_POLL_MS);
    this.engine = new CustomerEngine(this.customers, () => this.wecom.client(), {
      now: () => core.now(),
      pollMs: Number.isFinite(pollMs) && pollMs >= 50 ? pollMs : 60_000,
      timeScale: options.timeScale ?? 1,
      log: options.log ?? core.log,
      onChange: (pushId) => core.emit({ type: 'push.customer', pushId, customer: this.customers.deliveriesOfPush(pushId) }),
      poster: (name) => posters.read(name),
    });
    this.countdown = new RuleCountdown({
      core,
      store: this.store,
      customers: this.customers,
      entries: this.entries,
      composer: this.composer,
      sender: this.sender,
      engine: this.engine,
      isRehearsal: options.isRehearsal,
      countdownMs: () => this.countdownMs(),
      tx: (fn) => core.db.transaction(fn).immediate(),
    });
    this.lifts = new PushLifts(options.newViewersPerMinute, () => core.now());
    core.addSnapshotPart('push', () => ({ ...this.state.current(), recent: this.store.recentPushes(30) }));
    registerPushHandlers(core, {
      store: this.store,
      sender: this.sender,
      triggers: this.triggers,
      customers: this.customers,
      engine: this.engine,
      entries: this.entries,
      composer: this.composer,
      posters,
      wecom: this.wecom,
      countdown: this.countdown,
      lifts: this.lifts,
      state: this.state,
      isRehearsal: options.isRehearsal,
      assistantAccess: options.assistantAccess,
      timeoutMs: options.timeoutMs,
    });
  }

  routes(server: CoreServer): void {
    pushRoutes(server, this.core);
  }

  start(): void {
    this.sender.start();
    this.engine.start();
    this.triggers.start();
  }

  async stop(): Promise<void> {
    this.triggers.stop();
    this.countdown.stop();
    await Promise.all([this.sender.stop(), this.engine.stop()]);
  }

  /** how long an automatic push waits behind its countdown toast */
  private countdownMs(): number {
    if (this.options.countdownMs !== undefined) return this.options.countdownMs;
    const v = Number(this.options.env?.LIVECUE_PUSH_COUNTDOWN_MS);
    return Number.isFinite(v) && v >= 0 ? v : 10_000;
  }

  wecomStatus(): WecomStatus {
    return this.wecom.status(this.customers, this.engine);
  }

  /** average lift over the pushes that reached each kind of channel (robots = internal staff groups) */
  liftByKind(pushes: Push[]): KindLift[] {
    return this.lifts.byKind(pushes);
  }

  lift(push: Push): PushLift | null {
    return this.lifts.of(push);
  }
}
