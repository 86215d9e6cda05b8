// WeCom customer groups (客户群) and 朋友圈: the cached group list with our tags, the per-window quota, and the outbox of
// mass-send tasks (one per owner). Sources, all developer.work.weixin.qq.com/document/path/…:
//   92120 groupchat/list {status_filter, owner_filter, cursor, limit ≤ 1000} → group_chat_list[{chat_id}], next_cursor
//   92122 groupchat/get {chat_id, need_name} → group_chat{name, owner, member_list[]}
//   92135 add_msg_template {chat_type:"group", sender, chat_id_list (≤ 2000), text{content ≤ 4000 B}, attachments ≤ 9}
//         → {msgid, fail_list}. Nothing is sent until the owner confirms in WeCom. Each group receives at most
//         <days in the month> mass-sends a month (or 7 a week / 1 a day if the seller changed 群发规则).
//   93338 get_groupmsg_list_v2 {chat_type, start_time, end_time (≤ 1 month apart, seconds), filter_type 0 = 企业发表}
//         get_groupmsg_task {msgid} → task_list[{userid, status 0 未发送 | 2 已发送, send_time}]
//         get_groupmsg_send_result {msgid, userid} → send_list[{chat_id, status 0 未发送 | 1 已发送 | 2 非好友 | 3 已收到其他群发}]
//   90253 media/upload?type=image (poster for the group message, media_id valid 3 days)
//   95098 media/upload_attachment?media_type=image&attachment_type=1 (朋友圈 images must come from here)
//   95094 add_moment_task {text, attachments, visible_range.sender_list.user_list} → {jobid};
//         get_moment_task_result?jobid → {status 1|2|3, result{moment_id, invalid_sender_list}}
//   93333 get_moment_list {start_time, end_time, filter_type 0}; get_moment_task {moment_id} → task_list[{userid, publish_status 0|1}]
// Exactly once: a task is committed 'creating' BEFORE its create call; a task in 'creating' after a crash, or whose
// call timed out after leaving, is looked up in WeCom (same text, same owner, created since) — never created again.
import { z } from 'zod';
import type { CustomerDelivery, CustomerGroup, CustomerStatus, QuotaRule } from '../../../shared/protocol/push.ts';
import { CoreError, notFound } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { type WecomApi, WecomApiError } from './wecom-api.ts';

/** text.content limit of add_msg_template (doc 92135) */
export const GROUP_TEXT_LIMIT = 4000;
const CHAT_IDS_PER_TASK = 2000;
const GIVE_UP_MS = 7 * 24 * 3_600_000;
const CST_OFFSET_MS = 8 * 3600_000;

interface GroupRow {
  chat_id: string;
  name: string;
  owner: string;
  member_count: number;
  tags: string;
  gone: number;
  refreshed_at: number;
}

export interface TaskRow {
  id: number;
  push_id: number;
  kind: 'group' | 'moment';
  owner: string;
  body: string;
  with_poster: number;
  status: 'queued' | 'creating' | 'lookup' | 'created' | 'done' | 'failed' | 'unknown';
  msgid: string | null;
  jobid: string | null;
  attempts: number;
  last_error: string | null;
  creating_at: number | null;
  next_at: number;
  created_at: number;
}

interface TargetRow {
  id: number;
  task_id: number;
  target: string;
  status: 'queued' | 'awaiting_confirmation' | 'sent' | 'failed' | 'over_quota' | 'unknown';
  last_error: string | null;
  sent_at: number | null;
  updated_at: number;
}

/** what a task sends; the poster is attached at send time (its media_id is only valid 3 days) */
export interface TaskBody {
  text: string;
  link: { title: string; url: string; desc?: string } | null;
  miniprogram: { title: string; appid: string; page: string } | null;
  /** file name of the poster PNG in the data folder, when one goes with it */
  poster: string | null;
}

