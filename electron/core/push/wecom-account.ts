// The 企业微信 customer-contact account: credentials (LIVECUE_WECOM_CORPID / _SECRET, else the SecretStore), the API base
// (LIVECUE_WECOM_API_BASE for tests), one API client per credentials (its token cache belongs to them), and its status.
import type { WecomStatus } from '../../../shared/protocol/push.ts';
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import type { SecretStore } from '../secrets.ts';
import type { CustomerEngine, CustomerRepo } from './customer.ts';
import { checkApiBase, WecomApi, type WecomCredentials } from './wecom-api.ts';

const WECOM_BASE = 'https://qyapi.weixin.qq.com';
const SECRET_CORPID = 'wecom.corpid';
const SECRET_SECRET = 'wecom.secret';

export class WecomAccount {
  private readonly core: Core;
  private readonly secrets: SecretStore;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number | undefined;
  private api: WecomApi | null = null;
  private apiKey = '';

  constructor(core: Core, secrets: SecretStore, env: NodeJS.ProcessEnv, timeoutMs: number | undefined) {
    this.core = core;
    this.secrets = secrets;
    this.env = env;
    this.timeoutMs = timeoutMs;
  }

  private credentials(): { creds: WecomCredentials | null; source: WecomStatus['source'] } {
    const env = this.env;
    if (env.LIVECUE_WECOM_CORPID && env.LIVECUE_WECOM_SECRET)
      return { creds: { corpId: env.LIVECUE_WECOM_CORPID, secret: env.LIVECUE_WECOM_SECRET }, source: 'env' };
    const corpId = this.secrets.get(SECRET_CORPID);
    const secret = this.secrets.get(SECRET_SECRET);
    return corpId && secret ? { creds: { corpId, secret }, source: 'stored' } : { creds: null, source: 'none' };
  }

  private apiBase(): string {
    return this.env.LIVECUE_WECOM_API_BASE || WECOM_BASE;
  }

  /** one client per credentials (its token cache belongs to them); null when not set up */
  client(): WecomApi | null {
    const { creds } = this.credentials();
    if (!creds || checkApiBase(this.apiBase())) return null;
    const key = `${this.apiBase()}|${creds.corpId}|${creds.secret}`;
    if (!this.api || key !== this.apiKey) {
      this.apiKey = key;
      this.api = new WecomApi({
        base: this.apiBase(),
        credentials: () => this.credentials().creds,
        timeoutMs: this.timeoutMs,
        now: () => this.core.now(),
      });
    }
    return this.api;
  }

  /** the client, or the reason there is none as a CoreError */
  require(): WecomApi {
    const problem = checkApiBase(this.apiBase());
    if (problem) throw new CoreError('bad_request', problem);
    const api = this.client();
    if (!api)
      throw new CoreError('conflict', '请先在推送页设置企业微信 CorpID 与客户联系 Secret / set the WeCom corpid and 客户联系 secret first');
    return api;
  }

  /** push.wecom.configure: stores what is given; the cached token belongs to the old credentials */
  configure(corpId: string | null | undefined, secret: string | null | undefined): void {
    if (corpId !== undefined) this.secrets.set(SECRET_CORPID, corpId);
    if (secret !== undefined) this.secrets.set(SECRET_SECRET, secret);
    this.api?.forgetToken();
  }

  status(customers: CustomerRepo, engine: CustomerEngine): WecomStatus {
    const { creds, source } = this.credentials();
    const corp = creds?.corpId ?? null;
    return {
      configured: creds !== null,
      source,
      corpIdMasked: corp ? (corp.length <= 6 ? '****' : `${corp.slice(0, 2)}****${corp.slice(-4)}`) : null,
      hasSecret: !!creds?.secret,
      quotaRule: customers.quotaRule(),
      apiBase: this.apiBase(),
      groups: customers.groups(this.core.now()).length,
      lastError: engine.lastError,
    };
  }
}
