// The room automation engine: reads room events from the console bridge (RoomControl), answers keywords, pins
// comments, posts scheduled messages and rotates 讲解 — only while the producer lets it (a switch per set, 暂停全部,
// rehearsals opt-in), one comment at a time, under a global messages-per-minute limit and never the same text twice in
// a row. Clock, randomness, the room and the AI are injected so tests drive it with a fake clock and a fake room.
import type {
  AutomationAction,
  AutomationBlock,
  AutomationSettings,
  Draft,
  RuleSets,
  TriggerKind,
} from '../../../shared/protocol/automation.ts';
import type { RoomControl, RoomEvent } from '../room.ts';
import { CoreError, conflict, notFound } from '../errors.ts';
import type { ProductContext } from './ai.ts';
import { EVENT_LABEL, type MessageLine, type ReplyEvent, type ReplyRule, fill, maskNickname, matchAny, matchReply, vary } from './text.ts';

export const TICK_MS = 250;
/** a reply still queued this long after its comment is dropped: answering a minute late looks like a bot */
export const REPLY_MAX_AGE_MS = 60_000;
/** a welcome / thanks still queued this long after the event is dropped (ASSUMED: later than that it reads odd) */
export const EVENT_REPLY_MAX_AGE_MS = 15_000;
// scheduled messages go before welcomes: a message is due at most once per its interval (so welcomes still get turns),
// while a steady stream of entries would otherwise hold the producer's own lines back for the whole show (the
// 10-minute console run sent one message in 30 s behind welcomes); a welcome waiting too long is dropped after 15 s
const PRIORITY = { comment: 0, order: 1, follow: 1, message: 2, enter: 3 } as const;
/** welcomes and scheduled messages share two thirds of the per-minute budget; a third is kept for answers */
const SHARED = Math.min(PRIORITY.message, PRIORITY.enter);
const MAX_DRAFTS = 50;
/** a console action not settled by then counts as failed, so one stuck click never stalls automation (ASSUMED) */
export const ACTION_TIMEOUT_MS = 15_000;
/** our own comments read back from the console within this window are not answered (no reply loops) */
const ECHO_WINDOW_MS = 5 * 60_000;
const MAX_PIN_QUEUE = 50;
const SEEN_CAP = 5_000;

export interface EngineConfig {
  sets: RuleSets;
  replies: ReplyRule[];
  messages: MessageLine[];
  pinKeywords: string[];
  seqs: number[];
  settings: AutomationSettings;
  /** AI drafts configured (base URL, model, key) and switched on */
  aiReady: boolean;
}

export interface EngineContext {
  /** the LiveCue session on air (null: none) */
  sessionId: number | null;
  /** the session rehearses on the simulator */
  rehearsal: boolean;
  product: ProductContext | null;
}

export type ActionRecord = Omit<AutomationAction, 'id'>;

export interface EngineDeps {
  now(): number;
  random(): number;
  room(): RoomControl | null;
  config(): EngineConfig;
  context(): EngineContext;
  record(action: ActionRecord): void;
  draftsChanged(drafts: Draft[]): void;
  /** asks the AI for a reply to this viewer's comment (rejects on time-out / error) */
  ai?(nickname: string, comment: string, product: ProductContext | null): Promise<string>;
  /** a room 'order' event (nickname), kept for review: did the asker order afterwards */
  orderSeen?(event: RoomEvent): void;
  /** follow the lineup: called on every tick while rotation.followLineup is on and the session is live */
  followLineup?(sessionId: number): void;
  log?(line: string): void;
}

interface Outgoing {
  kind: 'reply' | 'message';
  text: string;
  rule: string;
  reason: string;
  triggerNickname: string | null;
  triggerTs: number | null;
  triggerKind: TriggerKind | null;
  /** 0 answers to comments · 1 thanks for orders / follows · 2 scheduled messages · 3 welcomes */
  priority: number;
  sessionId: number | null;
  /** confirmed drafts: the producer already approved this exact text */
  confirmed: boolean;
}

