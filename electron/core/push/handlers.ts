// The push commands (shared/protocol/push.ts): robots, templates, rules, links and entry points, preview and send,
// deliveries and resends, history with lifts, the WeCom customer-contact account and groups, posters, countdowns, QR.
import { CHANNEL_KINDS, type Push, type PushLift, type PushPreview } from '../../../shared/protocol/push.ts';
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import { qrcode } from '../qr.ts';
import type { MessageComposer } from './compose.ts';
import type { RuleCountdown } from './countdown.ts';
import { type CustomerEngine, type CustomerRepo, fetchGroups, GROUP_TEXT_LIMIT } from './customer.ts';
import type { EntryRepo } from './entry.ts';
import type { PushLifts } from './lifts.ts';
import { listNotices } from './notices.ts';
import type { PushRepo } from './outbox.ts';
import { platforms } from './platforms.ts';
import type { PosterFiles } from './posters.ts';
import type { Sender } from './sender.ts';
import type { PushState } from './state.ts';
import type { Triggers } from './triggers.ts';
import type { WecomAccount } from './wecom-account.ts';

export interface PushParts {
  store: PushRepo;
  sender: Sender;
  triggers: Triggers;
  customers: CustomerRepo;
  engine: CustomerEngine;
  entries: EntryRepo;
  composer: MessageComposer;
  posters: PosterFiles;
  wecom: WecomAccount;
  countdown: RuleCountdown;
  lifts: PushLifts;
  state: PushState;
  /** metrics: is this session a rehearsal (simulator source)? */
  isRehearsal: ((sessionId: number) => boolean) | undefined;
  /** the 视频号助手 account's API base + token, for its 直播预约 list (null when not set up) */
  assistantAccess: (() => Promise<{ base: string; token: string } | null>) | undefined;
  timeoutMs: number | undefined;
}

