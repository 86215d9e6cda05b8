// Feishu (飞书) custom bot: POST https://open.feishu.cn/open-apis/bot/v2/hook/HOOK_ID with msg_type text, post
// (rich text) or interactive (card). 签名校验: "timestamp" (SECONDS, as a string) and "sign" go IN THE JSON BODY, and
// the quirk: the HMAC-SHA256 KEY is timestamp + "\n" + secret and the MESSAGE IS EMPTY (DingTalk does the opposite);
// sign = base64(digest). Limits: 5 requests per second and 100 per minute per bot, request body ≤ 20 KB.
import { createHmac } from 'node:crypto';
import { type Message, type Outcome, type Platform, httpOutcome, jsonPart, plainText, textLines } from './platform.ts';

const BODY_LIMIT = 20 * 1024;
/** timestamp and sign added at send time */
const SIGN_OVERHEAD = 80;

const PERMANENT: Record<number, string> = {
  19021: '签名校验失败或时间戳超过 1 小时 / sign match fail (19021): check the signing secret and this computer’s clock',
  19022: 'IP 不在白名单 / IP not allowed (19022): add this network’s public IP to the bot’s allow-list',
  19024: '消息不含自定义关键词 / keyword not found (19024): add the bot’s keyword to the template',
  19001: 'webhook 地址无效 / invalid webhook (19001): copy the bot’s webhook URL again',
  9499: '请求格式错误 / bad request (9499)',
};

export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update(Buffer.alloc(0)).digest('base64');
}

type PostElement = { tag: 'text'; text: string } | { tag: 'a'; text: string; href: string };

/** post content: one array of elements per line, URLs in the text become links */
function postLines(text: string): PostElement[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const out: PostElement[] = [];
      let last = 0;
      for (const m of line.matchAll(/https?:\/\/[^\s]+/g)) {
        if (m.index > last) out.push({ tag: 'text', text: line.slice(last, m.index) });
        out.push({ tag: 'a', text: m[0], href: m[0] });
        last = m.index + m[0].length;
      }
      if (last < line.length || out.length === 0) out.push({ tag: 'text', text: line.slice(last) });
      return out;
    });
}

function card(message: Message): Record<string, unknown> {
  const elements: unknown[] = [{ tag: 'div', text: { tag: 'lark_md', content: message.text.trim() } }];
  if (message.link) {
    elements.push({ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: message.button }, type: 'primary', url: message.link }] });
  }
  return {
    config: { wide_screen_mode: true },
    header: { template: 'red', title: { tag: 'plain_text', content: message.title.trim() || 'LiveCue' } },
    elements,
  };
}

export const feishu: Platform = {
  kind: 'feishu',
  limits: [
    { max: 5, windowMs: 1_000 },
    { max: 100, windowMs: 60_000 },
  ],

  checkUrl(url) {
    if (!/\/open-apis\/bot\/v2\/hook\/[^/]+$/.test(url.pathname)) return '飞书机器人地址应为 …/open-apis/bot/v2/hook/… / expected a Feishu bot URL …/open-apis/bot/v2/hook/…';
    return null;
  },

  parts(message) {
    let body: Record<string, unknown>;
    let msgtype: string;
    if (message.format === 'text') {
      msgtype = 'text';
      body = { msg_type: 'text', content: { text: plainText(message) } };
    } else if (message.format === 'card') {
      msgtype = 'interactive';
      body = { msg_type: 'interactive', card: card(message) };
    } else {
      msgtype = 'post';
      body = { msg_type: 'post', content: { post: { zh_cn: { title: message.title.trim(), content: postLines(message.text) } } } };
    }
    const part = jsonPart('message', msgtype, body, null, BODY_LIMIT, 'request body');
    return [{ ...part, bytes: part.bytes + SIGN_OVERHEAD }];
  },

  view(part, message) {
    if (part.msgtype === 'text') return { title: null, lines: textLines(plainText(message)), link: null, button: null, image: null };
    return {
      title: message.title.trim() || null,
      lines: textLines(message.text.trim()),
      link: message.link,
      button: part.msgtype === 'interactive' && message.link ? message.button : null,
      image: null,
    };
  },

  sign(url, secret, body, { now }) {
    const payload = secret ? (() => {
      const timestamp = Math.floor(now / 1000);
      return { timestamp: String(timestamp), sign: feishuSign(secret, timestamp), ...body };
    })() : body;
    return { url, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(payload) };
  },

  classify(status, json, raw): Outcome {
    const http = httpOutcome(status, raw);
    if (http) {
      // Feishu answers its own rate limit with HTTP 429/400 + code 11232 depending on the gateway
      const code = (json as { code?: unknown } | null)?.code;
      if (code === 11232) return { kind: 'retry', error: '发送太频繁 / rate limited (11232: ≤ 5/s and 100/min per bot)', rateLimited: true };
      return http;
    }
    const j = json as { code?: unknown; msg?: unknown; StatusCode?: unknown } | null;
    const code = typeof j?.code === 'number' ? j.code : typeof j?.StatusCode === 'number' ? j.StatusCode : undefined;
    const msg = String(j?.msg ?? '').slice(0, 200);
    if (code === undefined) return { kind: 'unknown', error: `飞书应答无法识别 / unreadable answer: ${raw.slice(0, 160)}` };
    if (code === 0) return { kind: 'sent' };
    if (code === 11232) return { kind: 'retry', error: '发送太频繁 / rate limited (11232: ≤ 5/s and 100/min per bot)', rateLimited: true };
    const hint = PERMANENT[code];
    return { kind: 'failed', error: hint ? `${hint} — ${msg}` : `飞书返回错误 / Feishu error ${code}: ${msg}` };
  },
};