export class AutomationEngine {
  private readonly deps: EngineDeps;
  private room: RoomControl | null = null;
  private unsubscribe: (() => void) | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly seen = new Set<string>();
  private readonly viewerLast = new Map<string, number>();
  private readonly ruleLast = new Map<number, number>();
  private outbox: Outgoing[] = [];
  private sentAt: number[] = [];
  private lastText: string | null = null;
  private sending = false;
  private pinQueue: { event: RoomEvent; at: number }[] = [];
  private lastPinAt = -Infinity;
  private pinning = false;
  private nextMessageAt: number | null = null;
  private lastMessageLine: number | null = null;
  private rotationIndex = 0;
  private rotationAt: number | null = null;
  private rotationKey = '';
  private rotationSeq: number | null = null;
  private explaining = false;
  private drafts: Draft[] = [];
  private draftId = 0;
  /** what we posted lately: the console shows our own comments in the feed too */
  private recentSent: { text: string; at: number }[] = [];

  constructor(deps: EngineDeps) {
    this.deps = deps;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref?.();
    this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.room = null;
  }

  get queued(): number {
    return this.outbox.length;
  }

  get currentSeq(): number | null {
    return this.rotationSeq;
  }

  draftList(): Draft[] {
    return this.drafts;
  }

  /** Why nothing is acted on now (null: acting). */
  block(config = this.deps.config(), ctx = this.deps.context()): AutomationBlock {
    if (config.settings.paused) return 'paused';
    const room = this.deps.room();
    if (!room) return 'no_room';
    if (!room.live) return 'not_live';
    if (ctx.rehearsal && (ctx.sessionId === null || !config.settings.rehearsalAllowed.includes(ctx.sessionId))) return 'rehearsal';
    return null;
  }

  // ── room events ────────────────────────────────────────────────────────────────────────────────────────────────

  private follow(): void {
    const room = this.deps.room();
    if (room === this.room) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.room = room;
    if (room) this.unsubscribe = room.onEvent((e) => this.onEvent(e));
  }

  onEvent(e: RoomEvent): void {
    if (this.seen.has(e.id)) return;
    this.seen.add(e.id);
    if (this.seen.size > SEEN_CAP) this.seen.delete(this.seen.values().next().value!);
    if (e.kind === 'order') this.deps.orderSeen?.(e);
    if (e.kind === 'reply') return;
    if (e.kind === 'comment' && this.isEcho(e.text)) return;
    const config = this.deps.config();
    const ctx = this.deps.context();
    if (this.block(config, ctx)) return;
    const now = this.deps.now();
    if (config.sets.pin.enabled && e.kind === 'comment' && matchAny(config.pinKeywords, e.text)) {
      this.pinQueue.push({ event: e, at: now });
      if (this.pinQueue.length > MAX_PIN_QUEUE) this.pinQueue.shift();
    }
    if (config.sets.reply.enabled) this.reply(e, config, ctx, now);
    this.pump();
    this.pinNext();
  }

  private reply(e: RoomEvent, config: EngineConfig, ctx: EngineContext, now: number): void {
    const rule = matchReply(config.replies, e.kind as ReplyEvent, e.text);
    if (!rule) return;
    const o = config.sets.reply.options;
    const viewerAt = this.viewerLast.get(e.nickname);
    if (viewerAt !== undefined && now - viewerAt < o.viewerCooldownSec * 1000) return;
    const ruleAt = this.ruleLast.get(rule.line);
    if (ruleAt !== undefined && now - ruleAt < o.ruleCooldownSec * 1000) return;
    this.viewerLast.set(e.nickname, now);
    this.ruleLast.set(rule.line, now);
    if (this.viewerLast.size > SEEN_CAP) this.viewerLast.delete(this.viewerLast.keys().next().value!);

    const nickname = o.maskNickname ? maskNickname(e.nickname) : e.nickname;
    const random = this.deps.random;
    const body = fill(rule.replies[Math.min(rule.replies.length - 1, Math.floor(random() * rule.replies.length))]!, {
      nickname,
      product: ctx.product?.title ?? null,
      random,
    });
    const withMention = (text: string) => (o.mention && e.kind === 'comment' ? `@${nickname} ${text}` : text);
    const on = e.kind === 'comment' ? `「${e.text.slice(0, 60)}」` : EVENT_LABEL[e.kind as 'enter'];
    const base: Outgoing = {
      kind: 'reply',
      text: withMention(body),
      rule: `自动回复 第${rule.line}行`,
      reason: `${e.nickname} ${on}`,
      triggerNickname: e.nickname,
      triggerTs: e.ts,
      triggerKind: e.kind as ReplyEvent,
      priority: PRIORITY[e.kind as ReplyEvent],
      sessionId: e.sessionId ?? ctx.sessionId,
      confirmed: false,
    };
    const confirmKeyword = config.settings.confirm || o.confirm;
    if (o.ai && config.aiReady && e.kind === 'comment' && this.deps.ai) {
      this.deps.ai(e.nickname, e.text, ctx.product).then(
        (text) => {
          if (this.block()) return;
          const draft = { ...base, text: withMention(text), rule: `AI 回复（第${rule.line}行）` };
          if (config.settings.confirm || !o.aiAutoSend) this.addDraft(draft, 'ai', e.id);
          else this.enqueue(draft);
        },
        (error: Error) => {
          if (this.block()) return;
          const fallback = { ...base, reason: `${base.reason}；AI 失败，用关键词回复：${error.message}` };
          if (confirmKeyword) this.addDraft(fallback, 'keyword', e.id);
          else this.enqueue(fallback);
        },
      );
      return;
    }
    if (confirmKeyword) this.addDraft(base, 'keyword', e.id);
    else this.enqueue(base);
  }