export function registerPushHandlers(core: Core, parts: PushParts): void {
  const { store, sender, triggers, customers, engine, entries, composer, posters, wecom, countdown, lifts, state } = parts;
  const tx = <T>(fn: () => T): T => core.db.transaction(fn).immediate();

  core.handle('push.channels.list', () => state.channels());
  core.handle('push.channel.create', (input) => {
    const channel = tx(() => store.createChannel(input, core.now()));
    state.emit();
    return channel;
  });
  core.handle('push.channel.update', ({ id, ...patch }) => {
    const channel = tx(() => store.updateChannel(id, patch));
    state.emit();
    sender.kick();
    return channel;
  });
  core.handle('push.channel.delete', ({ id }) => {
    const failed = tx(() => store.deleteChannel(id, core.now()));
    for (const d of failed) core.emit({ type: 'push.delivery', delivery: store.delivery(d) });
    state.emit();
    return { id };
  });
  core.handle('push.template.save', (input) => {
    const template = tx(() => store.saveTemplate(input, core.now()));
    state.emit();
    return template;
  });
  core.handle('push.template.delete', ({ id }) => {
    tx(() => store.deleteTemplate(id, core.now()));
    state.emit();
    return { id };
  });
  core.handle('push.rule.save', (input) => {
    const rule = tx(() => store.saveRule(input, core.now()));
    state.emit();
    triggers.tick();
    return rule;
  });
  core.handle('push.rule.delete', ({ id }) => {
    tx(() => store.deleteRule(id, core.now()));
    state.emit();
    return { id };
  });
  core.handle('push.session.setLink', ({ sessionId, link }) => {
    core.sessions.state(sessionId);
    tx(() => store.setLink(sessionId, link));
    state.emit();
    return { sessionId, link };
  });

  core.handle('push.preview', async (input) => {
    const src = composer.source(input.templateId !== undefined || input.text !== undefined ? input : { text: ' ' });
    if (input.sessionId !== undefined) await composer.prefetchProductLink(core.sessions.state(input.sessionId).pinned);
    const ctx = composer.context(input.sessionId, null);
    const png = input.withQr && ctx.link ? await composer.qrPng(ctx.link, true) : null;
    const message = composer.message(src.format, src.title, src.body, ctx, png);
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
          body:
            part.msgtype === 'image'
              ? JSON.stringify({ msgtype: 'image', image: { base64: `(${part.bytes} bytes PNG)`, md5: '…' } })
              : JSON.stringify(part.body, null, 2),
          view: platforms[kind].view(part, message),
        })),
      ),
    };
    const pinned = ctx.product;
    const links = pinned ? await composer.productLinks(pinned.id) : null;
    if (pinned && links) preview.productLinks = { ...links, title: pinned.title };
    if (input.sessionId !== undefined) {
      const text = [message.title, message.text].filter((x) => x.trim()).join('\n');
      const body = composer.taskBody(input.sessionId, text, message.title, null);
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
    const src = composer.source(input);
    const chats = input.customerGroups ?? [];
    const momentOwners = input.momentOwners ?? [];
    const customer = chats.length > 0 || momentOwners.length > 0;
    const ids = new Set(input.channelIds ?? []);
    if (input.tags?.length) for (const id of store.channelsByTags(input.tags)) ids.add(id);
    // no target named at all = every enabled robot (as before); naming customer groups never adds robots implicitly
    if (!input.channelIds && !input.tags && !customer) for (const id of store.channelsByTags([])) ids.add(id);
    if (customer) {
      wecom.require();
      const rehearsal = parts.isRehearsal?.(session.id) ?? false;
      if (rehearsal && !input.allowRehearsal && !entries.get(session.id, null).allowRehearsalPush) {
        throw new CoreError(
          'conflict',
          '彩排（模拟数据源）中不会发给客户群/朋友圈；确需发送请勾选「彩排也发送」 / this session is a rehearsal (simulator source): customer groups and 朋友圈 are not reached unless you allow it for this push or session',
        );
      }
    }
    await composer.prefetchProductLink(session.pinned);
    const ctx = composer.context(input.sessionId, null);
    const message = composer.message(src.format, src.title, src.body, ctx, await composer.qrPng(ctx.link, input.withQr));
    // a mini-program card needs a cover image (pic_media_id, doc 92135): the poster is rendered for it even when not attached
    const miniprogram = entries.get(session.id, null).entry?.kind === 'miniprogram';
    const posterName =
      customer && (input.withPoster || (miniprogram && chats.length > 0)) ? await posters.save(session.id, input.posterLayout) : null;
    const text = [message.title, message.text].filter((x) => x.trim()).join('\n');
    const pushId = tx(() => {
      const now = core.now();
      const id = store.createPush(
        {
          sessionId: session.id,
          trigger: 'manual',
          ruleId: null,
          message,
          channelIds: [...ids],
          oversize: 'throw',
          allowNoChannels: customer,
        },
        now,
      );
      if (customer)
        customers.planTasks(
          id,
          {
            chatIds: chats,
            momentOwners,
            body: composer.taskBody(session.id, text, message.title, posterName),
            withPoster: input.withPoster === true && posterName !== null,
          },
          now,
        );
      return id;
    });
    const push = store.push(pushId);
    core.emit({ type: 'push.queued', push });
    sender.kick();
    engine.kick();
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
    tx(() => store.resend(deliveryId, core.now()));
    const delivery = store.delivery(deliveryId);
    core.emit({ type: 'push.delivery', delivery });
    sender.kick();
    return delivery;
  });
  core.handle('push.history', ({ sessionId }) => {
    core.sessions.state(sessionId);
    const pushes = store.pushesOf(sessionId);
    return { pushes, lift: pushes.map((p) => lifts.of(p)).filter((l): l is PushLift => l !== null), byKind: lifts.byKind(pushes) };
  });
  core.handle('push.wecom.status', () => wecom.status(customers, engine));
  core.handle('push.wecom.configure', ({ corpId, secret, quotaRule }) => {
    wecom.configure(corpId, secret);
    if (quotaRule) tx(() => customers.setQuotaRule(quotaRule));
    engine.kick();
    const status = wecom.status(customers, engine);
    core.emit({ type: 'push.wecom', status });
    return status;
  });
  core.handle('push.wecom.groups', async ({ refresh }) => {
    if (refresh || (customers.groups(core.now()).length === 0 && wecom.client())) {
      const list = await fetchGroups(wecom.require());
      customers.saveGroups(list, core.now());
    }
    return customers.groups(core.now());
  });
  core.handle('push.wecom.group.tag', ({ chatId, tags }) => {
    tx(() => customers.tagGroup(chatId, tags));
    return customers.group(chatId, core.now());
  });
  core.handle('push.notices', async () => {
    const access = await parts.assistantAccess?.();
    if (!access)
      throw new CoreError(
        'conflict',
        '请先设置视频号助手账号（AppID/Secret），才能选择直播预约 / set the 视频号助手 account first to pick a reservation',
      );
    return listNotices(access, parts.timeoutMs);
  });
  core.handle('push.wecom.poll', () => ({ checked: engine.pollNow() }));
  core.handle('push.wecom.resend', ({ taskId }) => {
    const task = customers.task(taskId);
    tx(() => customers.resendTask(taskId, core.now()));
    const rows = customers.deliveriesOfPush(task.push_id);
    core.emit({ type: 'push.customer', pushId: task.push_id, customer: rows });
    engine.kick();
    return rows;
  });
  core.handle('push.session.setEntry', ({ sessionId, entry, allowRehearsalPush }) => {
    core.sessions.state(sessionId);
    const current = entries.get(sessionId, store.link(sessionId));
    tx(() => entries.set(sessionId, entry === undefined ? current.entry : entry, allowRehearsalPush));
    if (allowRehearsalPush) {
      // what the rehearsal held back may now be announced (with its countdown) at the next check
      countdown.releaseRehearsal(sessionId);
      triggers.tick();
    }
    state.emit();
    return entries.get(sessionId, store.link(sessionId));
  });
  core.handle('push.poster', async ({ sessionId, layout }) => {
    const r = await posters.render(sessionId, layout);
    return { layout: layout ?? 'story', width: r.width, height: r.height, pngBase64: r.png.toString('base64'), qrText: r.qrText };
  });
  core.handle('push.pending.cancel', ({ pendingId }) => countdown.cancel(pendingId));
  core.handle('push.qr', async ({ text }) => ({
    svg: await (await qrcode()).toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
    pngBase64: (await (await qrcode()).toBuffer(text, { type: 'png', margin: 2, width: 360 })).toString('base64'),
  }));
}
