// The push domain plugged into the core: commands, HTTP routes, the sender and the triggers.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Product } from '../../../shared/domain.ts';
import {
  CHANNEL_KINDS,
  type MessageFormat,
  type KindLift,
  type PendingPush,
  type PosterLayout,
  type Push,
  type PushLift,
  REACH_KINDS,
  type ReachKind,
  type WecomStatus,
  type PushPreview,
  type PushRule,
} from '../../../shared/protocol/push.ts';
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import type { CoreModule, ModuleEnv } from '../module.ts';
import { bodyObject, idParam, queryNumber } from '../server/params.ts';
import type { SecretStore } from '../secrets.ts';
import { CustomerEngine, CustomerStore, fetchGroups, GROUP_TEXT_LIMIT, type TaskBody } from './customer.ts';
import { EntryStore } from './entry.ts';
import { listNotices } from './notices.ts';
import { checkApiBase, WecomApi, type WecomCredentials } from './wecom-api.ts';
import type { RouteContext } from '../server/router.ts';
import type { CoreServer } from '../server/server.ts';
import { PushStore } from './outbox.ts';
import type { Message } from './platform.ts';
import { type NewViewersPerMinute, pushLift } from '../../../shared/push/lift.ts';
import { platforms } from './platforms.ts';
import { Sender, type SenderOptions } from './sender.ts';
import { type RenderContext, renderTemplate } from './templates.ts';
import { Triggers } from './triggers.ts';
import { qrcode } from '../qr.ts';

export type { NewViewersPerMinute };

/**
 * Provided by the catalog domain (issue 11: `catalog.productLinks {productId}`): the product's official links from the
 * shop — H5 link (/channels/ec/product/h5url/get), 口令 (taglink), QR. modules.ts wires it (`ShopModule.productLinks`).
 */
export type ProductLinks = (productId: number) => Promise<import('../../../shared/protocol/shop.ts').ProductLinks | null>;


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

const WECOM_BASE = 'https://qyapi.weixin.qq.com';
const SECRET_CORPID = 'wecom.corpid';
const SECRET_SECRET = 'wecom.secret';

