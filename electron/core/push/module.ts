// The push domain plugged into the core: commands, HTTP routes, the sender and the triggers.
import type { Product } from '../../../shared/domain.ts';
import {
  CHANNEL_KINDS,
  type MessageFormat,
  type Push,
  type PushLift,
  type PushPreview,
  type PushRule,
} from '../../../shared/protocol/push.ts';
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import type { CoreModule, ModuleEnv } from '../module.ts';
import type { RouteContext } from '../server/router.ts';
import type { CoreServer } from '../server/server.ts';
import { PushStore } from './outbox.ts';
import type { Message } from './platform.ts';
import { platforms } from './platforms.ts';
import { Sender, type SenderOptions } from './sender.ts';
import { type RenderContext, renderTemplate } from './templates.ts';
import { Triggers } from './triggers.ts';

/** qrcode (with pngjs: ~60 modules) loads on the first QR code, not at start-up (bench/cold-start.ts) */
const qrcode = () => import('qrcode').then((m) => m.default);

/** Provided by the metrics domain: new viewers per minute in [fromMs, toMs), or null when it has no data there. */
export type NewViewersPerMinute = (sessionId: number, fromMs: number, toMs: number) => number | null;

export interface PushModuleOptions extends SenderOptions {
  /** how often reminders are checked (ms) */
  reminderTickMs?: number;
  newViewersPerMinute?: NewViewersPerMinute;
}

const LIFT_WINDOW_MS = 5 * 60_000;
const BUTTON = '进入直播间';

/** serve-mode settings: LIVECUE_PUSH_TIME_SCALE (tests only), LIVECUE_PUSH_TIMEOUT_MS */
export function pushOptionsFromEnv(env: ModuleEnv['env']): PushModuleOptions {
  const scale = Number(env.LIVECUE_PUSH_TIME_SCALE);
  const timeout = Number(env.LIVECUE_PUSH_TIMEOUT_MS);
  return {
    timeScale: Number.isFinite(scale) && scale > 0 && scale <= 1 ? scale : undefined,
    timeoutMs: Number.isFinite(timeout) && timeout >= 100 ? timeout : undefined,
  };
}

export class PushModule implements CoreModule {
  readonly name = 'push';
  private readonly options: PushModuleOptions;
  private newViewers: NewViewersPerMinute | undefined;
  core!: Core;
  store!: PushStore;
  sender!: Sender;
  triggers!: Triggers;

  constructor(options: PushModuleOptions = {}) {
    this.options = options;
    this.newViewers = options.newViewersPerMinute;
  }

  /** The metrics module hands its rate function over here once it exists (see docs/push.md). */
  setNewViewersSource(fn: NewViewersPerMinute): void {
    this.newViewers = fn;
  }

  attach(core: Core): void {
    this.core = core;
    this.store = new PushStore(core.db);
    this.sender = new Sender(this.store, {
      ...this.options,
      log: this.options.log ?? core.log,
      onChange: (id) => {
        const delivery = this.store.delivery(id);
        core.emit({ type: 'push.delivery', delivery });
        // a group reached: the metrics simulator reacts to it like an audience would
        if (delivery.status === 'sent' && delivery.part === 'message') {
          core.emit({ type: 'push.sent', sessionId: this.store.push(delivery.pushId).sessionId, pushId: delivery.pushId, channelId: delivery.channelId });
        }
      },
    });
    this.triggers = new Triggers(core, this.store, (rule, sessionId, product) => this.fireRule(rule, sessionId, product), this.options.reminderTickMs);
    core.addSnapshotPart('push', () => ({ ...this.state(), recent: this.store.recentPushes(30) }));
    this.registerHandlers();
  }

  routes(server: CoreServer): void {
    const core = this.core;
    const r = server.route.bind(server);
    const id = (c: RouteContext) => {
      const raw = c.params.id ?? '';
      if (!/^\d{1,15}$/.test(raw)) throw new CoreError('bad_request', 'id must be a positive integer');
      return Number(raw);
    };
    const obj = (body: unknown) => {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new CoreError('bad_request', '请求体必须是 JSON 对象 / body must be a JSON object');
      return body as Record<string, unknown>;
    };
    r('GET', '/api/v1/push/channels', () => core.invoke('push.channels.list', {}));
    r('POST', '/api/v1/push/channels', (c) => core.invoke('push.channel.create', c.body));
    r('PATCH', '/api/v1/push/channels/:id', (c) => core.invoke('push.channel.update', { ...obj(c.body), id: id(c) }));
    r('DELETE', '/api/v1/push/channels/:id', (c) => core.invoke('push.channel.delete', { id: id(c) }));
    r('POST', '/api/v1/sessions/:id/push', (c) => core.invoke('push.send', { ...obj(c.body), sessionId: id(c) }));
    r('GET', '/api/v1/sessions/:id/pushes', (c) => core.invoke('push.history', { sessionId: id(c) }));
    r('GET', '/api/v1/push/deliveries', (c) => {
      const q = (k: string) => (c.url.searchParams.has(k) ? Number(c.url.searchParams.get(k)) : undefined);
      return core.invoke('push.deliveries', { pushId: q('pushId'), sessionId: q('sessionId') });
    });
    r('POST', '/api/v1/push/deliveries/:id/resend', (c) => core.invoke('push.resend', { deliveryId: id(c) }));
  }

