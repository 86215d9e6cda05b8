// The product card on stream: follows the live session's pinned product (and edits of it), fires the item's cue on a
// new pin, and drives the text sources (one batch per change, leaving in the same turn as the pin's event), the image
// source (its own loop: a slow image host never holds back title and price) and the /overlay page feed.
import path from 'node:path';
import type { Product, SessionState } from '../../../shared/domain.ts';
import { priceDisplay } from '../../../shared/present.ts';
import type { CoreEvent } from '../../../shared/protocol/index.ts';
import type { OverlayState } from '../../../shared/protocol/obs.ts';
import type { Core } from '../core.ts';
import type { CueRepo } from './cues.ts';
import { ImageCache, ImageOverlay } from './image-overlay.ts';
import type { BatchRequest, ObsLink } from './link.ts';
import type { OverlayFeed } from './overlay-page.ts';
import type { StatusBoard } from './status.ts';
import { TextOverlay } from './text-overlay.ts';

export function overlayOf(session: SessionState): OverlayState | null {
  if (session.status !== 'live' || !session.pinned || !session.segment) return null;
  const p: Product = session.pinned;
  const shown = priceDisplay(p);
  return {
    sessionId: session.id,
    // 仅剩 N 件 on stream only from live stock (the shop, when connected): the catalog's stock is a planning figure and
    // was shown as if it were what is left. No live stock source is connected yet, so no stock line (#13; #11 adds one)
    product: { id: p.id, title: p.title, price: p.price, livePrice: p.livePrice, coupon: p.coupon, stock: null, imageUrl: p.imageUrl },
    display: { price: shown.now, originalPrice: shown.was },
    pinnedAt: session.segment.startedAt,
  };
}

export class OverlayDriver {
  private readonly core: Core;
  private readonly link: ObsLink;
  private readonly status: StatusBoard;
  private readonly cues: CueRepo;
  private readonly feed: OverlayFeed;
  private readonly text: TextOverlay;
  private readonly image: ImageOverlay;
  private readonly images: ImageCache;
  /** what is on stream (or about to be) */
  current: OverlayState | null;
  /** OBS has an image source kind (set after each connect) */
  hasImageSource = false;
  /** the segment the last cue fired for, so a re-apply (reconnect, price edit) never switches scenes again */
  private cuedSegment: number | null = null;
  private pendingCue: BatchRequest[] = [];
  private dirty = false;
  /** the text loop, while it runs */
  loop: Promise<void> | null = null;
  private imageDirty = false;
  /** the image loop, while it runs */
  imageLoop: Promise<void> | null = null;

  constructor(core: Core, link: ObsLink, status: StatusBoard, cues: CueRepo, feed: OverlayFeed) {
    this.core = core;
    this.link = link;
    this.status = status;
    this.cues = cues;
    this.feed = feed;
    this.text = new TextOverlay(link);
    this.image = new ImageOverlay(link);
    this.images = new ImageCache(path.join(core.dataDir, 'obs-images'));
    this.current = this.fromSessions();
  }

  /** the inputs are created or adopted again on the next change (another scene, a reconnect, an input deleted in OBS) */
  resetInputs(): void {
    this.text.reset();
    this.image.reset();
  }

  onCoreEvent(event: CoreEvent): void {
    if (event.type === 'session.changed') {
      const s = event.session;
      const next = overlayOf(s);
      if (next) {
        if (s.segment && s.segment.id !== this.cuedSegment) {
          this.cuedSegment = s.segment.id;
          const requests = this.cues.requests(s.segment.lineupItemId);
          if (requests) this.pendingCue = requests;
        }
        this.set(next);
      } else if (this.current?.sessionId === s.id) {
        this.set(this.fromSessions());
      }
    } else if (event.type === 'product.upserted' && this.current?.product.id === event.product.id) {
      // a live price or stock change shows on stream at once
      this.set(this.fromSessions());
    }
  }

  private fromSessions(): OverlayState | null {
    for (const s of this.core.sessions.activeStates()) {
      const o = overlayOf(s);
      if (o) return o;
    }
    return null;
  }

  private set(next: OverlayState | null): void {
    if (JSON.stringify(next) === JSON.stringify(this.current)) {
      if (!this.pendingCue.length) return;
    }
    this.current = next;
    this.feed.publish(next);
    this.requestApply();
  }

  requestApply(): void {
    this.dirty = true;
    if (this.loop) return;
    this.loop = (async () => {
      let retried = false;
      while (this.dirty) {
        this.dirty = false;
        const ok = await this.applyOnce();
        if (!ok && !retried && this.link.connected) {
          // an input vanished under us (deleted in OBS): adopt/create again once
          retried = true;
          this.text.reset();
          this.dirty = true;
        }
      }
    })().finally(() => (this.loop = null));
  }

  /** The image follows the texts on its own loop: a slow image host never holds back the title and price. */
  private requestImage(): void {
    this.imageDirty = true;
    if (this.imageLoop) return;
    this.imageLoop = (async () => {
      while (this.imageDirty) {
        this.imageDirty = false;
        const overlay = this.current;
        const scene = this.status.overlayScene();
        if (!this.link.connected || !scene || !this.hasImageSource) continue;
        try {
          const url = overlay?.product.imageUrl ?? null;
          const file = url ? await this.images.get(url) : null;
          if (this.current !== overlay) {
            this.imageDirty = true; // another pin came meanwhile: show that one's image instead
            continue;
          }
          await this.image.show(scene, file);
        } catch (error) {
          this.core.log(`obs: product image update failed: ${(error as Error).message}`);
        }
      }
    })().finally(() => (this.imageLoop = null));
  }

  private async applyOnce(): Promise<boolean> {
    if (!this.link.connected) return true; // re-applied after the next connect
    const scene = this.status.overlayScene();
    const kind = this.status.current.textKind;
    const cue = this.pendingCue;
    this.pendingCue = [];
    if (!scene || !kind) return true;
    const overlay = this.current;
    try {
      // once the inputs are known, the batch leaves in the same turn as the pin's event (no await before it)
      if (!this.text.isPrepared(scene)) await this.text.prepare(scene, kind);
      const { ok, failures } = await this.text.apply(scene, overlay, cue);
      if (failures.length) this.core.log(`obs: overlay update partly failed: ${failures.join('; ')}`);
      if (!ok) return false;
      this.status.patch({ overlayProductId: overlay?.product.id ?? null });
      this.requestImage();
      return true;
    } catch (error) {
      this.core.log(`obs: overlay update failed: ${(error as Error).message}`);
      return !this.link.connected;
    }
  }
}