const BUTTON = '进入直播间';

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
  private readonly newViewers: NewViewersPerMinute | undefined;
  core!: Core;
  store!: PushStore;
  sender!: Sender;
  triggers!: Triggers;
  customers!: CustomerStore;
  engine!: CustomerEngine;
  entries!: EntryStore;
  private secrets!: SecretStore;
  private api: WecomApi | null = null;
  private apiKey = '';
  private readonly pending = new Map<string, { info: PendingPush; timer: NodeJS.Timeout; run: () => void }>();
  /** rule × session pairs the producer cancelled from the toast: they do not come back for that session */
  private readonly heldBack = new Set<string>();
  /** rule × session pairs a rehearsal held back (no toast every tick); cleared when the session allows rehearsal pushes */
  private readonly rehearsalHeld = new Set<string>();
  /** product id → its official link from the shop (issue 11's catalog.productLinks), fetched ahead of use */
  private readonly productLinkCache = new Map<number, string | null>();

  constructor(options: PushModuleOptions = {}) {
    this.options = options;
    this.newViewers = options.newViewersPerMinute;
    if (options.productLinks) this.productLinks = options.productLinks;
  }

  /** How many people a delivery to this channel could reach: unknown (null) for every channel kind today — robot
   * webhooks do not report the group's size (see the `push.sent` event). A channel kind that knows it returns it here. */
  reachOf(_channelId: number): number | null {
    return null;
  }

  /** #11: the 微信小店 domain's product links (the pinned product's, shown in the preview) */
  private productLinks: ProductLinks = async () => null;
  setProductLinks(fn: ProductLinks): void {
    this.productLinks = fn;
    this.productLinkCache.clear();
  }

  attach(core: Core): void {
    this.core = core;
    this.store = new PushStore(core.db, core.secrets);
    this.sender = new Sender(this.store, {
      ...this.options,
      log: this.options.log ?? core.log,
      onPause: () => this.emitState(),
      onChange: (id) => {
        const delivery = this.store.delivery(id);
        core.emit({ type: 'push.delivery', delivery });
        // a group reached: the metrics simulator reacts to it like an audience would
        if (delivery.status === 'sent' && delivery.part === 'message') {
          const push = this.store.push(delivery.pushId);
          core.emit({ type: 'push.sent', sessionId: push.sessionId, pushId: delivery.pushId, channelId: delivery.channelId, reach: this.reachOf(delivery.channelId) });
        }
      },
    });
    this.triggers = new Triggers(core, this.store, (rule, sessionId, product) => this.announceRule(rule, sessionId, product), this.options.reminderTickMs);
    this.secrets = this.options.secrets ?? core.secrets;
    this.customers = new CustomerStore(core.db);
    this.entries = new EntryStore(core.db);
    this.store.customerOf = (pushId) => this.customers.deliveriesOfPush(pushId);
    const pollMs = Number(this.env.LIVECUE_WECOM_POLL_MS);
    this.engine = new CustomerEngine(this.customers, () => this.wecomApi(), {
      now: () => core.now(),
      pollMs: Number.isFinite(pollMs) && pollMs >= 50 ? pollMs : 60_000,
      timeScale: this.options.timeScale ?? 1,
      log: this.options.log ?? core.log,
      onChange: (pushId) => core.emit({ type: 'push.customer', pushId, customer: this.customers.deliveriesOfPush(pushId) }),
      poster: (name) => this.readPoster(name),
    });
    core.addSnapshotPart('push', () => ({ ...this.state(), recent: this.store.recentPushes(30) }));
    this.registerHandlers();
  }

  routes(server: CoreServer): void {
    const core = this.core;
    const r = server.route.bind(server);
    const id = (c: RouteContext) => idParam(c);
    const obj = bodyObject;
    r('GET', '/api/v1/push/channels', () => core.invoke('push.channels.list', {}));
    r('POST', '/api/v1/push/channels', (c) => core.invoke('push.channel.create', c.body));
    r('PATCH', '/api/v1/push/channels/:id', (c) => core.invoke('push.channel.update', { ...obj(c.body), id: id(c) }));
    r('DELETE', '/api/v1/push/channels/:id', (c) => core.invoke('push.channel.delete', { id: id(c) }));
    r('POST', '/api/v1/sessions/:id/push', (c) => core.invoke('push.send', { ...obj(c.body), sessionId: id(c) }));
    r('GET', '/api/v1/sessions/:id/pushes', (c) => core.invoke('push.history', { sessionId: id(c) }));
    r('GET', '/api/v1/push/deliveries', (c) => {
      return core.invoke('push.deliveries', { pushId: queryNumber(c, 'pushId'), sessionId: queryNumber(c, 'sessionId') });
    });
    r('POST', '/api/v1/push/deliveries/:id/resend', (c) => core.invoke('push.resend', { deliveryId: id(c) }));
    r('GET', '/api/v1/wecom/groups', (c) => core.invoke('push.wecom.groups', { refresh: c.url.searchParams.get('refresh') === '1' }));
    r('PATCH', '/api/v1/wecom/groups/:chatId', (c) => core.invoke('push.wecom.group.tag', { ...obj(c.body), chatId: c.params.chatId ?? '' }));
    r('GET', '/api/v1/wecom/status', () => core.invoke('push.wecom.status', {}));
    r('POST', '/api/v1/wecom/configure', (c) => core.invoke('push.wecom.configure', c.body));
    r('GET', '/api/v1/sessions/:id/poster', async (c) => {
      const layout = c.url.searchParams.get('layout') ?? undefined;
      return core.invoke('push.poster', { sessionId: id(c), layout });
    });
  }

  start(): void {
    this.sender.start();
    this.engine.start();
    this.triggers.start();
  }

  async stop(): Promise<void> {
    this.triggers.stop();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    await Promise.all([this.sender.stop(), this.engine.stop()]);
  }

  private get env(): NodeJS.ProcessEnv {
    return this.options.env ?? {};
  }

  private state() {
    const links = this.store.links();
    return {
      channels: this.channels(),
      templates: this.store.listTemplates(),
      rules: this.store.listRules(),
      links,
      entries: this.entries.all(links),
      pending: [...this.pending.values()].map((p) => p.info),
    };
  }

  /** the robots, each with the pause its platform imposed (DingTalk's 10 minutes), if any */
  private channels() {
    return this.store.listChannels().map((c) => ({ ...c, pausedUntil: this.sender.pausedUntil(c.id) }));
  }

  // ── WeCom customer contact ──────────────────────────────────────────────────────────────────────────────────────────
  private credentials(): { creds: WecomCredentials | null; source: WecomStatus['source'] } {
    const env = this.env;
    if (env.LIVECUE_WECOM_CORPID && env.LIVECUE_WECOM_SECRET) return { creds: { corpId: env.LIVECUE_WECOM_CORPID, secret: env.LIVECUE_WECOM_SECRET }, source: 'env' };
    const corpId = this.secrets.get(SECRET_CORPID);
    const secret = this.secrets.get(SECRET_SECRET);
    return corpId && secret ? { creds: { corpId, secret }, source: 'stored' } : { creds: null, source: 'none' };
  }

  private apiBase(): string {
    return this.env.LIVECUE_WECOM_API_BASE || WECOM_BASE;
  }

  /** one client per credentials (its token cache belongs to them) */
  private wecomApi(): WecomApi | null {
    const { creds } = this.credentials();
    if (!creds || checkApiBase(this.apiBase())) return null;
    const key = `${this.apiBase()}|${creds.corpId}|${creds.secret}`;
    if (!this.api || key !== this.apiKey) {
      this.apiKey = key;
      this.api = new WecomApi({ base: this.apiBase(), credentials: () => this.credentials().creds, timeoutMs: this.options.timeoutMs, now: () => this.core.now() });
    }
    return this.api;
  }

  private requireApi(): WecomApi {
    const problem = checkApiBase(this.apiBase());
    if (problem) throw new CoreError('bad_request', problem);
    const api = this.wecomApi();
    if (!api) throw new CoreError('conflict', '请先在推送页设置企业微信 CorpID 与客户联系 Secret / set the WeCom corpid and 客户联系 secret first');
    return api;
  }

  wecomStatus(): WecomStatus {
    const { creds, source } = this.credentials();
    const corp = creds?.corpId ?? null;
    return {
      configured: creds !== null,
      source,
      corpIdMasked: corp ? (corp.length <= 6 ? '****' : `${corp.slice(0, 2)}****${corp.slice(-4)}`) : null,
      hasSecret: !!creds?.secret,
      quotaRule: this.customers.quotaRule(),
      apiBase: this.apiBase(),
      groups: this.customers.groups(this.core.now()).length,
      lastError: this.engine.lastError,
    };
  }

  private posterDir(): string {
    return path.join(this.core.dataDir, 'posters');
  }
  private readPoster(name: string): Buffer | null {
    if (!/^[a-z0-9-]+\.png$/.test(name)) return null;
    try {
      return fs.readFileSync(path.join(this.posterDir(), name));
    } catch {
      return null;
    }
  }

  private async poster(sessionId: number, layout: PosterLayout = 'story') {
    // loaded on first use: satori alone costs ≈ 0.2 s of start-up that a desk without posters should not pay
    const { inlineImages, renderPoster } = await import('./poster.ts');
    const s = this.core.sessions.state(sessionId);
    const entry = this.entries.get(sessionId, this.store.link(sessionId));
    const products = await inlineImages(s.lineup.map((item) => this.core.products.getIncludingDeleted(item.productId)).filter((p): p is Product => !!p).slice(0, 6));
    const hint =
      entry.entry?.kind === 'miniprogram'
        ? '点击群消息里的小程序卡片进入直播间'
        : entry.entry?.kind === 'notice'
          ? `预约直播：${entry.entry.title ?? s.title}`
          : '或在微信视频号搜索本店进入直播间';
    const r = await renderPoster({ title: s.title, startTime: s.status === 'draft' ? s.plannedStart : (s.startedAt ?? s.plannedStart), products, qrText: entry.link, hint }, layout);
    return { ...r, qrText: entry.link };
  }

  /** the text part of a customer-group / 朋友圈 task and its link or mini-program card, from the session's entry point */
  private taskBody(sessionId: number, text: string, title: string, posterName: string | null, product: Product | null = null): TaskBody {
    const entry = this.entries.get(sessionId, this.store.link(sessionId));
    const e = entry.entry;
    // a product push links the product's official page when the shop gave one (doc 92135 link.url ≤ 2048 bytes)
    const productUrl = this.productLinkOf(product);
    const productLink = productUrl && /^https:\/\//.test(productUrl) ? { title: (product?.title ?? title).slice(0, 40), url: productUrl, desc: '点击查看商品' } : null;
    return {
      text,
      link: productLink ?? (e?.kind === 'link' ? { title: title.slice(0, 40) || '进入直播间', url: e.url, desc: '点击进入直播间' } : null),
      miniprogram: e?.kind === 'miniprogram' ? { title: (e.title ?? title).slice(0, 21) || '进入直播间', appid: e.appid, page: e.path } : null,
      poster: posterName,
    };
  }

  private async savePoster(sessionId: number, layout: PosterLayout | undefined): Promise<string> {
    const { png } = await this.poster(sessionId, layout);
    fs.mkdirSync(this.posterDir(), { recursive: true });
    const name = `${sessionId}-${randomBytes(6).toString('hex')}.png`;
    fs.writeFileSync(path.join(this.posterDir(), name), png);
    return name;
  }

  // ── automatic rules: a visible countdown before anything is written ─────────────────────────────────────────────────
  private countdownMs(): number {
    if (this.options.countdownMs !== undefined) return this.options.countdownMs;
    const v = Number(this.env.LIVECUE_PUSH_COUNTDOWN_MS);
    return Number.isFinite(v) && v >= 0 ? v : 10_000;
  }

  private emitPending(): void {
    this.core.emit({ type: 'push.pending', pending: [...this.pending.values()].map((p) => p.info) });
  }

  /**
   * A rule is due: it is announced with a countdown toast (取消 stops it) and written to the outbox only when the
   * countdown ends. In a rehearsal (simulator source) it is held back unless the producer allowed pushes for that session.
   */
  private announceRule(rule: PushRule, sessionId: number, product: Product | null): number | null {
    const key = `${sessionId}:${rule.id}`;
    if (this.store.hasFired(sessionId, rule.id) || this.heldBack.has(key) || this.rehearsalHeld.has(key)) return null;
    if ([...this.pending.values()].some((p) => p.info.sessionId === sessionId && p.info.ruleId === rule.id)) return null;
    void this.prefetchProductLink(product);
    const rehearsal = this.options.isRehearsal?.(sessionId) ?? false;
    if (rehearsal && !this.entries.get(sessionId, null).allowRehearsalPush) {
      this.rehearsalHeld.add(key);
      this.core.log(`push: rule ${rule.id} (${rule.kind}) held back: session ${sessionId} is a rehearsal (simulator source)`);
      return null;
    }
    const wait = this.countdownMs();
    if (wait === 0) return this.fireRule(rule, sessionId, product);
    const pendingId = `p${randomBytes(5).toString('hex')}`;
    const template = this.store.listTemplates().find((t) => t.id === rule.templateId);
    const info: PendingPush = { pendingId, sessionId, ruleId: rule.id, ruleKind: rule.kind, fireAt: this.core.now() + wait, summary: template?.name ?? rule.kind };
    const run = () => {
      if (!this.pending.delete(pendingId)) return;
      this.emitPending();
      this.fireRule(rule, sessionId, product);
    };
    const timer = setTimeout(run, wait);
    timer.unref?.();
    this.pending.set(pendingId, { info, timer, run });
    this.emitPending();
    return null;
  }

  private emitState(): void {
    this.core.emit({ type: 'push.state', state: this.state() });
  }

  private tx<T>(fn: () => T): T {
    return this.core.db.transaction(fn).immediate();
  }

  /** Fetches the product's official link (H5 link, else 口令) once, so sync paths (rules) can read it from the cache. */
  private async prefetchProductLink(product: Product | null): Promise<void> {
    if (!product || this.productLinkCache.has(product.id)) return;
    try {
      const r = await this.productLinks(product.id);
      this.productLinkCache.set(product.id, r?.h5url ?? r?.taglink ?? null);
    } catch (error) {
      this.core.log(`push: product links of ${product.id} unavailable: ${(error as Error).message}`);
    }
  }

  private productLinkOf(product: Product | null): string | null {
    if (!product) return null;
    // the shop's official link when issue 11's catalog provides it, else the link typed on the product
    return this.productLinkCache.get(product.id) ?? product.link ?? null;
  }

  private context(sessionId: number | undefined, product: Product | null): RenderContext {
    const now = this.core.now();
    if (sessionId === undefined) {
      // preview without a session: sample values, so the producer sees the shape and the length
      // no made-up URL: a 视频号 live room has no official web link (see docs/push.md, "Entry point")
      return { title: '今晚 8 点直播间', link: null, startTime: now + 30 * 60_000, product, productLink: this.productLinkOf(product), now };
    }
    const s = this.core.sessions.state(sessionId);
    return {
      title: s.title,
      link: this.store.link(sessionId),
      startTime: s.status === 'draft' ? s.plannedStart : (s.startedAt ?? s.plannedStart),
      product: product ?? s.pinned,
      productLink: this.productLinkOf(product ?? s.pinned),
      now,
    };
  }

  private message(format: MessageFormat, title: string, body: string, ctx: RenderContext, qrPng: Buffer | null): Message {
    const imageUrl = ctx.product?.imageUrl && /^https:\/\//i.test(ctx.product.imageUrl) ? ctx.product.imageUrl : null;
    // markdown and cards render markdown: catalog text is escaped in them (templates.ts escapeMarkdown)
    const md = format !== 'text';
    return { format, title: renderTemplate(title, ctx, md), text: renderTemplate(body, ctx, md), link: ctx.link, button: BUTTON, imageUrl, qrPng };
  }

  private async qrPng(link: string | null, wanted: boolean | undefined): Promise<Buffer | null> {
    if (!wanted) return null;
    if (!link) throw new CoreError('bad_request', '请先设置直播间链接，才能生成二维码 / set the live link first: the QR code encodes it');
    return (await qrcode()).toBuffer(link, { type: 'png', margin: 2, width: 360, errorCorrectionLevel: 'M' });
  }

  private source(input: { text?: string; templateId?: number; format?: MessageFormat; title?: string }) {
    if (input.templateId !== undefined) {
      const t = this.store.template(input.templateId);
      return { format: t.format, title: t.title, body: t.body };
    }
    if (input.text === undefined || !input.text.trim()) throw new CoreError('bad_request', '需要 text 或 templateId / give text or templateId');
    return { format: input.format ?? 'text', title: input.title ?? '', body: input.text };
  }

  /** A rule fires for a session: one transaction, guarded by the unique (session, rule) index. */
  private fireRule(rule: PushRule, sessionId: number, product: Product | null): number | null {
    try {
      const pushId = this.tx(() => {
        if (this.store.hasFired(sessionId, rule.id)) return null;
        const channelIds = this.store.channelsByTags(rule.tags);
        // customer groups only by an explicit tag (never "every customer group" by default), and only those with quota left
        const now = this.core.now();
        const chats = rule.tags.length ? this.customers.groups(now).filter((g) => g.quota.left > 0 && g.tags.some((t) => rule.tags.includes(t))).map((g) => g.chatId) : [];
        if (!channelIds.length && !chats.length) return null;
        const t = this.store.template(rule.templateId);
        const message = this.message(t.format, t.title, t.body, this.context(sessionId, product), null);
        const pushId = this.store.createPush({ sessionId, trigger: rule.kind, ruleId: rule.id, message, channelIds, oversize: 'fail', allowNoChannels: chats.length > 0 }, now);
        if (chats.length) this.customers.planTasks(pushId, { chatIds: chats, momentOwners: [], body: this.taskBody(sessionId, [message.title, message.text].filter(Boolean).join('\n'), message.title, null, rule.kind === 'hot_pin' ? product : null), withPoster: false }, now);
        return pushId;
      });
      if (pushId === null) return null;
      this.core.emit({ type: 'push.queued', push: this.store.push(pushId) });
      this.sender.kick();
      this.engine.kick();
      return pushId;
    } catch (error) {
      const e = error as { code?: string; message?: string };
      if (!String(e.code ?? '').startsWith('SQLITE_CONSTRAINT')) this.core.log(`push: rule ${rule.id} (${rule.kind}) failed for session ${sessionId}: ${e.message}`);
      return null;
    }
  }

  /** first moment a push reached channels of this kind, or null */
  private firstSentOf(push: Push, kind: ReachKind): number | null {
    const times =
      kind === 'robot'
        ? push.deliveries.filter((d) => d.status === 'sent' && d.sentAt !== null).map((d) => d.sentAt!)
        : push.customer.filter((c) => c.target === kind && c.sentAt !== null && c.status === 'sent').map((c) => c.sentAt!);
    return times.length ? Math.min(...times) : null;
  }

  /** average lift over the pushes that reached each kind of channel (robots = internal staff groups) */
  liftByKind(pushes: Push[]): KindLift[] {
    return REACH_KINDS.map((kind) => {
      const reached = pushes.filter((p) => (kind === 'robot' ? p.deliveries.length > 0 : p.customer.some((c) => c.target === kind)));
      const lifts = reached
        .map((p) => {
          const at = this.firstSentOf(p, kind);
          return at === null ? null : this.lift({ ...p, firstSentAt: at });
        })
        .map((l) => l?.lift ?? null)
        .filter((x): x is number => x !== null);
      return { kind, pushes: reached.length, measured: lifts.length, avgLift: lifts.length ? lifts.reduce((a, b) => a + b, 0) / lifts.length : null };
    });
  }

  lift(push: Push): PushLift | null {
    if (push.firstSentAt === null) return null;
    const { beforePerMin, afterPerMin, lift } = pushLift(this.newViewers, push.sessionId, push.firstSentAt, this.core.now());
    return { pushId: push.id, at: push.firstSentAt, beforePerMin, afterPerMin, lift };
  }

  private registerHandlers(): void {
    const core = this.core;
    const store = this.store;

    core.handle('push.channels.list', () => this.channels());
    core.handle('push.channel.create', (input) => {
      const channel = this.tx(() => store.createChannel(input, core.now()));
      this.emitState();
      return channel;
    });
    core.handle('push.channel.update', ({ id, ...patch }) => {
      const channel = this.tx(() => store.updateChannel(id, patch));
      this.emitState();
      this.sender.kick();
      return channel;
    });
    core.handle('push.channel.delete', ({ id }) => {
      const failed = this.tx(() => store.deleteChannel(id, core.now()));
      for (const d of failed) core.emit({ type: 'push.delivery', delivery: store.delivery(d) });
      this.emitState();
      return { id };
    });
    core.handle('push.template.save', (input) => {
      const template = this.tx(() => store.saveTemplate(input, core.now()));
      this.emitState();
      return template;
    });
    core.handle('push.template.delete', ({ id }) => {
      this.tx(() => store.deleteTemplate(id, core.now()));
      this.emitState();
      return { id };
    });
    core.handle('push.rule.save', (input) => {
      const rule = this.tx(() => store.saveRule(input, core.now()));
      this.emitState();
      this.triggers.tick();
      return rule;
    });
    core.handle('push.rule.delete', ({ id }) => {
      this.tx(() => store.deleteRule(id, core.now()));
      this.emitState();
      return { id };
    });
    core.handle('push.session.setLink', ({ sessionId, link }) => {
      core.sessions.state(sessionId);
      this.tx(() => store.setLink(sessionId, link));
      this.emitState();
      return { sessionId, link };
    });

    core.handle('push.preview', async (input) => {
      const src = this.source(input.templateId !== undefined || input.text !== undefined ? input : { text: ' ' });
      if (input.sessionId !== undefined) await this.prefetchProductLink(core.sessions.state(input.sessionId).pinned);
      const ctx = this.context(input.sessionId, null);
      const png = input.withQr && ctx.link ? await this.qrPng(ctx.link, true) : null;
      const message = this.message(src.format, src.title, src.body, ctx, png);
      const preview: PushPreview = {
        title: message.title,
        text: message.text,
        link: message.link,
        qrSvg: ctx.link ? await (await qrcode()).toString(ctx.link, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) : null,
        parts: CHANNEL_KINDS.flatMap((kind) =>
          platforms[kind].parts(message).map((part) => ({
            kind,
            part: part.part,
            msgtype: part.msgtype,
            bytes: part.bytes,
            limit: part.limit,
            limitOf: part.limitOf,
            ok: part.bytes <= part.limit,
            body: part.msgtype === 'image' ? JSON.stringify({ msgtype: 'image', image: { base64: `(${part.bytes} bytes PNG)`, md5: '…' } }) : JSON.stringify(part.body, null, 2),
            view: platforms[kind].view(part, message),
          })),
        ),
      };
      const pinned = ctx.product;
      const links = pinned ? await this.productLinks(pinned.id) : null;
      if (pinned && links) preview.productLinks = { ...links, title: pinned.title };
      if (input.sessionId !== undefined) {
        const text = [message.title, message.text].filter((x) => x.trim()).join('\n');
        const body = this.taskBody(input.sessionId, text, message.title, null);
        const bytes = Buffer.byteLength(text);
        preview.customer = {
          text,
          bytes,
          limit: GROUP_TEXT_LIMIT,
          ok: bytes <= GROUP_TEXT_LIMIT,
          attachments: [
            'image: 直播海报 / live poster (if attached)',
            ...(body.link ? [`link: ${body.link.title} → ${body.link.url}`] : []),
            ...(body.miniprogram ? [`miniprogram: ${body.miniprogram.appid} ${body.miniprogram.page}`] : []),
          ],
        };
      }
      return preview;
    });

    core.handle('push.send', async (input) => {
      const session = core.sessions.state(input.sessionId);
      const src = this.source(input);
      const chats = input.customerGroups ?? [];
      const momentOwners = input.momentOwners ?? [];
      const customer = chats.length > 0 || momentOwners.length > 0;
      const ids = new Set(input.channelIds ?? []);
      if (input.tags?.length) for (const id of store.channelsByTags(input.tags)) ids.add(id);
      // no target named at all = every enabled robot (as before); naming customer groups never adds robots implicitly
      if (!input.channelIds && !input.tags && !customer) for (const id of store.channelsByTags([])) ids.add(id);
      if (customer) {
        this.requireApi();
        const rehearsal = this.options.isRehearsal?.(session.id) ?? false;
        if (rehearsal && !input.allowRehearsal && !this.entries.get(session.id, null).allowRehearsalPush) {
          throw new CoreError(
            'conflict',
            '彩排（模拟数据源）中不会发给客户群/朋友圈；确需发送请勾选「彩排也发送」 / this session is a rehearsal (simulator source): customer groups and 朋友圈 are not reached unless you allow it for this push or session',
          );
        }
      }
      await this.prefetchProductLink(session.pinned);
      const ctx = this.context(input.sessionId, null);
      const message = this.message(src.format, src.title, src.body, ctx, await this.qrPng(ctx.link, input.withQr));
      // a mini-program card needs a cover image (pic_media_id, doc 92135): the poster is rendered for it even when not attached
      const miniprogram = this.entries.get(session.id, null).entry?.kind === 'miniprogram';
      const posterName = customer && (input.withPoster || (miniprogram && chats.length > 0)) ? await this.savePoster(session.id, input.posterLayout) : null;
      const text = [message.title, message.text].filter((x) => x.trim()).join('\n');
      const pushId = this.tx(() => {
        const now = core.now();
        const id = store.createPush({ sessionId: session.id, trigger: 'manual', ruleId: null, message, channelIds: [...ids], oversize: 'throw', allowNoChannels: customer }, now);
        if (customer) this.customers.planTasks(id, { chatIds: chats, momentOwners, body: this.taskBody(session.id, text, message.title, posterName), withPoster: input.withPoster === true && posterName !== null }, now);
        return id;
      });
      const push = store.push(pushId);
      core.emit({ type: 'push.queued', push });
      this.sender.kick();
      this.engine.kick();
      return push;
    });

    core.handle('push.deliveries', ({ pushId, sessionId }) => {
      const rows = (p: Push) => [...p.deliveries.map((d) => ({ ...d, target: 'robot' as const })), ...p.customer];
      if (pushId !== undefined) {
        store.deliveriesOfPush(pushId);
        return rows(store.push(pushId));
      }
      if (sessionId !== undefined) return store.pushesOf(sessionId).flatMap(rows);
      throw new CoreError('bad_request', '需要 pushId 或 sessionId / give pushId or sessionId');
    });
    core.handle('push.resend', ({ deliveryId }) => {
      this.tx(() => store.resend(deliveryId, core.now()));
      const delivery = store.delivery(deliveryId);
      core.emit({ type: 'push.delivery', delivery });
      this.sender.kick();
      return delivery;
    });
    core.handle('push.history', ({ sessionId }) => {
      core.sessions.state(sessionId);
      const pushes = store.pushesOf(sessionId);
      return { pushes, lift: pushes.map((p) => this.lift(p)).filter((l): l is PushLift => l !== null), byKind: this.liftByKind(pushes) };
    });
    core.handle('push.wecom.status', () => this.wecomStatus());
    core.handle('push.wecom.configure', ({ corpId, secret, quotaRule }) => {
      if (corpId !== undefined) this.secrets.set(SECRET_CORPID, corpId);
      if (secret !== undefined) this.secrets.set(SECRET_SECRET, secret);
      if (quotaRule) this.tx(() => this.customers.setQuotaRule(quotaRule));
      this.api?.forgetToken();
      this.engine.kick();
      const status = this.wecomStatus();
      this.core.emit({ type: 'push.wecom', status });
      return status;
    });
    core.handle('push.wecom.groups', async ({ refresh }) => {
      if (refresh || (this.customers.groups(core.now()).length === 0 && this.wecomApi())) {
        const list = await fetchGroups(this.requireApi());
        this.customers.saveGroups(list, core.now());
      }
      return this.customers.groups(core.now());
    });
    core.handle('push.wecom.group.tag', ({ chatId, tags }) => {
      this.tx(() => this.customers.tagGroup(chatId, tags));
      return this.customers.group(chatId, core.now());
    });
    core.handle('push.notices', async () => {
      const access = await this.options.assistantAccess?.();
      if (!access) throw new CoreError('conflict', '请先设置视频号助手账号（AppID/Secret），才能选择直播预约 / set the 视频号助手 account first to pick a reservation');
      return listNotices(access, this.options.timeoutMs);
    });
    core.handle('push.wecom.poll', () => ({ checked: this.engine.pollNow() }));
    core.handle('push.wecom.resend', ({ taskId }) => {
      const task = this.customers.task(taskId);
      this.tx(() => this.customers.resendTask(taskId, core.now()));
      const rows = this.customers.deliveriesOfPush(task.push_id);
      core.emit({ type: 'push.customer', pushId: task.push_id, customer: rows });
      this.engine.kick();
      return rows;
    });
    core.handle('push.session.setEntry', ({ sessionId, entry, allowRehearsalPush }) => {
      core.sessions.state(sessionId);
      const current = this.entries.get(sessionId, store.link(sessionId));
      this.tx(() => this.entries.set(sessionId, entry === undefined ? current.entry : entry, allowRehearsalPush));
      if (allowRehearsalPush) {
        // what the rehearsal held back may now be announced (with its countdown) at the next check
        for (const key of [...this.rehearsalHeld]) if (key.startsWith(`${sessionId}:`)) this.rehearsalHeld.delete(key);
        this.triggers.tick();
      }
      this.emitState();
      return this.entries.get(sessionId, store.link(sessionId));
    });
    core.handle('push.poster', async ({ sessionId, layout }) => {
      const r = await this.poster(sessionId, layout);
      return { layout: layout ?? 'story', width: r.width, height: r.height, pngBase64: r.png.toString('base64'), qrText: r.qrText };
    });
    core.handle('push.pending.cancel', ({ pendingId }) => {
      const p = this.pending.get(pendingId);
      if (!p) return { pendingId, cancelled: false };
      clearTimeout(p.timer);
      this.pending.delete(pendingId);
      // cancelled = this rule does not fire again for this session (the producer decided)
      this.heldBack.add(`${p.info.sessionId}:${p.info.ruleId}`);
      core.log(`push: rule ${p.info.ruleId} (${p.info.ruleKind}) cancelled from its countdown for session ${p.info.sessionId}`);
      this.emitPending();
      return { pendingId, cancelled: true };
    });
    core.handle('push.qr', async ({ text }) => ({
      svg: await (await qrcode()).toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
      pngBase64: (await (await qrcode()).toBuffer(text, { type: 'png', margin: 2, width: 360 })).toString('base64'),
    }));
  }
}