/** Start and length of the quota window that contains `now` (WeCom counts in China time, UTC+8 — ASSUMED for week/day edges). */
export function quotaWindow(rule: QuotaRule, now: number): { start: number; limit: number } {
  const local = new Date(now + CST_OFFSET_MS);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const d = local.getUTCDate();
  if (rule === 'day') return { start: Date.UTC(y, m, d) - CST_OFFSET_MS, limit: 1 };
  if (rule === 'week') {
    const monday = d - ((local.getUTCDay() + 6) % 7);
    return { start: Date.UTC(y, m, monday) - CST_OFFSET_MS, limit: 7 };
  }
  // doc 92135: "每个客户群每月最多可接收条数为当月天数"
  return { start: Date.UTC(y, m, 1) - CST_OFFSET_MS, limit: new Date(Date.UTC(y, m + 1, 0)).getUTCDate() };
}

export class CustomerRepo {
  readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  quotaRule(): QuotaRule {
    return this.db.prepare<[], { quota_rule: QuotaRule }>('SELECT quota_rule FROM wecom_settings WHERE id = 1').get()?.quota_rule ?? 'month';
  }
  setQuotaRule(rule: QuotaRule): void {
    this.db.prepare('UPDATE wecom_settings SET quota_rule = ? WHERE id = 1').run(rule);
  }

  /** sends LiveCue counted per group since `since`: every task target that was not refused */
  usedSince(since: number): Map<string, number> {
    const rows = this.db
      .prepare<[number], { target: string; n: number }>(
        `SELECT g.target, count(*) AS n FROM wecom_task_targets g JOIN wecom_tasks t ON t.id = g.task_id
         WHERE t.kind = 'group' AND t.created_at >= ? AND t.status <> 'failed' AND g.status NOT IN ('failed', 'over_quota')
         GROUP BY g.target`,
      )
      .all(since);
    return new Map(rows.map((r) => [r.target, r.n]));
  }

  groups(now: number): CustomerGroup[] {
    const w = quotaWindow(this.quotaRule(), now);
    const used = this.usedSince(w.start);
    return this.db
      .prepare<[], GroupRow>('SELECT * FROM wecom_groups WHERE gone = 0 ORDER BY name, chat_id')
      .all()
      .map((r) => {
        const u = used.get(r.chat_id) ?? 0;
        return {
          chatId: r.chat_id,
          name: r.name,
          owner: r.owner,
          memberCount: r.member_count,
          tags: JSON.parse(r.tags) as string[],
          quota: { used: u, limit: w.limit, left: Math.max(0, w.limit - u), windowStart: w.start },
          refreshedAt: r.refreshed_at,
        };
      });
  }
  group(chatId: string, now: number): CustomerGroup {
    const g = this.groups(now).find((x) => x.chatId === chatId);
    if (!g) throw notFound('customer group', chatId);
    return g;
  }
  groupName(chatId: string): string | null {
    return this.db.prepare<[string], { name: string }>('SELECT name FROM wecom_groups WHERE chat_id = ?').get(chatId)?.name ?? null;
  }

