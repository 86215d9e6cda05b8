// WeChat Shop message push receiver (/wechat/shop/callback). GET: URL verification (signature over token, timestamp,
// nonce; echo echostr). POST, safe mode: msg_signature over token, timestamp, nonce, Encrypt; AES-256-CBC payload whose
// appid must be ours. Each event is stored once (WeChat retries up to 10 times); the answer is "success" right away.
import type { Db } from '../../store/db.ts';
import { WechatCryptoError, decryptMessage, sameSignature, signature } from './wechat-crypto.ts';
import { parseWechatJson } from '../../wechat/api.ts';

export interface PushCredentials {
  token: string;
  aesKey: string;
  appId: string;
}

export interface PushEvent {
  event: string;
  msgType: string;
  from: string;
  createTime: number;
  orderId: string | null;
  raw: Record<string, unknown>;
}

export type PushResult =
  | { status: 200; body: string; event?: PushEvent; stored?: boolean }
  | { status: 400 | 401 | 503; body: string };

/**
 * Reads one tag of a flat WeChat XML message (CDATA or plain text): the first <tag> and the first </tag> after it, two
 * forward searches, so the cost is linear whatever the body (a lazy regex here cost ~0.8 s per crafted 246 KB body).
 */
export function xmlField(xml: string, tag: string): string | null {
  const open = xml.indexOf(`<${tag}>`);
  if (open < 0) return null;
  const start = open + tag.length + 2;
  const end = xml.indexOf(`</${tag}>`, start);
  if (end < 0) return null;
  const inner = xml.slice(start, end).trim();
  if (inner.startsWith('<![CDATA[')) return inner.endsWith(']]>') ? inner.slice(9, -3).trim() : null;
  return inner.includes('<') ? null : inner;
}

/** WeChat's push bodies are one small event (order id, status); ASSUMED limit, no documented maximum */
export const MAX_PUSH_BODY = 64 * 1024;
/**
 * How old a push's timestamp may be: WeChat retries an unanswered push at 0s/0s/10s/1min/5min/30min/60min/60min/60min,
 * up to 10 times over ~3.6 h (developers.weixin.qq.com/doc/store/shop/notify/order_callback/channels_ec_order_new.html,
 * "重试规则"), and whether a retry carries a new timestamp is not documented, so the window covers the whole schedule.
 */
export const PUSH_MAX_AGE_MS = 4 * 3600_000;
/** and how far ahead of our clock (the user's PC clock may be a little behind) */
export const PUSH_MAX_AHEAD_MS = 5 * 60_000;

/**
 * The cheap checks before the body is even read: the query carries a plausible signature, nonce and a fresh timestamp.
 * Returns the reason to refuse, or null. (The signature itself covers the body's Encrypt field: checked next.)
 */
export function pushRequestProblem(q: URLSearchParams, now: number, post: boolean): string | null {
  const ts = q.get('timestamp') ?? '';
  if (!/^\d{1,12}$/.test(ts)) return 'missing timestamp';
  const age = now - Number(ts) * 1000;
  if (age > PUSH_MAX_AGE_MS || age < -PUSH_MAX_AHEAD_MS) return 'stale timestamp';
  if (!/^[\w-]{1,64}$/.test(q.get('nonce') ?? '')) return 'missing nonce';
  const sig = q.get(post ? 'msg_signature' : 'signature') ?? '';
  if (!/^[0-9a-fA-F]{40}$/.test(sig)) return 'missing signature';
  return null;
}

/** The envelope is XML (<xml><Encrypt>…) or JSON ({"Encrypt": …}) depending on the format chosen in the console. */
function envelopeEncrypt(raw: string): string | null {
  const text = raw.trim();
  if (text.startsWith('{')) {
    try {
      const v = JSON.parse(text) as { Encrypt?: unknown };
      return typeof v.Encrypt === 'string' ? v.Encrypt : null;
    } catch {
      return null;
    }
  }
  return xmlField(text, 'Encrypt');
}

export function parsePushMessage(message: string): PushEvent {
  const text = message.trim();
  if (text.startsWith('{')) {
    const v = parseWechatJson(text) as Record<string, unknown>;
    const info = (v.order_info ?? {}) as Record<string, unknown>;
    return {
      event: String(v.Event ?? ''),
      msgType: String(v.MsgType ?? ''),
      from: String(v.FromUserName ?? ''),
      createTime: Number(v.CreateTime ?? 0),
      orderId: info.order_id !== undefined ? String(info.order_id) : null,
      raw: v,
    };
  }
  const orderId = xmlField(text, 'order_id');
  return {
    event: xmlField(text, 'Event') ?? '',
    msgType: xmlField(text, 'MsgType') ?? '',
    from: xmlField(text, 'FromUserName') ?? '',
    createTime: Number(xmlField(text, 'CreateTime') ?? 0),
    orderId,
    raw: { xml: text },
  };
}

