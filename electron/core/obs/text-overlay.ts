// The product card as OBS text sources, for OBS builds without a browser source (Debian's OBS has no CEF).
// LiveCue creates (or adopts by name) three inputs — title, price, coupon — in the overlay scene, writes all three
// texts in one RequestBatch so the stream never shows a new title with an old price, and shows/hides them with
// SetSceneItemEnabled. OBS renders text sources as plain text, so titles with <script>, quotes or emoji are safe.
import { priceDisplay } from '../../../shared/present.ts';
import type { OverlayState } from '../../../shared/protocol/obs.ts';
import type { BatchRequest, ObsLink } from './link.ts';

export const TEXT_INPUTS = {
  title: 'LiveCue 商品标题 Title',
  price: 'LiveCue 价格 Price',
  coupon: 'LiveCue 优惠券 Coupon',
} as const;
export type Part = keyof typeof TEXT_INPUTS;
export const PARTS = Object.keys(TEXT_INPUTS) as Part[];

/** Windows has text_gdiplus_v3 (OBS 30+) / _v2; Linux and macOS text_ft2_source_v2. Prefer the newest one OBS offers. */
const TEXT_KINDS = ['text_gdiplus_v3', 'text_gdiplus_v2', 'text_ft2_source_v2', 'text_gdiplus', 'text_ft2_source'];

export function pickTextKind(kinds: string[]): string | null {
  return TEXT_KINDS.find((k) => kinds.includes(k)) ?? null;
}

/** The three texts of a card. Text sources cannot strike through, so the original price is labelled instead. */
export function cardTexts(state: Pick<OverlayState, 'product'>): Record<Part, string> {
  const p = state.product;
  const shown = priceDisplay(p);
  const price = shown.was !== null ? `直播价 ${shown.now}  原价 ${shown.was}` : shown.now;
  return { title: p.title, price, coupon: p.coupon ? `券 ${p.coupon}` : '' };
}

/** Initial look of a created input; only `text` changes afterwards, so a producer may restyle them in OBS freely. */
export function initialSettings(kind: string, part: Part): Record<string, unknown> {
  const size = part === 'title' ? 64 : part === 'price' ? 56 : 40;
  const face = kind.startsWith('text_gdiplus') ? 'Microsoft YaHei' : 'Noto Sans CJK SC';
  const color = part === 'price' ? 0xff3a5aff : part === 'coupon' ? 0xff20b0ff : 0xffffffff;
  if (kind.startsWith('text_ft2')) {
    return { text: '', font: { face, size, style: 'Bold', flags: 1 }, color1: color, color2: color, outline: true, drop_shadow: true };
  }
  return { text: '', font: { face, size, style: 'Bold', flags: 1 }, color, outline: true, outline_size: 4, outline_color: 0xff000000 };
}

export class TextOverlay {
  private readonly link: ObsLink;
  private sceneItems = new Map<Part, number>();
  private preparedFor: string | null = null;
  /** what OBS shows now, as far as we know */
  private shown: { enabled: Record<Part, boolean> | null; texts: Record<Part, string> | null } = { enabled: null, texts: null };

  constructor(link: ObsLink) {
    this.link = link;
  }

  /** forget what OBS holds (after a reconnect OBS may be a different process) */
  reset(): void {
    this.sceneItems.clear();
    this.preparedFor = null;
    this.shown = { enabled: null, texts: null };
  }

  /** the three inputs are known to sit in `scene` (prepare has nothing to do) */
  isPrepared(scene: string): boolean {
    return this.preparedFor === scene && this.sceneItems.size === PARTS.length;
  }

  /** Makes sure the three inputs exist and sit in `scene`; creates what is missing. */
  async prepare(scene: string, textKind: string): Promise<void> {
    if (this.isPrepared(scene)) return;
    const { inputs } = await this.link.call<{ inputs: { inputName: string; inputKind: string }[] }>('GetInputList');
    const existing = new Set(inputs.map((i) => i.inputName));
    this.sceneItems.clear();
    for (const part of PARTS) {
      const inputName = TEXT_INPUTS[part];
      if (!existing.has(inputName)) {
        const { sceneItemId } = await this.link.call<{ sceneItemId: number }>('CreateInput', {
          sceneName: scene,
          inputName,
          inputKind: textKind,
          inputSettings: initialSettings(textKind, part),
          sceneItemEnabled: false,
        });
        this.sceneItems.set(part, sceneItemId);
        continue;
      }
      let itemId: number;
      try {
        itemId = (await this.link.call<{ sceneItemId: number }>('GetSceneItemId', { sceneName: scene, sourceName: inputName })).sceneItemId;
      } catch {
        // the input exists but not in this scene (the producer chose another scene): add it there
        itemId = (await this.link.call<{ sceneItemId: number }>('CreateSceneItem', { sceneName: scene, sourceName: inputName, sceneItemEnabled: false }))
          .sceneItemId;
      }
      this.sceneItems.set(part, itemId);
    }
    this.preparedFor = scene;
    this.shown = { enabled: null, texts: null };
  }

  /**
   * One batch: the texts (when they changed), then visibility, then the cue (scene switch / hotkey) so a new scene
   * appears with the new card already in it. `ok`: the card itself applied; `failures`: every failed request.
   */
  async apply(scene: string, state: OverlayState | null, cue: BatchRequest[] = []): Promise<{ ok: boolean; failures: string[] }> {
    const requests: BatchRequest[] = [];
    const texts = state ? cardTexts(state) : null;
    if (texts && JSON.stringify(texts) !== JSON.stringify(this.shown.texts)) {
      for (const part of PARTS) {
        if (this.shown.texts?.[part] === texts[part]) continue;
        requests.push({ requestType: 'SetInputSettings', requestData: { inputName: TEXT_INPUTS[part], inputSettings: { text: texts[part] }, overlay: true } });
      }
    }
    // all three stay enabled from pin to pin (an empty coupon text draws nothing): changing scene items takes OBS's
    // scene lock against the render thread, so visibility changes only on the first pin and on unpin
    const enabled = Object.fromEntries(PARTS.map((part) => [part, texts !== null])) as Record<Part, boolean>;
    for (const part of PARTS) {
      if (this.shown.enabled?.[part] === enabled[part]) continue;
      requests.push({ requestType: 'SetSceneItemEnabled', requestData: { sceneName: scene, sceneItemId: this.sceneItems.get(part)!, sceneItemEnabled: enabled[part] } });
    }
    requests.push(...cue);
    if (!requests.length) return { ok: true, failures: [] };
    const results = await this.link.batch(requests, false);
    const failures = results
      .filter((r) => !r.requestStatus.result)
      .map((r) => `${r.requestType}: ${r.requestStatus.comment ?? r.requestStatus.code}`);
    const textFailed = results.some((r, i) => !r.requestStatus.result && i < requests.length - cue.length);
    // only remember what OBS really took; a failed part is written again next time
    this.shown = textFailed ? { enabled: null, texts: null } : { enabled, texts: texts ?? this.shown.texts };
    return { ok: !textFailed, failures };
  }
}
