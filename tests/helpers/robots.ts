// Local stand-ins for the chat-group robots, on 127.0.0.1, implementing their documented behaviour: the URL shapes,
// WeCom's errcode 45009 / 93000, DingTalk's 加签 (HMAC key = secret, message = timestamp\n secret, in the query) and
// 130101 / 310000, Feishu's 签名校验 (HMAC key = timestamp\n secret, empty message, in the body) and 11232 / 19021 /
// 19024, body-size limits, rate limits per robot (windows scaled like the sender's), plus 5xx, slow answers and
// scripted error codes on demand. Every request is recorded with its arrival time, so tests check what the
// "platform" saw, not what the sender believes it did.
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type RobotKind = 'wecom' | 'dingtalk' | 'feishu' | 'webhook';

/** One scripted answer, used instead of the normal behaviour for the next request to that robot. */
export type Script = { errcode: number; errmsg?: string } | { status: number } | { delayMs: number } | { hang: true };

export interface RobotConfig {
  kind: RobotKind;
  secret?: string;
  keyword?: string;
  /** every answer waits this long */
  delayMs?: number;
}

export interface Seen {
  robot: string;
  kind: RobotKind;
  at: number;
  body: any;
  /** what the stub answered: 0 = delivered to the group */
  code: number;
}

const WECOM_TEXT = 2048;
const WECOM_MARKDOWN = 4096;
const FEISHU_BODY = 20 * 1024;

export class RobotStub {
  readonly requests: Seen[] = [];
  private readonly robots = new Map<string, RobotConfig>();
  private readonly scripts = new Map<string, Script[]>();
  private readonly server: http.Server;
  private readonly scale: number;
  private readonly hanging = new Set<http.ServerResponse>();
  base = '';

