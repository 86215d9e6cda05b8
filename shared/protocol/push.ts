// Push domain of the protocol: channels (chat-group robots), message templates, trigger rules, the outbox and its
// delivery log. Secrets (signing keys, and the key inside a robot's webhook URL) go in, never come out.
import { z } from 'zod';
import { httpUrl, id, printableName } from './fields.ts';

export const CHANNEL_KINDS = ['wecom', 'dingtalk', 'feishu', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const MESSAGE_FORMATS = ['text', 'markdown', 'card'] as const;
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];
export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'retrying', 'failed', 'unknown'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const RULE_KINDS = ['reminder', 'stream_start', 'hot_pin'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
export type PushTrigger = 'manual' | RuleKind;
/** template variables, replaced as {{name}} */
export const TEMPLATE_VARIABLES = ['title', 'link', 'startTime', 'product', 'livePrice', 'coupon', 'minutesToStart', 'liveStatus', 'productLink'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** WeCom chat_id / userid: opaque strings (wr…, wm…, a member's account) */
const wecomId = z.string().trim().min(1).max(128).regex(/^[A-Za-z0-9_@.-]+$/, 'not a WeCom id');
export const POSTER_LAYOUTS = ['story', 'feed'] as const;
export type PosterLayout = (typeof POSTER_LAYOUTS)[number];
/** the receive rule a customer group has in WeCom 群发助手 › 设置群发规则 (doc 92135) */
export const QUOTA_RULES = ['month', 'week', 'day'] as const;
export type QuotaRule = (typeof QUOTA_RULES)[number];
/**
 * What the push opens (there is no official web URL of a 视频号 live room): a 直播预约 notice of the account, a
 * mini-program page that calls wx.openChannelsLive, or a link the seller pastes (warned: it must be something WeChat opens).
 */
export const EntryPoint = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('notice'), noticeId: z.string().trim().min(1).max(128), title: z.string().trim().max(100).optional() }),
  z.strictObject({
    kind: z.literal('miniprogram'),
    appid: z.string().trim().regex(/^wx[0-9a-f]{16}$/i, 'appid looks like wx + 16 hex digits'),
    path: z.string().trim().min(1).max(512),
    title: z.string().trim().max(64).optional(),
  }),
  z.strictObject({ kind: z.literal('link'), url: z.string().trim().max(2048).refine((s) => /^https:\/\/[^\s]+$/i.test(s), 'must be an https URL') }),
]);
export type EntryPoint = z.infer<typeof EntryPoint>;
const name = printableName(60);
const tag = z.string().trim().min(1).max(30);
const tags = z.array(tag).max(20);
const body = z.string().max(20_000);
const webUrl = httpUrl;

export const ChannelCreate = z.strictObject({
  kind: z.enum(CHANNEL_KINDS),
  name,
  /** the robot's webhook URL as the platform shows it */
  url: webUrl,
  /** signing secret (DingTalk "SEC…", Feishu 签名校验, generic webhook HMAC key) */
  secret: z.string().trim().max(200).optional(),
  tags: tags.optional(),
});

export const TemplateFields = {
  name,
  format: z.enum(MESSAGE_FORMATS),
  /** card / markdown title (may use variables) */
  title: z.string().max(200),
  body,
};

export const RuleFields = {
  kind: z.enum(RULE_KINDS),
  /** minutes before the planned start (reminder rules only) */
  offsetMinutes: z.number().int().min(1).max(24 * 60).nullable().optional(),
  templateId: id,
  /** channels with any of these tags; empty = every enabled channel */
  tags: tags.optional(),
  enabled: z.boolean(),
};

