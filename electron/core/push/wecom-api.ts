// WeCom (企业微信) server API for 客户联系: access-token caching and errcode reading. Sources:
//   gettoken: GET /cgi-bin/gettoken?corpid=…&corpsecret=… → { access_token, expires_in (s, 7200) }
//     https://developer.work.weixin.qq.com/document/path/91039 — cache it; fetching it often is itself rate-limited.
//   every call: ?access_token=…; an expired / invalid token answers 42001 / 40014 (41001 when missing): fetch a new
//     token and repeat the call once (global errcodes https://developer.work.weixin.qq.com/document/path/90313).
//   errors come back as HTTP 200 with { errcode, errmsg }: the body decides, as with the robots.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** token errors: the call was refused before doing anything, so repeating it with a fresh token is safe (doc 90313) */
const TOKEN_ERRORS = new Set([40014, 41001, 42001]);
/** transient: try again later (doc 90313: -1 系统繁忙, 45009 接口调用超过限制, 45033 并发调用超过限制) */
const TRANSIENT = new Set([-1, 45009, 45033]);

/** errcode → what the seller has to do (doc 90313; 客户联系 permission: https://developer.work.weixin.qq.com/document/path/92109) */
const MEANING: Record<number, string> = {
  40001: 'Secret 不正确 / invalid secret (40001): copy the 客户联系 secret again (管理后台 › 客户与上下游 › 客户联系 › API)',
  40013: 'CorpID 不正确 / invalid corpid (40013): see 管理后台 › 我的企业 › 企业ID',
  40003: '成员 userid 不存在 / unknown member userid (40003)',
  40009: '图片大小不合法（≤ 2 MB） / invalid image size (40009)',
  40058: '参数不合法 / invalid parameter (40058)',
  44004: '内容为空 / empty content (44004)',
  48002: '接口无权限：请在管理后台给应用开启「客户联系」权限 / API not permitted (48002): give the app the 客户联系 permission',
  60020: 'IP 不在企业可信 IP 列表中 / this IP is not in the app’s trusted IP list (60020)',
  41063: '群发记录不存在 / mass-send not found (41063)',
};

export class WecomApiError extends Error {
  readonly errcode: number;
  /** a later attempt may succeed */
  readonly transient: boolean;
  /** the request left this machine and no answer was read: it may have taken effect */
  readonly mayHaveReached: boolean;
  constructor(errcode: number, message: string, opts: { transient?: boolean; mayHaveReached?: boolean } = {}) {
    super(message);
    this.errcode = errcode;
    this.transient = opts.transient ?? TRANSIENT.has(errcode);
    this.mayHaveReached = opts.mayHaveReached ?? false;
  }
}

export function describeErrcode(errcode: number, errmsg: string): string {
  return MEANING[errcode] ?? `企业微信返回错误 / WeCom error ${errcode}: ${errmsg.slice(0, 200)}`;
}

export interface WecomCredentials {
  corpId: string;
  secret: string;
}

export interface WecomApiOptions {
  base: string;
  credentials: () => WecomCredentials | null;
  timeoutMs?: number;
  now?: () => number;
}

const TokenAnswer = z.object({ errcode: z.number().optional(), errmsg: z.string().optional(), access_token: z.string().optional(), expires_in: z.number().optional() });
const Base = z.object({ errcode: z.number(), errmsg: z.string().optional() }).loose();

/** Only https leaves the machine; plain http only to loopback (tests, a local fake). */
export function checkApiBase(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `LIVECUE_WECOM_API_BASE is not a URL: ${raw.slice(0, 80)}`;
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname)) return null;
  return 'LIVECUE_WECOM_API_BASE must be https (plain http only for 127.0.0.1)';
}

export class WecomApi {
  private readonly base: string;
  private readonly credentials: () => WecomCredentials | null;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private token: { value: string; expiresAt: number; corpId: string } | null = null;
  /** how many tokens were fetched (shown in status, asserted in tests) */
  tokenFetches = 0;

