// Bulk text entry for room automation and the templates it holds. One box per rule set, one rule per line:
//   reply    `关键词/同义词|回复|另一种回复`  (a keyword `@进入` `@关注` `@下单` answers that room event instead)
//   pin      keywords, one per line (or separated by / , ，)
//   message  one message per line
//   rotation a 序号 list such as `1,4,7,8,12` (ranges `3-5` too)
// The `|` and `/` split and the `{宝宝/家人/老铁}` variables follow the format users of the peer asked for
// (qiutongxue/oba-live-tool issue #166) and its replaceVariant (`{A/B/C}` picks one at random); `{用户名}` is the
// peer's nickname placeholder (src/constants AUTO_REPLY.USERNAME_PLACEHOLDER), `{nickname}` / `{昵称}` are ours.
import type { Preview, PreviewLine, RuleSetKind } from '../../../shared/protocol/automation.ts';

export type ReplyEvent = 'comment' | 'enter' | 'follow' | 'order';

export interface ReplyRule {
  line: number;
  keywords: string[];
  event: ReplyEvent;
  replies: string[];
}
export interface MessageLine {
  line: number;
  template: string;
}

/** The peer refuses scheduled messages over 50 characters (AutoCommentTask validateMessage, "字数超出 50 字"). */
export const MAX_MESSAGE_CHARS = 50;
export const MAX_LINES = 500;

const EVENT_WORDS: Record<string, ReplyEvent> = {
  '@进入': 'enter',
  '@enter': 'enter',
  '@关注': 'follow',
  '@follow': 'follow',
  '@下单': 'order',
  '@order': 'order',
};
const NICK_VARS = new Set(['nickname', '昵称', '用户名']);
const PRODUCT_VARS = new Set(['product', '商品']);
const KNOWN_VARS = new Set([...NICK_VARS, ...PRODUCT_VARS]);

export class LineError extends Error {}

/** Checks a template's `{…}` parts; returns an error message or null. */
export function templateError(template: string): string | null {
  let depth = 0;
  for (const ch of template) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (depth < 0 || depth > 1) return '花括号不成对 / unbalanced { }';
  }
  if (depth !== 0) return '花括号不成对 / unbalanced { }';
  for (const m of template.matchAll(/\{([^}]*)\}/g)) {
    const inner = m[1]!.trim();
    if (inner.includes('/')) {
      if (inner.split('/').some((o) => o.trim() === '')) return `变量 {${inner}} 有空选项 / empty choice in {${inner}}`;
    } else if (!KNOWN_VARS.has(inner.toLowerCase())) {
      return `未知变量 {${inner}}：可用 {宝宝/家人} {nickname} {商品} / unknown variable {${inner}}`;
    }
  }
  return null;
}

export interface FillContext {
  nickname?: string | null;
  product?: string | null;
  random: () => number;
}

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.min(items.length - 1, Math.floor(random() * items.length))]!;

/** Fills `{a/b/c}` with one choice, `{nickname}` with the viewer's nickname, `{商品}` with the pinned product. */
export function fill(template: string, ctx: FillContext): string {
  return template.replace(/\{([^}]*)\}/g, (_m, inner: string) => {
    const key = inner.trim();
    if (key.includes('/')) return pick(key.split('/').map((s) => s.trim()), ctx.random);
    if (NICK_VARS.has(key.toLowerCase())) return ctx.nickname ?? '';
    if (PRODUCT_VARS.has(key.toLowerCase())) return ctx.product ?? '';
    return '';
  });
}

/** 首字*** as the peer's 隐藏用户名 (src/hooks/useAutoReply.ts replaceUsername). */
export function maskNickname(nickname: string): string {
  const first = String.fromCodePoint(nickname.codePointAt(0) ?? 42);
  return `${first}***`;
}

const VARIATION_MARKS = ['～', '!', '。', '~', '！'];

/**
 * A small variation so the platform does not drop a repeat (peer issue #91: the same text sent again is not shown;
 * issue #120: the peer inserts visible spaces on purpose, unsure whether invisible characters survive the server).
 * Always returns text different from `previous`; unchanged when it already differs and the coin says so.
 */