  start(): void {
    this.sender.start();
    this.triggers.start();
  }

  async stop(): Promise<void> {
    this.triggers.stop();
    await this.sender.stop();
  }

  private state() {
    return { channels: this.store.listChannels(), templates: this.store.listTemplates(), rules: this.store.listRules(), links: this.store.links() };
  }

  private emitState(): void {
    this.core.emit({ type: 'push.state', state: this.state() });
  }

  private tx<T>(fn: () => T): T {
    return this.core.db.transaction(fn).immediate();
  }

  private context(sessionId: number | undefined, product: Product | null): RenderContext {
    const now = this.core.now();
    if (sessionId === undefined) {
      // preview without a session: sample values, so the producer sees the shape and the length
      return { title: '今晚 8 点直播间', link: 'https://channels.weixin.qq.com/live/example', startTime: now + 30 * 60_000, product, now };
    }
    const s = this.core.sessions.state(sessionId);
    return {
      title: s.title,
      link: this.store.link(sessionId),
      startTime: s.status === 'draft' ? s.plannedStart : (s.startedAt ?? s.plannedStart),
      product: product ?? s.pinned,
      now,
    };
  }

  private message(format: MessageFormat, title: string, body: string, ctx: RenderContext, qrPng: Buffer | null): Message {
    const imageUrl = ctx.product?.imageUrl && /^https:\/\//i.test(ctx.product.imageUrl) ? ctx.product.imageUrl : null;
    return { format, title: renderTemplate(title, ctx), text: renderTemplate(body, ctx), link: ctx.link, button: BUTTON, imageUrl, qrPng };
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
        if (!channelIds.length) return null;
        const t = this.store.template(rule.templateId);
        const message = this.message(t.format, t.title, t.body, this.context(sessionId, product), null);
        return this.store.createPush({ sessionId, trigger: rule.kind, ruleId: rule.id, message, channelIds, oversize: 'fail' }, this.core.now());
      });
      if (pushId === null) return null;
      this.core.emit({ type: 'push.queued', push: this.store.push(pushId) });
      this.sender.kick();
      return pushId;
    } catch (error) {
      const e = error as { code?: string; message?: string };
      if (!String(e.code ?? '').startsWith('SQLITE_CONSTRAINT')) this.core.log(`push: rule ${rule.id} (${rule.kind}) failed for session ${sessionId}: ${e.message}`);
      return null;
    }
  }

  lift(push: Push): PushLift | null {
    if (push.firstSentAt === null) return null;
    const at = push.firstSentAt;
    const rate = this.newViewers;
    const before = rate ? rate(push.sessionId, at - LIFT_WINDOW_MS, at) : null;
    const after = rate && this.core.now() >= at + LIFT_WINDOW_MS ? rate(push.sessionId, at, at + LIFT_WINDOW_MS) : null;
    return { pushId: push.id, at, beforePerMin: before, afterPerMin: after, lift: before !== null && after !== null ? after - before : null };
  }

  private registerHandlers(): void {
    const core = this.core;
    const store = this.store;

    core.handle('push.channels.list', () => store.listChannels());
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
      return preview;
    });

    core.handle('push.send', async (input) => {
      const session = core.sessions.state(input.sessionId);
      const src = this.source(input);
      const ids = new Set(input.channelIds ?? []);
      if (input.tags?.length) for (const id of store.channelsByTags(input.tags)) ids.add(id);
      if (!input.channelIds && !input.tags) for (const id of store.channelsByTags([])) ids.add(id);
      const ctx = this.context(input.sessionId, null);
      const message = this.message(src.format, src.title, src.body, ctx, await this.qrPng(ctx.link, input.withQr));
      const pushId = this.tx(() =>
        store.createPush({ sessionId: session.id, trigger: 'manual', ruleId: null, message, channelIds: [...ids], oversize: 'throw' }, core.now()),
      );
      const push = store.push(pushId);
      core.emit({ type: 'push.queued', push });
      this.sender.kick();
      return push;
    });

    core.handle('push.deliveries', ({ pushId, sessionId }) => {
      if (pushId !== undefined) return store.deliveriesOfPush(pushId);
      if (sessionId !== undefined) return store.pushesOf(sessionId).flatMap((p) => p.deliveries);
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
      return { pushes, lift: pushes.map((p) => this.lift(p)).filter((l): l is PushLift => l !== null) };
    });
    core.handle('push.qr', async ({ text }) => ({
      svg: await (await qrcode()).toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
      pngBase64: (await (await qrcode()).toBuffer(text, { type: 'png', margin: 2, width: 360 })).toString('base64'),
    }));
  }
}
