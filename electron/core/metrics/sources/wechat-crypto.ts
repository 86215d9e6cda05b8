// WeChat message-push "safe mode" (WXBizMsgCrypt scheme), written from the published description:
// key = base64(EncodingAESKey + "="), 32 bytes; IV = its first 16 bytes; AES-256-CBC without cipher padding;
// plaintext = 16 random bytes + 4-byte big-endian message length + message + appid, PKCS#7-padded to 32-byte blocks;
// signature = sha1 of the sorted, concatenated strings (token, timestamp, nonce[, Encrypt]).
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BLOCK = 32;

export class WechatCryptoError extends Error {
  readonly reason: 'bad_key' | 'bad_ciphertext' | 'bad_padding' | 'bad_length';
  constructor(reason: WechatCryptoError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

export function aesKeyOf(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey)) throw new WechatCryptoError('bad_key', 'EncodingAESKey must be 43 base64 characters');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new WechatCryptoError('bad_key', 'EncodingAESKey does not decode to 32 bytes');
  return key;
}

export function signature(...parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** constant-time comparison of two hex signatures */
export function sameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function encryptMessage(encodingAesKey: string, message: string, appId: string, random: Buffer = randomBytes(16)): string {
  const key = aesKeyOf(encodingAesKey);
  const body = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([random, len, body, Buffer.from(appId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

export function decryptMessage(encodingAesKey: string, encrypted: string): { message: string; appId: string } {
  const key = aesKeyOf(encodingAesKey);
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) throw new WechatCryptoError('bad_ciphertext', 'ciphertext is not whole AES blocks');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > BLOCK || pad > plain.length) throw new WechatCryptoError('bad_padding', 'bad PKCS#7 padding');
  for (let i = plain.length - pad; i < plain.length; i++) {
    if (plain[i] !== pad) throw new WechatCryptoError('bad_padding', 'bad PKCS#7 padding');
  }
  const content = plain.subarray(16, plain.length - pad);
  if (content.length < 4) throw new WechatCryptoError('bad_length', 'message too short');
  const len = content.readUInt32BE(0);
  if (len > content.length - 4) throw new WechatCryptoError('bad_length', 'message length exceeds the payload');
  return { message: content.subarray(4, 4 + len).toString('utf8'), appId: content.subarray(4 + len).toString('utf8') };
}
