// The poster is checked the way a customer meets it: its pixel size, its byte size against WeCom's upload limit, and
// the QR code decoded back from the rendered pixels (jsqr), not from the text we fed in.
import { Resvg } from '@resvg/resvg-js';
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import type { Product } from '../../../shared/domain.ts';
import http from 'node:http';
import QRCode from 'qrcode';
import { inlineImages, POSTER_MAX_BYTES, renderPoster } from './poster.ts';

const product = (i: number, extra: Partial<Product> = {}): Product => ({
  id: i, title: `商品${i} 真丝连衣裙夏季新款`, price: 29_900 + i * 100, livePrice: 19_900 + i * 100, sku: null, stock: 10, imageUrl: null,
  sellingPoints: [], coupon: i === 1 ? '满200减30' : null, link: null, hot: false, createdAt: 0, updatedAt: 0, ...extra,
});

/** decode a PNG to RGBA with resvg (wrapping it in an SVG <image>), then find the QR in the pixels */
function decodeQr(png: Buffer, width: number, height: number): string | null {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><image href="data:image/png;base64,${png.toString('base64')}" width="${width}" height="${height}"/></svg>`;
  const img = new Resvg(svg).render();
  return jsQR(new Uint8ClampedArray(img.pixels), img.width, img.height)?.data ?? null;
}

function pngSize(png: Buffer) {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('live poster', () => {
  const link = 'https://example.com/live/room?from=poster&s=42';
  for (const [layout, w, h] of [['story', 1080, 1920], ['feed', 1080, 1440]] as const) {
    it(`${layout}: ${w}×${h}, under 2 MB, QR decodes to the entry link`, async () => {
      const t0 = performance.now();
      const r = await renderPoster({ title: '618 宠粉专场', startTime: Date.UTC(2026, 5, 18, 12), products: [1, 2, 3, 4, 5, 6, 7].map((i) => product(i)), qrText: link, hint: '或在视频号搜索「LiveCue 旗舰店」' }, layout);
      const ms = performance.now() - t0;
      expect(pngSize(r.png)).toEqual({ width: w, height: h });
      expect(r.png.length).toBeLessThan(POSTER_MAX_BYTES);
      expect(decodeQr(r.png, w, h)).toBe(link);
      console.log(`[poster] ${layout} ${w}x${h}: ${(r.png.length / 1024).toFixed(0)} KB in ${ms.toFixed(0)} ms`);
    }, 60_000);
  }

  it('without a URL entry point there is no QR to decode, and the hint is drawn instead', async () => {
    const r = await renderPoster({ title: '新品首发', startTime: null, products: [product(1), product(2), product(3)], qrText: null, hint: '点击群里的小程序卡片进入直播间' }, 'feed');
    expect(pngSize(r.png)).toEqual({ width: 1080, height: 1440 });
    expect(decodeQr(r.png, 1080, 1440)).toBeNull();
  }, 60_000);
});

describe('product pictures', () => {
  it('inlines PNG/JPEG pictures, keeps the placeholder for anything else, never fetches plain http off this machine', async () => {
    const png = await QRCode.toBuffer('picture', { type: 'png', width: 120 });
    const server = http.createServer((req, res) => {
      if (req.url === '/ok.png') res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      else if (req.url === '/page') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as any).port}`;
    try {
      const [ok, html, missing, remote] = await inlineImages([
        product(1, { imageUrl: `${base}/ok.png` }),
        product(2, { imageUrl: `${base}/page` }),
        product(3, { imageUrl: `${base}/nope.png` }),
        product(4, { imageUrl: 'http://example.com/a.png' }),
      ]);
      expect(ok!.imageUrl).toBe(`data:image/png;base64,${png.toString('base64')}`);
      expect([html!.imageUrl, missing!.imageUrl, remote!.imageUrl]).toEqual([null, null, null]);
      const r = await renderPoster({ title: 't', startTime: null, products: [ok!, html!, missing!], qrText: null, hint: '' }, 'feed');
      expect(r.png.length).toBeGreaterThan(10_000);
    } finally {
      server.close();
    }
  }, 60_000);
});
