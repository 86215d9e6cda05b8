// The four channel kinds by name.
import type { ChannelKind } from '../../../shared/protocol/push.ts';
import { dingtalk } from './dingtalk.ts';
import { feishu } from './feishu.ts';
import type { Platform } from './platform.ts';
import { webhook } from './webhook.ts';
import { wecom } from './wecom.ts';

export const platforms: Record<ChannelKind, Platform> = { wecom, dingtalk, feishu, webhook };

/** Only https leaves this machine; plain http only to loopback (tests, local relays). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** null when the URL is acceptable for this kind, else a message the user can act on */
export function checkChannelUrl(kind: ChannelKind, raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '不是有效的网址 / not a valid URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return '只允许 https 地址（本机回环地址除外） / only https URLs are allowed (plain http only to 127.0.0.1 / ::1 / localhost)';
  }
  if (url.username || url.password) return '网址中不能包含用户名密码 / credentials in the URL are not allowed';
  return platforms[kind].checkUrl(url);
}