  /** replaces the cache with what WeCom listed; our tags survive, vanished groups are kept (history) but hidden */
  saveGroups(list: { chatId: string; name: string; owner: string; memberCount: number }[], now: number): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE wecom_groups SET gone = 1').run();
      const up = this.db.prepare(
        `INSERT INTO wecom_groups (chat_id, name, owner, member_count, refreshed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (chat_id) DO UPDATE SET name = excluded.name, owner = excluded.owner, member_count = excluded.member_count,
           refreshed_at = excluded.refreshed_at, gone = 0`,
      );
      for (const g of list) up.run(g.chatId, g.name, g.owner, g.memberCount, now);
    })();
  }

  tagGroup(chatId: string, tags: string[]): void {
    const n = this.db.prepare('UPDATE wecom_groups SET tags = ? WHERE chat_id = ? AND gone = 0').run(JSON.stringify([...new Set(tags.map((t) => t.trim()).filter(Boolean))]), chatId).changes;
    if (!n) throw notFound('customer group', chatId);
  }

  /**
   * Plans the tasks of a push (inside the caller's transaction): one per owner of the chosen groups, refused as a whole
   * when a group is unknown or would go over its quota, and one 朋友圈 task for the chosen members.
   */
  planTasks(pushId: number, input: { chatIds: string[]; momentOwners: string[]; body: TaskBody; withPoster: boolean }, now: number): number[] {
    const ids: number[] = [];
    if (input.chatIds.length) {
      if (Buffer.byteLength(input.body.text) > GROUP_TEXT_LIMIT) {
        throw new CoreError('bad_request', `群发文字超出 ${GROUP_TEXT_LIMIT} 字节 / text over WeCom's ${GROUP_TEXT_LIMIT}-byte limit (${Buffer.byteLength(input.body.text)} bytes)`);
      }
      const groups = new Map(this.groups(now).map((g) => [g.chatId, g]));
      const unknown = input.chatIds.filter((c) => !groups.has(c));
      if (unknown.length) throw new CoreError('bad_request', `未知的客户群 / unknown customer groups: ${unknown.slice(0, 5).join(', ')} — refresh the group list`);
      const over = input.chatIds.map((c) => groups.get(c)!).filter((g) => g.quota.left < 1);
      if (over.length) {
        throw new CoreError(
          'conflict',
          `以下客户群本周期群发次数已用完 / over WeCom's quota (${over[0]!.quota.limit} per ${this.quotaRule()}): ${over.map((g) => `${g.name} ${g.quota.used}/${g.quota.limit}`).join(', ')}`,
          { overQuota: over.map((g) => ({ chatId: g.chatId, used: g.quota.used, limit: g.quota.limit })) },
        );
      }
      const byOwner = new Map<string, string[]>();
      for (const c of new Set(input.chatIds)) {
        const owner = groups.get(c)!.owner;
        byOwner.set(owner, [...(byOwner.get(owner) ?? []), c]);
      }
      for (const [owner, chats] of byOwner) {
        for (let i = 0; i < chats.length; i += CHAT_IDS_PER_TASK) ids.push(this.insertTask(pushId, 'group', owner, input.body, input.withPoster, chats.slice(i, i + CHAT_IDS_PER_TASK), now));
      }
    }
    if (input.momentOwners.length) {
      const owners = [...new Set(input.momentOwners)];
      ids.push(this.insertTask(pushId, 'moment', JSON.stringify(owners), input.body, input.withPoster, owners, now));
    }
    return ids;
  }

  private insertTask(pushId: number, kind: 'group' | 'moment', owner: string, body: TaskBody, withPoster: boolean, targets: string[], now: number): number {
    const info = this.db
      .prepare('INSERT INTO wecom_tasks (push_id, kind, owner, body, with_poster, next_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(pushId, kind, owner, JSON.stringify(body), withPoster ? 1 : 0, now, now, now);
    const taskId = Number(info.lastInsertRowid);
    const ins = this.db.prepare('INSERT INTO wecom_task_targets (task_id, target, updated_at) VALUES (?, ?, ?)');
    for (const t of targets) ins.run(taskId, t, now);
    return taskId;
  }

  task(id: number): TaskRow {
    const row = this.db.prepare<[number], TaskRow>('SELECT * FROM wecom_tasks WHERE id = ?').get(id);
    if (!row) throw notFound('wecom task', id);
    return row;
  }
  due(now: number): TaskRow[] {
    return this.db.prepare<[number], TaskRow>("SELECT * FROM wecom_tasks WHERE status IN ('queued', 'lookup', 'created') AND next_at <= ? ORDER BY next_at, id").all(now);
  }
  nextAt(): number | null {
    return this.db.prepare<[], { at: number | null }>("SELECT min(next_at) AS at FROM wecom_tasks WHERE status IN ('queued', 'lookup', 'created')").get()?.at ?? null;
  }
  targets(taskId: number): TargetRow[] {
    return this.db.prepare<[number], TargetRow>('SELECT * FROM wecom_task_targets WHERE task_id = ? ORDER BY id').all(taskId);
  }
  claimedMsgids(): Set<string> {
    return new Set(this.db.prepare<[], { m: string }>('SELECT coalesce(msgid, jobid) AS m FROM wecom_tasks WHERE coalesce(msgid, jobid) IS NOT NULL').all().map((r) => r.m));
  }

  /** the commit point before the create call leaves */
  markCreating(id: number, now: number): boolean {
    return (
      this.db
        .prepare("UPDATE wecom_tasks SET status = 'creating', attempts = attempts + 1, creating_at = coalesce(creating_at, ?), updated_at = ? WHERE id = ? AND status = 'queued'")
        .run(now, now, id).changes === 1
    );
  }
  update(id: number, patch: Partial<Pick<TaskRow, 'status' | 'msgid' | 'jobid' | 'last_error' | 'next_at'>>, now: number): void {
    const cur = this.task(id);
    const next = { ...cur, ...patch };
    this.db
      .prepare('UPDATE wecom_tasks SET status = ?, msgid = ?, jobid = ?, last_error = ?, next_at = ?, updated_at = ? WHERE id = ?')
      .run(next.status, next.msgid, next.jobid, next.last_error, next.next_at, now, id);
  }
  setTarget(taskId: number, target: string, status: TargetRow['status'], error: string | null, sentAt: number | null, now: number): boolean {
    return (
      this.db
        .prepare(
          'UPDATE wecom_task_targets SET status = ?, last_error = ?, sent_at = coalesce(sent_at, ?), updated_at = ? WHERE task_id = ? AND target = ? AND (status <> ? OR coalesce(last_error, \'\') <> coalesce(?, \'\'))',
        )
        .run(status, error, sentAt, now, taskId, target, status, error).changes > 0
    );
  }
  setAllTargets(taskId: number, status: TargetRow['status'], error: string | null, now: number): void {
    this.db.prepare("UPDATE wecom_task_targets SET status = ?, last_error = ?, updated_at = ? WHERE task_id = ? AND status IN ('queued', 'awaiting_confirmation')").run(status, error, now, taskId);
  }

  /** after a crash: a task caught mid-create may exist in WeCom — look it up, never create it again */
  recoverCreating(now: number): number[] {
    const ids = this.db.prepare<[], { id: number; push_id: number }>("SELECT id, push_id FROM wecom_tasks WHERE status = 'creating'").all();
    this.db
      .prepare("UPDATE wecom_tasks SET status = 'lookup', next_at = ?, last_error = ?, updated_at = ? WHERE status = 'creating'")
      .run(now, '创建时中断，正在企业微信中查找 / interrupted while creating — looking it up in WeCom', now);
    return [...new Set(ids.map((r) => r.push_id))];
  }

  /** user's explicit choice: create an unknown or failed task again (WeCom may then hold it twice) */
  resendTask(id: number, now: number): void {
    const t = this.task(id);
    if (t.status !== 'unknown' && t.status !== 'failed') throw new CoreError('conflict', `只能重发“未知”或“失败”的群发 / only unknown or failed tasks can be created again (this one is ${t.status})`);
    this.db.prepare("UPDATE wecom_tasks SET status = 'queued', msgid = NULL, jobid = NULL, creating_at = NULL, next_at = ?, updated_at = ? WHERE id = ?").run(now, now, id);
    this.db.prepare("UPDATE wecom_task_targets SET status = 'queued', last_error = NULL, updated_at = ? WHERE task_id = ?").run(now, id);
  }

  deliveriesOfPush(pushId: number): CustomerDelivery[] {
    const tasks = this.db.prepare<[number], TaskRow>('SELECT * FROM wecom_tasks WHERE push_id = ? ORDER BY id').all(pushId);
    return tasks.flatMap((t) =>
      this.targets(t.id).map((g) => ({
        target: t.kind === 'group' ? ('customer_group' as const) : ('moment' as const),
        id: g.id,
        pushId,
        taskId: t.id,
        chatId: t.kind === 'group' ? g.target : null,
        groupName: t.kind === 'group' ? this.groupName(g.target) : null,
        owner: t.kind === 'group' ? t.owner : g.target,
        msgid: t.msgid ?? t.jobid,
        status: viewStatus(t, g),
        lastError: g.last_error ?? (t.status === 'created' || t.status === 'done' ? null : t.last_error),
        sentAt: g.sent_at,
        updatedAt: g.updated_at,
      })),
    );
  }
  pushIdsWithOpenTasks(): number[] {
    return this.db.prepare<[], { push_id: number }>("SELECT DISTINCT push_id FROM wecom_tasks WHERE status IN ('queued','creating','lookup','created')").all().map((r) => r.push_id);
  }
}

