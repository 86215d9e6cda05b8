// The push store: channels, templates, rules, pushes and the outbox of deliveries. A push and all its deliveries are
// written in one transaction (the caller's), so a push is either wholly queued or not there at all. Delivery states:
//   queued → sending → sent | retrying → … | failed | unknown
// 'sending' is committed BEFORE the request goes out; a row still 'sending' after a restart is 'unknown' (the request
// may have reached the group), and only the user can choose to send it again.
import type {
  ChannelKind,
  CustomerDelivery,
  Delivery,
  DeliveryStatus,
  MessageFormat,
  Push,
  PushChannel,
  PushRule,
  PushTemplate,
  PushTrigger,
  RuleKind,
} from '../../../shared/protocol/push.ts';
import { CoreError, notFound } from '../errors.ts';
import { channelSecretKey, channelUrlKey } from '../access/relocate.ts';
import type { SecretStore } from '../secrets.ts';
import type { Db } from '../store/db.ts';
import type { Message, Part } from './platform.ts';
import { maskUrl } from './platform.ts';
import { checkChannelUrl, platforms } from './platforms.ts';
import { unknownVariables } from './templates.ts';

interface ChannelRow {
  id: number;
  kind: ChannelKind;
  name: string;
  url: string;
  secret: string | null;
  tags: string;
  enabled: number;
  created_at: number;
  deleted_at: number | null;
}
interface TemplateRow {
  id: number;
  name: string;
  format: MessageFormat;
  title: string;
  body: string;
  updated_at: number;
}
interface RuleRow {
  id: number;
  kind: RuleKind;
  offset_minutes: number | null;
  template_id: number;
  tags: string;
  enabled: number;
}
interface PushRow {
  id: number;
  session_id: number;
  trigger: PushTrigger;
  rule_id: number | null;
  format: MessageFormat;
  title: string;
  text: string;
  link: string | null;
  created_at: number;
}
export interface DeliveryRow {
  id: number;
  push_id: number;
  channel_id: number;
  part: 'message' | 'qr';
  body: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number;
  sent_at: number | null;
  updated_at: number;
  channel_name: string;
  kind: ChannelKind;
}

/** the secret-bearing channel the sender needs; never leaves the core */
export interface ChannelSecret {
  id: number;
  kind: ChannelKind;
  url: string;
  secret: string | null;
}

const toChannel = (r: ChannelRow, storedSecret = false): PushChannel => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  urlMasked: maskUrl(r.url),
  hasSecret: !!r.secret || storedSecret,
  tags: JSON.parse(r.tags) as string[],
  enabled: r.enabled === 1,
  createdAt: r.created_at,
});
const toTemplate = (r: TemplateRow): PushTemplate => ({ id: r.id, name: r.name, format: r.format, title: r.title, body: r.body, updatedAt: r.updated_at });
const toRule = (r: RuleRow): PushRule => ({
  id: r.id,
  kind: r.kind,
  offsetMinutes: r.offset_minutes,
  templateId: r.template_id,
  tags: JSON.parse(r.tags) as string[],
  enabled: r.enabled === 1,
});
export const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  pushId: r.push_id,
  channelId: r.channel_id,
  channelName: r.channel_name,
  kind: r.kind,
  part: r.part,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  nextAttemptAt: r.status === 'queued' || r.status === 'retrying' ? r.next_attempt_at : null,
  sentAt: r.sent_at,
  updatedAt: r.updated_at,
});

const DELIVERY_SELECT = `SELECT d.*, c.name AS channel_name, c.kind AS kind FROM push_deliveries d JOIN push_channels c ON c.id = d.channel_id`;

export interface NewPush {
  sessionId: number;
  trigger: PushTrigger;
  ruleId: number | null;
  message: Message;
  channelIds: number[];
  /** manual pushes refuse an over-long message; triggered ones record it as a failed delivery the log shows */
  oversize: 'throw' | 'fail';
  /** the push also goes to WeCom customer groups / 朋友圈, so having no robot is fine */
  allowNoChannels?: boolean;
}

export class PushRepo {
  readonly db: Db;
  private readonly q;
  /** the customer-group / 朋友圈 rows of a push (set by the module; the robots' outbox does not know WeCom tasks) */
  customerOf: (pushId: number) => CustomerDelivery[] = () => [];

