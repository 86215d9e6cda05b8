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
export const TEMPLATE_VARIABLES = ['title', 'link', 'startTime', 'product', 'livePrice', 'coupon', 'minutesToStart', 'liveStatus'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

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
  }),
  'push.deliveries': z.strictObject({ pushId: id.optional(), sessionId: id.optional() }),
  /** the user's explicit choice to send a delivery again (unknown or failed) */
  'push.resend': z.strictObject({ deliveryId: id }),
  'push.history': z.strictObject({ sessionId: id }),
  'push.qr': z.strictObject({ text: z.string().min(1).max(2048) }),
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
}

export interface PushState {
  channels: PushChannel[];
  templates: PushTemplate[];
  rules: PushRule[];
  links: Record<number, string>;
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
  'push.deliveries': Delivery[];
  'push.resend': Delivery;
  'push.history': { pushes: Push[]; lift: PushLift[] };
  'push.qr': { svg: string; pngBase64: string };
}

export type Events =
  | { type: 'push.state'; state: Omit<PushState, 'recent'> }
  | { type: 'push.queued'; push: Push }
  | { type: 'push.delivery'; delivery: Delivery }
  /** one group received the message (metrics reacts: the simulator's audience grows). `reach`: how many people the
   * message could reach, null when the channel cannot tell — group-robot webhooks answer only an error code
   * (DingTalk/WeCom `{errcode, errmsg}`, Feishu `{code, msg}`), never the group's member count */
  | { type: 'push.sent'; sessionId: number; pushId: number; channelId: number; reach: number | null };
