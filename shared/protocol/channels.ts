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
  | 'page_changed'
  | 'not_confirmed'
  | 'timeout';

export interface PinOutcome {
  action: 'pin' | 'unpin';
  productId: number;
  channelsProductId: string | null;
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
  /** Channels product id (a string: WeChat ids are never JS numbers) */
  channelsProductId: string | null;
  /** or the title as it shows in the on-sale list */
  channelsTitle: string | null;
  updatedAt: number;
}

export interface ChannelsComment {
  id: number;
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

export interface ConsoleProduct {
  channelsProductId: string | null;
  title: string;
  promoting: boolean;
}

export interface SelfCheckItem {
  kind: 'url' | 'selector' | 'text' | 'response';
  key: string;
  value: string;
  status: 'ok' | 'drift' | 'skipped';
  detail: string;
}

export interface SelfCheckReport {
  at: number;
  state: ChannelsState;
  ok: boolean;
  items: SelfCheckItem[];
}

export interface ChannelsSettings {
  executablePath: string | null;
  keywords: string[];
}

const keyword = z.string().trim().min(1).max(20);

export const commands = {
  'channels.status': z.strictObject({}),
  'channels.connect': z.strictObject({}),
  'channels.disconnect': z.strictObject({}),
  'channels.mappings': z.strictObject({}),
  'channels.map': z
    .strictObject({
      productId: id,
      channelsProductId: z.string().trim().regex(/^\d{1,32}$/, 'Channels product id: digits only').nullable().optional(),
      channelsTitle: z.string().trim().min(1).max(200).nullable().optional(),
    })
    .refine((m) => m.channelsProductId || m.channelsTitle, 'give channelsProductId or channelsTitle'),
  'channels.unmap': z.strictObject({ productId: id }),
  'channels.consoleProducts': z.strictObject({}),
  'channels.comments': z.strictObject({ sessionId: id.optional(), limit: z.number().int().min(1).max(1000).optional() }),
  'channels.selfcheck': z.strictObject({}),
  'channels.settings': z.strictObject({
    executablePath: z.string().trim().max(1000).nullable().optional(),
    keywords: z.array(keyword).max(30).optional(),
  }),
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
}

export type Events =
  | { type: 'channels.status'; status: ChannelsStatus }
  | { type: 'channels.pin'; outcome: PinOutcome }
  | { type: 'channels.comments'; sessionId: number | null; comments: ChannelsComment[] }
  | { type: 'channels.reading'; reading: ChannelsReading }
  | { type: 'channels.mappings'; mappings: ChannelsMapping[] };

/** snapshot.ext.channels */
export interface ChannelsSnapshot {
  status: ChannelsStatus;
  mappings: ChannelsMapping[];
  settings: ChannelsSettings;
  recent: ChannelsComment[];
}