  private readonly secrets: SecretStore | undefined;
  constructor(db: Db, secrets?: SecretStore) {
    this.secrets = secrets;
    this.db = db;
    this.q = {
      channels: db.prepare<[], ChannelRow>('SELECT * FROM push_channels WHERE deleted_at IS NULL ORDER BY id'),
      channel: db.prepare<[number], ChannelRow>('SELECT * FROM push_channels WHERE id = ? AND deleted_at IS NULL'),
      templates: db.prepare<[], TemplateRow>('SELECT * FROM push_templates WHERE deleted_at IS NULL ORDER BY id'),
      template: db.prepare<[number], TemplateRow>('SELECT * FROM push_templates WHERE id = ? AND deleted_at IS NULL'),
      rules: db.prepare<[], RuleRow>('SELECT * FROM push_rules WHERE deleted_at IS NULL ORDER BY kind, offset_minutes DESC, id'),
      rule: db.prepare<[number], RuleRow>('SELECT * FROM push_rules WHERE id = ? AND deleted_at IS NULL'),
      push: db.prepare<[number], PushRow>('SELECT * FROM pushes WHERE id = ?'),
      pushesOf: db.prepare<[number], PushRow>('SELECT * FROM pushes WHERE session_id = ? ORDER BY id'),
      recentPushes: db.prepare<[number], PushRow>('SELECT * FROM pushes ORDER BY id DESC LIMIT ?'),
      deliveriesOf: db.prepare<[number], DeliveryRow>(`${DELIVERY_SELECT} WHERE d.push_id = ? ORDER BY d.id`),
      delivery: db.prepare<[number], DeliveryRow>(`${DELIVERY_SELECT} WHERE d.id = ?`),
      insertPush: db.prepare(
        'INSERT INTO pushes (session_id, trigger, rule_id, format, title, text, link, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertDelivery: db.prepare(
        'INSERT INTO push_deliveries (push_id, channel_id, part, body, status, last_error, next_attempt_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      links: db.prepare<[], { session_id: number; link: string }>('SELECT * FROM push_session_links'),
      link: db.prepare<[number], { link: string }>('SELECT link FROM push_session_links WHERE session_id = ?'),
      firstSent: db.prepare<[number], { at: number | null }>("SELECT min(sent_at) AS at FROM push_deliveries WHERE push_id = ? AND status = 'sent'"),
      fired: db.prepare<[number, number], { id: number }>('SELECT id FROM pushes WHERE session_id = ? AND rule_id = ?'),
    };
  }

  // ── channels ──────────────────────────────────────────────────────────────────────────────────────────────────────
  listChannels(): PushChannel[] {
    return this.q.channels.all().map((r) => toChannel(r, this.hasStoredSecret(r.id)));
  }
  channel(id: number): PushChannel {
    const row = this.q.channel.get(id);
    if (!row) throw notFound('channel', id);
    return toChannel(row, this.hasStoredSecret(row.id));
  }
  channelSecret(id: number): ChannelSecret | null {
    const r = this.db.prepare<[number], ChannelRow>('SELECT * FROM push_channels WHERE id = ?').get(id);
    return r ? { id: r.id, kind: r.kind, url: this.realUrl(r), secret: this.secrets?.get(channelSecretKey(r.id)) ?? r.secret } : null;
  }

  /** the full webhook URL: in the secret store (SQLite keeps only its masked form), else as stored (no store given) */
  private realUrl(r: { id: number; url: string }): string {
    return this.secrets?.get(channelUrlKey(r.id)) ?? r.url;
  }

  private hasStoredSecret(id: number): boolean {
    return !!this.secrets?.get(channelSecretKey(id));
  }

  /** signing secrets rest in the secret store, never in SQLite (access/relocate.ts) */
  private storeSecret(id: number, secret: string | null): void {
    if (this.secrets) this.secrets.set(channelSecretKey(id), secret || null);
  }

  createChannel(input: { kind: ChannelKind; name: string; url: string; secret?: string; tags?: string[] }, now: number): PushChannel {
    const problem = checkChannelUrl(input.kind, input.url);
    if (problem) throw new CoreError('bad_request', problem);
    const info = this.db
      .prepare('INSERT INTO push_channels (kind, name, url, secret, tags, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(input.kind, input.name, this.secrets ? maskUrl(input.url) : input.url, this.secrets ? null : input.secret || null, JSON.stringify(dedupe(input.tags ?? [])), now);
    this.secrets?.set(channelUrlKey(Number(info.lastInsertRowid)), input.url);
    this.storeSecret(Number(info.lastInsertRowid), input.secret ?? null);
    return this.channel(Number(info.lastInsertRowid));
  }

  updateChannel(id: number, patch: { name?: string; tags?: string[]; enabled?: boolean; url?: string; secret?: string }): PushChannel {
    const row = this.q.channel.get(id);
    if (!row) throw notFound('channel', id);
    if (patch.url !== undefined) {
      const problem = checkChannelUrl(row.kind, patch.url);
      if (problem) throw new CoreError('bad_request', problem);
    }
    // a new address would receive the signature made with the old secret: it is cleared unless a new one comes along
    const urlChanged = patch.url !== undefined && patch.url !== this.realUrl(row);
    if (patch.url !== undefined) this.secrets?.set(channelUrlKey(id), patch.url);
    const secret = patch.secret !== undefined ? patch.secret || null : urlChanged ? null : undefined;
    if (secret !== undefined) this.storeSecret(id, secret);
    this.db
      .prepare('UPDATE push_channels SET name = ?, tags = ?, enabled = ?, url = ?, secret = ? WHERE id = ?')
      .run(
        patch.name ?? row.name,
        patch.tags ? JSON.stringify(dedupe(patch.tags)) : row.tags,
        patch.enabled === undefined ? row.enabled : patch.enabled ? 1 : 0,
        patch.url === undefined ? row.url : this.secrets ? maskUrl(patch.url) : patch.url,
        this.secrets ? null : secret === undefined ? row.secret : secret,
        id,
      );
    return this.channel(id);
  }

  /** Soft delete: the delivery log keeps the channel's name; what it still had queued fails with a reason. */
  deleteChannel(id: number, now: number): number[] {
    if (!this.q.channel.get(id)) throw notFound('channel', id);
    this.db.prepare('UPDATE push_channels SET deleted_at = ?, enabled = 0 WHERE id = ?').run(now, id);
    const pending = this.db
      .prepare<[number], { id: number }>("SELECT id FROM push_deliveries WHERE channel_id = ? AND status IN ('queued', 'retrying')")
      .all(id)
      .map((r) => r.id);
    this.db
      .prepare("UPDATE push_deliveries SET status = 'failed', last_error = ?, updated_at = ? WHERE channel_id = ? AND status IN ('queued', 'retrying')")
      .run('群已删除 / channel was removed', now, id);
    return pending;
  }

  /** enabled channels with any of the tags (all enabled channels when no tag is given) */
  channelsByTags(tags: string[]): number[] {
    const all = this.listChannels().filter((c) => c.enabled);
    if (!tags.length) return all.map((c) => c.id);
    return all.filter((c) => c.tags.some((t) => tags.includes(t))).map((c) => c.id);
  }

  // ── templates and rules ───────────────────────────────────────────────────────────────────────────────────────────
  listTemplates(): PushTemplate[] {
    return this.q.templates.all().map(toTemplate);
  }
  template(id: number): PushTemplate {
    const row = this.q.template.get(id);
    if (!row) throw notFound('template', id);
    return toTemplate(row);
  }
  saveTemplate(input: { id?: number; name: string; format: MessageFormat; title: string; body: string }, now: number): PushTemplate {
    const unknown = unknownVariables(`${input.title}\n${input.body}`);
    if (unknown.length) throw new CoreError('bad_request', `未知变量 / unknown variables: ${unknown.map((v) => `{{${v}}}`).join(', ')}`);
    if (!input.body.trim()) throw new CoreError('bad_request', '模板内容为空 / the template body is empty');
    if (input.id !== undefined) {
      this.template(input.id);
      this.db
        .prepare('UPDATE push_templates SET name = ?, format = ?, title = ?, body = ?, updated_at = ? WHERE id = ?')
        .run(input.name, input.format, input.title, input.body, now, input.id);
      return this.template(input.id);
    }
    const info = this.db
      .prepare('INSERT INTO push_templates (name, format, title, body, updated_at) VALUES (?, ?, ?, ?, ?)')
      .run(input.name, input.format, input.title, input.body, now);
    return this.template(Number(info.lastInsertRowid));
  }
  deleteTemplate(id: number, now: number): void {
    this.template(id);
    const used = this.listRules().filter((r) => r.templateId === id);
    if (used.length) throw new CoreError('conflict', '模板正被自动推送规则使用 / the template is used by a trigger rule: change the rule first');
    this.db.prepare('UPDATE push_templates SET deleted_at = ? WHERE id = ?').run(now, id);
  }

  listRules(): PushRule[] {
    return this.q.rules.all().map(toRule);
  }
  rule(id: number): PushRule {
    const row = this.q.rule.get(id);
    if (!row) throw notFound('rule', id);
    return toRule(row);
  }
  saveRule(input: { id?: number; kind: RuleKind; offsetMinutes?: number | null; templateId: number; tags?: string[]; enabled: boolean }, now: number): PushRule {
    this.template(input.templateId);
    const offset = input.kind === 'reminder' ? (input.offsetMinutes ?? null) : null;
    if (input.kind === 'reminder' && offset === null) throw new CoreError('bad_request', '提醒规则需要提前分钟数 / a reminder needs offsetMinutes');
    const tags = JSON.stringify(dedupe(input.tags ?? []));
    if (input.id !== undefined) {
      const old = this.rule(input.id);
      if (old.kind !== input.kind) throw new CoreError('bad_request', 'a rule’s kind cannot change: add a new rule');
      this.db
        .prepare('UPDATE push_rules SET offset_minutes = ?, template_id = ?, tags = ?, enabled = ? WHERE id = ?')
        .run(offset, input.templateId, tags, input.enabled ? 1 : 0, input.id);
      return this.rule(input.id);
    }
    const info = this.db
      .prepare('INSERT INTO push_rules (kind, offset_minutes, template_id, tags, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(input.kind, offset, input.templateId, tags, input.enabled ? 1 : 0, now);
    return this.rule(Number(info.lastInsertRowid));
  }
  deleteRule(id: number, now: number): void {
    this.rule(id);
    this.db.prepare('UPDATE push_rules SET deleted_at = ?, enabled = 0 WHERE id = ?').run(now, id);
  }
  hasFired(sessionId: number, ruleId: number): boolean {
    return !!this.q.fired.get(sessionId, ruleId);
  }

  // ── live links ────────────────────────────────────────────────────────────────────────────────────────────────────
  links(): Record<number, string> {
    return Object.fromEntries(this.q.links.all().map((r) => [r.session_id, r.link]));
  }
  link(sessionId: number): string | null {
    return this.q.link.get(sessionId)?.link ?? null;
  }
  setLink(sessionId: number, link: string | null): void {
    if (link === null) this.db.prepare('DELETE FROM push_session_links WHERE session_id = ?').run(sessionId);
    else this.db.prepare('INSERT INTO push_session_links (session_id, link) VALUES (?, ?) ON CONFLICT (session_id) DO UPDATE SET link = excluded.link').run(sessionId, link);
  }

  // ── pushes and the outbox ─────────────────────────────────────────────────────────────────────────────────────────
  /** Writes the push and one delivery per channel × part. Call inside the transaction of whatever caused the push. */
  createPush(input: NewPush, now: number): number {
    if (!input.channelIds.length && !input.allowNoChannels) throw new CoreError('bad_request', '没有可推送的群 / no channel to push to: add a channel or pick a tag that matches one');
    const channels = input.channelIds.map((id) => {
      const row = this.q.channel.get(id);
      if (!row) throw notFound('channel', id);
      if (!row.enabled) throw new CoreError('conflict', `群「${row.name}」已停用 / channel ${row.name} is disabled`);
      return row;
    });
    const planned: { channel: ChannelRow; part: Part; over: string | null }[] = [];
    for (const channel of channels) {
      for (const part of platforms[channel.kind].parts(input.message)) {
        const over =
          part.bytes > part.limit
            ? `超出字节限制 / over the byte limit: ${part.limitOf} ${part.bytes} > ${part.limit} bytes (${channel.kind} ${part.msgtype})`
            : null;
        planned.push({ channel, part, over });
      }
    }
    const overs = planned.filter((p) => p.over);
    if (overs.length && input.oversize === 'throw') {
      throw new CoreError('bad_request', overs.map((p) => `${p.channel.name}: ${p.over}`).join('; '), {
        parts: overs.map((p) => ({ channelId: p.channel.id, part: p.part.part, bytes: p.part.bytes, limit: p.part.limit })),
      });
    }
    const m = input.message;
    const info = this.q.insertPush.run(input.sessionId, input.trigger, input.ruleId, m.format, m.title, m.text, m.link, now);
    const pushId = Number(info.lastInsertRowid);
    for (const p of planned) {
      this.q.insertDelivery.run(pushId, p.channel.id, p.part.part, JSON.stringify(p.part.body), p.over ? 'failed' : 'queued', p.over, now, now);
    }
    return pushId;
  }

  push(id: number): Push {
    const row = this.q.push.get(id);
    if (!row) throw notFound('push', id);
    return this.toPush(row);
  }
  pushesOf(sessionId: number): Push[] {
    return this.q.pushesOf.all(sessionId).map((r) => this.toPush(r));
  }
  recentPushes(limit = 30): Push[] {
    return this.q.recentPushes.all(limit).map((r) => this.toPush(r));
  }
  private toPush(r: PushRow): Push {
    const customer = this.customerOf(r.id);
    const sent = [this.q.firstSent.get(r.id)?.at ?? null, ...customer.map((c) => c.sentAt)].filter((x): x is number => x !== null);
    return {
      id: r.id,
      sessionId: r.session_id,
      trigger: r.trigger,
      ruleId: r.rule_id,
      format: r.format,
      title: r.title,
      text: r.text,
      link: r.link,
      createdAt: r.created_at,
      firstSentAt: sent.length ? Math.min(...sent) : null,
      deliveries: this.q.deliveriesOf.all(r.id).map(toDelivery),
      customer,
    };
  }

  deliveriesOfPush(pushId: number): Delivery[] {
    if (!this.q.push.get(pushId)) throw notFound('push', pushId);
    return this.q.deliveriesOf.all(pushId).map(toDelivery);
  }
  deliveryRow(id: number): DeliveryRow {
    const row = this.q.delivery.get(id);
    if (!row) throw notFound('delivery', id);
    return row;
  }
  delivery(id: number): Delivery {
    return toDelivery(this.deliveryRow(id));
  }

  /** due rows of every channel, oldest first */
  due(now: number): DeliveryRow[] {
    return this.db
      .prepare<[number], DeliveryRow>(`${DELIVERY_SELECT} WHERE d.status IN ('queued', 'retrying') AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id`)
      .all(now);
  }

  /** The commit point before a request goes out. False when someone else already took the row. */
  markSending(id: number, channelId: number, now: number): boolean {
    return this.db.transaction(() => {
      const changed = this.db
        .prepare("UPDATE push_deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? AND status IN ('queued', 'retrying')")
        .run(now, id).changes;
      if (changed) this.db.prepare('INSERT INTO push_requests (channel_id, at) VALUES (?, ?)').run(channelId, now);
      return changed === 1;
    }).immediate();
  }

  finish(id: number, status: 'sent' | 'retrying' | 'failed' | 'unknown', error: string | null, now: number, nextAttemptAt = now): void {
    this.db
      .prepare("UPDATE push_deliveries SET status = ?, last_error = ?, next_attempt_at = ?, sent_at = ?, updated_at = ? WHERE id = ? AND status = 'sending'")
      .run(status, error, nextAttemptAt, status === 'sent' ? now : null, now, id);
  }

  /** after a crash: every row caught mid-request may have been delivered */
  recoverSending(now: number): number[] {
    const ids = this.db.prepare<[], { id: number }>("SELECT id FROM push_deliveries WHERE status = 'sending'").all().map((r) => r.id);
    this.db
      .prepare("UPDATE push_deliveries SET status = 'unknown', last_error = ?, updated_at = ? WHERE status = 'sending'")
      .run('发送中断（程序退出），可能已送达 / interrupted while sending — may have been delivered', now);
    return ids;
  }

  /** the user's choice: send an unknown or failed delivery again */
  resend(id: number, now: number): void {
    const row = this.deliveryRow(id);
    if (row.status !== 'unknown' && row.status !== 'failed') {
      throw new CoreError('conflict', `只能重发“未知”或“失败”的消息 / only unknown or failed deliveries can be resent (this one is ${row.status})`);
    }
    const channel = this.q.channel.get(row.channel_id);
    if (!channel || !channel.enabled) throw new CoreError('conflict', '群已删除或停用 / the channel is removed or disabled');
    this.db
      .prepare("UPDATE push_deliveries SET status = 'queued', next_attempt_at = ?, updated_at = ? WHERE id = ?")
      .run(now, now, id);
  }

  requestsSince(since: number): { channel_id: number; at: number }[] {
    return this.db.prepare<[number], { channel_id: number; at: number }>('SELECT channel_id, at FROM push_requests WHERE at > ? ORDER BY at').all(since);
  }
  pruneRequests(before: number): void {
    this.db.prepare('DELETE FROM push_requests WHERE at <= ?').run(before);
  }
}

function dedupe(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter(Boolean))];
}