  constructor(options: WecomApiOptions) {
    this.base = options.base.replace(/\/$/, '');
    this.credentials = options.credentials;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  forgetToken(): void {
    this.token = null;
  }

  private creds(): WecomCredentials {
    const c = this.credentials();
    if (!c) throw new WecomApiError(0, '未设置企业微信 CorpID / Secret / WeCom corpid and secret are not set', { transient: false });
    return c;
  }

  private async accessToken(): Promise<string> {
    const c = this.creds();
    // refresh 5 minutes before WeCom's expiry, so a token never dies in the middle of a call sequence we start
    if (this.token && this.token.corpId === c.corpId && this.token.expiresAt - 300_000 > this.now()) return this.token.value;
    const url = `${this.base}/cgi-bin/gettoken?corpid=${encodeURIComponent(c.corpId)}&corpsecret=${encodeURIComponent(c.secret)}`;
    const raw = await this.fetchJson(url, { method: 'GET' }, true);
    const parsed = TokenAnswer.safeParse(raw);
    if (!parsed.success) throw new WecomApiError(0, '企业微信 gettoken 应答无法识别 / unreadable gettoken answer', { transient: true });
    const t = parsed.data;
    if (t.errcode && t.errcode !== 0) throw new WecomApiError(t.errcode, describeErrcode(t.errcode, t.errmsg ?? ''));
    if (!t.access_token) throw new WecomApiError(0, 'gettoken: no access_token', { transient: true });
    this.tokenFetches++;
    this.token = { value: t.access_token, expiresAt: this.now() + (t.expires_in ?? 7200) * 1000, corpId: c.corpId };
    return t.access_token;
  }

  /** POST (or GET when body is null) a JSON call; a token error refreshes the token and repeats the call once. */
  async call<T extends z.ZodType>(path: string, body: unknown, schema: T, query: Record<string, string> = {}): Promise<z.output<T>> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const qs = new URLSearchParams({ access_token: token, ...query }).toString();
      const init: RequestInit =
        body === null ? { method: 'GET' } : { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
      const raw = await this.fetchJson(`${this.base}${path}?${qs}`, init, body === null);
      const base = Base.safeParse(raw);
      if (!base.success) throw new WecomApiError(0, `企业微信应答无法识别 / unreadable answer from ${path}`, { transient: false, mayHaveReached: true });
      const { errcode, errmsg = '' } = base.data;
      if (TOKEN_ERRORS.has(errcode) && attempt === 0) {
        this.token = null;
        continue;
      }
      if (errcode !== 0) throw new WecomApiError(errcode, describeErrcode(errcode, errmsg));
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw new WecomApiError(0, `企业微信应答字段不符 / unexpected fields from ${path}: ${parsed.error.issues[0]?.message ?? ''}`, { mayHaveReached: true });
      return parsed.data;
    }
  }

  /** multipart upload of one file as form field "media" (media/upload, doc 90253; media/upload_attachment, doc 95098) */
  async upload(path: string, query: Record<string, string>, file: Buffer, filename: string, contentType: string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const boundary = `----livecue${randomBytes(8).toString('hex')}`;
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="${filename}"; filelength=${file.length}\r\nContent-Type: ${contentType}\r\n\r\n`,
      );
      const body = Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]);
      const qs = new URLSearchParams({ access_token: token, ...query }).toString();
      const raw = await this.fetchJson(`${this.base}${path}?${qs}`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body }, true);
      const parsed = z.object({ errcode: z.number().optional(), errmsg: z.string().optional(), media_id: z.string().optional() }).safeParse(raw);
      if (!parsed.success) throw new WecomApiError(0, 'media upload: unreadable answer', { transient: true });
      const errcode = parsed.data.errcode ?? 0;
      if (TOKEN_ERRORS.has(errcode) && attempt === 0) {
        this.token = null;
        continue;
      }
      if (errcode !== 0) throw new WecomApiError(errcode, describeErrcode(errcode, parsed.data.errmsg ?? ''));
      if (!parsed.data.media_id) throw new WecomApiError(0, 'media upload: no media_id', { transient: true });
      return parsed.data.media_id;
    }
  }

  /**
   * One HTTP exchange. "Never left" (connection refused, DNS) is transient and safe to repeat; a timeout or a dropped
   * connection after sending is `mayHaveReached` (idempotent reads pass `safe` and are simply retried later).
   */
  private async fetchJson(url: string, init: RequestInit, safe: boolean): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      const code = e.cause?.code ?? e.name;
      const neverLeft = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
      throw new WecomApiError(0, `无法连接企业微信 / could not reach WeCom (${code})`, { transient: true, mayHaveReached: !neverLeft && !safe });
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 500 || res.status === 429) throw new WecomApiError(0, `企业微信 HTTP ${res.status}`, { transient: true, mayHaveReached: !safe && res.status !== 429 });
    if (res.status >= 300) throw new WecomApiError(0, `企业微信 HTTP ${res.status}: ${text.slice(0, 120)}`, { transient: false });
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new WecomApiError(0, `企业微信应答不是 JSON / not JSON: ${text.slice(0, 120)}`, { transient: false, mayHaveReached: !safe });
    }
  }
}
