// What a WeChat errcode means for the seller, in Chinese first. Sources:
// - global return codes: developers.weixin.qq.com/doc/oplatform/Return_codes/Return_code_descriptions_new.html
//   (-1 系统繁忙, 40001 AppSecret 错误或 access_token 无效, 40013 不合法的 AppID, 40125 不合法的 AppSecret,
//   40164 调用接口的 IP 地址不在白名单中, 45009 接口调用超过限制, 48001 api 功能未授权)
// - stable token: developers.weixin.qq.com/doc/oplatform/developers/dev/getStableAccessToken (same codes)
// - 48001 on the live dashboard calls: doc/channels/API/livedashboard/getlivelist.html ("需在视频号助手开启 带货直播数据
//   开放能力"); the two accounts are the issue's finding (#11) from the same pages.
import type { WechatAccount } from '../../../shared/protocol/metrics.ts';

export interface ErrcodeHelp {
  zh: string;
  en: string;
}

const ACCOUNT_ZH: Record<WechatAccount, string> = { channels: '视频号助手', shop: '微信小店' };
const ACCOUNT_EN: Record<WechatAccount, string> = { channels: 'Channels assistant (视频号助手)', shop: 'WeChat Shop (微信小店)' };

/** A sentence a seller can act on, or null for an errcode we have no advice for (the raw errmsg is shown then). */
export function explainErrcode(errcode: number, account: WechatAccount): ErrcodeHelp | null {
  const a = ACCOUNT_ZH[account];
  const e = ACCOUNT_EN[account];
  switch (errcode) {
    case 48001:
      return account === 'channels'
        ? {
            zh: '接口未授权：请在 视频号助手 → 直播 → 直播管理 → 开放能力 打开「带货直播数据」开关，并确认填的是视频号助手（不是微信小店）的 AppID。',
            en: 'API not authorised: turn on 带货直播数据 under 视频号助手 → 直播 → 直播管理 → 开放能力, and check this is the Channels assistant AppID, not the shop’s.',
          }
        : {
            zh: '接口未授权：这个 AppID 没有微信小店的订单/商品权限。请填 微信小店后台 → 服务市场 → 自研 里的 AppID，而不是视频号助手的。',
            en: 'API not authorised: this AppID has no WeChat Shop order/product rights. Use the AppID from 小店后台 → 服务市场 → 自研, not the Channels assistant one.',
          };
    case 40164:
      return {
        zh: `本机的出口 IP 不在${a}的 IP 白名单中：请在${a}的开发设置里把本机公网 IP 加入白名单（errmsg 里写着被拒的 IP）。`,
        en: `This computer's public IP is not on the ${e} IP allow-list: add it in the account's developer settings (errmsg names the refused IP).`,
      };
    case 40001:
      return { zh: `${a}的 AppSecret 不对，或 access_token 已失效：请核对 AppSecret（重置后旧的立即失效）。`, en: `${e}: wrong AppSecret or the access token is no longer valid; check the AppSecret (resetting it voids the old one).` };
    case 40013:
      return { zh: `${a}的 AppID 不合法：请核对是否整段复制（以 wx 开头的 18 位）。`, en: `${e}: invalid AppID; copy all 18 characters (it starts with wx).` };
    case 40125:
      return { zh: `${a}的 AppSecret 不合法：请重新复制 AppSecret。`, en: `${e}: invalid AppSecret; copy it again.` };
    case 45009:
      return { zh: '今天的接口调用次数已用完：明天自动恢复，或在后台申请重置次数。LiveCue 会放慢轮询。', en: 'Daily API quota used up: it resets tomorrow (or reset it in the console). LiveCue slows its polling.' };
    case -1:
      return { zh: '微信系统繁忙：稍后自动重试。', en: 'WeChat is busy: retrying shortly.' };
    default:
      return null;
  }
}