  constructor(scale = 1) {
    this.scale = scale;
    this.server = http.createServer((req, res) => void this.onRequest(req, res));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  add(id: string, config: RobotConfig): string {
    this.robots.set(id, config);
    return this.urlOf(id, config.kind);
  }

  urlOf(id: string, kind: RobotKind): string {
    if (kind === 'wecom') return `${this.base}/cgi-bin/webhook/send?key=${id}`;
    if (kind === 'dingtalk') return `${this.base}/robot/send?access_token=${id}`;
    if (kind === 'feishu') return `${this.base}/open-apis/bot/v2/hook/${id}`;
    return `${this.base}/hook/${id}`;
  }

  script(id: string, ...answers: Script[]): void {
    this.scripts.set(id, [...(this.scripts.get(id) ?? []), ...answers]);
  }

  /** requests the group actually shows (answered with success) */
  delivered(id?: string): Seen[] {
    return this.requests.filter((r) => r.code === 0 && (id === undefined || r.robot === id));
  }

  /** the most requests that arrived at one robot within any span of windowMs */
  maxInWindow(id: string, windowMs: number): number {
    const times = this.requests.filter((r) => r.robot === id).map((r) => r.at);
    let best = 0;
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! >= windowMs) i++;
      best = Math.max(best, j - i + 1);
    }
    return best;
  }

  private limits(kind: RobotKind): { max: number; windowMs: number }[] {
    if (kind === 'feishu') return [{ max: 5, windowMs: 1_000 * this.scale }, { max: 100, windowMs: 60_000 * this.scale }];
    if (kind === 'webhook') return [];
    return [{ max: 20, windowMs: 60_000 * this.scale }];
  }

  private overLimit(id: string, kind: RobotKind, at: number): boolean {
    const mine = this.requests.filter((r) => r.robot === id && r.code === 0);
    return this.limits(kind).some((l) => mine.filter((r) => r.at > at - l.windowMs).length >= l.max);
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.base);
    let kind: RobotKind | null = null;
    let id = '';
    if (url.pathname === '/cgi-bin/webhook/send') [kind, id] = ['wecom', url.searchParams.get('key') ?? ''];
    else if (url.pathname === '/robot/send') [kind, id] = ['dingtalk', url.searchParams.get('access_token') ?? ''];
    else if (url.pathname.startsWith('/open-apis/bot/v2/hook/')) [kind, id] = ['feishu', url.pathname.split('/').pop() ?? ''];
    else if (url.pathname.startsWith('/hook/')) [kind, id] = ['webhook', url.pathname.split('/').pop() ?? ''];
    let body: any = null;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      /* answered below */
    }
    const robot = this.robots.get(id);
    const seen: Seen = { robot: id, kind: kind ?? 'webhook', at, body, code: -999 };
    this.requests.push(seen);

    const answer = async (status: number, code: number, json: unknown) => {
      seen.code = code;
      const delay = robot?.delayMs ?? 0;
      if (delay) await new Promise((r) => setTimeout(r, delay));
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const wecomErr = (errcode: number, errmsg: string) => answer(200, errcode, { errcode, errmsg });
    const feishuErr = (code: number, msg: string) => answer(200, code, { code, msg, data: {} });

    if (!kind) return answer(404, 404, { error: 'no such path' });
    if (!robot || robot.kind !== kind) {
      if (kind === 'wecom') return wecomErr(93000, 'invalid webhook url, hint: [stub]');
      if (kind === 'dingtalk') return wecomErr(300001, 'token is not exist');
      if (kind === 'feishu') return feishuErr(19001, 'param invalid: incoming webhook access token invalid');
      return answer(404, 404, { error: 'unknown hook' });
    }

    const scripted = this.scripts.get(id)?.shift();
    if (scripted) {
      if ('hang' in scripted) {
        seen.code = -1;
        this.hanging.add(res);
        return; // never answers: the request was received (and, for the test, "may have been delivered")
      }
      if ('delayMs' in scripted) await new Promise((r) => setTimeout(r, scripted.delayMs));
      else if ('status' in scripted) return answer(scripted.status, scripted.status, { error: 'stub server error' });
      else if (kind === 'feishu') return feishuErr(scripted.errcode, scripted.errmsg ?? 'scripted');
      else return wecomErr(scripted.errcode, scripted.errmsg ?? 'scripted');
    }
    if (body === null) return kind === 'feishu' ? feishuErr(9499, 'Bad Request') : wecomErr(40001, 'invalid json');

    if (kind === 'wecom') {
      const type = body.msgtype;
      if (type === 'text' && Buffer.byteLength(body.text?.content ?? '') > WECOM_TEXT) return wecomErr(40058, 'content exceed max length 2048');
      if (type === 'markdown' && Buffer.byteLength(body.markdown?.content ?? '') > WECOM_MARKDOWN) return wecomErr(40058, 'content exceed max length 4096');
      if (type === 'image') {
        const png = Buffer.from(body.image?.base64 ?? '', 'base64');
        if (createHash('md5').update(png).digest('hex') !== body.image?.md5) return wecomErr(40058, 'image md5 mismatch');
        if (png.length > 2 * 1024 * 1024) return wecomErr(40009, 'invalid image size');
      }
      if (!['text', 'markdown', 'news', 'image'].includes(type)) return wecomErr(40008, 'invalid message type');
      if (this.overLimit(id, kind, at)) return wecomErr(45009, 'api freq out of limit');
      return wecomErr(0, 'ok');
    }

    if (kind === 'dingtalk') {
      if (robot.secret) {
        const ts = url.searchParams.get('timestamp') ?? '';
        const sign = url.searchParams.get('sign') ?? '';
        const expected = createHmac('sha256', robot.secret).update(`${ts}\n${robot.secret}`).digest('base64');
        if (!/^\d+$/.test(ts) || Math.abs(Date.now() - Number(ts)) > 3_600_000) return wecomErr(310000, 'invalid timestamp');
        if (sign !== expected) return wecomErr(310000, 'sign not match');
      }
      if (robot.keyword && !JSON.stringify(body).includes(robot.keyword)) return wecomErr(310000, 'keywords not in content');
      if (!['text', 'link', 'markdown', 'actionCard', 'feedCard'].includes(body.msgtype)) return wecomErr(40035, 'invalid msgtype');
      if (this.overLimit(id, kind, at)) return wecomErr(130101, 'send too fast, exceed 20 times per minute');
      return wecomErr(0, 'ok');
    }

    if (kind === 'feishu') {
      if (raw.length > FEISHU_BODY) return feishuErr(9499, 'request body too large');
      if (robot.secret) {
        const ts = String(body.timestamp ?? '');
        const expected = createHmac('sha256', `${ts}\n${robot.secret}`).update('').digest('base64');
        const fresh = /^\d+$/.test(ts) && Math.abs(Date.now() / 1000 - Number(ts)) <= 3600;
        if (!fresh || body.sign !== expected) return feishuErr(19021, 'sign match fail or timestamp is not within one hour from current time');
      }
      if (robot.keyword && !JSON.stringify(body).includes(robot.keyword)) return feishuErr(19024, 'Key Words Not Found');
      if (!['text', 'post', 'interactive', 'image', 'share_chat'].includes(body.msg_type)) return feishuErr(9499, 'Bad Request');
      if (this.overLimit(id, kind, at)) return answer(200, 11232, { code: 11232, msg: 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1]', data: {} });
      return answer(200, 0, { code: 0, msg: 'success', data: {} });
    }

    // generic webhook: HMAC-SHA256(secret, timestamp + "." + body), hex, in X-LiveCue-Signature
    if (robot.secret) {
      const ts = String(req.headers['x-livecue-timestamp'] ?? '');
      const expected = `sha256=${createHmac('sha256', robot.secret).update(`${ts}.${raw.toString('utf8')}`).digest('hex')}`;
      if (req.headers['x-livecue-signature'] !== expected) return answer(401, 401, { error: 'bad signature' });
    }
    return answer(200, 0, { ok: true });
  }
}

export async function startRobots(scale = 1): Promise<RobotStub> {
  return new RobotStub(scale).listen();
}

export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