function viewStatus(t: TaskRow, g: TargetRow): CustomerStatus {
  if (t.status === 'queued') return g.status === 'queued' ? 'queued' : g.status;
  // being created, or being looked up after a lost answer: either way WeCom may be holding it right now
  if (t.status === 'creating' || t.status === 'lookup') return 'creating';
  if (t.status === 'failed') return g.status === 'queued' ? 'failed' : g.status;
  if (t.status === 'unknown') return 'unknown';
  return g.status === 'queued' ? 'awaiting_confirmation' : g.status;
}

// ── answers (zod at the edge) ───────────────────────────────────────────────────────────────────────────────────────
const GroupList = z.object({ group_chat_list: z.array(z.object({ chat_id: z.string() })).default([]), next_cursor: z.string().optional() });
const GroupGet = z.object({ group_chat: z.object({ chat_id: z.string(), name: z.string().default(''), owner: z.string(), member_list: z.array(z.unknown()).default([]) }) });
const Created = z.object({ msgid: z.string().min(1), fail_list: z.array(z.string()).default([]) });
const MsgList = z.object({
  group_msg_list: z.array(z.object({ msgid: z.string(), text: z.object({ content: z.string() }).optional() })).default([]),
  next_cursor: z.string().optional(),
});
const TaskList = z.object({ task_list: z.array(z.object({ userid: z.string(), status: z.number(), send_time: z.number().optional() })).default([]), next_cursor: z.string().optional() });
const SendList = z.object({
  send_list: z.array(z.object({ chat_id: z.string().optional(), userid: z.string().optional(), status: z.number(), send_time: z.number().optional() })).default([]),
  next_cursor: z.string().optional(),
});
const Job = z.object({ jobid: z.string().min(1) });
const JobResult = z.object({ status: z.number(), result: z.object({ moment_id: z.string().optional(), errcode: z.number().optional(), errmsg: z.string().optional() }).optional() });
const MomentList = z.object({ moment_list: z.array(z.object({ moment_id: z.string(), text: z.object({ content: z.string() }).optional() })).default([]), next_cursor: z.string().optional() });
const MomentTask = z.object({ task_list: z.array(z.object({ userid: z.string(), publish_status: z.number() })).default([]), next_cursor: z.string().optional() });

