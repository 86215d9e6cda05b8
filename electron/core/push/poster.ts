// The live poster: title, start time, 3–6 products of the lineup with picture and live price, the coupon, and the QR
// code of the entry point, laid out by satori (HTML/CSS flexbox → SVG, https://github.com/vercel/satori) and rasterised
// by resvg (@resvg/resvg-js). The Chinese font is Noto Sans SC from the @fontsource/noto-sans-sc package (SIL OFL),
// read from node_modules, never from the system, so every desk renders the same pixels.
// Sizes: WeChat Moments and chats show 9:16 and 3:4 pictures uncropped when tapped; 1080 px wide is WeChat's own
// upload width (ASSUMED from common practice, no official number). media/upload takes images ≤ 2 MB (doc 90253).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { renderAsync } from '@resvg/resvg-js';
import QRCode from 'qrcode';
import satori from 'satori';
import type { Product } from '../../../shared/domain.ts';
import { yuanLabel } from '../../../shared/money.ts';
import type { PosterLayout } from '../../../shared/protocol/push.ts';
import { formatStart } from './templates.ts';

export const POSTER_SIZES: Record<PosterLayout, { width: number; height: number; columns: number }> = {
  story: { width: 1080, height: 1920, columns: 1 },
  feed: { width: 1080, height: 1440, columns: 2 },
};
/** WeCom media/upload image limit (doc 90253) */
export const POSTER_MAX_BYTES = 2 * 1024 * 1024;

export interface PosterInput {
  title: string;
  startTime: number | null;
  products: Product[];
  /** what the QR code opens, or null when the entry point has no URL (a notice or mini program) */
  qrText: string | null;
  /** shown instead of the QR when there is none, e.g. "点击群里的小程序卡片进入直播间" */
  hint: string;
}

type El = { type: string; props: { style?: Record<string, unknown>; children?: unknown; src?: string; width?: number; height?: number } };
const h = (type: string, style: Record<string, unknown>, children?: unknown, extra: Record<string, unknown> = {}): El => ({ type, props: { style, children, ...extra } });

let fonts: { name: string; data: Buffer; weight: 400 | 700; style: 'normal' }[] | null = null;
function loadFonts() {
  if (fonts) return fonts;
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve('@fontsource/noto-sans-sc/package.json')), 'files');
  const read = (f: string) => fs.readFileSync(path.join(dir, f));
  // satori reads TTF/OTF/WOFF (not WOFF2); the package splits the font by script, so both halves are named in fontFamily
  fonts = [
    { name: 'Noto Sans SC Latin', data: read('noto-sans-sc-latin-400-normal.woff'), weight: 400, style: 'normal' },
    { name: 'Noto Sans SC Latin', data: read('noto-sans-sc-latin-700-normal.woff'), weight: 700, style: 'normal' },
    { name: 'Noto Sans SC', data: read('noto-sans-sc-chinese-simplified-400-normal.woff'), weight: 400, style: 'normal' },
    { name: 'Noto Sans SC', data: read('noto-sans-sc-chinese-simplified-700-normal.woff'), weight: 700, style: 'normal' },
  ];
  return fonts;
}

function productCard(p: Product, columns: number, imageSize: number, height: number): El {
  const price = p.livePrice ?? p.price;
  const box = { width: imageSize, height: imageSize, flexShrink: 0, borderRadius: 16 };
  const picture = p.imageUrl && /^data:image\/(png|jpeg|gif);base64,/.test(p.imageUrl)
    ? h('img', { ...box, objectFit: 'cover' }, undefined, { src: p.imageUrl, width: imageSize, height: imageSize })
    : h('div', { ...box, backgroundColor: '#ffe3d6', display: 'flex', alignItems: 'center', justifyContent: 'center', fontSize: imageSize / 2.5, color: '#e8542f', fontWeight: 700 }, p.title.slice(0, 1));
  const text = h('div', { display: 'flex', flexDirection: 'column', flex: 1, marginLeft: columns === 1 ? 28 : 18, minWidth: 0 }, [
    h('div', { fontSize: columns === 1 ? 42 : 30, fontWeight: 700, color: '#222', lineClamp: 2, display: 'block' }, p.title),
    h('div', { display: 'flex', alignItems: 'baseline', marginTop: 6 }, [
      columns === 1 ? h('span', { fontSize: 28, color: '#e8542f', fontWeight: 700 }, '直播价') : null,
      h('span', { fontSize: columns === 1 ? 56 : 40, color: '#e8542f', fontWeight: 700, marginLeft: 10 }, yuanLabel(price)),
      p.livePrice !== null && p.livePrice < p.price ? h('span', { fontSize: 26, color: '#999', textDecoration: 'line-through', marginLeft: 14 }, yuanLabel(p.price)) : null,
    ].filter(Boolean)),
    p.coupon ? h('div', { fontSize: 26, color: '#fff', backgroundColor: '#e8542f', borderRadius: 8, padding: '2px 12px', marginTop: 6, alignSelf: 'flex-start' }, p.coupon) : null,
  ].filter(Boolean));
  return h(
    'div',
    { display: 'flex', flexDirection: 'row', backgroundColor: '#fff', borderRadius: 24, padding: 20, height: height - 40, flex: 1, overflow: 'hidden', alignItems: 'center' },
    [picture, text],
  );
}

const IMAGE_MAX_BYTES = 1.5 * 1024 * 1024;

/**
 * Product pictures are fetched once and inlined (satori cannot be trusted to fetch): https only (plain http to loopback
 * for tests), PNG / JPEG / GIF, ≤ 1.5 MB, 3 s each, in parallel. A picture that fails keeps the placeholder.
 */
