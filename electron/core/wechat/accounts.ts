// The two WeChat accounts a seller needs (issue #11, from the API documents):
// - 视频号助手 (channels): the live dashboard calls /channels/livedashboard/getlivelist and getlivedata accept only its
//   AppID (视频号助手 → 直播 → 直播管理 → 开放能力; doc/channels/API/livedashboard/getlivelist.html);
// - 微信小店 (shop): orders, products and the message push (小店后台 → 服务市场 → 自研; doc/store/API/order/list_get.html,
//   doc/channels/dev_before/base/message_push.md).
// AppIDs and the API base rest in settings; secrets (AppSecret, push Token, EncodingAESKey) only in the SecretStore.
// Environment variables (serve mode) win over Settings; LIVECUE_WECHAT_* are the shop's, deprecated.
import type { SecretStore } from '../secrets.ts';
import type { SettingsRepo } from '../settings.ts';
import type { WechatAccount, WechatAccountInfo, WechatTestResult } from '../../../shared/protocol/metrics.ts';
import { DEFAULT_API_BASE, WechatApiClient, WechatApiError } from './api.ts';
import { explainErrcode } from './errors.ts';

export interface AccountCreds {
  appId: string;
  secret: string;
  token: string;
  aesKey: string;
  fromEnv: boolean;
}

const SETTINGS_KEY = 'wechat.accounts';
/** the single-account settings of before #11 (AppID, secrets and base together): read as the shop's until re-saved */
const LEGACY_KEY = 'wechat';
const secretName = (account: WechatAccount, field: 'secret' | 'token' | 'aesKey') => `wechat.${account}.${field}`;

interface StoredAccounts {
  channels?: { appId?: string };
  shop?: { appId?: string };
  apiBase?: string;
}

export const DEPRECATION_NOTICE =
  'LIVECUE_WECHAT_* 已改名为 LIVECUE_SHOP_*（微信小店），仍可使用 / LIVECUE_WECHAT_* are deprecated: they are read as the shop account’s LIVECUE_SHOP_*';

export class WechatAccounts {
  private readonly settings: SettingsRepo;
  private readonly secrets: SecretStore;
  private readonly env: NodeJS.ProcessEnv;
  /** one client, hence one stable-token cache, per account; rebuilt when its credentials change */
  private readonly clients = new Map<WechatAccount, WechatApiClient>();
  private readonly fetchImpl: typeof fetch | undefined;

  constructor(settings: SettingsRepo, secrets: SecretStore, env: NodeJS.ProcessEnv, fetchImpl?: typeof fetch) {
    this.settings = settings;
    this.secrets = secrets;
    this.env = env;
    this.fetchImpl = fetchImpl;
  }

  /** the deprecated variables are in use (the shop's values come from them) */
  get deprecatedEnv(): boolean {
    const e = this.env;
    return Boolean(e.LIVECUE_WECHAT_APPID || e.LIVECUE_WECHAT_SECRET || e.LIVECUE_WECHAT_TOKEN || e.LIVECUE_WECHAT_AES_KEY);
  }

  apiBase(): string {
    const stored = this.settings.get<StoredAccounts>(SETTINGS_KEY) ?? {};
    const legacy = this.settings.get<{ apiBase?: string }>(LEGACY_KEY) ?? {};
    return this.env.LIVECUE_WECHAT_API_BASE || stored.apiBase || legacy.apiBase || DEFAULT_API_BASE;
  }

  creds(account: WechatAccount): AccountCreds {
    const e = this.env;
    const stored = (this.settings.get<StoredAccounts>(SETTINGS_KEY) ?? {})[account] ?? {};
    const legacy = account === 'shop' ? (this.settings.get<Partial<Record<'appId' | 'secret' | 'token' | 'aesKey', string>>>(LEGACY_KEY) ?? {}) : {};
    const env =
      account === 'channels'
        ? { appId: e.LIVECUE_CHANNELS_APPID, secret: e.LIVECUE_CHANNELS_SECRET, token: undefined, aesKey: undefined }
        : {
            appId: e.LIVECUE_SHOP_APPID || e.LIVECUE_WECHAT_APPID,
            secret: e.LIVECUE_SHOP_SECRET || e.LIVECUE_WECHAT_SECRET,
            token: e.LIVECUE_SHOP_TOKEN || e.LIVECUE_WECHAT_TOKEN,
            aesKey: e.LIVECUE_SHOP_AES_KEY || e.LIVECUE_WECHAT_AES_KEY,
          };
    const secret = (field: 'secret' | 'token' | 'aesKey') =>
      env[field] || (account === 'shop' || field === 'secret' ? this.secrets.get(secretName(account, field)) : undefined) || legacy[field] || '';
    return {
      appId: env.appId || stored.appId || legacy.appId || '',
      secret: secret('secret'),
      token: account === 'shop' ? secret('token') : '',
      aesKey: account === 'shop' ? secret('aesKey') : '',
      fromEnv: Boolean(env.appId || env.secret || env.token || env.aesKey),
    };
  }

  info(account: WechatAccount): WechatAccountInfo {
    const c = this.creds(account);
    return { appId: c.appId || null, hasSecret: Boolean(c.secret), hasToken: Boolean(c.token), hasAesKey: Boolean(c.aesKey), fromEnv: c.fromEnv, ready: Boolean(c.appId && c.secret) };
  }