/** reads every group with its owner and member count (paged, bounded) */
export async function fetchGroups(api: WecomApi): Promise<{ chatId: string; name: string; owner: string; memberCount: number }[]> {
  const ids: string[] = [];
  let cursor = '';
  for (let page = 0; page < 100; page++) {
    const r = await api.call('/cgi-bin/externalcontact/groupchat/list', { status_filter: 0, limit: 1000, cursor }, GroupList);
    ids.push(...r.group_chat_list.map((g) => g.chat_id));
    if (!r.next_cursor) break;
    cursor = r.next_cursor;
  }
  const out = [];
  for (const chatId of ids) {
    const g = (await api.call('/cgi-bin/externalcontact/groupchat/get', { chat_id: chatId, need_name: 0 }, GroupGet)).group_chat;
    out.push({ chatId: g.chat_id, name: g.name || g.chat_id, owner: g.owner, memberCount: g.member_list.length });
  }
  return out;
}

export interface EngineOptions {
  now: () => number;
  pollMs: number;
  /** multiplies backoff (tests) */
  timeScale: number;
  log: (line: string) => void;
  onChange: (pushId: number) => void;
  poster: (name: string) => Buffer | null;
}

/** Creates the tasks (exactly once) and follows them until every group is sent or failed. One WeCom call at a time. */
export class CustomerEngine {
  private readonly store: CustomerRepo;
  private readonly api: () => WecomApi | null;
  private readonly o: EngineOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  lastError: string | null = null;

