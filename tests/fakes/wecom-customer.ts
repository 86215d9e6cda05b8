// A local stand-in for WeCom's 客户联系 server API on 127.0.0.1, built from WeCom's documents (not from our client):
//   gettoken                      https://developer.work.weixin.qq.com/document/path/91039  (expires_in 7200 s)
//   global errcodes               https://developer.work.weixin.qq.com/document/path/90313  (40014, 42001, 40001, 45009, -1)
//   groupchat/list, groupchat/get https://developer.work.weixin.qq.com/document/path/92120, /92122
//   add_msg_template              https://developer.work.weixin.qq.com/document/path/92135  (chat_type group, sender,
//                                 chat_id_list, ≤ 9 attachments, "each group receives at most <days in month> per month")
//   get_groupmsg_list_v2, get_groupmsg_task, get_groupmsg_send_result  https://developer.work.weixin.qq.com/document/path/93338
//                                 (task status 0 未发送 / 2 已发送; send status 0 未发送, 1 已发送, 2 非好友, 3 已收到其他群发)
//   media/upload                  https://developer.work.weixin.qq.com/document/path/90253  (multipart "media", type=image)
//   media/upload_attachment       https://developer.work.weixin.qq.com/document/path/95098  (朋友圈 attachment_type=1)
//   add_moment_task, get_moment_task_result, get_moment_task, get_moment_list  https://developer.work.weixin.qq.com/document/path/95094, /93333
// A mass-send is NOT delivered when it is created: it waits until its owner confirms it in WeCom — `confirm(owner)`.
// Every request is recorded so tests check what "WeCom" saw, not what LiveCue believes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGroup {
  chatId: string;
  name: string;
  owner: string;
  members: number;
  /** mass-sends this group already received this month (from any sender) */
  received?: number;
}

interface Msg {
  msgid: string;
  sender: string;
  chatIds: string[];
  text: string;
  attachments: unknown[];
  createTime: number;
  /** chat_id → send status (0 waiting for the owner, 1 sent, 3 over the group's quota) and time */
  results: Map<string, { status: number; sendTime?: number }>;
  confirmedAt: number | null;
}

interface Moment {
  jobid: string;
  momentId: string;
  senders: string[];
  text: string;
  createTime: number;
  published: Set<string>;
}

export interface Seen {
  path: string;
  at: number;
  body: any;
  errcode: number;
}

export class WecomFake {
  readonly corpId = 'ww_fake_corp';
  readonly secret = 'fake-customer-contact-secret-0001';
  readonly requests: Seen[] = [];
  /** paths as they arrive, before any delay (a request in flight is in here, not yet in `requests`) */
  readonly arrived: string[] = [];
  readonly msgs: Msg[] = [];
  readonly moments: Moment[] = [];
  readonly groups: FakeGroup[];
  /** documented default rule: each group receives at most <days in month> mass-sends per month (doc 92135) */
  monthlyLimit = 30;
  /** the next add_msg_template answers -1 (系统繁忙), having created the task first or not */
  busyOnce: 'after-create' | 'before-create' | null = null;
  /** every answer of this path waits this long (ms) */
  delays = new Map<string, number>();
  private tokens = new Map<string, number>();
  private seq = 0;
  private readonly server: http.Server;
  base = '';

