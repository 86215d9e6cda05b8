// Product images kept in the data folder (`<dataDir>/images/<sha256>.<ext>`), so a show never depends on a shop CDN
// staying reachable. Content-addressed: the same bytes are stored once and the name can be served as immutable.
// One small module both the catalog form (URL or dropped file) and the shop import (#11) can use; ImageCache below keeps
// downloaded copies of image URLs for OBS and the shop import.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CoreError } from './errors.ts';

export const IMAGES_DIR = 'images';
/** 8 MiB: a product photo; larger is refused with a clear message rather than slowing every screen */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
/** the stored name the protocol accepts as an imageUrl (shared/protocol/lineup.ts) */
export const STORED_IMAGE = /^\/images\/([0-9a-f]{64}\.(?:jpg|png|webp|gif))$/;

export type ImageType = 'jpg' | 'png' | 'webp' | 'gif';
export const CONTENT_TYPES: Record<ImageType, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' };

/**
 * The image type from its first bytes (signatures: PNG spec §5.2 "89 50 4E 47 0D 0A 1A 0A"; JPEG SOI "FF D8 FF";
 * WebP "RIFF....WEBP" (RFC 9649 §2); GIF "GIF87a"/"GIF89a"). The declared type or file name is never trusted.
 */
export function sniffImage(bytes: Uint8Array): ImageType | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (
    bytes.length >= 8 &&
    bytes[0] === 0x89 &&
    ascii(1, 4) === 'PNG' &&
    bytes[4] === 0x0d &&
    bytes[5] === 0x0a &&
    bytes[6] === 0x1a &&
    bytes[7] === 0x0a
  )
    return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'gif';
  return null;
}

/** Stores the bytes (once) and returns the path every screen loads it from: `/images/<sha256>.<ext>`. */
export function storeImage(dataDir: string, bytes: Uint8Array): { url: string; bytes: number; type: ImageType } {
  if (bytes.length === 0) throw new CoreError('bad_request', '图片为空 / the image is empty');
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw new CoreError(
      'too_large',
      `图片超过 ${MAX_IMAGE_BYTES / 1024 / 1024} MB，请压缩后再上传 / the image is over ${MAX_IMAGE_BYTES / 1024 / 1024} MB: shrink it first`,
    );
  }
  const type = sniffImage(bytes);
  if (!type) throw new CoreError('bad_request', '不是 JPG/PNG/WebP/GIF 图片 / not a JPG, PNG, WebP or GIF image');
  const name = `${createHash('sha256').update(bytes).digest('hex')}.${type}`;
  const dir = path.join(dataDir, IMAGES_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) {
    // write then rename: a crash never leaves a half image under its final name
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  }
  return { url: `/${IMAGES_DIR}/${name}`, bytes: bytes.length, type };
}

/** The stored file for a `/images/<name>` request, or null (bad name, missing file). */
export function readStoredImage(dataDir: string, name: string): { body: Buffer; contentType: string } | null {
  const m = STORED_IMAGE.exec(`/${IMAGES_DIR}/${name}`);
  if (!m) return null;
  try {
    const body = fs.readFileSync(path.join(dataDir, IMAGES_DIR, m[1]!));
    return { body, contentType: CONTENT_TYPES[m[1]!.split('.')[1] as ImageType] };
  } catch {
    return null;
  }
}

/** where downloaded copies of product image URLs are kept, beside images/ (named for OBS, the cache's first user) */
export const DOWNLOADED_IMAGES_DIR = 'obs-images';
/** a downloaded image larger than this is not kept (a product photo; OBS and the shop import skip it) */
const MAX_DOWNLOAD_BYTES = 10 * 1024 * 1024;
const DOWNLOAD_TYPES: Record<string, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/bmp': '.bmp',
  'image/webp': '.webp',
};
/** a cached file's name: the first 32 hex of the URL's sha256, plus the type's extension */
const urlKey = (url: string): string => createHash('sha256').update(url).digest('hex').slice(0, 32);

/**
 * Local copies of product images named by URL, downloaded once: OBS's image_source reads a local file (obs), and the
 * 微信小店 import keeps each product's main image (catalog/shop.ts). Both use the same folder, so a picture imported
 * from the shop is not downloaded again for the stream. An image already stored here (`/images/<sha256>.<ext>`) is
 * used in place.
 */
export class ImageCache {
  private readonly dir: string;
  private readonly inflight = new Map<string, Promise<string | null>>();
  constructor(dir: string) {
    this.dir = dir;
  }

  /** the file already kept for `url` (its name in the folder), without downloading; null when there is none */
  cached(url: string): string | null {
    const key = urlKey(url);
    try {
      return fs.readdirSync(this.dir).find((f) => f.startsWith(`${key}.`)) ?? null;
    } catch {
      return null;
    }
  }

  /** the full path of a file this cache keeps (a name from `cached` or `get`), or null when it is gone */
  file(name: string): string | null {
    const full = path.join(this.dir, name);
    return fs.existsSync(full) ? full : null;
  }

  /** the local copy of `url`, downloading it when needed; null when it cannot be fetched or is not an image */
  get(url: string, timeoutMs = 5000): Promise<string | null> {
    // an image already kept in the data folder (images.ts; obs-images/ sits beside images/) is used in place
    const stored = STORED_IMAGE.exec(url);
    if (stored) {
      const file = path.join(path.dirname(this.dir), IMAGES_DIR, stored[1]!);
      return Promise.resolve(fs.existsSync(file) ? file : null);
    }
    const key = urlKey(url);
    const existing = this.cached(url);
    if (existing) return Promise.resolve(path.join(this.dir, existing));
    const running = this.inflight.get(key);
    if (running) return running;
    const job = this.download(url, key, timeoutMs).finally(() => this.inflight.delete(key));
    this.inflight.set(key, job);
    return job;
  }

  private async download(url: string, key: string, timeoutMs: number): Promise<string | null> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
      const ext = DOWNLOAD_TYPES[(res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()];
      if (!res.ok || !ext) return null;
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > MAX_DOWNLOAD_BYTES) return null;
      const body = Buffer.from(await res.arrayBuffer());
      if (body.length > MAX_DOWNLOAD_BYTES || body.length === 0) return null;
      fs.mkdirSync(this.dir, { recursive: true });
      const file = path.join(this.dir, key + ext);
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, body);
      fs.renameSync(tmp, file); // OBS never sees a half-written image
      return file;
    } catch {
      return null;
    }
  }
}
