// What every chat-group platform provides: message formats with their byte limits, request signing, rate limits, and
// the reading of its answer. All three robots answer errors with HTTP 200 and a code in the body, so the body decides.
import type { ChannelKind, MessageFormat, PreviewPart } from '../../../shared/protocol/push.ts';

/** A rendered push, before any platform has shaped it. */
export interface Message {
  format: MessageFormat;
  title: string;
  text: string;
  link: string | null;
  /** button caption for cards */
  button: string;
  /** product picture for cards, if any (an https URL the platform fetches itself) */
  imageUrl: string | null;
  /** QR code of the link, PNG, when the push asked for it */
  qrPng: Buffer | null;
}

export interface Part {
  part: 'message' | 'qr';
  msgtype: string;
  /** JSON body without signature fields */
  body: Record<string, unknown>;
  /** bytes counted against the limit */
  bytes: number;
  limit: number;
  limitOf: string;
}

/** requests allowed per window; a robot may have several (Feishu: 5 per second and 100 per minute) */
export interface RateLimit {
  max: number;
  windowMs: number;
}

export type Outcome =
  | { kind: 'sent' }
  /** transient: try again later (rate limit, 5xx, connection refused before the request went out); pauseMs: the
   * platform has muted the whole robot for that long, so nothing is sent to it before then */
  | { kind: 'retry'; error: string; rateLimited?: boolean; pauseMs?: number }
  /** permanent: the user has to change something (key, secret, keyword, IP allow-list, message) */
  | { kind: 'failed'; error: string }
  /** the request went out and no clear answer came back: it may have been delivered */
  | { kind: 'unknown'; error: string };

export interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Platform {
  kind: ChannelKind;
  limits: RateLimit[];
  /** why this URL cannot be this platform's robot, or null when it looks right */
  checkUrl(url: URL): string | null;
  parts(message: Message): Part[];
  view(part: Part, message: Message): PreviewPart['view'];
  sign(url: string, secret: string | null, body: Record<string, unknown>, ctx: { now: number; deliveryId: number }): SignedRequest;
  classify(status: number, json: unknown, raw: string): Outcome;
}

export const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export function jsonPart(part: Part['part'], msgtype: string, body: Record<string, unknown>, measured: string | null, limit: number, limitOf: string): Part {
  const bytes = measured === null ? utf8Bytes(JSON.stringify(body)) : utf8Bytes(measured);
  return { part, msgtype, body, bytes, limit, limitOf };
}

/** "title\ntext" for plain-text formats */
export function plainText(message: Message): string {
  return [message.title.trim(), message.text.trim()].filter(Boolean).join('\n');
}

export const textLines = (s: string) => s.split('\n');

/** HTTP-level classification shared by every platform: 429 and 5xx are transient, other non-2xx are permanent. */
export function httpOutcome(status: number, raw: string): Outcome | null {
  if (status >= 200 && status < 300) return null;
  const snippet = raw.slice(0, 160);
  if (status === 429) return { kind: 'retry', error: `HTTP 429 限流 / rate limited`, rateLimited: true };
  if (status >= 500) return { kind: 'retry', error: `HTTP ${status} 服务端错误 / server error ${snippet}` };
  return { kind: 'failed', error: `HTTP ${status}: ${snippet}` };
}

/** The parts of a robot URL (and its signing secret) that are secrets: query values, key-like path segments. */
export function secretParts(raw: string, secret: string | null): string[] {
  const out = new Set<string>();
  if (secret) out.add(secret);
  try {
    const url = new URL(raw);
    for (const v of url.searchParams.values()) if (v.length >= 6) out.add(v);
    for (const seg of url.pathname.split('/')) if (seg.length >= 12 && /[0-9]/.test(seg)) out.add(seg);
  } catch {
    /* not a URL: nothing more to hide */
  }
  return [...out];
}

/**
 * Hides every secret anywhere in a text (a robot's error answer may echo its URL path or key; issue 14 finding 10:
 * redaction matched only the whole URL). Percent-encoded forms are hidden too.
 */
export function redactSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) {
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join('****');
  }
  return out;
}

/** Masks the secret parts of a robot URL (its key / access_token / hook id) for display and logs. */
export function maskUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '****';
  }
  const mask = (v: string) => (v.length <= 4 ? '****' : `****${v.slice(-4)}`);
  const path = url.pathname
    .split('/')
    .map((seg) => (seg.length >= 12 && /[0-9]/.test(seg) ? mask(seg) : seg))
    .join('/');
  const query = [...url.searchParams.keys()].map((k) => `${k}=${mask(url.searchParams.get(k) ?? '')}`).join('&');
  return `${url.protocol}//${url.host}${path}${query ? `?${query}` : ''}`;
}