  constructor(store: CustomerRepo, api: () => WecomApi | null, options: EngineOptions) {
    this.store = store;
    this.api = api;
    this.o = options;
  }

  start(): void {
    for (const pushId of this.store.recoverCreating(this.o.now())) this.o.onChange(pushId);
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.pass()
      .catch((e: Error) => this.o.log(`wecom: pass failed: ${e.message}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.schedule();
      });
  }

  /** check every open task now (the producer pressed 刷新) */
  pollNow(): number {
    const n = this.store.db.prepare("UPDATE wecom_tasks SET next_at = ? WHERE status = 'created'").run(this.o.now()).changes;
    this.kick();
    return n;
  }

  private schedule(): void {
    if (this.stopped) return;
    const at = this.store.nextAt();
    if (at === null) return;
    const wait = this.idleWithoutApi ? 30_000 : Math.max(20, Math.min(at - this.o.now(), 60_000));
    this.timer = setTimeout(() => this.kick(), wait);
    this.timer.unref?.();
  }

  /** true when the last pass had no WeCom client (credentials removed): wait instead of spinning on due tasks */
  private idleWithoutApi = false;

  private async pass(): Promise<void> {
    const api = this.api();
    this.idleWithoutApi = !api;
    if (!api) return;
    for (const task of this.store.due(this.o.now())) {
      if (this.stopped) return;
      try {
        if (task.status === 'queued') await this.create(api, task);
        else if (task.status === 'lookup') await this.lookup(api, task);
        else await this.track(api, task);
        this.lastError = null;
      } catch (error) {
        const e = error as Error;
        this.lastError = e.message;
        this.o.log(`wecom: task ${task.id} (${task.status}): ${e.message}`);
        const retry = this.o.now() + Math.round(Math.min(300_000, 5_000 * 2 ** Math.min(task.attempts, 6)) * this.o.timeScale);
        this.store.update(task.id, { next_at: retry, last_error: e.message }, this.o.now());
      }
      this.o.onChange(task.push_id);
    }
  }

  private body(task: TaskRow): TaskBody {
    return JSON.parse(task.body) as TaskBody;
  }

  private async create(api: WecomApi, task: TaskRow): Promise<void> {
    const body = this.body(task);
    const chats = this.store.targets(task.id).map((t) => t.target);
    // the poster goes as an image when asked (with_poster), and is the mini-program card's cover either way
    const needsPoster = task.with_poster === 1 || (task.kind === 'group' && body.miniprogram !== null);
    const png = needsPoster && body.poster ? this.o.poster(body.poster) : null;
    // uploads create nothing anyone sees: safe to repeat, so they happen before the commit point
    let media: string | null = null;
    if (png) {
      media =
        task.kind === 'group'
          ? await api.upload('/cgi-bin/media/upload', { type: 'image' }, png, 'poster.png', 'image/png')
          : await api.upload('/cgi-bin/media/upload_attachment', { media_type: 'image', attachment_type: '1' }, png, 'poster.png', 'image/png');
    }
    const attachments: Record<string, unknown>[] = [];
    if (media && task.with_poster) attachments.push({ msgtype: 'image', image: { media_id: media } });
    if (task.kind === 'group') {
      if (body.link) attachments.push({ msgtype: 'link', link: body.link });
      // the mini-program card needs a cover media_id (doc 92135 pic_media_id): the poster is that cover
      if (body.miniprogram && media) attachments.push({ msgtype: 'miniprogram', miniprogram: { ...body.miniprogram, pic_media_id: media } });
    } else if (!media && body.link) attachments.push({ msgtype: 'link', link: { title: body.link.title, url: body.link.url } });
    const now = this.o.now();
    if (!this.store.markCreating(task.id, now)) return;
    this.o.onChange(task.push_id);
    try {
      if (task.kind === 'group') {
        const r = await api.call(
          '/cgi-bin/externalcontact/add_msg_template',
          { chat_type: 'group', sender: task.owner, chat_id_list: chats, text: { content: body.text }, attachments: attachments.slice(0, 9) },
          Created,
        );
        const t = this.o.now();
        this.store.db.transaction(() => {
          this.store.update(task.id, { status: 'created', msgid: r.msgid, last_error: null, next_at: t + this.o.pollMs }, t);
          for (const c of chats) {
            if (r.fail_list.includes(c)) this.store.setTarget(task.id, c, 'failed', '企业微信拒绝：无效或无法发送的群 / WeCom listed this group in fail_list', null, t);
            else this.store.setTarget(task.id, c, 'awaiting_confirmation', null, null, t);
          }
        })();
      } else {
        const r = await api.call(
          '/cgi-bin/externalcontact/add_moment_task',
          { text: { content: body.text }, attachments: attachments.slice(0, 9), visible_range: { sender_list: { user_list: chats } } },
          Job,
        );
        const t = this.o.now();
        this.store.db.transaction(() => {
          this.store.update(task.id, { status: 'created', jobid: r.jobid, last_error: null, next_at: t }, t);
          for (const c of chats) this.store.setTarget(task.id, c, 'awaiting_confirmation', null, null, t);
        })();
      }
    } catch (error) {
      const e = error instanceof WecomApiError ? error : new WecomApiError(0, (error as Error).message, { mayHaveReached: true });
      const t = this.o.now();
      // -1 (系统繁忙) answers a call WeCom did receive: whether it created the task is unknown, so look it up too
      if (e.mayHaveReached || e.errcode === -1) this.store.update(task.id, { status: 'lookup', next_at: t, last_error: `${e.message} — 可能已创建，正在查找 / may have been created: looking it up` }, t);
      else if (e.transient && task.attempts + 1 < 8) {
        const delay = Math.round(Math.random() * Math.min(300_000, 2_000 * 2 ** task.attempts) * this.o.timeScale);
        this.store.db.prepare("UPDATE wecom_tasks SET status = 'queued', last_error = ?, next_at = ?, updated_at = ? WHERE id = ?").run(e.message, t + delay, t, task.id);
      } else {
        this.store.update(task.id, { status: 'failed', last_error: e.message }, t);
        this.store.setAllTargets(task.id, 'failed', e.message, t);
      }
    }
  }

  /** the create call may have reached WeCom: find the task there by its text, owner and time — never create it twice */
  private async lookup(api: WecomApi, task: TaskRow): Promise<void> {
    const body = this.body(task);
    const since = Math.floor((task.creating_at ?? task.created_at) / 1000) - 120;
    const until = Math.ceil(this.o.now() / 1000) + 60;
    const claimed = this.store.claimedMsgids();
    const t = this.o.now();
    if (task.kind === 'group') {
      const found: z.output<typeof MsgList>['group_msg_list'] = [];
      let cursor = '';
      for (let page = 0; page < 20; page++) {
        const r = await api.call('/cgi-bin/externalcontact/get_groupmsg_list_v2', { chat_type: 'group', start_time: since, end_time: until, filter_type: 0, limit: 100, cursor }, MsgList);
        found.push(...r.group_msg_list);
        if (!r.next_cursor) break;
        cursor = r.next_cursor;
      }
      for (const m of found) {
        if (claimed.has(m.msgid) || m.text?.content?.trim() !== body.text.trim()) continue;
        const owners = await api.call('/cgi-bin/externalcontact/get_groupmsg_task', { msgid: m.msgid, limit: 1000 }, TaskList);
        if (!owners.task_list.some((o) => o.userid === task.owner)) continue;
        this.store.update(task.id, { status: 'created', msgid: m.msgid, last_error: null, next_at: t }, t);
        this.store.setAllTargets(task.id, 'awaiting_confirmation', null, t);
        return;
      }
    } else {
      const r = await api.call('/cgi-bin/externalcontact/get_moment_list', { start_time: since, end_time: until, filter_type: 0, limit: 20 }, MomentList);
      const m = r.moment_list.find((x) => !claimed.has(x.moment_id) && x.text?.content?.trim() === body.text.trim());
      if (m) {
        this.store.update(task.id, { status: 'created', jobid: m.moment_id, msgid: m.moment_id, last_error: null, next_at: t }, t);
        this.store.setAllTargets(task.id, 'awaiting_confirmation', null, t);
        return;
      }
    }
    const msg = '企业微信中找不到这条群发，可能未创建；如需再发请手动重发 / not found in WeCom — it may not exist; resend it by hand if you want it';
    this.store.update(task.id, { status: 'unknown', last_error: msg }, t);
    this.store.setAllTargets(task.id, 'unknown', msg, t);
  }

  /** follow the owners' confirmations and each group's result until nothing is pending */
  private async track(api: WecomApi, task: TaskRow): Promise<void> {
    const t = this.o.now();
    let pending = 0;
    if (task.kind === 'group' && task.msgid) {
      const r = await api.call('/cgi-bin/externalcontact/get_groupmsg_send_result', { msgid: task.msgid, userid: task.owner, limit: 1000 }, SendList);
      const seen = new Map(r.send_list.filter((x) => x.chat_id).map((x) => [x.chat_id!, x]));
      for (const g of this.store.targets(task.id)) {
        if (g.status !== 'awaiting_confirmation' && g.status !== 'queued') continue;
        const s = seen.get(g.target);
        if (!s || s.status === 0) pending++;
        else if (s.status === 1) this.store.setTarget(task.id, g.target, 'sent', null, (s.send_time ?? Math.floor(t / 1000)) * 1000, t);
        else if (s.status === 3) this.store.setTarget(task.id, g.target, 'over_quota', '该群已达群发接收上限 (status 3) / the group already received its quota of mass-sends', null, t);
        else this.store.setTarget(task.id, g.target, 'failed', `企业微信发送失败 (status ${s.status}) / WeCom could not send to this group`, null, t);
      }
    } else if (task.kind === 'moment') {
      let momentId = task.msgid;
      if (!momentId && task.jobid) {
        const j = await api.call('/cgi-bin/externalcontact/get_moment_task_result', null, JobResult, { jobid: task.jobid });
        if (j.status === 3 && j.result?.moment_id) {
          momentId = j.result.moment_id;
          this.store.update(task.id, { msgid: momentId }, t);
        } else if (j.status === 3) {
          const err = `朋友圈任务创建失败 / moment task failed: ${j.result?.errcode ?? ''} ${j.result?.errmsg ?? ''}`;
          this.store.update(task.id, { status: 'failed', last_error: err }, t);
          this.store.setAllTargets(task.id, 'failed', err, t);
          return;
        }
      }
      if (momentId) {
        const r = await api.call('/cgi-bin/externalcontact/get_moment_task', { moment_id: momentId, limit: 1000 }, MomentTask);
        const seen = new Map(r.task_list.map((x) => [x.userid, x.publish_status]));
        for (const g of this.store.targets(task.id)) {
          if (g.status !== 'awaiting_confirmation') continue;
          if (seen.get(g.target) === 1) this.store.setTarget(task.id, g.target, 'sent', null, t, t);
          else pending++;
        }
      } else pending++;
    }
    if (!pending) this.store.update(task.id, { status: 'done' }, t);
    else if (t - task.created_at > GIVE_UP_MS) {
      // ASSUMED: an owner who has not confirmed in 7 days will not; stop asking WeCom (the rows stay as they are)
      this.store.update(task.id, { status: 'done', last_error: '7 天内未确认，已停止查询 / not confirmed within 7 days: no longer checked' }, t);
    } else {
      // every poll interval for the first hour, then ten times slower
      const every = t - task.created_at < 3_600_000 ? this.o.pollMs : this.o.pollMs * 10;
      this.store.update(task.id, { next_at: t + every }, t);
    }
  }
}
