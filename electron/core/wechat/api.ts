// WeChat official API client (a core service used by metrics and the shop catalog): stable access token, JSON calls,
// errcode/errmsg as WechatApiError. Field names follow the published API (see docs/metrics.md).
import type { WechatAccount } from '../../../shared/protocol/metrics.ts';

export const DEFAULT_API_BASE = 'https://api.weixin.qq.com';

/** errcodes that mean "slow down": daily/minute quota, frequency limits, system busy */
export const QUOTA_ERRCODES: ReadonlySet<number> = new Set([45009, 45011, 45047, 45033, -1]);
/** errcodes that mean the token is no longer good: fetch a new one and retry once */
const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

export class WechatApiError extends Error {
  readonly errcode: number;
  readonly errmsg: string;
  readonly path: string;
  readonly account: WechatAccount;
  constructor(errcode: number, errmsg: string, path: string, account: WechatAccount = 'shop') {
    super(`微信接口错误 WeChat API ${path}: errcode ${errcode} ${errmsg}`);
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.path = path;
    this.account = account;
  }
}

export interface WechatApiConfig {
  /** which account the AppID belongs to (视频号助手 for live data, 微信小店 for orders/products): errcodes are explained per account */
  account?: WechatAccount;
  appId: string;
  secret: string;
  base: string;
  now?: () => number;
  fetch?: typeof fetch;
}

/**
 * JSON.parse that keeps long integers (order ids in order_info and order_id_list, spu ids …) as their exact digits:
 * WeChat sends them as bare numbers beyond 2^53. Any bare integer of 16+ digits becomes a string before parsing.
 */
export function parseWechatJson(text: string): unknown {
  return JSON.parse(text.replace(/([[:,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2"'));
}

export class WechatApiClient {
  private readonly config: WechatApiConfig;
  private token: { value: string; expiresAt: number } | null = null;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;

  get account(): WechatAccount {
    return this.config.account ?? 'shop';
  }

  /** the same AppID/secret/base: the cached client (and its token) stays valid */
  sameAs(config: WechatApiConfig): boolean {
    return this.config.appId === config.appId && this.config.secret === config.secret && this.config.base === config.base.replace(/\/+$/, '') && this.account === (config.account ?? 'shop');
  }

  constructor(config: WechatApiConfig) {
    this.config = { ...config, base: config.base.replace(/\/+$/, '') };
    this.now = config.now ?? Date.now;
    this.fetch = config.fetch ?? fetch;
  }

  private async post(path: string, body: unknown, query = ''): Promise<Record<string, unknown>> {
    const res = await this.fetch(`${this.config.base}${path}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = parseWechatJson(text);
    } catch {
      throw new WechatApiError(-2, `HTTP ${res.status}: not JSON`, path);
    }
    if (parsed === null || typeof parsed !== 'object') throw new WechatApiError(-2, `HTTP ${res.status}: unexpected answer`, path);
    const out = parsed as Record<string, unknown>;
    const errcode = typeof out.errcode === 'number' ? out.errcode : 0;
    if (errcode !== 0) throw new WechatApiError(errcode, String(out.errmsg ?? ''), path, this.account);
    if (!res.ok) throw new WechatApiError(-2, `HTTP ${res.status}`, path);
    return out;
  }

  /** Stable access token (POST /cgi-bin/stable_token), renewed 5 minutes before it expires. */
  async accessToken(force = false): Promise<string> {
    if (!force && this.token && this.now() < this.token.expiresAt) return this.token.value;
    const out = await this.post('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: this.config.appId,
      secret: this.config.secret,
      force_refresh: false,
    });
    const value = typeof out.access_token === 'string' ? out.access_token : '';
    const expiresIn = typeof out.expires_in === 'number' ? out.expires_in : 7200;
    if (!value) throw new WechatApiError(-2, 'stable_token answered without access_token', '/cgi-bin/stable_token');
    this.token = { value, expiresAt: this.now() + Math.max(60, expiresIn - 300) * 1000 };
    return value;
  }

  /** An API call with the token in the query; an expired/invalid token is renewed once. */
  async call(path: string, body: unknown): Promise<Record<string, unknown>> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken(attempt > 0);
      try {
        return await this.post(path, body, `?access_token=${encodeURIComponent(token)}`);
      } catch (error) {
        if (attempt === 0 && error instanceof WechatApiError && TOKEN_ERRCODES.has(error.errcode)) {
          this.token = null;
          continue;
        }
        throw error;
      }
    }
  }
}

/** A getlivedata block may arrive as an object or as a JSON string (both are seen in the wild). */
