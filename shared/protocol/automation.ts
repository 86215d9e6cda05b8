// Room automation (自动回复 / 自动上墙 / 自动发言 / 讲解轮播) of the protocol: rule sets entered as bulk text, the
// producer's switches (one per set, 暂停全部, confirm-before-send, rate limit, rehearsal opt-in), AI draft settings,
// drafts waiting for confirmation, and the log of what was sent and why. See docs/automation.md.
import { z } from 'zod';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const seconds = (min: number, max: number, dflt: number) => z.number().int().min(min).max(max).default(dflt);

export const RULE_SET_KINDS = ['reply', 'pin', 'message', 'rotation'] as const;
export type RuleSetKind = (typeof RULE_SET_KINDS)[number];
export const RuleSetKindSchema = z.enum(RULE_SET_KINDS);

export const ReplyOptions = z.strictObject({
  /** the same viewer gets no second automatic reply within this many seconds */
  viewerCooldownSec: seconds(0, 3600, 60),
  /** one rule (line) fires at most once in this many seconds, whoever asks */
  ruleCooldownSec: seconds(0, 3600, 10),
  /** start the reply with @nickname */
  mention: z.boolean().default(true),
  /** show nickname as 首字*** ({nickname} and @), as the peer's 隐藏用户名 option */
  maskNickname: z.boolean().default(false),
  /** keyword replies wait in the drafts queue for Enter / Esc */
  confirm: z.boolean().default(false),
  /** ask the AI endpoint for the reply (the keyword reply is the fallback) */
  ai: z.boolean().default(false),
  /** AI drafts are sent without confirmation (off by default) */
  aiAutoSend: z.boolean().default(false),
});
export const PinOptions = z.strictObject({ intervalSec: seconds(5, 3600, 30) });
export const MessageOptions = z
  .strictObject({ minSec: seconds(10, 3600, 60), maxSec: seconds(10, 3600, 120) })
  .refine((o) => o.maxSec >= o.minSec, { message: 'maxSec must be ≥ minSec / 最长间隔不能小于最短间隔' });
export const RotationOptions = z.strictObject({
  /** seconds each 序号 stays in 讲解 before the next one is popped */
  dwellSec: seconds(5, 3600, 60),
  /** when the current lineup item's planned minutes run out, NEXT in LiveCue (off by default) */
  followLineup: z.boolean().default(false),
});
export type ReplyOptions = z.output<typeof ReplyOptions>;
export type PinOptions = z.output<typeof PinOptions>;
export type MessageOptions = z.output<typeof MessageOptions>;
export type RotationOptions = z.output<typeof RotationOptions>;
export interface OptionsOf {
  reply: ReplyOptions;
  pin: PinOptions;
  message: MessageOptions;
  rotation: RotationOptions;
}

export interface RuleSet<K extends RuleSetKind = RuleSetKind> {
  kind: K;
  enabled: boolean;
  /** the bulk text as the producer pasted it (one rule / message / list per line) */
  text: string;
  options: OptionsOf[K];
  updatedAt: number;
}
export type RuleSets = { [K in RuleSetKind]: RuleSet<K> };

/** What one line of bulk text becomes, or why it is refused. */
export interface PreviewLine {
  line: number;
  source: string;
  error: string | null;
  /** e.g. "哪里发货 / 发货 → 2 条回复" */
  summary: string;
  /** one example of the text it would send, variables filled */
  sample: string;
}
export interface Preview {
  kind: RuleSetKind;
  lines: PreviewLine[];
  errors: number;
}

export interface AutomationSettings {
  /** 暂停全部: nothing is sent, pinned or popped while true */
  paused: boolean;
  /** global confirm-before-send: every automatic comment waits in the drafts queue */
  confirm: boolean;
  /** global rate limit for comments the shop posts (replies + scheduled messages) */
  ratePerMin: number;
  /** sessions rehearsing on the simulator where the producer allowed automation */
  rehearsalAllowed: number[];
}

export interface AiSettings {
  enabled: boolean;
  /** OpenAI-compatible base, e.g. https://api.deepseek.com/v1 ; POST {baseUrl}/chat/completions */
  baseUrl: string;
  model: string;
  systemPrompt: string;
  timeoutMs: number;
  /** a key is stored in the SecretStore (never returned) */
  hasKey: boolean;
}

export type ActionKind = 'reply' | 'pin' | 'message' | 'explain' | 'next';
/** the room event that triggered an action (null: a timer or the lineup) */
export type TriggerKind = 'comment' | 'enter' | 'follow' | 'order';
export type ActionStatus = 'sent' | 'failed' | 'dropped';

