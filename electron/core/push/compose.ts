// What a push says: its text from a template or the producer's words, rendered against the session (title, link,
// start time, the pinned product and its official link), the QR image, and the customer-group / 朋友圈 task body.
import type { Product } from '../../../shared/domain.ts';
import type { MessageFormat } from '../../../shared/protocol/push.ts';
import type { ProductLinks as ShopProductLinks } from '../../../shared/protocol/shop.ts';
import type { Core } from '../core.ts';
import { CoreError } from '../errors.ts';
import { qrcode } from '../qr.ts';
import type { TaskBody } from './customer.ts';
import type { EntryRepo } from './entry.ts';
import type { PushRepo } from './outbox.ts';
import type { Message } from './platform.ts';
import { type RenderContext, renderTemplate } from './templates.ts';

const BUTTON = '进入直播间';

/**
 * Provided by the catalog domain (issue 11: `catalog.productLinks {productId}`): the product's official links from the
 * shop — H5 link (/channels/ec/product/h5url/get), 口令 (taglink), QR. modules.ts wires it (`ShopModule.productLinks`).
 */
export type ProductLinks = (productId: number) => Promise<ShopProductLinks | null>;

export class MessageComposer {
  private readonly core: Core;
  private readonly store: PushRepo;
  private readonly entries: EntryRepo;
  /** #11: the 微信小店 domain's product links (the pinned product's, shown in the preview) */
  productLinks: ProductLinks = async () => null;
  /** product id → its official link from the shop (issue 11's catalog.productLinks), fetched ahead of use */
  private readonly productLinkCache = new Map<number, string | null>();

  constructor(core: Core, store: PushRepo, entries: EntryRepo) {
    this.core = core;
    this.store = store;
    this.entries = entries;
  }

  setProductLinks(fn: ProductLinks): void {
    this.productLinks = fn;
    this.productLinkCache.clear();
  }

  /** Fetches the product's official link (H5 link, else 口令) once, so sync paths (rules) can read it from the cache. */
  async prefetchProductLink(product: Product | null): Promise<void> {
    if (!product || this.productLinkCache.has(product.id)) return;
    try {
      const r = await this.productLinks(product.id);
      this.productLinkCache.set(product.id, r?.h5url ?? r?.taglink ?? null);
    } catch (error) {
      this.core.log(`push: product links of ${product.id} unavailable: ${(error as Error).message}`);
    }
  }

  private productLinkOf(product: Product | null): string | null {
    if (!product) return null;
    // the shop's official link when issue 11's catalog provides it, else the link typed on the product
    return this.productLinkCache.get(product.id) ?? product.link ?? null;
  }

  context(sessionId: number | undefined, product: Product | null): RenderContext {
    const now = this.core.now();
    if (sessionId === undefined) {
      // preview without a session: sample values, so the producer sees the shape and the length
      // no made-up URL: a 视频号 live room has no official web link (see docs/push.md, "Entry point")
      return { title: '今晚 8 点直播间', link: null, startTime: now + 30 * 60_000, product, productLink: this.productLinkOf(product), now };
    }
    const s = this.core.sessions.state(sessionId);
    return {
      title: s.title,
      link: this.store.link(sessionId),
      startTime: s.status === 'draft' ? s.plannedStart : (s.startedAt ?? s.plannedStart),
      product: product ?? s.pinned,
      productLink: this.productLinkOf(product ?? s.pinned),
      now,
    };
  }

  message(format: MessageFormat, title: string, body: string, ctx: RenderContext, qrPng: Buffer | null): Message {
    const imageUrl = ctx.product?.imageUrl && /^https:\/\//i.test(ctx.product.imageUrl) ? ctx.product.imageUrl : null;
    // markdown and cards render markdown: catalog text is escaped in them (templates.ts escapeMarkdown)
    const md = format !== 'text';
    return {
      format,
      title: renderTemplate(title, ctx, md),
      text: renderTemplate(body, ctx, md),
      link: ctx.link,
      button: BUTTON,
      imageUrl,
      qrPng,
    };
  }

  async qrPng(link: string | null, wanted: boolean | undefined): Promise<Buffer | null> {
    if (!wanted) return null;
    if (!link) throw new CoreError('bad_request', '请先设置直播间链接，才能生成二维码 / set the live link first: the QR code encodes it');
    return (await qrcode()).toBuffer(link, { type: 'png', margin: 2, width: 360, errorCorrectionLevel: 'M' });
  }

  /** the message's format, title and body: a stored template's, else the producer's text */
  source(input: { text?: string; templateId?: number; format?: MessageFormat; title?: string }) {
    if (input.templateId !== undefined) {
      const t = this.store.template(input.templateId);
      return { format: t.format, title: t.title, body: t.body };
    }
    if (input.text === undefined || !input.text.trim())
      throw new CoreError('bad_request', '需要 text 或 templateId / give text or templateId');
    return { format: input.format ?? 'text', title: input.title ?? '', body: input.text };
  }

  /** the text part of a customer-group / 朋友圈 task and its link or mini-program card, from the session's entry point */
  taskBody(sessionId: number, text: string, title: string, posterName: string | null, product: Product | null = null): TaskBody {
    const entry = this.entries.get(sessionId, this.store.link(sessionId));
    const e = entry.entry;
    // a product push links the product's official page when the shop gave one (doc 92135 link.url ≤ 2048 bytes)
    const productUrl = this.productLinkOf(product);
    const productLink =
      productUrl && /^https:\/\//.test(productUrl)
        ? { title: (product?.title ?? title).slice(0, 40), url: productUrl, desc: '点击查看商品' }
        : null;
    return {
      text,
      link: productLink ?? (e?.kind === 'link' ? { title: title.slice(0, 40) || '进入直播间', url: e.url, desc: '点击进入直播间' } : null),
      miniprogram:
        e?.kind === 'miniprogram' ? { title: (e.title ?? title).slice(0, 21) || '进入直播间', appid: e.appid, page: e.path } : null,
      poster: posterName,
    };
  }
}