export const commands = {
  'push.channel.create': ChannelCreate,
  'push.channel.update': z.strictObject({
    id,
    name: name.optional(),
    tags: tags.optional(),
    enabled: z.boolean().optional(),
    url: webUrl.optional(),
    secret: z.string().trim().max(200).optional(),
  }),
  'push.channel.delete': z.strictObject({ id }),
  'push.channels.list': z.strictObject({}),
  'push.template.save': z.strictObject({ id: id.optional(), ...TemplateFields }),
  'push.template.delete': z.strictObject({ id }),
  'push.rule.save': z.strictObject({ id: id.optional(), ...RuleFields }),
  'push.rule.delete': z.strictObject({ id }),
  'push.session.setLink': z.strictObject({ sessionId: id, link: webUrl.nullable() }),
  /** renders a template or free text for a session and shows it per platform, with the byte limits checked */
  'push.preview': z.strictObject({
    sessionId: id.optional(),
    templateId: id.optional(),
    format: z.enum(MESSAGE_FORMATS).optional(),
    title: z.string().max(200).optional(),
    text: body.optional(),
    withQr: z.boolean().optional(),
  }),
  /** one-click push: queued in the outbox in the same transaction that records it */
  'push.send': z.strictObject({
    sessionId: id,
    channelIds: z.array(id).max(100).optional(),
    tags: tags.optional(),
    text: body.optional(),
    templateId: id.optional(),
    /** also send the live link's QR code as an image (WeCom group robots) */
    withQr: z.boolean().optional(),
    /** WeCom customer groups (客户群) by chat_id: one mass-send task per owner, each owner confirms it in WeCom */
    customerGroups: z.array(wecomId).max(2000).optional(),
    /** 朋友圈: members (userid) asked to publish it to their customers' Moments */
    momentOwners: z.array(wecomId).max(100).optional(),
    /** attach the live poster (customer groups and 朋友圈) */
    withPoster: z.boolean().optional(),
    posterLayout: z.enum(POSTER_LAYOUTS).optional(),
    /** a rehearsal (simulator source) never reaches customers unless the producer says so for this push */
    allowRehearsal: z.boolean().optional(),
  }),
  'push.deliveries': z.strictObject({ pushId: id.optional(), sessionId: id.optional() }),
  /** the user's explicit choice to send a delivery again (unknown or failed) */
  'push.resend': z.strictObject({ deliveryId: id }),
  'push.history': z.strictObject({ sessionId: id }),
  'push.qr': z.strictObject({ text: z.string().min(1).max(2048) }),
  // #12 private domain: WeCom customer groups, 朋友圈, entry point, poster
  /** corpid + 客户联系 secret (write-only: stored in the SecretStore, never returned) and the groups' receive rule */
  'push.wecom.configure': z.strictObject({
    corpId: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/).nullable().optional(),
    secret: z.string().trim().min(1).max(200).nullable().optional(),
    quotaRule: z.enum(QUOTA_RULES).optional(),
  }),
  'push.wecom.status': z.strictObject({}),
  /** the customer groups; refresh re-reads them from WeCom (groupchat/list + groupchat/get) */
  'push.wecom.groups': z.strictObject({ refresh: z.boolean().optional() }),
  'push.wecom.group.tag': z.strictObject({ chatId: wecomId, tags }),
  /** poll WeCom for confirmations now instead of at the next interval */
  'push.wecom.poll': z.strictObject({}),
  /** the producer's explicit choice: create an unknown or failed WeCom task again (the groups may then get it twice) */
  'push.wecom.resend': z.strictObject({ taskId: id }),
  /** the 视频号助手 account's 直播预约 list (getfinderlivenoticerecordlist) */
  'push.notices': z.strictObject({}),
  'push.session.setEntry': z.strictObject({ sessionId: id, entry: EntryPoint.nullable().optional(), allowRehearsalPush: z.boolean().optional() }),
  'push.poster': z.strictObject({ sessionId: id, layout: z.enum(POSTER_LAYOUTS).optional() }),
  /** the automatic push waiting behind its countdown toast: cancel it before it is written */
  'push.pending.cancel': z.strictObject({ pendingId: z.string().min(1).max(40) }),
} satisfies Record<string, z.ZodType>;

