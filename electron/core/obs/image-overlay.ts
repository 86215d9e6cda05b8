// The product image as an OBS image source, next to the text sources. OBS's image_source reads a local file, so the
// product's http(s) image is downloaded once into the data folder (named by a hash of its URL) and the input pointed at
// it. Runs after the texts, so a slow image host never delays the title and price on stream.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ObsLink } from './link.ts';
import { IMAGES_DIR, STORED_IMAGE } from '../images.ts';

export const IMAGE_INPUT = 'LiveCue 商品图 Image';
const MAX_BYTES = 10 * 1024 * 1024;
const TYPES: Record<string, string> = { 'image/png': '.png', 'image/jpeg': '.jpg', 'image/gif': '.gif', 'image/bmp': '.bmp', 'image/webp': '.webp' };

export class ImageCache {
  private readonly dir: string;
  private readonly inflight = new Map<string, Promise<string | null>>();
  constructor(dir: string) {
    this.dir = dir;
  }

  /** the local copy of `url`, downloading it when needed; null when it cannot be fetched or is not an image */
  get(url: string, timeoutMs = 5000): Promise<string | null> {
    // an image already kept in the data folder (images.ts; obs-images/ sits beside images/) is used in place
    const stored = STORED_IMAGE.exec(url);
    if (stored) {
      const file = path.join(path.dirname(this.dir), IMAGES_DIR, stored[1]!);
      return Promise.resolve(fs.existsSync(file) ? file : null);
    }
    const key = createHash('sha256').update(url).digest('hex').slice(0, 32);
    const existing = fs.existsSync(this.dir) ? fs.readdirSync(this.dir).find((f) => f.startsWith(key + '.')) : undefined;
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
      const ext = TYPES[(res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()];
      if (!res.ok || !ext) return null;
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > MAX_BYTES) return null;
      const body = Buffer.from(await res.arrayBuffer());
      if (body.length > MAX_BYTES || body.length === 0) return null;
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

export class ImageOverlay {
  private readonly link: ObsLink;
  private itemId: number | null = null;
  private preparedFor: string | null = null;
  private shown: string | null | undefined = undefined;

  constructor(link: ObsLink) {
    this.link = link;
  }

  reset(): void {
    this.itemId = null;
    this.preparedFor = null;
    this.shown = undefined;
  }

  private async prepare(scene: string): Promise<number> {
    if (this.preparedFor === scene && this.itemId !== null) return this.itemId;
    const { inputs } = await this.link.call<{ inputs: { inputName: string }[] }>('GetInputList', { inputKind: 'image_source' });
    if (!inputs.some((i) => i.inputName === IMAGE_INPUT)) {
      this.itemId = (
        await this.link.call<{ sceneItemId: number }>('CreateInput', {
          sceneName: scene,
          inputName: IMAGE_INPUT,
          inputKind: 'image_source',
          inputSettings: { unload: false },
          sceneItemEnabled: false,
        })
      ).sceneItemId;
    } else {
      try {
        this.itemId = (await this.link.call<{ sceneItemId: number }>('GetSceneItemId', { sceneName: scene, sourceName: IMAGE_INPUT })).sceneItemId;
      } catch {
        this.itemId = (await this.link.call<{ sceneItemId: number }>('CreateSceneItem', { sceneName: scene, sourceName: IMAGE_INPUT, sceneItemEnabled: false }))
          .sceneItemId;
      }
    }
    this.preparedFor = scene;
    this.shown = undefined;
    return this.itemId;
  }

  /** shows `file` (a local image) or hides the image when null */
  async show(scene: string, file: string | null): Promise<void> {
    if (file === this.shown && this.preparedFor === scene) return;
    const itemId = await this.prepare(scene);
    const requests = [];
    if (file) requests.push({ requestType: 'SetInputSettings', requestData: { inputName: IMAGE_INPUT, inputSettings: { file }, overlay: true } });
    requests.push({ requestType: 'SetSceneItemEnabled', requestData: { sceneName: scene, sceneItemId: itemId, sceneItemEnabled: file !== null } });
    const results = await this.link.batch(requests, true);
    if (results.every((r) => r.requestStatus.result)) this.shown = file;
    else this.reset();
  }
}