export async function inlineImages(products: Product[], timeoutMs = 3_000): Promise<Product[]> {
  return Promise.all(
    products.map(async (p) => {
      const url = p.imageUrl;
      if (!url || url.startsWith('data:')) return p;
      if (!/^https:\/\//i.test(url) && !/^http:\/\/(127\.\d+\.\d+\.\d+|localhost)(:\d+)?\//i.test(url)) return { ...p, imageUrl: null };
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
        if (!res.ok || !/^image\/(png|jpeg|gif)$/.test(type) || Number(res.headers.get('content-length') ?? 0) > IMAGE_MAX_BYTES) return { ...p, imageUrl: null };
        const body = Buffer.from(await res.arrayBuffer());
        if (body.length > IMAGE_MAX_BYTES) return { ...p, imageUrl: null };
        return { ...p, imageUrl: `data:${type};base64,${body.toString('base64')}` };
      } catch {
        return { ...p, imageUrl: null };
      }
    }),
  );
}

/** Renders the poster as PNG. 3–6 products: fewer are shown as they are, more are cut at 6 (the first of the lineup). */
export async function renderPoster(input: PosterInput, layout: PosterLayout = 'story'): Promise<{ png: Buffer; width: number; height: number }> {
  const size = POSTER_SIZES[layout];
  const products = input.products.slice(0, 6);
  const qrSize = layout === 'story' ? 300 : 220;
  const headerHeight = layout === 'story' ? 300 : 240;
  // satori sizes boxes content-box (padding adds to height); every box has a fixed height so nothing is pushed off the canvas: margin 56, header, 36, cards, 36, footer
  const inner = { width: size.width - 112, height: size.height - 112 };
  const rows = Math.max(1, Math.ceil(products.length / size.columns));
  const cardsHeight = inner.height - headerHeight - (qrSize + 48) - 72;
  const rowHeight = Math.floor((cardsHeight - (rows - 1) * 20) / rows);
  const imageSize = Math.min(rowHeight - 40, size.columns === 1 ? 220 : 180);
  const qr = input.qrText ? `data:image/png;base64,${(await QRCode.toBuffer(input.qrText, { type: 'png', margin: 2, width: 360, errorCorrectionLevel: 'M' })).toString('base64')}` : null;
  const cardRows: El[] = [];
  for (let r = 0; r < rows; r++) {
    const cells = products.slice(r * size.columns, (r + 1) * size.columns).map((p) => productCard(p, size.columns, imageSize, rowHeight));
    while (cells.length < size.columns) cells.push(h('div', { flex: 1 }));
    const spaced = cells.flatMap((c, i) => (i ? [h('div', { width: 20, flexShrink: 0 }), c] : [c]));
    cardRows.push(h('div', { display: 'flex', flexDirection: 'row', marginBottom: r < rows - 1 ? 20 : 0 }, spaced));
  }
  const page = h('div', { width: inner.width, height: inner.height, display: 'flex', flexDirection: 'column' }, [
    h('div', { display: 'flex', flexDirection: 'column', backgroundColor: '#e8542f', borderRadius: 32, padding: '36px 44px', color: '#fff', height: headerHeight - 72, flexShrink: 0, justifyContent: 'center' }, [
      h('div', { fontSize: 34, opacity: 0.9 }, '视频号直播预告'),
      h('div', { fontSize: layout === 'story' ? 76 : 64, fontWeight: 700, marginTop: 8, lineClamp: 2, display: 'block' }, input.title),
      input.startTime !== null ? h('div', { fontSize: 44, marginTop: 12 }, `${formatStart(input.startTime)} 开播`) : null,
    ].filter(Boolean)),
    h('div', { display: 'flex', flexDirection: 'column', marginTop: 36, marginBottom: 36, height: cardsHeight, flexShrink: 0 }, cardRows),
    h('div', { display: 'flex', flexDirection: 'row', alignItems: 'center', backgroundColor: '#fff', borderRadius: 24, padding: 24, height: qrSize, flexShrink: 0 }, [
      qr
        ? h('img', { width: qrSize, height: qrSize, flexShrink: 0 }, undefined, { src: qr, width: qrSize, height: qrSize })
        : h('div', { width: qrSize, height: qrSize, display: 'flex', alignItems: 'center', justifyContent: 'center', backgroundColor: '#f3f3f3', borderRadius: 16, fontSize: 30, color: '#777', textAlign: 'center', padding: 20 }, '视频号'),
      h('div', { display: 'flex', flexDirection: 'column', marginLeft: 32, flex: 1 }, [
        h('div', { fontSize: 44, fontWeight: 700, color: '#222' }, qr ? '长按识别二维码' : '进入直播间'),
        h('div', { fontSize: 32, color: '#666', marginTop: 10 }, input.hint),
      ]),
    ]),
  ]);
  const tree = h('div', { width: size.width, height: size.height, display: 'flex', alignItems: 'center', justifyContent: 'center', backgroundColor: '#fff4ee', fontFamily: 'Noto Sans SC Latin, Noto Sans SC' }, [page]);
  // satori runs on this thread (first call ≈ 2.4 s to parse the fonts, then 0.03–0.3 s); resvg's rasterising (≈ 0.3 s)
  // goes to libuv's thread pool via renderAsync, so the desk's event loop is not held for it
  const svg = await satori(tree as unknown as Parameters<typeof satori>[0], { width: size.width, height: size.height, fonts: loadFonts() });
  const png = (await renderAsync(svg, { fitTo: { mode: 'width', value: size.width }, font: { loadSystemFonts: false } })).asPng();
  return { png: Buffer.from(png), width: size.width, height: size.height };
}