  /** Saves one account: AppID in settings, secrets in the SecretStore (an empty secret removes it); undefined keeps. */
  set(account: WechatAccount, input: { appId?: string; secret?: string; token?: string; aesKey?: string; apiBase?: string }): void {
    const stored = this.settings.get<StoredAccounts>(SETTINGS_KEY) ?? {};
    const legacy = this.settings.get<Record<string, string>>(LEGACY_KEY);
    const next: StoredAccounts = { ...stored, [account]: { ...(stored[account] ?? {}) } };
    // the first save of the shop takes over what the old single-account settings held, then they are dropped
    if (account === 'shop' && legacy) {
      if (legacy.appId && next.shop!.appId === undefined) next.shop!.appId = legacy.appId;
      for (const f of ['secret', 'token', 'aesKey'] as const) if (legacy[f] && !this.secrets.get(secretName('shop', f))) this.secrets.set(secretName('shop', f), legacy[f]!);
      if (legacy.apiBase && next.apiBase === undefined) next.apiBase = legacy.apiBase;
    }
    if (input.appId !== undefined) next[account] = { appId: input.appId };
    if (input.apiBase !== undefined && input.apiBase !== (stored.apiBase ?? '')) {
      // #14: a new API base would receive the AppSecrets (stable_token posts them): both accounts' stored secrets are
      // cleared, unless a new one comes with this very call
      for (const a of ['channels', 'shop'] as const) if (!(a === account && input.secret !== undefined)) this.secrets.set(secretName(a, 'secret'), null);
    }
    if (input.apiBase !== undefined) next.apiBase = input.apiBase;
    const fields = account === 'shop' ? (['secret', 'token', 'aesKey'] as const) : (['secret'] as const);
    for (const f of fields) {
      const v = input[f];
      if (v !== undefined) this.secrets.set(secretName(account, f), v === '' ? null : v);
    }
    this.settings.set(SETTINGS_KEY, next);
    if (account === 'shop' && legacy) this.settings.set(LEGACY_KEY, null);
    this.clients.delete(account);
  }

  /** The account's API client (its token cached inside), or null while AppID or secret is missing. */
  client(account: WechatAccount): WechatApiClient | null {
    const c = this.creds(account);
    if (!c.appId || !c.secret) return null;
    const config = { account, appId: c.appId, secret: c.secret, base: this.apiBase(), ...(this.fetchImpl ? { fetch: this.fetchImpl } : {}) };
    const cached = this.clients.get(account);
    if (cached?.sameAs(config)) return cached;
    const client = new WechatApiClient(config);
    this.clients.set(account, client);
    return client;
  }

  /**
   * 测试连接: a new token and one real call of what the account is for — getlivelist for 视频号助手 (48001 without the
   * 带货直播数据 switch or with the shop's AppID), product list for 微信小店 (48001 with the 视频号助手 AppID).
   */
  async test(account: WechatAccount, now: number): Promise<WechatTestResult> {
    const path = account === 'channels' ? '/channels/livedashboard/getlivelist' : '/channels/ec/product/list/get';
    const client = this.client(account);
    if (!client) {
      return {
        account,
        ok: false,
        path,
        errcode: null,
        errmsg: null,
        zh: '请先填写 AppID 和 AppSecret 并保存。',
        en: 'Fill in and save the AppID and AppSecret first.',
      };
    }
    try {
      await client.accessToken(true);
      if (account === 'channels') {
        const d = new Date(now + 8 * 3600_000);
        await client.call(path, { ds: Number(`${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`) });
      } else {
        await client.call(path, { page_size: 1 });
      }
      const c = this.creds(account);
      const noPush = account === 'shop' && (!c.token || !c.aesKey);
      return {
        account,
        ok: true,
        path,
        errcode: 0,
        errmsg: 'ok',
        zh:
          account === 'channels'
            ? '连接成功：可以读取直播数据。'
            : `连接成功：可以读取订单和商品。${noPush ? '消息推送的 Token / EncodingAESKey 未填：订单事件不会推送过来（轮询订单仍可用）。' : ''}`,
        en:
          account === 'channels'
            ? 'Connected: live data can be read.'
            : `Connected: orders and products can be read.${noPush ? ' The message push Token / EncodingAESKey are not set: order events will not be pushed (polling still works).' : ''}`,
      };
    } catch (error) {
      if (!(error instanceof WechatApiError)) return { account, ok: false, path, errcode: null, errmsg: (error as Error).message, zh: `无法连接微信接口：${(error as Error).message}`, en: `Cannot reach the WeChat API: ${(error as Error).message}` };
      const help = explainErrcode(error.errcode, account);
      return {
        account,
        ok: false,
        path: error.path,
        errcode: error.errcode,
        errmsg: error.errmsg,
        zh: help?.zh ?? `微信返回错误 errcode ${error.errcode}：${error.errmsg}`,
        en: help?.en ?? `WeChat answered errcode ${error.errcode}: ${error.errmsg}`,
      };
    }
  }
}

/** One WechatAccounts per core, shared by the metrics and catalog domains: one stable-token cache per account. */
const perCore = new WeakMap<object, WechatAccounts>();
export function wechatAccountsFor(core: { settings: SettingsRepo; dataDir: string; secrets: SecretStore }, env: { env: NodeJS.ProcessEnv; secrets?: SecretStore }): WechatAccounts {
  let accounts = perCore.get(core);
  if (!accounts) {
    accounts = new WechatAccounts(core.settings, env.secrets ?? core.secrets, env.env);
    perCore.set(core, accounts);
  }
  return accounts;
}
