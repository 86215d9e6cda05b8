// Turns one live/msg response of the console into room messages and a reading, by the field paths in the console map.
// Pure: no Playwright, no SQLite, so every odd shape the console may send is tested on its own.
import type { ConsoleMap } from './map.ts';

/** comment: a viewer's (or the shop's) comment · reply: the shop's 回复 to a comment · enter: a viewer entering (ASSUMED
 *  type) · stick: a comment put on screen (上墙) */
export type MessageKind = 'comment' | 'reply' | 'enter' | 'stick';

export interface ParsedMessage {
  /** the console's own id (clientMsgId), else its seq */
  key: string;
  kind: MessageKind;
  nickname: string;
  content: string;
}

export interface ParsedFeed {
  loggedOut: boolean;
  errCode: number | null;
  messages: ParsedMessage[];
  online: number | null;
  likes: number | null;
  liveId: string | null;
}

const MAX_TEXT = 500;

export function at(obj: unknown, dotted: string): unknown {
  let cur = obj;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const count = (v: unknown): number | null => {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : null;
};

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/** strips control characters and caps length, so a hostile nickname cannot break a panel or bloat the database */
export function cleanText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, MAX_TEXT);
}

/** the reply text: payload is base64 of a JSON object whose `content` is the text (peer commentListener.ts) */
function replyText(payload: unknown, field: string): string | null {
  if (typeof payload !== 'string' || payload.length > 64_000) return null;
  try {
    return str(at(JSON.parse(Buffer.from(payload, 'base64').toString('utf8')), field));
  } catch {
    return null;
  }
}

export function parseLiveMsg(map: ConsoleMap, body: unknown): ParsedFeed {
  const spec = map.responses.liveMsg;
  const errCode = count(at(body, spec.errCodeField));
  const feed: ParsedFeed = { loggedOut: false, errCode, messages: [], online: null, likes: null, liveId: null };
  if (errCode !== null && spec.loggedOutErrCodes.includes(errCode)) {
    feed.loggedOut = true;
    return feed;
  }
  // the peer skips any response whose errCode is not 0
  if (errCode !== null && errCode !== 0) return feed;
  const list = at(body, spec.commentsField);
  const c = spec.comment;
  if (Array.isArray(list)) {
    for (const m of list) {
      const type = at(m, c.type);
      const kind: MessageKind | null =
        type === spec.commentType ? 'comment' : type === spec.stickType ? 'stick' : type === spec.enterType ? 'enter' : null;
      if (!kind) continue;
      const content = str(at(m, c.content)) ?? '';
      if (kind !== 'enter' && !content) continue;
      const key = str(at(m, c.id)) ?? str(at(m, c.seq));
      if (!key) continue;
      feed.messages.push({ key: key.slice(0, 120), kind, nickname: cleanText(str(at(m, c.nickname)) ?? ''), content: cleanText(content) });
    }
  }
  const replies = at(body, spec.repliesField);
  const r = spec.reply;
  if (Array.isArray(replies)) {
    for (const m of replies) {
      if (at(m, r.type) !== spec.replyType) continue;
      const key = str(at(m, r.id));
      const content = replyText(at(m, r.payload), r.payloadContent);
      if (!key || !content) continue;
      feed.messages.push({ key: key.slice(0, 120), kind: 'reply', nickname: cleanText(str(at(m, r.nickname)) ?? ''), content: cleanText(content) });
    }
  }
  const info = at(body, spec.liveInfoField);
  if (info && typeof info === 'object') {
    feed.online = count(at(info, spec.liveInfo.online));
    feed.likes = count(at(info, spec.liveInfo.likes));
    feed.liveId = str(at(info, spec.liveInfo.liveId));
  }
  return feed;
}

/** The highlight keywords a comment contains (多少钱, 链接, 尺码 …), case-insensitive. */
export function matchKeywords(content: string, keywords: readonly string[]): string[] {
  const lower = content.toLowerCase();
  return keywords.filter((k) => lower.includes(k.toLowerCase()));
}

export const DEFAULT_KEYWORDS = ['多少钱', '链接', '尺码', '价格', '怎么买', '优惠', '发货', '库存'];
