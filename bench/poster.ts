// Poster benchmark (#12): the first render (fonts parsed, ~3 MB of WOFF) vs the following ones, per layout, and the
// PNG size against WeCom's 2 MB upload limit. Returns { poster: {...} }.
import type { Product } from '../shared/domain.ts';
import { POSTER_MAX_BYTES, renderPoster } from '../electron/core/push/poster.ts';
import { summarize, round } from './stats.ts';

const product = (i: number): Product => ({
  id: i, title: `商品${i} 真丝连衣裙夏季新款`, price: 29_900, livePrice: 19_900, sku: null, stock: 10, imageUrl: null,
  sellingPoints: [], coupon: i === 1 ? '满200减30' : null, link: null, hot: false, createdAt: 0, updatedAt: 0,
});

export async function run(): Promise<Record<string, unknown>> {
  const input = { title: '618 宠粉专场', startTime: Date.now(), products: [1, 2, 3, 4, 5, 6].map(product), qrText: 'https://example.com/reserve/618', hint: '或在视频号搜索' };
  let t = performance.now();
  const first = await renderPoster(input, 'story');
  const coldMs = performance.now() - t;
  // how long the event loop is held (what a pin or an OBS event would wait): the longest gap of a 5 ms ticker
  let last = performance.now();
  let maxGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 5);
  const warm: Record<string, number[]> = { story: [], feed: [] };
  const bytes: Record<string, number> = { story: first.png.length, feed: 0 };
  for (let i = 0; i < 5; i++) {
    for (const layout of ['story', 'feed'] as const) {
      t = performance.now();
      const r = await renderPoster(input, layout);
      warm[layout]!.push(performance.now() - t);
      bytes[layout] = r.png.length;
    }
  }
  clearInterval(ticker);
  const story = summarize(warm.story!);
  return {
    poster: {
      coldStoryMs: round(coldMs),
      warmStoryMs: story,
      warmFeedMs: summarize(warm.feed!),
      coldOverWarm: round(coldMs / story.p50),
      warmMaxLoopBlockMs: round(maxGap),
      loopBlockOverRender: round(maxGap / story.p50),
      storyKB: round(bytes.story! / 1024, 0),
      feedKB: round(bytes.feed! / 1024, 0),
      storyOfLimit: round(bytes.story! / POSTER_MAX_BYTES, 3),
    },
  };
}
