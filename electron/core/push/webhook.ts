// Generic webhook, for anything else (a relay, Zapier-like tools, an in-house bot): POST JSON with
//   X-LiveCue-Timestamp: <ms>   X-LiveCue-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//   X-LiveCue-Delivery: <delivery id>  (the same on every retry of one delivery: receivers can de-duplicate on it)
// 2xx = delivered, 429/5xx = try again, other 4xx = permanent.
import { createHmac } from 'node:crypto';
import { type Outcome, type Platform, httpOutcome, jsonPart, plainText, textLines } from './platform.ts';

const BODY_LIMIT = 256 * 1024;

export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

export const webhook: Platform = {
  kind: 'webhook',
  limits: [{ max: 60, windowMs: 60_000 }],

  checkUrl() {
    return null;
  },

  parts(message) {
    const body: Record<string, unknown> = { event: 'livecue.push', format: message.format, title: message.title, text: message.text, link: message.link };
    if (message.qrPng) body.qrPngBase64 = message.qrPng.toString('base64');
    return [jsonPart('message', 'json', body, null, BODY_LIMIT, 'request body')];
  },

  view(_part, message) {
    return { title: message.title.trim() || null, lines: textLines(message.format === 'text' ? plainText(message) : message.text.trim()), link: message.link, button: null, image: null };
  },

  sign(url, secret, body, { now, deliveryId }) {
    const text = JSON.stringify(body);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-livecue-delivery': String(deliveryId),
      'x-livecue-timestamp': String(now),
    };
    if (secret) headers['x-livecue-signature'] = webhookSignature(secret, now, text);
    return { url, headers, body: text };
  },

  classify(status, _json, raw): Outcome {
    return httpOutcome(status, raw) ?? { kind: 'sent' };
  },
};
