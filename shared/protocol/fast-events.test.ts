// Differential test: the ingest fast path (`fastEvents`) against the zod schemas it claims to agree with. On generated
// events — valid ones and ones broken in every way a field can be — fast must never accept what zod rejects, and what
// it accepts must come out exactly as zod's output.
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MAX_COUNT, MAX_EPOCH_MS, MAX_FEN } from './fields.ts';
import { fastEvents, MetricEvent, ORDER_STATUSES } from './metrics.ts';

/** mulberry32: a small seeded PRNG, so a failure reproduces from the printed seed */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

// values at and around every limit, wrong types, and text that trim() would change
const intEdge = (max: number) => [
  0,
  1,
  max,
  max + 1,
  -1,
  1.5,
  -0,
  Number.NaN,
  Infinity,
  -Infinity,
  '5',
  null,
  true,
  Number.MAX_SAFE_INTEGER + 2,
];
const NUMS = {
  ts: [1_790_000_000_000, ...intEdge(MAX_EPOCH_MS)],
  count: [3, ...intEdge(MAX_COUNT)],
  fen: [129_900, ...intEdge(MAX_FEN)],
};
const text = (r: R, max: number): unknown =>
  pick(r, ['a', 'x'.repeat(max), 'x'.repeat(max + 1), '', ' a', 'a ', '\ta', 'a\u3000', '\u00a0', '订单-1', 42, null, ['a'], {}]);
const ref = (r: R): unknown =>
  r() < 0.5 ? pick(r, [1, 12, 0, -3, 2.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, '1']) : text(r, 64);
const avg = [0, 12.5, 1e7, 1e7 + 1, -0.1, Number.NaN, Infinity, '3'];

function validish(r: R): Record<string, unknown> {
  const ts = r() < 0.8 ? 1_790_000_000_000 + Math.floor(r() * 1e6) : pick(r, NUMS.ts);
  switch (pick(r, ['order', 'reading', 'comment', 'join', 'leave'] as const)) {
    case 'order': {
      const o: Record<string, unknown> = {
        type: 'order',
        ts,
        orderId: r() < 0.7 ? `o${Math.floor(r() * 1e9)}` : text(r, 64),
        amount: r() < 0.7 ? Math.floor(r() * 1e6) : pick(r, NUMS.fen),
      };
      if (r() < 0.7) o.productId = r() < 0.7 ? 1 + Math.floor(r() * 50) : ref(r);
      if (r() < 0.4) o.sku = r() < 0.6 ? 'SKU-1' : text(r, 64);
      if (r() < 0.6) o.status = r() < 0.8 ? pick(r, ORDER_STATUSES) : pick(r, ['PAID', '', 'unknown', 1, null]);
      return o;
    }
    case 'reading': {
      const e: Record<string, unknown> = { type: 'reading', ts };
      for (const k of ['online', 'viewersUv', 'viewsPv']) if (r() < 0.6) e[k] = r() < 0.7 ? Math.floor(r() * 1e5) : pick(r, NUMS.count);
      if (r() < 0.3) e.avgWatchSeconds = pick(r, avg);
      if (r() < 0.4) {
        const n = r() < 0.9 ? Math.floor(r() * 4) : pick(r, [500, 501]);
        e.products = Array.from({ length: n }, () => {
          const p: Record<string, unknown> = { productId: r() < 0.8 ? 1 + Math.floor(r() * 50) : ref(r) };
          for (const k of ['exposureUv', 'clickUv', 'payUv']) if (r() < 0.5) p[k] = r() < 0.8 ? Math.floor(r() * 1e4) : pick(r, NUMS.count);
          if (r() < 0.5) p.gmv = r() < 0.8 ? Math.floor(r() * 1e7) : pick(r, NUMS.fen);
          if (r() < 0.03) p.extra = 1;
          return r() < 0.02 ? pick(r, [null, [], 'p', 3]) : p;
        });
      }
      return e;
    }
    case 'comment':
      return { type: 'comment', ts, text: r() < 0.8 ? '多少钱' : pick(r, ['', ' 空格 ', 'x'.repeat(2000), 'x'.repeat(2001), 5, null]) };
    default:
      return {
        type: pick(r, ['join', 'leave']),
        ts,
        viewerId: r() < 0.8 ? `v${Math.floor(r() * 1e6)}` : pick(r, ['', ' v ', 'x'.repeat(128), 'x'.repeat(129), 7, null]),
      };
  }
}

/** break one thing: drop a field, add an unknown one, change the type tag, or replace the whole event */
function mutate(r: R, e: Record<string, unknown>): unknown {
  const keys = Object.keys(e);
  switch (Math.floor(r() * 6)) {
    case 0: {
      const copy = { ...e };
      delete copy[pick(r, keys)];
      return copy;
    }
    case 1:
      return { ...e, [pick(r, ['extra', 'constructor', 'toString', '__proto__x', 'Type'])]: 1 };
    case 2:
      return { ...e, type: pick(r, ['ORDER', 'orders', '', null, 1, 'snapshot']) };
    case 3:
      return pick(r, [null, undefined, 1, 'order', [], [e], true]);
    default:
      return e;
  }
}

describe('fastEvents agrees with zod (differential, generated inputs)', () => {
  it.each([1, 2, 3])('seed %i: 10 000 single events — fast accepts only what zod accepts, with the same output', (seed) => {
    const r = rng(seed);
    let fastAccepted = 0;
    let zodAccepted = 0;
    for (let i = 0; i < 10_000; i++) {
      const base = validish(r);
      const input = r() < 0.35 ? mutate(r, base) : base;
      // JSON round trip: ingest inputs come from JSON, which has no undefined, NaN or Infinity (NaN/Infinity → null)
      const json: unknown = input === undefined ? null : JSON.parse(JSON.stringify(input));
      for (const candidate of [input, json]) {
        const fast = fastEvents([candidate]);
        const zod = MetricEvent.safeParse(candidate);
        if (zod.success) zodAccepted++;
        if (fast === null) continue;
        fastAccepted++;
        if (!zod.success) throw new Error(`seed ${seed} #${i}: fast accepted what zod rejects: ${JSON.stringify(candidate)}`);
        if (!isDeepStrictEqual(fast[0], zod.data)) expect(fast[0], `seed ${seed} #${i}`).toStrictEqual(zod.data);
      }
    }
    // the generator exercises both sides: most valid events take the fast path, and many inputs are refused
    expect(fastAccepted).toBeGreaterThan(7_500);
    expect(zodAccepted).toBeGreaterThan(fastAccepted * 0.9);
    expect(zodAccepted).toBeLessThan(20_000 * 0.9);
  });

  it('one bad event sends the whole batch to zod (null), a clean batch is taken as is', () => {
    const good = { type: 'comment', ts: 1, text: 'hi' };
    expect(fastEvents([good, good])).toEqual([good, good]);
    expect(fastEvents([good, { ...good, text: 1 }])).toBeNull();
    expect(fastEvents([{ type: 'order', ts: 1, orderId: 'o1', amount: 100, productId: 3 }])).toEqual([
      { type: 'order', ts: 1, orderId: 'o1', amount: 100, productId: 3, status: 'paid' },
    ]);
  });
});
