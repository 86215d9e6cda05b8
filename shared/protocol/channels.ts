// Channels (视频号) console bridge: connection state, product mapping, pin results on Channels, live comments, self-check.
import { z } from 'zod';
import { id } from './fields.ts';

/** off: no browser · starting: opening it · login_required: QR login page · not_live: logged in, no live room ·
 *  live: the live control page is open · error: the browser could not start (see detail) */
export type ChannelsState = 'off' | 'starting' | 'login_required' | 'not_live' | 'live' | 'error';

/** Why a pin on Channels failed; `message` says it in words. */
export type PinFailure =
  | 'not_connected'
  | 'logged_out'
  | 'not_live'
  | 'product_missing'
  /** the product pinned in LiveCue has no Channels row: the current 讲解 was ended instead */
  | 'not_mapped'
  | 'page_changed'
  | 'not_confirmed'
  /** the console refused (send button disabled, the comment box kept the text) */
  | 'refused'
  | 'timeout';

export interface PinOutcome {
  action: 'pin' | 'unpin';
  productId: number;
  /** always null since the console shows no product id (kept for older clients) */
  channelsProductId: string | null;
  /** the Channels title mapped, and the 序号 clicked this time (re-read from the list before each click) */
  title?: string | null;
  seq?: number | null;
  /** a re-pin of the product already on 讲解: 结束讲解 then 讲解, so the card popped again */
  popped?: boolean;
  ok: boolean;
  reason: PinFailure | null;
  message: string;
  /** time from the pin in LiveCue to the confirmed (or failed) state on Channels */
  ms: number;
  at: number;
}

export interface ChannelsStatus {
  state: ChannelsState;
  /** what the user must do now, zh / en */
  action: string;
  account: string | null;
  browser: string | null;
  since: number;
  lastPin: PinOutcome | null;
  /** last live-room figures read from the console */
  online: number | null;
  likes: number | null;
  lastFeedAt: number | null;
}

export interface ChannelsMapping {
  productId: number;
  /** legacy: the console shows no product id, so new mappings keep this null and map by title */
  channelsProductId: string | null;
  /** the title as it shows in the on-sale list: the row is found by it (exact, then normalised) before each click */
  channelsTitle: string | null;
  updatedAt: number;
}

/** comment: a viewer's or the shop's comment · reply: the shop's 回复 · stick: a comment put on screen (上墙) */
export type ChannelsMessageKind = 'comment' | 'reply' | 'stick';

export interface ChannelsComment {
  id: number;
  /** the console's own message id (clientMsgId): what 上墙 refers to */
  key: string;
  kind: ChannelsMessageKind;
  /** when the console confirmed this comment on screen (上墙), else null */
  stuckAt: number | null;
  sessionId: number | null;
  ts: number;
  nickname: string;
  content: string;
  /** which of the highlight keywords it contains */
  keywords: string[];
}

export interface ChannelsReading {
  ts: number;
  online: number | null;
  likes: number | null;
  liveId: string | null;
}

/** A row of the console's live product list. */
export interface ConsoleProduct {
  /** 商品序号 as the console shows it now (1, 2, 3 …); changes when the list is reordered */
  seq: number | null;
  title: string;
  priceFen: number | null;
  image: string | null;
  promoting: boolean;
}

export interface SelfCheckItem {
  kind: 'url' | 'selector' | 'text' | 'response';
  key: string;
  value: string;
  status: 'ok' | 'drift' | 'skipped';
  detail: string;
  /** where the entry came from: the peer that drives the real console, the wujie framework, or nothing (assumed) */
  source: 'peer' | 'framework' | 'assumed';
  ref: string;
}

export interface SelfCheckReport {
  at: number;
  state: ChannelsState;
  ok: boolean;
  /** LiveCue version and console-map version, so a report sent back says what it was checked with */
  app: string;
  mapVersion: number;
  items: SelfCheckItem[];
}

export interface CommentTemplate {
  name: string;
  text: string;
}

export interface ChannelsSettings {
  executablePath: string | null;
  keywords: string[];
  /** comments the producer sends with one click (福利话术, 下单提醒 …) */
  templates: CommentTemplate[];
}

/** Title matching for the mapping: exact first, then this normal form (full-width → half-width, no spaces, lower case). */
export function normTitle(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}

const keyword = z.string().trim().min(1).max(20);
// the console's own limit is not published; the peer caps its automatic comments at 50 characters by default (#301)
const commentText = z.string().trim().min(1).max(200);

export const commands = {
  'channels.status': z.strictObject({}),
  'channels.connect': z.strictObject({}),
  'channels.disconnect': z.strictObject({}),
  'channels.mappings': z.strictObject({}),
  // the console shows no product id (its rows carry a 序号 and a title): a mapping is by title
  'channels.map': z.strictObject({
    productId: id,
    channelsTitle: z.string().trim().min(1).max(200),
    channelsProductId: z.null().optional(),
  }),
  'channels.unmap': z.strictObject({ productId: id }),
  'channels.consoleProducts': z.strictObject({}),
  'channels.comments': z.strictObject({ sessionId: id.optional(), limit: z.number().int().min(1).max(1000).optional() }),
  'channels.selfcheck': z.strictObject({}),
  'channels.settings': z.strictObject({
    executablePath: z.string().trim().max(1000).nullable().optional(),
    keywords: z.array(keyword).max(30).optional(),
    templates: z.array(z.strictObject({ name: z.string().trim().min(1).max(20), text: commentText })).max(20).optional(),
  }),
  /** post a comment in the live room as the shop */
  'channels.sendComment': z.strictObject({ text: commentText }),
  /** 上墙: put a viewer's comment on screen, by its console message id */
  'channels.pinComment': z.strictObject({ key: z.string().trim().min(1).max(120) }),
} satisfies Record<string, z.ZodType>;

export interface CommentsResult {
  comments: ChannelsComment[];
  /** comments per minute, oldest first: minute start (epoch ms) and count */
  perMinute: { minute: number; count: number }[];
  keywords: string[];
}

export interface Results {
  'channels.status': ChannelsStatus;
  'channels.connect': ChannelsStatus;
  'channels.disconnect': ChannelsStatus;
  'channels.mappings': ChannelsMapping[];
  'channels.map': ChannelsMapping;
  'channels.unmap': { productId: number };
  'channels.consoleProducts': ConsoleProduct[];
  'channels.comments': CommentsResult;
  'channels.selfcheck': SelfCheckReport;
  'channels.settings': ChannelsSettings;
  'channels.sendComment': { ok: true };
  'channels.pinComment': { ok: true };
}

export type Events =
  | { type: 'channels.status'; status: ChannelsStatus }
  | { type: 'channels.pin'; outcome: PinOutcome }
  | { type: 'channels.comments'; sessionId: number | null; comments: ChannelsComment[] }
  | { type: 'channels.reading'; reading: ChannelsReading }
  | { type: 'channels.mappings'; mappings: ChannelsMapping[] }
  /** a comment confirmed on screen (上墙) by the console */
  | { type: 'channels.stuck'; key: string; at: number };

/** snapshot.ext.channels */
export interface ChannelsSnapshot {
  status: ChannelsStatus;
  mappings: ChannelsMapping[];
  settings: ChannelsSettings;
  recent: ChannelsComment[];
}