export interface AutomationAction {
  id: number;
  sessionId: number | null;
  ts: number;
  kind: ActionKind;
  status: ActionStatus;
  /** which rule set and line (or 'draft' / 'ai') */
  rule: string;
  /** why: the comment / event that triggered it, or the timer */
  reason: string;
  text: string;
  triggerNickname: string | null;
  triggerTs: number | null;
  triggerKind: TriggerKind | null;
  error: string | null;
}

export interface Draft {
  id: number;
  createdAt: number;
  text: string;
  rule: string;
  reason: string;
  source: 'keyword' | 'ai';
  triggerId: string | null;
  triggerNickname: string | null;
  triggerTs: number | null;
  triggerKind: TriggerKind | null;
  sessionId: number | null;
}

/** Why automation is (not) acting right now, shown at the top of the page. */
export type AutomationBlock = 'paused' | 'no_room' | 'not_live' | 'rehearsal' | null;
export interface AutomationStatus {
  block: AutomationBlock;
  sessionId: number | null;
  /** 序号 in 讲解 by the rotation now */
  rotationSeq: number | null;
  queued: number;
}

export interface AutomationState {
  sets: RuleSets;
  settings: AutomationSettings;
  ai: AiSettings;
  status: AutomationStatus;
  drafts: Draft[];
  log: AutomationAction[];
}

export interface AutomationStats {
  sessionId: number;
  perMinute: { minute: number; reply: number; pin: number; message: number; explain: number }[];
  perRule: { rule: string; kind: ActionKind; sent: number; failed: number; dropped: number }[];
  /** comment → reply (ms) over sent replies to comments */
  latency: { n: number; p50: number | null; p95: number | null };
  replies: { nickname: string; commentTs: number; replyTs: number; ms: number; orderedAfter: boolean }[];
}

const text = z.string().max(20_000);

export const commands = {
  'automation.get': z.strictObject({}),
  'automation.preview': z.strictObject({ kind: RuleSetKindSchema, text }),
  'automation.saveSet': z.strictObject({ kind: RuleSetKindSchema, text, options: z.record(z.string(), z.unknown()).optional() }),
  'automation.enable': z.strictObject({ kind: RuleSetKindSchema, enabled: z.boolean() }),
  'automation.pauseAll': z.strictObject({ paused: z.boolean() }),
  'automation.settings': z.strictObject({
    confirm: z.boolean().optional(),
    ratePerMin: z.number().int().min(1).max(30).optional(),
  }),
  'automation.allowRehearsal': z.strictObject({ sessionId: id, allowed: z.boolean() }),
  'automation.ai': z.strictObject({
    enabled: z.boolean().optional(),
    baseUrl: z
      .string()
      .trim()
      .max(512)
      .refine((s) => s === '' || /^https?:\/\/[^\s]+$/i.test(s), 'must be an http(s) address / 必须是 http(s) 地址')
      .optional(),
    model: z.string().trim().max(200).optional(),
    systemPrompt: z.string().max(4000).optional(),
    timeoutMs: z.number().int().min(500).max(60_000).optional(),
    /** write-only: a new key, '' or null removes it */
    key: z.string().max(500).nullable().optional(),
  }),
  'automation.draftSend': z.strictObject({ draftId: id, text: z.string().trim().min(1).max(500).optional() }),
  'automation.draftDrop': z.strictObject({ draftId: id }),
  'automation.log': z.strictObject({ sessionId: id.optional(), limit: z.number().int().min(1).max(1000).optional() }),
  'automation.stats': z.strictObject({ sessionId: id }),
};

export interface Results {
  'automation.get': AutomationState;
  'automation.preview': Preview;
  'automation.saveSet': RuleSet;
  'automation.enable': RuleSet;
  'automation.pauseAll': AutomationSettings;
  'automation.settings': AutomationSettings;
  'automation.allowRehearsal': AutomationSettings;
  'automation.ai': AiSettings;
  'automation.draftSend': { draftId: number };
  'automation.draftDrop': { draftId: number };
  'automation.log': AutomationAction[];
  'automation.stats': AutomationStats;
}

export type Events =
  | { type: 'automation.changed'; sets: RuleSets; settings: AutomationSettings; ai: AiSettings; status: AutomationStatus }
  | { type: 'automation.action'; action: AutomationAction }
  | { type: 'automation.drafts'; drafts: Draft[] };