export function vary(text: string, previous: string | null, random: () => number, always = false): string {
  if (text !== previous && !always && random() < 0.5) return text;
  for (let attempt = 0; attempt < 8; attempt++) {
    let out: string;
    const chars = [...text];
    if (chars.length > 2 && random() < 0.5) {
      // one visible space at an inner position, never beside another space
      const at = 1 + Math.floor(random() * (chars.length - 1));
      if (chars[at - 1] === ' ' || chars[at] === ' ') continue;
      chars.splice(at, 0, ' ');
      out = chars.join('');
    } else {
      out = text + pick(VARIATION_MARKS, random);
    }
    if (out !== previous && out !== text) return out;
  }
  // deterministic last resort: a mark that neither text nor previous ends with
  const mark = VARIATION_MARKS.find((m) => !(previous ?? '').endsWith(m) && !text.endsWith(m)) ?? ' ～';
  return text + mark;
}

function splitLines(text: string): { line: number; source: string }[] {
  const out: { line: number; source: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const source = raw.trim();
    if (source && !source.startsWith('#')) out.push({ line: i + 1, source });
  });
  if (out.length > MAX_LINES) throw new LineError(`最多 ${MAX_LINES} 行 / at most ${MAX_LINES} lines`);
  return out;
}

const SAMPLE_NICK = '小美';
const SAMPLE_PRODUCT = '当前讲解商品';

function sampleOf(template: string, random: () => number): string {
  return fill(template, { nickname: SAMPLE_NICK, product: SAMPLE_PRODUCT, random });
}

export function parseReplyLine(line: number, source: string): ReplyRule {
  const parts = source.split('|').map((s) => s.trim());
  if (parts.length < 2) throw new LineError('缺少「|」：写成 关键词/同义词|回复 / missing "|": keywords|reply');
  const keywords = [...new Set(parts[0]!.split('/').map((k) => k.trim()).filter(Boolean))];
  if (!keywords.length) throw new LineError('「|」前没有关键词 / no keyword before "|"');
  const replies = parts.slice(1).filter(Boolean);
  if (!replies.length) throw new LineError('「|」后没有回复 / no reply after "|"');
  const events = keywords.map((k) => EVENT_WORDS[k.toLowerCase()]).filter((e): e is ReplyEvent => !!e);
  if (events.length && events.length !== keywords.length) throw new LineError('@进入/@关注/@下单 不能和普通关键词混写 / event words stand alone');
  if (new Set(events).size > 1) throw new LineError('一行只写一种事件 / one event per line');
  for (const r of replies) {
    const err = templateError(r);
    if (err) throw new LineError(err);
    if (r.length > 200) throw new LineError('回复超过 200 字 / reply over 200 characters');
  }
  return { line, keywords: events.length ? [] : keywords, event: events[0] ?? 'comment', replies };
}

export function parseMessageLine(line: number, source: string): MessageLine {
  const err = templateError(source);
  if (err) throw new LineError(err);
  // the length counted is the longest the template can fill to, without the nickname
  if (longest(source) > MAX_MESSAGE_CHARS) throw new LineError(`超过 ${MAX_MESSAGE_CHARS} 字 / over ${MAX_MESSAGE_CHARS} characters`);
  return { line, template: source };
}

function longest(template: string): number {
  return [...template.replace(/\{([^}]*)\}/g, (_m, inner: string) => (inner.includes('/') ? inner.split('/').reduce((a, b) => (b.length > a.length ? b : a), '') : ''))].length;
}

export function parsePinKeywords(text: string): { keywords: string[]; lines: PreviewLine[] } {
  const lines: PreviewLine[] = [];
  const keywords: string[] = [];
  for (const { line, source } of splitLines(text)) {
    const words = source.split(/[/,，、]/).map((w) => w.trim()).filter(Boolean);
    const error = words.some((w) => w.length > 30) ? '关键词超过 30 字 / keyword over 30 characters' : null;
    if (!error) keywords.push(...words);
    lines.push({ line, source, error, summary: words.map((w) => `「${w}」`).join(' '), sample: error ? '' : `评论含 ${words.join(' / ')} → 上墙` });
  }
  return { keywords: [...new Set(keywords)], lines };
}

