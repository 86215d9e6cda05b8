// WeCom (企业微信) group robot: POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY with
// msgtype text (content ≤ 2048 bytes), markdown (content ≤ 4096 bytes), news (link card), image (base64 + md5, ≤ 2 MB).
// No signing: the key in the URL is the secret. Limit: 20 messages per minute per robot; over it errcode 45009.
import { createHash } from 'node:crypto';
import { type Message, type Outcome, type Part, type Platform, httpOutcome, jsonPart, plainText, textLines, utf8Bytes } from './platform.ts';

const TEXT_LIMIT = 2048;
const MARKDOWN_LIMIT = 4096;
const IMAGE_LIMIT = 2 * 1024 * 1024;
const NEWS_TITLE_LIMIT = 128;
const NEWS_DESCRIPTION_LIMIT = 512;

/** errcode → what the producer should do; codes not listed here fail without retry (never spam on a guess). */
const PERMANENT: Record<number, string> = {
  93000: 'webhook 地址无效或机器人已被移出群 / invalid webhook URL (93000): copy the robot’s webhook URL from the WeCom group again',
  40008: '消息类型不支持 / invalid message type (40008)',
  40058: '消息内容不合法（可能超长或为空） / invalid message content (40058): shorten the message',
  44004: '消息内容为空 / empty message (44004)',
  40009: '图片大小不合法 / invalid image size (40009): the QR image is larger than 2 MB',
  93004: '机器人已被停用 / the robot is disabled (93004): enable it in the group settings',
  93008: '机器人不在群里 / the robot is not in the group (93008)',
};

function markdown(message: Message): string {
  const lines = [message.title.trim() ? `### ${message.title.trim()}` : '', message.text.trim()].filter(Boolean);
  if (message.link && !message.text.includes(message.link)) lines.push(`[${message.button}](${message.link})`);
  return lines.join('\n');
}

function qrPart(png: Buffer): Part {
  const body = { msgtype: 'image', image: { base64: png.toString('base64'), md5: createHash('md5').update(png).digest('hex') } };
  return { part: 'qr', msgtype: 'image', body, bytes: png.length, limit: IMAGE_LIMIT, limitOf: 'image (before base64)' };
}

export const wecom: Platform = {
  kind: 'wecom',
  limits: [{ max: 20, windowMs: 60_000 }],

  checkUrl(url) {
    if (!url.searchParams.get('key')) return '企业微信机器人地址应包含 ?key=… / a WeCom robot URL has ?key=… (…/cgi-bin/webhook/send?key=…)';
    if (!url.pathname.endsWith('/cgi-bin/webhook/send')) return '企业微信机器人地址应为 …/cgi-bin/webhook/send?key=… / expected …/cgi-bin/webhook/send?key=…';
    return null;
  },

  parts(message) {
    const parts: Part[] = [];
    if (message.format === 'text') {
      const content = plainText(message);
      parts.push(jsonPart('message', 'text', { msgtype: 'text', text: { content } }, content, TEXT_LIMIT, 'text.content'));
    } else if (message.format === 'card' && message.link) {
      const article: Record<string, string> = { title: message.title.trim() || message.text.slice(0, 40), description: message.text.trim(), url: message.link };
      if (message.imageUrl) article.picurl = message.imageUrl;
      const part = jsonPart('message', 'news', { msgtype: 'news', news: { articles: [article] } }, article.title!, NEWS_TITLE_LIMIT, 'news.title');
      // the description is clipped by WeCom itself at 512 bytes: report the stricter of the two
      if (utf8Bytes(article.description!) > NEWS_DESCRIPTION_LIMIT) {
        parts.push({ ...part, bytes: utf8Bytes(article.description!), limit: NEWS_DESCRIPTION_LIMIT, limitOf: 'news.description' });
      } else parts.push(part);
    } else {
      const content = markdown(message);
      parts.push(jsonPart('message', 'markdown', { msgtype: 'markdown', markdown: { content } }, content, MARKDOWN_LIMIT, 'markdown.content'));
    }
    if (message.qrPng) parts.push(qrPart(message.qrPng));
    return parts;
  },

  view(part, message) {
    if (part.msgtype === 'image') return { title: null, lines: [], link: null, button: null, image: 'qr' };
    if (part.msgtype === 'news') {
      return { title: message.title.trim(), lines: textLines(message.text.trim()), link: message.link, button: null, image: message.imageUrl };
    }
    if (part.msgtype === 'markdown') return { title: message.title.trim() || null, lines: textLines(message.text.trim()), link: message.link, button: null, image: null };
    return { title: null, lines: textLines(plainText(message)), link: null, button: null, image: null };
  },

  sign(url, _secret, body) {
    return { url, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
  },

  classify(status, json, raw): Outcome {
    const http = httpOutcome(status, raw);
    if (http) return http;
    const errcode = (json as { errcode?: unknown } | null)?.errcode;
    const errmsg = String((json as { errmsg?: unknown } | null)?.errmsg ?? '').slice(0, 200);
    if (typeof errcode !== 'number') return { kind: 'unknown', error: `企业微信应答无法识别 / unreadable answer: ${raw.slice(0, 160)}` };
    if (errcode === 0) return { kind: 'sent' };
    if (errcode === 45009) return { kind: 'retry', error: '发送太频繁 / rate limited (45009: ≤ 20 messages per minute per robot)', rateLimited: true };
    if (errcode === -1) return { kind: 'retry', error: `企业微信系统繁忙 / WeCom busy (-1) ${errmsg}` };
    return { kind: 'failed', error: PERMANENT[errcode] ?? `企业微信返回错误 / WeCom error ${errcode}: ${errmsg}` };
  },
};