export interface PushChannel {
  id: number;
  kind: ChannelKind;
  name: string;
  /** webhook URL with its key masked, e.g. …/send?key=****5aaa */
  urlMasked: string;
  hasSecret: boolean;
  tags: string[];
  enabled: boolean;
  createdAt: number;
  /** the platform muted this robot until then (DingTalk: 10 minutes after 130101/410100); nothing is sent before */
  pausedUntil?: number | null;
}

export interface PushTemplate {
  id: number;
  name: string;
  format: MessageFormat;
  title: string;
  body: string;
  updatedAt: number;
}

export interface PushRule {
  id: number;
  kind: RuleKind;
  offsetMinutes: number | null;
  templateId: number;
  tags: string[];
  enabled: boolean;
}

export interface Delivery {
  id: number;
  pushId: number;
  channelId: number;
  channelName: string;
  kind: ChannelKind;
  /** 'message', or 'qr' for the QR image that follows it */
  part: 'message' | 'qr';
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number | null;
  sentAt: number | null;
  updatedAt: number;
}

export interface Push {
  id: number;
  sessionId: number;
  trigger: PushTrigger;
  ruleId: number | null;
  format: MessageFormat;
  title: string;
  text: string;
  link: string | null;
  createdAt: number;
  /** first successful delivery of this push, the moment lift is measured around */
  firstSentAt: number | null;
  deliveries: Delivery[];
  /** WeCom customer groups and 朋友圈: one row per group (or member, for 朋友圈) of each owner's task */
  customer: CustomerDelivery[];
}

/** The three ways a push reaches people: robots (internal staff groups), customer groups (客户群), 朋友圈. */
export const REACH_KINDS = ['robot', 'customer_group', 'moment'] as const;
export type ReachKind = (typeof REACH_KINDS)[number];