  constructor(groups: FakeGroup[]) {
    this.groups = groups.map((g) => ({ received: 0, ...g }));
    this.server = http.createServer((req, res) => void this.onRequest(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  /** every token issued so far stops working (answers 42001 until a new one is fetched) */
  expireTokens(): void {
    for (const k of this.tokens.keys()) this.tokens.set(k, 0);
  }

  calls(path: string): Seen[] {
    return this.requests.filter((r) => r.path.endsWith(path));
  }

  /** The owner taps 发送 in WeCom: each of their pending groups gets it, unless the group is over its monthly quota. */
  confirm(owner: string): number {
    let n = 0;
    for (const m of this.msgs) {
      if (m.sender !== owner || m.confirmedAt !== null) continue;
      m.confirmedAt = Date.now();
      for (const chatId of m.chatIds) {
        const g = this.groups.find((x) => x.chatId === chatId)!;
        if ((g.received ?? 0) >= this.monthlyLimit) m.results.set(chatId, { status: 3 });
        else {
          g.received = (g.received ?? 0) + 1;
          m.results.set(chatId, { status: 1, sendTime: Math.floor(Date.now() / 1000) });
          n++;
        }
      }
    }
    return n;
  }

  publishMoment(owner: string): void {
    for (const m of this.moments) if (m.senders.includes(owner)) m.published.add(owner);
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const path = url.pathname;
    let body: any = null;
    if ((req.headers['content-type'] ?? '').includes('json') && raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = null;
      }
    }
    this.arrived.push(path);
    const delay = this.delays.get(path.split('/').pop() ?? '') ?? 0;
    if (delay) await new Promise((r) => setTimeout(r, delay));
    const answer = this.answer(path, url, body, raw, req.headers['content-type'] ?? '');
    this.requests.push({ path, at: Date.now(), body: body ?? (raw.length ? `(${raw.length} bytes)` : null), errcode: answer.errcode as number });
    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  }

  private answer(path: string, url: URL, body: any, raw: Buffer, contentType: string): Record<string, unknown> {
    if (path === '/cgi-bin/gettoken') {
      if (url.searchParams.get('corpid') !== this.corpId) return { errcode: 40013, errmsg: 'invalid corpid' };
      if (url.searchParams.get('corpsecret') !== this.secret) return { errcode: 40001, errmsg: 'invalid credential' };
      const token = `tok-${++this.seq}`;
      this.tokens.set(token, Date.now() + 7200_000);
      return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 };
    }
    const token = url.searchParams.get('access_token');
    if (!token) return { errcode: 41001, errmsg: 'access_token missing' };
    const exp = this.tokens.get(token);
    if (exp === undefined) return { errcode: 40014, errmsg: 'invalid access_token' };
    if (exp <= Date.now()) return { errcode: 42001, errmsg: 'access_token expired' };
    const now = Math.floor(Date.now() / 1000);
    switch (path) {
      case '/cgi-bin/externalcontact/groupchat/list': {
        const limit = Number(body?.limit ?? 0);
        if (!(limit >= 1 && limit <= 1000)) return { errcode: 40058, errmsg: 'limit must be 1..1000' };
        const start = Number(body?.cursor || 0);
        const page = this.groups.slice(start, start + limit);
        const next = start + limit < this.groups.length ? String(start + limit) : '';
        return { errcode: 0, errmsg: 'ok', group_chat_list: page.map((g) => ({ chat_id: g.chatId, status: 0 })), next_cursor: next };
      }
      case '/cgi-bin/externalcontact/groupchat/get': {
        const g = this.groups.find((x) => x.chatId === body?.chat_id);
        if (!g) return { errcode: 40050, errmsg: 'chatid not found' };
        const members = Array.from({ length: g.members }, (_, i) => ({ userid: i === 0 ? g.owner : `wm_${g.chatId}_${i}`, type: i === 0 ? 1 : 2 }));
        return { errcode: 0, errmsg: 'ok', group_chat: { chat_id: g.chatId, name: g.name, owner: g.owner, create_time: now - 86400, member_list: members, admin_list: [] } };
      }
      case '/cgi-bin/media/upload':
      case '/cgi-bin/media/upload_attachment': {
        if (!contentType.includes('multipart/form-data') || !raw.includes(Buffer.from('name="media"'))) return { errcode: 41004, errmsg: 'media missing' };
        if (raw.length > 2 * 1024 * 1024 + 4096) return { errcode: 40009, errmsg: 'invalid image size' };
        return { errcode: 0, errmsg: 'ok', type: 'image', media_id: `media-${++this.seq}`, created_at: String(now) };
      }
      case '/cgi-bin/externalcontact/add_msg_template': {
        const busy = this.busyOnce;
        this.busyOnce = null;
        if (busy === 'before-create') return { errcode: -1, errmsg: 'system busy' };
        if (body?.chat_type !== 'group') return { errcode: 40058, errmsg: 'chat_type' };
        if (!body.sender) return { errcode: 40058, errmsg: 'sender required for group' };
        const attachments = Array.isArray(body.attachments) ? body.attachments : [];
        if (attachments.length > 9) return { errcode: 40058, errmsg: 'at most 9 attachments' };
        if (!body.text?.content && !attachments.length) return { errcode: 44004, errmsg: 'empty content' };
        const owned = this.groups.filter((g) => g.owner === body.sender).map((g) => g.chatId);
        const wanted: string[] = Array.isArray(body.chat_id_list) ? body.chat_id_list : owned;
        const ok = wanted.filter((c) => owned.includes(c));
        const fail = wanted.filter((c) => !owned.includes(c));
        const msgid = `msg${++this.seq}`;
        this.msgs.push({
          msgid,
          sender: body.sender,
          chatIds: ok,
          text: body.text?.content ?? '',
          attachments,
          createTime: now,
          results: new Map(ok.map((c) => [c, { status: 0 }])),
          confirmedAt: null,
        });
        if (busy === 'after-create') return { errcode: -1, errmsg: 'system busy' };
        return { errcode: 0, errmsg: 'ok', fail_list: fail, msgid };
      }
      case '/cgi-bin/externalcontact/get_groupmsg_list_v2': {
        const from = Number(body?.start_time);
        const to = Number(body?.end_time);
        if (!(from > 0 && to >= from) || to - from > 31 * 86400) return { errcode: 40058, errmsg: 'time range' };
        const list = this.msgs.filter((m) => m.createTime >= from && m.createTime <= to);
        return {
          errcode: 0,
          errmsg: 'ok',
          next_cursor: '',
          group_msg_list: list.map((m) => ({ msgid: m.msgid, create_time: String(m.createTime), create_type: 0, text: { content: m.text }, attachments: m.attachments })),
        };
      }
      case '/cgi-bin/externalcontact/get_groupmsg_task': {
        const m = this.msgs.find((x) => x.msgid === body?.msgid);
        if (!m) return { errcode: 41063, errmsg: 'msgid not found' };
        return {
          errcode: 0,
          errmsg: 'ok',
          next_cursor: '',
          task_list: [m.confirmedAt === null ? { userid: m.sender, status: 0 } : { userid: m.sender, status: 2, send_time: Math.floor(m.confirmedAt / 1000) }],
        };
      }
      case '/cgi-bin/externalcontact/get_groupmsg_send_result': {
        const m = this.msgs.find((x) => x.msgid === body?.msgid);
        if (!m) return { errcode: 41063, errmsg: 'msgid not found' };
        if (body?.userid !== m.sender) return { errcode: 0, errmsg: 'ok', next_cursor: '', send_list: [] };
        return {
          errcode: 0,
          errmsg: 'ok',
          next_cursor: '',
          send_list: [...m.results].map(([chatId, r]) => ({ chat_id: chatId, userid: m.sender, status: r.status, ...(r.sendTime ? { send_time: r.sendTime } : {}) })),
        };
      }
      case '/cgi-bin/externalcontact/add_moment_task': {
        const senders: string[] = body?.visible_range?.sender_list?.user_list ?? [];
        if (!body?.text?.content && !body?.attachments?.length) return { errcode: 44004, errmsg: 'empty content' };
        const jobid = `job${++this.seq}`;
        this.moments.push({ jobid, momentId: `mom${this.seq}`, senders, text: body?.text?.content ?? '', createTime: now, published: new Set() });
        return { errcode: 0, errmsg: 'ok', jobid };
      }
      case '/cgi-bin/externalcontact/get_moment_task_result': {
        const m = this.moments.find((x) => x.jobid === url.searchParams.get('jobid'));
        if (!m) return { errcode: 40058, errmsg: 'jobid' };
        return { errcode: 0, errmsg: 'ok', status: 3, type: 'add_moment_task', result: { errcode: 0, errmsg: 'ok', moment_id: m.momentId, invalid_sender_list: { user_list: [] } } };
      }
      case '/cgi-bin/externalcontact/get_moment_list': {
        const from = Number(body?.start_time);
        const to = Number(body?.end_time);
        const list = this.moments.filter((m) => m.createTime >= from && m.createTime <= to);
        return { errcode: 0, errmsg: 'ok', next_cursor: '', moment_list: list.map((m) => ({ moment_id: m.momentId, create_type: 0, create_time: m.createTime, text: { content: m.text } })) };
      }
      case '/cgi-bin/externalcontact/get_moment_task': {
        const m = this.moments.find((x) => x.momentId === body?.moment_id);
        if (!m) return { errcode: 40058, errmsg: 'moment_id' };
        return { errcode: 0, errmsg: 'ok', next_cursor: '', task_list: m.senders.map((u) => ({ userid: u, publish_status: m.published.has(u) ? 1 : 0 })) };
      }
      default:
        return { errcode: 404, errmsg: `not faked: ${path}` };
    }
  }
}
