// The desk's view of the Channels bridge: status, mappings, and the live comment feed, from snapshot.ext.channels + events.
import type {
  ChannelsComment,
  ChannelsMapping,
  ChannelsSettings,
  ChannelsStatus,
} from '../../../shared/protocol/channels.ts';
import { getDesk, type Desk } from './desk.svelte.ts';

const KEEP = 300;

export class ChannelsView {
  status = $state.raw<ChannelsStatus | null>(null);
  mappings = $state.raw<ChannelsMapping[]>([]);
  settings = $state.raw<ChannelsSettings>({ executablePath: null, keywords: [], templates: [] });
  /** newest last, capped: an 8-hour live must not grow the page without bound */
  comments = $state.raw<ChannelsComment[]>([]);

  constructor(desk: Desk) {
    desk.onEvent((e) => {
      switch (e.type) {
        case 'snapshot': {
          const part = e.snapshot.ext.channels;
          if (!part) return;
          this.status = part.status;
          this.mappings = part.mappings;
          this.settings = part.settings;
          this.comments = part.recent;
          break;
        }
        case 'channels.status':
          this.status = e.status;
          break;
        case 'channels.mappings':
          this.mappings = e.mappings;
          break;
        case 'channels.comments':
          this.comments = [...this.comments, ...e.comments].slice(-KEEP);
          break;
        case 'channels.stuck':
          this.comments = this.comments.map((c) => (c.key === e.key ? { ...c, stuckAt: e.at } : c));
          break;
        case 'channels.pin':
          if (!e.outcome.ok) desk.toast('error', `视频号 / Channels: ${e.outcome.message}`);
          break;
        default:
          break;
      }
    });
  }

  mappingOf(productId: number): ChannelsMapping | undefined {
    return this.mappings.find((m) => m.productId === productId);
  }
}

export const createChannels = (desk: Desk): ChannelsView => new ChannelsView(desk);
/** this desk's Channels store (call during component initialisation) */
export const getChannels = (): ChannelsView => getDesk().store(createChannels);

/** Splits a comment into plain and highlighted parts by the keywords it contains. */
export function highlight(text: string, keywords: readonly string[]): { text: string; hit: boolean }[] {
  const words = keywords.filter(Boolean);
  if (!words.length) return [{ text, hit: false }];
  const re = new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
  return text
    .split(re)
    .filter((p) => p !== '')
    .map((p) => ({ text: p, hit: words.some((w) => w.toLowerCase() === p.toLowerCase()) }));
}

/** i18n key of each connection state */
export const STATE_KEY = {
  off: 'ch_off',
  starting: 'ch_starting',
  login_required: 'ch_login_required',
  not_live: 'ch_not_live',
  live: 'ch_live',
  error: 'ch_error',
} as const;