export const CUSTOMER_STATUSES = ['queued', 'creating', 'awaiting_confirmation', 'sent', 'failed', 'over_quota', 'unknown'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

export interface CustomerDelivery {
  target: 'customer_group' | 'moment';
  /** row id of this group (or member) within the task */
  id: number;
  pushId: number;
  taskId: number;
  /** customer group chat_id (null for 朋友圈) */
  chatId: string | null;
  groupName: string | null;
  /** the member who must confirm (group owner) or publish (朋友圈) in WeCom */
  owner: string;
  /** WeCom msgid of the mass-send (moment: the moment_id once known) */
  msgid: string | null;
  status: CustomerStatus;
  lastError: string | null;
  sentAt: number | null;
  updatedAt: number;
}

export interface CustomerGroup {
  chatId: string;
  name: string;
  owner: string;
  memberCount: number;
  tags: string[];
  /** mass-sends LiveCue counted for this group in the current quota window, the window's limit, what is left */
  quota: { used: number; limit: number; left: number; windowStart: number };
  refreshedAt: number;
}

export interface WecomStatus {
  configured: boolean;
  /** where the credentials come from: environment (LIVECUE_WECOM_*), the SecretStore, or nowhere */
  source: 'env' | 'stored' | 'none';
  corpIdMasked: string | null;
  hasSecret: boolean;
  quotaRule: QuotaRule;
  apiBase: string;
  groups: number;
  lastError: string | null;
}

export interface SessionEntry {
  sessionId: number;
  entry: EntryPoint | null;
  /** what goes into {{link}} and the QR code, or null (a notice / mini program has no web URL) */
  link: string | null;
  warning: string | null;
  allowRehearsalPush: boolean;
}

/** An automatic push waiting behind its countdown toast (push.pending.cancel stops it). */
export interface PendingPush {
  pendingId: string;
  sessionId: number;
  ruleId: number;
  ruleKind: RuleKind;
  /** when it will be written to the outbox unless cancelled */
  fireAt: number;
  summary: string;
}

/** New viewers per minute in the 5 minutes after the push vs the 5 before; null until both windows have data. */
export interface PushLift {
  pushId: number;
  at: number;
  beforePerMin: number | null;
  afterPerMin: number | null;
  /** afterPerMin − beforePerMin */
  lift: number | null;
}

/** Average lift of the pushes that reached each kind of channel, measured around that kind's first delivery. */
export interface KindLift {
  kind: ReachKind;
  pushes: number;
  measured: number;
  avgLift: number | null;
}

export interface PreviewPart {
  kind: ChannelKind;
  part: 'message' | 'qr';
  /** platform message type: text, markdown, news, image, link, actionCard, post, interactive, json */
  msgtype: string;
  bytes: number;
  limit: number;
  /** what the byte limit applies to, e.g. "text.content" or "request body" */
  limitOf: string;
  ok: boolean;
  /** the JSON body as it will be sent (without signature) */
  body: string;
  view: { title: string | null; lines: string[]; link: string | null; button: string | null; image: string | null };
}

export interface PushPreview {
  title: string;
  text: string;
  link: string | null;
  qrSvg: string | null;
  parts: PreviewPart[];
  /** #11: the links of the pinned 微信小店 product (H5 link, 微信口令, QR code), when it is one */
  productLinks?: import('./shop.ts').ProductLinks & { title: string };
  /** #12: what a customer group / 朋友圈 receives: the text (≤ 4000 bytes, doc 92135) and the attachments, in order */
  customer?: { text: string; bytes: number; limit: number; ok: boolean; attachments: string[] };
}

export interface PushState {
  channels: PushChannel[];
  templates: PushTemplate[];
  rules: PushRule[];
  links: Record<number, string>;
  entries: Record<number, SessionEntry>;
  pending: PendingPush[];
  recent: Push[];
}

export interface Results {
  'push.channel.create': PushChannel;
  'push.channel.update': PushChannel;
  'push.channel.delete': { id: number };
  'push.channels.list': PushChannel[];
  'push.template.save': PushTemplate;
  'push.template.delete': { id: number };
  'push.rule.save': PushRule;
  'push.rule.delete': { id: number };
  'push.session.setLink': { sessionId: number; link: string | null };
  'push.preview': PushPreview;
  'push.send': Push;
  /** robot rows (target 'robot') then customer-group / 朋友圈 rows */
  'push.deliveries': ((Delivery & { target: 'robot' }) | CustomerDelivery)[];
  'push.resend': Delivery;
  'push.history': { pushes: Push[]; lift: PushLift[]; byKind: KindLift[] };
  'push.qr': { svg: string; pngBase64: string };
  'push.wecom.configure': WecomStatus;
  'push.wecom.status': WecomStatus;
  'push.wecom.groups': CustomerGroup[];
  'push.wecom.group.tag': CustomerGroup;
  'push.wecom.poll': { checked: number };
  'push.wecom.resend': CustomerDelivery[];
  'push.notices': { noticeId: string; status: number; statusWording: string; startTime: number | null; description: string }[];
  'push.session.setEntry': SessionEntry;
  'push.poster': { layout: PosterLayout; width: number; height: number; pngBase64: string; qrText: string | null };
  'push.pending.cancel': { pendingId: string; cancelled: boolean };
}

export type Events =
  | { type: 'push.state'; state: Omit<PushState, 'recent'> }
  | { type: 'push.queued'; push: Push }
  | { type: 'push.delivery'; delivery: Delivery }
  | { type: 'push.customer'; pushId: number; customer: CustomerDelivery[] }
  | { type: 'push.pending'; pending: PendingPush[] }
  | { type: 'push.wecom'; status: WecomStatus }
  /** one group received the message (metrics reacts: the simulator's audience grows). `reach`: how many people the
   * message could reach, null when the channel cannot tell — group-robot webhooks answer only an error code
   * (DingTalk/WeCom `{errcode, errmsg}`, Feishu `{code, msg}`), never the group's member count */
  | { type: 'push.sent'; sessionId: number; pushId: number; channelId: number; reach: number | null };