  private isEcho(text: string): boolean {
    const now = this.deps.now();
    this.recentSent = this.recentSent.filter((s) => now - s.at < ECHO_WINDOW_MS);
    const t = text.trim();
    return this.recentSent.some((s) => s.text.trim() === t);
  }

  /** a console action with a deadline */
  private timed(action: Promise<void>): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CoreError('unavailable', `控制台 ${ACTION_TIMEOUT_MS / 1000} 秒无响应 / the console did not answer`)), ACTION_TIMEOUT_MS);
    });
    return Promise.race([action, deadline]).finally(() => clearTimeout(timer));
  }

  // ── drafts (confirm before sending) ────────────────────────────────────────────────────────────────────────────

  private addDraft(o: Outgoing, source: Draft['source'], triggerId: string | null): void {
    this.drafts = [
      ...this.drafts,
      {
        id: ++this.draftId,
        createdAt: this.deps.now(),
        text: o.text,
        rule: o.rule,
        reason: o.reason,
        source,
        triggerId,
        triggerNickname: o.triggerNickname,
        triggerTs: o.triggerTs,
        triggerKind: o.triggerKind,
        sessionId: o.sessionId,
      },
    ].slice(-MAX_DRAFTS);
    this.deps.draftsChanged(this.drafts);
  }

  /** Enter on a draft: it goes out next (still under the rate limit), with the producer's edit if any. */
  sendDraft(draftId: number, text?: string): void {
    const draft = this.drafts.find((d) => d.id === draftId);
    if (!draft) throw notFound('draft', draftId);
    if (this.deps.config().settings.paused) throw conflict('已暂停全部自动化 / automation is paused');
    this.drafts = this.drafts.filter((d) => d.id !== draftId);
    this.deps.draftsChanged(this.drafts);
    this.outbox.unshift({
      kind: 'reply',
      text: text ?? draft.text,
      rule: `${draft.rule}（已确认）`,
      reason: draft.reason,
      triggerNickname: draft.triggerNickname,
      triggerTs: draft.triggerTs,
      triggerKind: draft.triggerKind,
      priority: 0,
      sessionId: draft.sessionId,
      confirmed: true,
    });
    this.pump();
  }

  /** Esc on a draft: dropped, and the log says so. */
  dropDraft(draftId: number): void {
    const draft = this.drafts.find((d) => d.id === draftId);
    if (!draft) throw notFound('draft', draftId);
    this.drafts = this.drafts.filter((d) => d.id !== draftId);
    this.deps.draftsChanged(this.drafts);
    this.deps.record({
      sessionId: draft.sessionId,
      ts: this.deps.now(),
      kind: 'reply',
      status: 'dropped',
      rule: draft.rule,
      reason: `${draft.reason}；场控放弃 / dropped by the producer`,
      text: draft.text,
      triggerNickname: draft.triggerNickname,
      triggerTs: draft.triggerTs,
      triggerKind: draft.triggerKind,
      error: null,
    });
  }

  // ── the tick ───────────────────────────────────────────────────────────────────────────────────────────────────

  private enqueue(o: Outgoing): void {
    // by priority, first come first served within one: answers to questions never wait behind welcomes or timers
    const at = this.outbox.findIndex((x) => x.priority > o.priority);
    if (at < 0) this.outbox.push(o);
    else this.outbox.splice(at, 0, o);
    this.pump();
  }

  tick(): void {
    this.follow();
    const config = this.deps.config();
    const ctx = this.deps.context();
    const block = this.block(config, ctx);
    const now = this.deps.now();
    if (block) {
      // nothing queued survives a pause or a lost room: resuming must not flush a burst of stale comments
      for (const o of this.outbox) this.recordDropped(o, block === 'paused' ? '已暂停 / paused' : `未发送：${block}`);
      this.outbox = [];
      this.pinQueue = [];
      this.nextMessageAt = null;
      this.rotationAt = null;
      return;
    }
    this.schedule(config, ctx, now);
    this.pump();
    this.pinNext();
    this.rotate(config, ctx, now);
  }

  private schedule(config: EngineConfig, ctx: EngineContext, now: number): void {
    const set = config.sets.message;
    if (!set.enabled || !config.messages.length) {
      this.nextMessageAt = null;
      return;
    }
    const { minSec, maxSec } = set.options;
    const gap = () => (minSec + this.deps.random() * (maxSec - minSec)) * 1000;
    if (this.nextMessageAt === null) {
      this.nextMessageAt = now + gap();
      return;
    }
    if (now < this.nextMessageAt) return;
    this.nextMessageAt = now + gap();
    if (this.outbox.some((o) => o.kind === 'message')) return; // one pending at most; the rate limit is holding it
    // a different line from the last one when there is a choice (as the peer's random pick, AutoCommentTask)
    const lines = config.messages.length > 1 ? config.messages.filter((m) => m.line !== this.lastMessageLine) : config.messages;
    const line = lines[Math.min(lines.length - 1, Math.floor(this.deps.random() * lines.length))]!;
    this.lastMessageLine = line.line;
    this.enqueue({
      kind: 'message',
      text: fill(line.template, { product: ctx.product?.title ?? null, random: this.deps.random }),
      rule: `自动发言 第${line.line}行`,
      reason: `定时 ${minSec}–${maxSec} 秒 / timer`,
      triggerNickname: null,
      triggerTs: null,
      triggerKind: null,
      priority: PRIORITY.message,
      sessionId: ctx.sessionId,
      confirmed: false,
    });
  }

  /** Under the per-minute limit; welcomes and scheduled messages leave a third of it for answers to questions. */
  private allowed(now: number, priority: number): boolean {
    this.sentAt = this.sentAt.filter((t) => now - t < 60_000);
    const limit = this.deps.config().settings.ratePerMin;
    const reserve = priority >= SHARED ? Math.floor(limit / 3) : 0;
    return this.sentAt.length < limit - reserve;
  }

  /** Sends the next queued comment when none is in flight and the rate limit allows. */
  private pump(): void {
    if (!this.outbox.length) return;
    const now = this.deps.now();
    this.dropStale(now);
    const room = this.deps.room();
    if (this.sending || !room || this.block() || !this.allowed(now, this.outbox[0]?.priority ?? 0)) return;
    const o = this.outbox.shift();
    if (!o) return;
    // never the same text twice in a row; scheduled messages vary a little every time (peer issues #91, #120)
    const text = o.kind === 'message' ? vary(o.text, this.lastText, this.deps.random) : o.text === this.lastText ? vary(o.text, this.lastText, this.deps.random, true) : o.text;
    this.sending = true;
    this.sentAt.push(now);
    this.recentSent.push({ text, at: now });
    if (this.recentSent.length > 50) this.recentSent.shift();
    this.timed(room.sendComment(text)).then(
      () => {
        this.lastText = text;
        this.finish(o, text, 'sent', null);
      },
      (error: Error) => this.finish(o, text, 'failed', error.message),
    );
  }

  private dropStale(now: number): void {
    this.outbox = this.outbox.filter((o) => {
      const maxAge = o.triggerKind === 'comment' ? REPLY_MAX_AGE_MS : EVENT_REPLY_MAX_AGE_MS;
      const stale = o.kind === 'reply' && !o.confirmed && o.triggerTs !== null && now - o.triggerTs >= maxAge;
      if (stale) this.recordDropped(o, `排队超过 ${maxAge / 1000} 秒 / queued over ${maxAge / 1000} s`);
      return !stale;
    });
  }

  private finish(o: Outgoing, text: string, status: 'sent' | 'failed', error: string | null): void {
    this.sending = false;
    this.deps.record({
      sessionId: o.sessionId,
      ts: this.deps.now(),
      kind: o.kind,
      status,
      rule: o.rule,
      reason: o.reason,
      text,
      triggerNickname: o.triggerNickname,
      triggerTs: o.triggerTs,
      triggerKind: o.triggerKind,
      error,
    });
    this.pump();
  }

  private recordDropped(o: Outgoing, why: string): void {
    this.deps.record({
      sessionId: o.sessionId,
      ts: this.deps.now(),
      kind: o.kind,
      status: 'dropped',
      rule: o.rule,
      reason: `${o.reason}；${why}`,
      text: o.text,
      triggerNickname: o.triggerNickname,
      triggerTs: o.triggerTs,
      triggerKind: o.triggerKind,
      error: null,
    });
  }

  /** 上墙: at most one every intervalSec (from the last pin landing), the newest matching comment since then. */
  private pinNext(): void {
    const config = this.deps.config();
    const room = this.deps.room();
    if (this.pinning || !room || !config.sets.pin.enabled || !this.pinQueue.length || this.block(config)) return;
    const now = this.deps.now();
    const interval = config.sets.pin.options.intervalSec * 1000;
    if (now - this.lastPinAt < interval) return;
    const { event } = this.pinQueue.pop()!;
    this.pinQueue = [];
    this.pinning = true;
    const sessionId = event.sessionId ?? this.deps.context().sessionId;
    const done = (status: 'sent' | 'failed', error: string | null) => {
      this.pinning = false;
      // the interval runs from when the pin landed on screen, so two pins are never closer than it there
      this.lastPinAt = this.deps.now();
      this.deps.record({
        sessionId,
        ts: this.deps.now(),
        kind: 'pin',
        status,
        rule: '自动上墙',
        reason: `${event.nickname}「${event.text.slice(0, 60)}」`,
        text: event.text,
        triggerNickname: event.nickname,
        triggerTs: event.ts,
        triggerKind: 'comment',
        error,
      });
    };
    this.timed(room.pinComment(event.id)).then(
      () => done('sent', null),
      (error: Error) => done('failed', error.message),
    );
  }

  /** 讲解轮播: pops seqs[i] every dwellSec, in list order, round and round; a list changed live carries on after the
   *  序号 on now (its dwell kept) when the new list has it, else starts from its first at once. */
  private rotate(config: EngineConfig, ctx: EngineContext, now: number): void {
    const set = config.sets.rotation;
    if (set.enabled && set.options.followLineup && ctx.sessionId !== null) this.deps.followLineup?.(ctx.sessionId);
    const key = config.seqs.join(',');
    if (!set.enabled || !config.seqs.length) {
      this.rotationAt = null;
      this.rotationSeq = null;
      return;
    }
    if (key !== this.rotationKey) {
      // adjusted live: carry on after the 序号 on now when the new list still has it, else start from its first
      const at = this.rotationSeq === null ? -1 : config.seqs.indexOf(this.rotationSeq);
      this.rotationKey = key;
      this.rotationIndex = at >= 0 ? (at + 1) % config.seqs.length : 0;
      if (at < 0) this.rotationAt = null;
    }
    const room = this.deps.room();
    if (!room || this.explaining) return;
    if (this.rotationAt !== null && now - this.rotationAt < set.options.dwellSec * 1000) return;
    const seq = config.seqs[this.rotationIndex % config.seqs.length]!;
    this.rotationIndex = (this.rotationIndex + 1) % config.seqs.length;
    this.rotationAt = now;
    this.explaining = true;
    const done = (status: 'sent' | 'failed', error: string | null) => {
      this.explaining = false;
      // dwell runs from when the card popped on Channels
      if (this.rotationAt !== null) this.rotationAt = this.deps.now();
      if (status === 'sent') this.rotationSeq = seq;
      this.deps.record({
        sessionId: ctx.sessionId,
        ts: this.deps.now(),
        kind: 'explain',
        status,
        rule: '讲解轮播',
        reason: `每 ${set.options.dwellSec} 秒 / every ${set.options.dwellSec} s`,
        text: `#${seq}`,
        triggerNickname: null,
        triggerTs: null,
        triggerKind: null,
        error,
      });
    };
    this.timed(room.explainSeq(seq)).then(
      () => done('sent', null),
      (error: Error) => done('failed', error.message),
    );
  }
}
