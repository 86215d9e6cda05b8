// 直播预约 (live reservations) of the 视频号助手 account, for the session's entry point:
//   POST https://api.weixin.qq.com/channels/ec/finderlive/getfinderlivenoticerecordlist?access_token=…  body {}
//   → { errcode, errmsg, live_notice_list: [{ notice_id, status, status_wording, start_time, description, nickname, head_url }] }
//   48001: 接口权限未开启 — 视频号助手 › 开放能力 › 开放场景
//   https://developers.weixin.qq.com/doc/channels/API/live/getfinderlivenoticerecordlist.html
// The document types live_notice_list as "object" and shows an array, and errcode as the string "0" in its example:
// both shapes are read. start_time is a timestamp in a string (seconds, ASSUMED from the sibling APIs' number seconds).
import { z } from 'zod';
import { CoreError } from '../errors.ts';

export interface LiveNotice {
  noticeId: string;
  status: number;
  statusWording: string;
  /** epoch ms, or null when unreadable */
  startTime: number | null;
  description: string;
}

const Notice = z.object({
  notice_id: z.string(),
  status: z.coerce.number().default(0),
  status_wording: z.string().default(''),
  start_time: z.union([z.string(), z.number()]).optional(),
  description: z.string().default(''),
});
const Answer = z.object({
  errcode: z.coerce.number().default(0),
  errmsg: z.string().default(''),
  live_notice_list: z.union([z.array(Notice), Notice]).optional(),
});

export async function listNotices(access: { base: string; token: string }, timeoutMs = 10_000): Promise<LiveNotice[]> {
  const url = `${access.base.replace(/\/+$/, '')}/channels/ec/finderlive/getfinderlivenoticerecordlist?access_token=${encodeURIComponent(access.token)}`;
  let raw: unknown;
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(timeoutMs) });
    raw = JSON.parse(await res.text());
  } catch (error) {
    throw new CoreError('unavailable', `读取直播预约失败 / could not read the live reservations: ${(error as Error).message}`);
  }
  const parsed = Answer.safeParse(raw);
  if (!parsed.success) throw new CoreError('unavailable', '直播预约应答无法识别 / unreadable reservation list');
  const a = parsed.data;
  if (a.errcode === 48001) throw new CoreError('conflict', '接口权限未开启：请在视频号助手 › 开放能力 › 开放场景 打开 / API not enabled (48001): turn it on in 视频号助手 › 开放能力 › 开放场景');
  if (a.errcode !== 0) throw new CoreError('unavailable', `视频号助手返回错误 / 视频号助手 error ${a.errcode}: ${a.errmsg.slice(0, 160)}`);
  const list = a.live_notice_list === undefined ? [] : Array.isArray(a.live_notice_list) ? a.live_notice_list : [a.live_notice_list];
  return list.map((n) => {
    const t = Number(n.start_time);
    return { noticeId: n.notice_id, status: n.status, statusWording: n.status_wording, startTime: Number.isFinite(t) && t > 0 ? (t < 1e12 ? t * 1000 : t) : null, description: n.description };
  });
}
