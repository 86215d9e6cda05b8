// DingTalk (钉钉) custom robot: POST https://oapi.dingtalk.com/robot/send?access_token=TOKEN[&timestamp=MS&sign=SIGN]
// msgtype text, link, markdown, actionCard. 加签: sign = urlencode(base64(HMAC-SHA256(key = secret,
// message = timestamp + "\n" + secret))), timestamp in ms, within an hour of DingTalk's clock.
// Limit: 20 messages per minute per robot; over it DingTalk throttles the robot for 10 minutes ("每个机器人每分钟最多
// 发送20条消息到群里，如果超过20条，会限流10分钟", open.dingtalk.com/document/orgapp/custom-bot-send-message-type /
// robot overview). 130101 (send too fast) and 410100 (发送速度太快而限流, robot error codes on the same site) both mean
// that throttle: the robot is paused for 10 minutes, then the message is retried (#11).
import { createHmac } from 'node:crypto';
import { type Message, type Outcome, type Platform, httpOutcome, jsonPart, plainText, textLines } from './platform.ts';

/** how long DingTalk throttles a robot after it went over 20 messages a minute */
export const DINGTALK_THROTTLE_MS = 10 * 60_000;

/** DingTalk does not publish one byte limit for every type; 20 000 bytes of body is the conservative bound we enforce. */
const BODY_LIMIT = 20_000;

const PERMANENT: Record<number, string> = {
  310000:
    '安全设置不匹配：加签密钥错误、消息缺少关键词或 IP 不在白名单 / security check failed (310000): check the signing secret (SEC…), the keywords, or the IP allow-list in the robot settings',
  300001: 'access_token 无效或机器人已删除 / the robot’s access_token does not exist (300001): copy the webhook URL again',
  300005: 'access_token 无效 / invalid access_token (300005): copy the webhook URL again',
  400013: '群已解散 / the group was dismissed (400013)',
};

export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** DingTalk markdown needs a blank line (or two trailing spaces) to break a line. */
const mdLines = (s: string) => s.trim().split('\n').join('  \n');

function markdownText(message: Message): string {
  const lines = [message.title.trim() ? `### ${message.title.trim()}` : '', mdLines(message.text)].filter(Boolean);
  return lines.join('\n\n');
}

export const dingtalk: Platform = {
  kind: 'dingtalk',
  limits: [{ max: 20, windowMs: 60_000 }],

  checkUrl(url) {
    if (!url.searchParams.get('access_token')) return '钉钉机器人地址应包含 access_token / a DingTalk robot URL has ?access_token=… (…/robot/send?access_token=…)';
    return null;
  },

  parts(message) {
    let msgtype: string;
    let body: Record<string, unknown>;
    if (message.format === 'text') {
      msgtype = 'text';
      body = { msgtype, text: { content: plainText(message) } };
    } else if (message.format === 'card' && message.link) {
      msgtype = 'actionCard';
      body = {
        msgtype,
        actionCard: { title: message.title.trim() || 'LiveCue', text: markdownText(message), btnOrientation: '0', singleTitle: message.button, singleURL: message.link },
      };
    } else {
      msgtype = 'markdown';
      body = { msgtype, markdown: { title: message.title.trim() || 'LiveCue', text: markdownText(message) } };
    }
    return [jsonPart('message', msgtype, body, null, BODY_LIMIT, 'request body')];
  },

  view(part, message) {
    const title = part.msgtype === 'text' ? null : message.title.trim() || null;
    const lines = textLines(part.msgtype === 'text' ? plainText(message) : message.text.trim());
    return { title, lines, link: message.link, button: part.msgtype === 'actionCard' ? message.button : null, image: null };
  },

  sign(url, secret, body, { now }) {
    let target = url;
    if (secret) {
      const u = new URL(url);
      u.searchParams.set('timestamp', String(now));
      u.searchParams.set('sign', dingtalkSign(secret, now));
      target = u.toString();
    }
    return { url: target, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
  },

  classify(status, json, raw): Outcome {
    const http = httpOutcome(status, raw);
    if (http) return http;
    const errcode = (json as { errcode?: unknown } | null)?.errcode;
    const errmsg = String((json as { errmsg?: unknown } | null)?.errmsg ?? '').slice(0, 200);
    if (typeof errcode !== 'number') return { kind: 'unknown', error: `钉钉应答无法识别 / unreadable answer: ${raw.slice(0, 160)}` };
    if (errcode === 0) return { kind: 'sent' };
    if (errcode === 130101 || errcode === 410100) {
      return {
        kind: 'retry',
        error: `钉钉已限流该机器人 10 分钟，之后自动重发 / DingTalk throttles this robot for 10 minutes (${errcode}: over 20 messages a minute); resent afterwards`,
        rateLimited: true,
        pauseMs: DINGTALK_THROTTLE_MS,
      };
    }
    if (errcode === -1) return { kind: 'retry', error: `钉钉系统繁忙 / DingTalk busy (-1) ${errmsg}` };
    const hint = PERMANENT[errcode];
    return { kind: 'failed', error: hint ? `${hint} — ${errmsg}` : `钉钉返回错误 / DingTalk error ${errcode}: ${errmsg}` };
  },
};
