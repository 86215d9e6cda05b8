// The product image as an OBS image source, next to the text sources. OBS's image_source reads a local file, so the
// product's http(s) image is downloaded once into the data folder (the core's ImageCache, images.ts: shared with the
// 微信小店 import) and the input pointed at it. Runs after the texts, so a slow image host never delays the title and
// price on stream.
import type { ObsLink } from './link.ts';

/** the cache lives in the core (images.ts); re-exported for the module that builds it here */
export { ImageCache } from '../images.ts';

export const IMAGE_INPUT = 'LiveCue 商品图 Image';

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