/**
 * The eight order events of the WeChat Shop push and what they say (doc/store/API/order/callback/*.html, listed on
 * doc/channels/api/locallife/purchasing/api_getorder.md: 订单下单 / 取消 / 支付成功 / 待发货 / 发货 / 确认收货 / 结算成功 /
 * 其他信息更新). The order itself (amount, product, order_scene, status) is fetched with order/get; the status here is a
 * hint, the fetched one wins (a cancel with cancel_type 3 is a refund).
 */
export const ORDER_EVENTS: Record<string, 'created' | 'paid' | 'cancelled' | 'completed' | 'shipped' | 'changed'> = {
  channels_ec_order_new: 'created',
  channels_ec_order_cancel: 'cancelled',
  channels_ec_order_pay: 'paid',
  channels_ec_order_wait_shipping: 'paid',
  channels_ec_order_deliver: 'shipped',
  channels_ec_order_confirm: 'completed',
  channels_ec_order_settle: 'completed',
  channels_ec_order_ext_info_update: 'changed',
};

export class WechatPushReceiver {
  private readonly sql;
  constructor(db: Db) {
    this.sql = {
      insert: db.prepare(
        'INSERT OR IGNORE INTO wechat_push_events (dedupe_key, session_id, event, received_at, body) VALUES (?, ?, ?, ?, ?)',
      ),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM wechat_push_events'),
    };
  }

  verify(creds: PushCredentials | null, q: URLSearchParams, now = Date.now()): PushResult {
    if (!creds?.token) return { status: 503, body: 'message push is not configured' };
    const problem = pushRequestProblem(q, now, false);
    if (problem) return { status: 401, body: problem };
    const sig = q.get('signature') ?? '';
    const expected = signature(creds.token, q.get('timestamp') ?? '', q.get('nonce') ?? '');
    if (!sameSignature(sig, expected)) return { status: 401, body: 'bad signature' };
    return { status: 200, body: q.get('echostr') ?? '' };
  }

  /** Checks and decrypts one POST; stores it once. Nothing is stored unless signature and appid are right. */
  receive(creds: PushCredentials | null, q: URLSearchParams, raw: Buffer, sessionId: number | null, now: number): PushResult {
    if (!creds?.token || !creds.aesKey) return { status: 503, body: 'message push is not configured' };
    const problem = pushRequestProblem(q, now, true);
    if (problem) return { status: 401, body: problem };
    if (raw.length > MAX_PUSH_BODY) return { status: 400, body: 'body too large' };
    // the signature is checked on the Encrypt field before anything is decrypted or parsed (both linear: JSON.parse,
    // and xmlField's two forward searches)
    const encrypt = envelopeEncrypt(raw.toString('utf8'));
    if (!encrypt) return { status: 400, body: 'no Encrypt field' };
    const expected = signature(creds.token, q.get('timestamp') ?? '', q.get('nonce') ?? '', encrypt);
    if (!sameSignature(q.get('msg_signature') ?? '', expected)) return { status: 401, body: 'bad msg_signature' };
    let message: string;
    try {
      const out = decryptMessage(creds.aesKey, encrypt);
      if (out.appId !== creds.appId) return { status: 400, body: 'appid mismatch' };
      message = out.message;
    } catch (error) {
      if (error instanceof WechatCryptoError) return { status: 400, body: `cannot decrypt: ${error.reason}` };
      throw error;
    }
    let event: PushEvent;
    try {
      event = parsePushMessage(message);
    } catch {
      return { status: 400, body: 'message is neither JSON nor XML' };
    }
    // WeChat's advice: deduplicate on FromUserName + CreateTime (+ the event and its order)
    const msgId = (event.raw.MsgId ?? xmlFieldOf(event.raw, 'MsgId')) as string | null | undefined;
    const key = msgId ? `msg:${msgId}` : `${event.from}|${event.createTime}|${event.event}|${event.orderId ?? ''}`;
    const stored = this.sql.insert.run(key, sessionId, event.event || event.msgType, now, message).changes > 0;
    return { status: 200, body: 'success', event, stored };
  }

  count(): number {
    return this.sql.count.get()!.n;
  }
}

function xmlFieldOf(raw: Record<string, unknown>, tag: string): string | null {
  return typeof raw.xml === 'string' ? xmlField(raw.xml, tag) : null;
}
