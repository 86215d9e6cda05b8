// Turns one live/msg response of the console into comments and a reading, by the field paths in the console map.
// Pure: no Playwright, no SQLite, so every odd shape the console may send is tested on its own.
import type { ConsoleMap } from './map.ts';

export interface ParsedComment {
  key: string;
  nickname: string;
  content: string;
}

export interface ParsedFeed {
  loggedOut: boolean;
  errCode: number | null;
  comments: ParsedComment[];
  online: number | null;
  likes: number | null;
  liveId: string | null;
}

const MAX_TEXT = 500;

function at(obj: unknown, dotted: string): unknown {
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

export function parseLiveMsg(map: ConsoleMap, body: unknown): ParsedFeed {
  const spec = map.responses.liveMsg;
  const errCode = count(at(body, spec.errCodeField));
  const feed: ParsedFeed = { loggedOut: false, errCode, comments: [], online: null, likes: null, liveId: null };
  if (errCode !== null && spec.loggedOutErrCodes.includes(errCode)) {
    feed.loggedOut = true;
    return feed;
  }
  const list = at(body, spec.commentsField);
  if (Array.isArray(list)) {
    for (const m of list) {
      if (at(m, spec.comment.type) !== spec.commentType) continue;
      const content = str(at(m, spec.comment.content));
      if (!content) continue;
      const key = str(at(m, spec.comment.id)) ?? str(at(m, spec.comment.seq));
      if (!key) continue;
      feed.comments.push({ key: key.slice(0, 120), nickname: cleanText(str(at(m, spec.comment.nickname)) ?? ''), content: cleanText(content) });
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