/** `1,4,7,8,12`, `3-5`, separators , ， 、 space or newline; every 序号 1…999. */
export function parseSeqList(text: string): { seqs: number[]; lines: PreviewLine[] } {
  const lines: PreviewLine[] = [];
  const seqs: number[] = [];
  for (const { line, source } of splitLines(text)) {
    const tokens = source.split(/[,，、\s]+/).filter(Boolean);
    const got: number[] = [];
    let error: string | null = null;
    for (const token of tokens) {
      const range = /^(\d{1,3})\s*[-~～]\s*(\d{1,3})$/.exec(token);
      if (range) {
        const a = Number(range[1]);
        const b = Number(range[2]);
        if (a < 1 || b < a || b - a > 200) {
          error = `范围 ${token} 不对 / bad range ${token}`;
          break;
        }
        for (let n = a; n <= b; n++) got.push(n);
      } else if (/^\d{1,3}$/.test(token) && Number(token) >= 1) {
        got.push(Number(token));
      } else {
        error = `「${token}」不是序号（1–999）/ "${token}" is not a 序号 (1–999)`;
        break;
      }
    }
    if (!error) seqs.push(...got);
    lines.push({ line, source, error, summary: error ? '' : got.join(' → '), sample: error ? '' : `讲解 ${got.map((n) => `#${n}`).join(' → ')}` });
  }
  return { seqs, lines };
}

/** What the 视频号 console bridge (electron/core/channels/parse.ts) reports of each room event, shown in the preview:
 *  its feed has comments (type 1), 上墙 (10017) and replies (appMsgList 20002) from the peer, enter as type 10005 is
 *  ASSUMED (docs/channels.md), and nothing for follows or orders — those lines only fire in the simulated room. */
export const EVENT_NOTE: Record<Exclude<ReplyEvent, 'comment'>, string> = {
  enter: '（进入消息类型为假设 ASSUMED，见视频号自检 / the enter message type is ASSUMED, see the self-check）',
  follow: '（视频号控制台不推送关注事件，仅模拟房间会触发 / the console reports no follows: fires in the simulated room only）',
  order: '（视频号控制台不推送下单事件，仅模拟房间会触发 / the console reports no orders: fires in the simulated room only）',
};

export interface Parsed {
  preview: Preview;
  replies: ReplyRule[];
  messages: MessageLine[];
  pinKeywords: string[];
  seqs: number[];
}

/** Parses one rule set's bulk text; every line gets a preview (what it becomes) or its error. */
export function parseSet(kind: RuleSetKind, text: string, random: () => number = Math.random): Parsed {
  const out: Parsed = { preview: { kind, lines: [], errors: 0 }, replies: [], messages: [], pinKeywords: [], seqs: [] };
  let lines: PreviewLine[] = [];
  try {
    if (kind === 'reply') {
      for (const { line, source } of splitLines(text)) {
        try {
          const rule = parseReplyLine(line, source);
          out.replies.push(rule);
          const on = rule.event === 'comment' ? rule.keywords.join(' / ') : EVENT_LABEL[rule.event];
          const note = rule.event === 'comment' ? '' : ` ${EVENT_NOTE[rule.event]}`;
          lines.push({ line, source, error: null, summary: `${on} → ${rule.replies.length} 条回复${note}`, sample: sampleOf(rule.replies[0]!, random) });
        } catch (error) {
          if (!(error instanceof LineError)) throw error;
          lines.push({ line, source, error: error.message, summary: '', sample: '' });
        }
      }
    } else if (kind === 'message') {
      for (const { line, source } of splitLines(text)) {
        try {
          out.messages.push(parseMessageLine(line, source));
          lines.push({ line, source, error: null, summary: '消息', sample: sampleOf(source, random) });
        } catch (error) {
          if (!(error instanceof LineError)) throw error;
          lines.push({ line, source, error: error.message, summary: '', sample: '' });
        }
      }
    } else if (kind === 'pin') {
      const p = parsePinKeywords(text);
      out.pinKeywords = p.keywords;
      lines = p.lines;
    } else {
      const p = parseSeqList(text);
      out.seqs = p.seqs;
      lines = p.lines;
    }
  } catch (error) {
    if (!(error instanceof LineError)) throw error;
    lines = [{ line: 0, source: '', error: error.message, summary: '', sample: '' }];
  }
  out.preview.lines = lines;
  out.preview.errors = lines.filter((l) => l.error).length;
  return out;
}

export const EVENT_LABEL: Record<ReplyEvent, string> = { comment: '评论', enter: '进入直播间', follow: '关注', order: '下单' };

/** The rule whose keyword the comment contains (first line wins), case-insensitive. */
export function matchReply(rules: readonly ReplyRule[], event: ReplyEvent, text: string): ReplyRule | null {
  const lower = text.toLowerCase();
  for (const rule of rules) {
    if (rule.event !== event) continue;
    if (event !== 'comment') return rule;
    if (rule.keywords.some((k) => lower.includes(k.toLowerCase()))) return rule;
  }
  return null;
}

export function matchAny(keywords: readonly string[], text: string): boolean {
  const lower = text.toLowerCase();
  return keywords.some((k) => lower.includes(k.toLowerCase()));
}
