// Room automation in SQLite: the rule sets (bulk text + options as typed), the action log, the nicknames that ordered.
import {
  type ActionKind,
  type AutomationAction,
  type AutomationStats,
  MessageOptions,
  PinOptions,
  RULE_SET_KINDS,
  ReplyOptions,
  RotationOptions,
  type RuleSet,
  type RuleSetKind,
  type RuleSets,
  type TriggerKind,
} from '../../../shared/protocol/automation.ts';
import type { Db } from '../store/db.ts';

export const OPTION_SCHEMAS = { reply: ReplyOptions, pin: PinOptions, message: MessageOptions, rotation: RotationOptions } as const;

type ActionRow = {
  id: number;
  session_id: number | null;
  ts: number;
  kind: ActionKind;
  status: AutomationAction['status'];
  rule: string;
  reason: string;
  text: string;
  trigger_nickname: string | null;
  trigger_ts: number | null;
  trigger_kind: TriggerKind | null;
  error: string | null;
};

const toAction = (r: ActionRow): AutomationAction => ({
  id: r.id,
  sessionId: r.session_id,
  ts: r.ts,
  kind: r.kind,
  status: r.status,
  rule: r.rule,
  reason: r.reason,
  text: r.text,
  triggerNickname: r.trigger_nickname,
  triggerTs: r.trigger_ts,
  triggerKind: r.trigger_kind,
  error: r.error,
});

/** nearest-rank percentile of sorted values */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export class AutomationRepo {
  private readonly db: Db;
  private readonly sql;

  constructor(db: Db) {
    this.db = db;
    this.sql = {
      sets: db.prepare<[], { kind: RuleSetKind; enabled: number; text: string; options: string; updated_at: number }>('SELECT * FROM automation_sets'),
      upsert: db.prepare(
        `INSERT INTO automation_sets (kind, enabled, text, options, updated_at) VALUES (@kind, @enabled, @text, @options, @updatedAt)
         ON CONFLICT(kind) DO UPDATE SET enabled = excluded.enabled, text = excluded.text, options = excluded.options, updated_at = excluded.updated_at`,
      ),
      insertAction: db.prepare(
        `INSERT INTO automation_actions (session_id, ts, kind, status, rule, reason, text, trigger_nickname, trigger_ts, trigger_kind, error)
         VALUES (@sessionId, @ts, @kind, @status, @rule, @reason, @text, @triggerNickname, @triggerTs, @triggerKind, @error)`,
      ),
      recent: db.prepare<[number], ActionRow>('SELECT * FROM automation_actions ORDER BY id DESC LIMIT ?'),
      recentOf: db.prepare<[number, number], ActionRow>('SELECT * FROM automation_actions WHERE session_id = ? ORDER BY id DESC LIMIT ?'),
      ofSession: db.prepare<[number], ActionRow>('SELECT * FROM automation_actions WHERE session_id = ? ORDER BY ts, id'),
      insertOrder: db.prepare('INSERT OR IGNORE INTO automation_orders (session_id, ts, event_id, nickname) VALUES (?, ?, ?, ?)'),
      ordersOf: db.prepare<[number], { nickname: string; ts: number }>('SELECT nickname, ts FROM automation_orders WHERE session_id = ?'),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  sets(now: number): RuleSets {
    const rows = new Map(this.sql.sets.all().map((r) => [r.kind, r]));
    const out = {} as Record<RuleSetKind, RuleSet>;
    for (const kind of RULE_SET_KINDS) {
      const row = rows.get(kind);
      let stored: unknown;
      try {
        stored = row ? JSON.parse(row.options) : {};
      } catch {
        stored = {};
      }
      const parsed = OPTION_SCHEMAS[kind].safeParse(stored);
      out[kind] = {
        kind,
        enabled: row ? row.enabled === 1 : false,
        text: row?.text ?? '',
        options: parsed.success ? parsed.data : OPTION_SCHEMAS[kind].parse({}),
        updatedAt: row?.updated_at ?? now,
      } as RuleSet;
    }
    return out as RuleSets;
  }

  saveSet(set: RuleSet): void {
    this.sql.upsert.run({ kind: set.kind, enabled: set.enabled ? 1 : 0, text: set.text, options: JSON.stringify(set.options), updatedAt: set.updatedAt });
  }

  addAction(a: Omit<AutomationAction, 'id'>): AutomationAction {
    const info = this.sql.insertAction.run(a);
    return { id: Number(info.lastInsertRowid), ...a };
  }

  recent(limit: number, sessionId?: number): AutomationAction[] {
    const rows = sessionId === undefined ? this.sql.recent.all(limit) : this.sql.recentOf.all(sessionId, limit);
    return rows.map(toAction);
  }

  addOrder(sessionId: number, ts: number, eventId: string, nickname: string): void {
    this.sql.insertOrder.run(sessionId, ts, eventId, nickname);
  }

  /** Per minute, per rule, comment → reply latency, and whether each answered viewer ordered afterwards. */
  stats(sessionId: number): AutomationStats {
    const actions = this.sql.ofSession.all(sessionId);
    const minutes = new Map<number, AutomationStats['perMinute'][number]>();
    const rules = new Map<string, AutomationStats['perRule'][number]>();
    for (const a of actions) {
      const rule = rules.get(a.rule) ?? { rule: a.rule, kind: a.kind, sent: 0, failed: 0, dropped: 0 };
      rule[a.status]++;
      rules.set(a.rule, rule);
      if (a.status !== 'sent' || a.kind === 'next') continue;
      const minute = Math.floor(a.ts / 60_000) * 60_000;
      const m = minutes.get(minute) ?? { minute, reply: 0, pin: 0, message: 0, explain: 0 };
      m[a.kind]++;
      minutes.set(minute, m);
    }
    const orders = new Map<string, number[]>();
    for (const o of this.sql.ordersOf.all(sessionId)) orders.set(o.nickname, [...(orders.get(o.nickname) ?? []), o.ts]);
    const replies = actions
      .filter((a) => a.kind === 'reply' && a.status === 'sent' && a.trigger_kind === 'comment' && a.trigger_ts !== null && a.trigger_nickname !== null)
      .map((a) => ({
        nickname: a.trigger_nickname!,
        commentTs: a.trigger_ts!,
        replyTs: a.ts,
        ms: a.ts - a.trigger_ts!,
        orderedAfter: (orders.get(a.trigger_nickname!) ?? []).some((t) => t >= a.trigger_ts!),
      }));
    const sorted = replies.map((r) => r.ms).sort((a, b) => a - b);
    return {
      sessionId,
      perMinute: [...minutes.values()].sort((a, b) => a.minute - b.minute),
      perRule: [...rules.values()].sort((a, b) => b.sent - a.sent || a.rule.localeCompare(b.rule)),
      latency: { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95) },
      replies,
    };
  }
}
